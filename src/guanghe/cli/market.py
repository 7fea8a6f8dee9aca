"""``guanghe market keys create|list|revoke``: API keys for brands, creators, MCN agencies and operators."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

import typer
from rich.markup import escape
from rich.table import Table

from guanghe.appdb import EXTERNAL_ID_MAX, ROLES, AppDbError, create_key, list_keys, revoke_key
from guanghe.cli.app import app, console, err_console
from guanghe.cli.db import DB, JSON, fail, open_or_exit, print_json

market_app = typer.Typer(
    name="market", help="The marketplace: its principals and API keys.", no_args_is_help=True
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
