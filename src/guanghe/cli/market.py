"""``guanghe market keys create|list|revoke`` (API keys for brands, creators, MCN agencies and operators) and
``guanghe market serve`` (the marketplace API)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.table import Table

from guanghe.appdb import EXTERNAL_ID_MAX, ROLES, AppDbError, create_key, list_keys, revoke_key
from guanghe.cli.app import app, console, err_console, warehouse_option
from guanghe.cli.db import DB, JSON, fail, open_or_exit, print_json
from guanghe.config import Settings
from guanghe.money.rules import CHANNELS_DIR

if TYPE_CHECKING:
    from guanghe.market.order_types import Market

market_app = typer.Typer(
    name="market", help="The marketplace: its principals and API keys, its API.", no_args_is_help=True
)
keys_app = typer.Typer(name="keys", help="API keys: create (shown once), list, revoke.", no_args_is_help=True)
market_app.add_typer(keys_app, name="keys")
app.add_typer(market_app, name="market")


def _time(t: datetime | None) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S UTC") if t else ""


@keys_app.command("create")
def create_command(
    role: str = typer.Option(..., "--role", help=f"Who the key speaks for: {', '.join(ROLES)}."),
    name: str = typer.Option(..., "--name", help="The principal's name (and the key's)."),
    external_id: int | None = typer.Option(
        None, "--external-id", help="The brand / creator / MCN agency id in the warehouse and ledger."
    ),
    url: str = DB,
    as_json: bool = JSON,
) -> None:
    """Create an API key and print it once: only its hash is stored, it cannot be shown again."""
    if role not in ROLES:
        fail(f"--role {role!r}: expected one of {', '.join(ROLES)}")
    if external_id is not None and not 1 <= external_id <= EXTERNAL_ID_MAX:
        fail(f"--external-id {external_id}: expected an integer 1..2^48-1")
    if not name.strip():
        fail("--name: expected a non-empty name")
    with open_or_exit(url) as db:
        try:
            principal, key = create_key(db, role, name, external_id)
        except AppDbError as e:
            fail(str(e))
    warning = "store this key now: it is not shown again (only its hash is kept)"
    if as_json:
        print_json({"key": key, "principal": asdict(principal), "warning": warning})
        return
    console.print(key, highlight=False, soft_wrap=True)
    err_console.print(
        f"[yellow]warning:[/] {warning}; principal {principal.id} ({principal.kind} {escape(principal.name)})",
        highlight=False,
    )


@keys_app.command("list")
def list_command(url: str = DB, as_json: bool = JSON) -> None:
    """Every key with its principal: prefix, role, name, times. Never a key or a hash."""
    with open_or_exit(url) as db:
        keys = list_keys(db)
    if as_json:
        print_json(
            [
                {
                    "id": k.id,
                    "prefix": k.prefix,
                    "role": k.kind,
                    "principal_id": k.principal_id,
                    "principal": k.principal_name,
                    "external_id": k.external_id,
                    "name": k.name,
                    "created_at": k.created_at.isoformat(),
                    "revoked_at": k.revoked_at.isoformat() if k.revoked_at else None,
                    "last_used_at": k.last_used_at.isoformat() if k.last_used_at else None,
                }
                for k in keys
            ]
        )
        return
    t = Table(title="API keys", title_justify="left")
    for col in (
        "id",
        "prefix",
        "role",
        "principal",
        "external id",
        "name",
        "created",
        "last used",
        "revoked",
    ):
        t.add_column(col, justify="right" if col in ("id", "external id") else "left")
    for k in keys:
        t.add_row(
            str(k.id),
            f"{k.prefix}…",
            k.kind,
            escape(k.principal_name),
            "" if k.external_id is None else str(k.external_id),
            escape(k.name),
            _time(k.created_at),
            _time(k.last_used_at),
            _time(k.revoked_at),
        )
    console.print(t)


@keys_app.command("revoke")
def revoke_command(
    key_id: int = typer.Argument(..., help="The key's id (see guanghe market keys list)."),
    url: str = DB,
    as_json: bool = JSON,
) -> None:
    """Revoke a key: it no longer authenticates (revoking twice keeps the first time). Exit 1 if unknown."""
    with open_or_exit(url) as db:
        key = revoke_key(db, key_id)
    if key is None:
        fail(f"no API key {key_id}", 1)
    if as_json:
        print_json(
            {
                "id": key.id,
                "prefix": key.prefix,
                "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
            }
        )
    else:
        console.print(f"key {key.id} ({key.prefix}…) revoked at {_time(key.revoked_at)}", highlight=False)


@market_app.command("serve")
def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Bind address."),
    port: int = typer.Option(8100, "--port", min=1, max=65535, help="Port."),
    workers: int = typer.Option(
        1, "--workers", min=1, help="uvicorn worker processes (each builds the catalog)."
    ),
    warehouse: str = typer.Option(warehouse_option, "--warehouse", "-w", help="Warehouse URL (read only)."),
    url: str = DB,
    as_of: str | None = typer.Option(
        None, "--as-of", help="The catalog's day (default: the warehouse's last)."
    ),
    timezone: str = typer.Option(
        lambda: Settings.from_env().timezone, "--timezone", help="Platform time zone (env GUANGHE_TIMEZONE)."
    ),
    time_limit: float = typer.Option(
        10.0, "--time-limit", min=0.1, help="Seconds a match may solve at most."
    ),
    ledger: str = typer.Option(
        lambda: Settings.from_env().ledger,
        "--ledger",
        help="Ledger URL: the orders' escrow (env GUANGHE_LEDGER).",
    ),
    channels: Path = typer.Option(CHANNELS_DIR, "--channels", help="Directory of channel rule files."),
) -> None:
    """Run the marketplace API (uvicorn) under /v1/market: discovery, match, campaigns, orders, rate cards."""
    import os

    import uvicorn

    from guanghe.config import SettingError, platform_zone
    from guanghe.data.warehouse import WarehouseError
    from guanghe.market.api.app import ENV, MarketApiError, MarketSettings, build_market_app

    if as_of is not None:
        try:
            as_of = date.fromisoformat(as_of).isoformat()
        except ValueError:
            fail(f"--as-of: expected a date like 2023-06-30, got {as_of!r}")
    try:
        platform_zone(timezone)
    except SettingError:
        fail(f"--timezone {timezone!r}: expected an IANA time zone such as UTC or Asia/Shanghai")
    open_or_exit(url).close()  # a missing or un-migrated database: exit 2 before anything starts
    extra = {"ledger": ledger, "channels": str(channels)}
    settings = MarketSettings(warehouse, url, as_of, timezone, time_limit, **extra)
    try:
        api = build_market_app(settings)  # the catalog, once, here: a bad warehouse fails before serving
    except (WarehouseError, MarketApiError, SettingError) as e:
        fail(f"--warehouse: {e}")
    from guanghe.ledger import LedgerError, LedgerMissing, open_ledger

    try:
        open_ledger(ledger).close()
    except LedgerMissing as e:  # served anyway: discovery works; the order routes answer 503 until it exists
        err_console.print(f"[yellow]warning:[/] --ledger: {escape(str(e))}: the order routes answer 503 "
                          "until it is created", highlight=False, soft_wrap=True)  # fmt: skip
    except LedgerError as e:
        fail(f"--ledger: {e}")
    as_of_day = api.state.market.as_of
    console.print(f"market API on http://{host}:{port}/v1/market x{workers}; catalog of "
                  f"{api.state.market.kits.num_rows:,} creators as of {as_of_day}", highlight=False)  # fmt: skip
    if workers == 1:
        uvicorn.run(api, host=host, port=port, log_level="warning", access_log=False)
        return
    os.environ[ENV] = MarketSettings(
        warehouse, url, as_of_day.isoformat(), timezone, time_limit, **extra
    ).to_env()
    uvicorn.run("guanghe.market.api.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="warning", access_log=False)  # fmt: skip


# -- the operator's view of the market: campaigns, orders, disputes; resolving a dispute ----------------------
def _operator(db, principal_id: int | None):
    from guanghe.appdb import Principal

    ops = {k.principal_id: k for k in list_keys(db) if k.kind == "operator"}
    if principal_id is None and ops:
        principal_id = min(ops)
    if principal_id not in ops:
        fail("--operator: no operator principal (create one: guanghe market keys create --role operator ...)")
    k = ops[principal_id]
    return Principal(k.principal_id, "operator", k.principal_name, k.external_id)


def _plain(x: object) -> dict:
    return {k: v.isoformat() if isinstance(v, date | datetime) else list(v) if isinstance(v, tuple) else v
            for k, v in x.__dict__.items()}  # fmt: skip


def _print_orders(orders: list, title: str, as_json: bool) -> None:
    if as_json:
        print_json([_plain(o) for o in orders])
        return
    t = Table(title=title, title_justify="left")
    for col in (
        "order",
        "campaign",
        "brand",
        "creator",
        "mcn",
        "state",
        "price",
        "fee",
        "version",
        "updated",
    ):
        t.add_column(col, justify="left" if col in ("state", "updated") else "right")
    for o in orders:
        t.add_row(str(o.id), str(o.campaign_id), str(o.brand_id), str(o.creator_id), str(o.mcn_id or ""),
                  o.state, f"{o.price_fen:,}", f"{o.fee_fen:,}", str(o.version), _time(o.updated_at))  # fmt: skip
    console.print(t)


LIMIT = typer.Option(1000, "--limit", min=1, max=100_000, help="At most this many, newest first.")


@market_app.command("campaigns")
def campaigns_command(url: str = DB, limit: int = LIMIT, as_json: bool = JSON) -> None:
    """Every campaign, newest first (operator view)."""
    from guanghe.market.offers import list_campaigns

    with open_or_exit(url) as db:
        items, total = list_campaigns(db, None, limit)
    if as_json:
        print_json([_plain(c) for c in items])
        return
    t = Table(title=f"campaigns ({total})", title_justify="left")
    for col in ("id", "brand", "title", "budget", "deadline", "status"):
        t.add_column(col, justify="right" if col in ("id", "brand", "budget") else "left")
    for c in items:
        t.add_row(str(c.id), str(c.brand_id), escape(c.title), f"{c.budget_fen:,}", str(c.deadline), c.status)
    console.print(t)


@market_app.command("orders")
def orders_command(
    state: str | None = typer.Option(None, "--state", help="Only orders in this state."),
    url: str = DB,
    limit: int = LIMIT,
    as_json: bool = JSON,
) -> None:
    """Every order (or those in --state), newest first (operator view)."""
    from guanghe.appdb.market_models import ORDER_STATES
    from guanghe.market.offers import list_orders

    if state is not None and state not in ORDER_STATES:
        fail(f"--state {state!r}: expected one of {', '.join(ORDER_STATES)}")
    with open_or_exit(url) as db:
        items, total = list_orders(db, None, state, limit)
    _print_orders(items, f"orders ({total})", as_json)


@market_app.command("disputes")
def disputes_command(url: str = DB, limit: int = LIMIT, as_json: bool = JSON) -> None:
    """The disputed orders, waiting for an operator (guanghe market resolve)."""
    from guanghe.market.offers import list_orders

    with open_or_exit(url) as db:
        items, total = list_orders(db, None, "disputed", limit)
    _print_orders(items, f"disputed orders ({total})", as_json)


@market_app.command("resolve")
def resolve_command(
    order_id: int = typer.Argument(..., help="The disputed order's id."),
    creator_share_bps: int = typer.Option(
        ..., "--creator-share-bps", help="The creator's part of the price, in basis points (0..10000)."
    ),
    note: str | None = typer.Option(None, "--note", help="Why (kept in the order's audit trail)."),
    operator: int | None = typer.Option(
        None, "--operator", help="The operator principal's id (default: the first operator)."
    ),
    url: str = DB,
    ledger: str = typer.Option(
        lambda: Settings.from_env().ledger, "--ledger", help="Ledger URL (env GUANGHE_LEDGER)."
    ),
    channels: Path = typer.Option(CHANNELS_DIR, "--channels", help="Directory of channel rule files."),
    timezone: str = typer.Option(
        lambda: Settings.from_env().timezone, "--timezone", help="Platform time zone (env GUANGHE_TIMEZONE)."
    ),
    as_json: bool = JSON,
) -> None:
    """Decide a dispute as an operator: the creator's part is posted to it (less the fee), the rest returns to
    the brand. Idempotent: the key is ``cli-resolve-ORDER`` (run twice, the first answer)."""
    from guanghe.market import orders as o
    from guanghe.market.errors import MarketError, NotFound, OrderError

    if not 0 <= creator_share_bps <= 10_000:
        fail(f"--creator-share-bps {creator_share_bps}: expected 0..10000")
    with _market(url, ledger, channels, timezone) as market:
        actor = _operator(market.db, operator)
        try:
            step = o.resolve(market, actor, order_id, creator_share_bps, note=note,
                             idempotency_key=f"cli-resolve-{order_id}")  # fmt: skip
        except MarketError as e:
            fail(str(e), 1 if isinstance(e, OrderError | NotFound) else 2)
    order = step.order
    if as_json:
        print_json({"order": _plain(order), "from_state": step.from_state, "to_state": step.to_state,
                    "transfers": list(step.transfers), "replayed": step.replayed})  # fmt: skip
        return
    console.print(f"order {order.id} {step.from_state} → {step.to_state}: creator {order.creator_fen:,} fen of "
                  f"{order.price_fen:,}{' (replayed)' if step.replayed else ''}", highlight=False)  # fmt: skip


@contextmanager
def _market(url: str, ledger: str, channels: Path, timezone: str) -> Iterator[Market]:
    """The order use cases' ``Market`` over the application database, the ledger and the brand_deal rule;
    a bad setting is one line naming its option, exit 2."""
    from guanghe.config import SettingError, platform_zone
    from guanghe.ledger import LedgerError, open_ledger
    from guanghe.market.order_types import Market
    from guanghe.money.rules_load import load_rules
    from guanghe.programs import PROGRAMS_DIR, ProgramError

    try:
        zone = platform_zone(timezone)
    except SettingError:
        fail(f"--timezone {timezone!r}: expected an IANA time zone such as UTC or Asia/Shanghai")
    try:
        rules, _ = load_rules(channels, PROGRAMS_DIR)
    except ProgramError as e:
        fail(f"--channels: {e}")
    with open_or_exit(url) as db:
        try:
            store = open_ledger(ledger)
        except LedgerError as e:
            fail(f"--ledger: {e}")
        with store:
            yield Market(db, store, rules.brand_deal, zone)


@market_app.command("sweep")
def sweep_command(
    now: str | None = typer.Option(
        None, "--now", help="The sweep's time (ISO; without an offset, UTC; default: now)."
    ),
    url: str = DB,
    ledger: str = typer.Option(
        lambda: Settings.from_env().ledger, "--ledger", help="Ledger URL (env GUANGHE_LEDGER)."
    ),
    channels: Path = typer.Option(CHANNELS_DIR, "--channels", help="Directory of channel rule files."),
    timezone: str = typer.Option(
        lambda: Settings.from_env().timezone, "--timezone", help="Platform time zone (env GUANGHE_TIMEZONE)."
    ),
    as_json: bool = JSON,
) -> None:
    """What a scheduler runs (e.g. hourly): auto-accept every delivered order past its acceptance deadline
    (posting its escrow) and expire every funded order whose campaign deadline has passed (voiding it)."""
    from datetime import UTC

    from guanghe.market import orders as o

    try:
        at = datetime.fromisoformat(now) if now else datetime.now(UTC)
        at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)  # no offset: UTC
    except ValueError:
        fail(f"--now {now!r}: expected an ISO time such as 2023-06-30T12:00:00")
    with _market(url, ledger, channels, timezone) as market:
        accepted, expired = o.auto_accept_due(market, at), o.expire_due(market, at)
    done = {"auto_accepted": [s.order.id for s in accepted], "expired": [s.order.id for s in expired]}
    if as_json:
        print_json(done)
        return
    console.print(f"auto-accepted {len(accepted)} order(s), expired {len(expired)}", highlight=False)
