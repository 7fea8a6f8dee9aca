"""``guanghe market keys create|list|revoke`` (API keys for brands, creators, MCN agencies and operators) and
``guanghe market serve`` (the marketplace API)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from guanghe.appdb import EXTERNAL_ID_MAX, ROLES, AppDbError, create_key, list_keys, revoke_key
from guanghe.cli.app import app, console, err_console, warehouse_option
from guanghe.cli.db import DB, JSON, fail, open_or_exit, print_json
from guanghe.config import Settings
from guanghe.money.rules import CHANNELS_DIR

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
    from guanghe.ledger import LedgerError, LedgerMissing, open_ledger

    try:
        open_ledger(ledger).close()
    except LedgerMissing as e:  # served anyway: discovery works; the order routes answer 503 until it exists
        err_console.print(f"[yellow]warning:[/] --ledger: {escape(str(e))}: the order routes answer 503 "
                          "until it is created", highlight=False, soft_wrap=True)  # fmt: skip
    except LedgerError as e:
        fail(f"--ledger: {e}")
    extra = {"ledger": ledger, "channels": str(channels)}
    settings = MarketSettings(warehouse, url, as_of, timezone, time_limit, **extra)
    try:
        api = build_market_app(settings)  # the catalog, once, here: a bad warehouse fails before serving
    except (WarehouseError, MarketApiError, SettingError) as e:
        fail(f"--warehouse: {e}")
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
