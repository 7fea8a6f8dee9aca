"""``guanghe web``: the web application (creator center, brand pages, MCN pages, operator console)."""

from __future__ import annotations

import os
from datetime import date

import typer
from rich.markup import escape
from rich.table import Table

from guanghe.cli.app import app, console, err_console
from guanghe.cli.db import fail
from guanghe.config import Settings


@app.command("web")
def web_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Bind address."),
    port: int = typer.Option(8200, "--port", min=1, max=65535, help="Port."),
    workers: int = typer.Option(
        1, "--workers", min=1, help="uvicorn worker processes (each builds the catalog)."
    ),
    warehouse: str | None = typer.Option(
        None,
        "--warehouse",
        "-w",
        help="Warehouse URL, read only (env GUANGHE_WAREHOUSE; else guanghe-demo/'s after guanghe demo).",
    ),
    db: str | None = typer.Option(
        None, "--db", help="Application database URL (env GUANGHE_DB); made and migrated if missing."
    ),
    ledger: str | None = typer.Option(
        None, "--ledger", help="Ledger URL: the orders' escrow (env GUANGHE_LEDGER)."
    ),
    as_of: str | None = typer.Option(
        None, "--as-of", help="The catalog's day (default: the warehouse's last)."
    ),
    timezone: str = typer.Option(
        lambda: Settings.from_env().timezone, "--timezone", help="Platform time zone (env GUANGHE_TIMEZONE)."
    ),
    demo_accounts: bool = typer.Option(
        True,
        "--demo-accounts/--no-demo-accounts",
        help="Make (or reset) one login per role and seed a campaign.",
    ),
    demo_password: str | None = typer.Option(
        None,
        "--demo-password",
        help="The demo logins' password (default: a new random one each start, printed).",
    ),
    secure_cookies: bool = typer.Option(
        False, "--secure-cookies", help="Mark the session cookie Secure (HTTPS)."
    ),
    programs: str | None = typer.Option(
        None,
        "--programs",
        "-P",
        help="Program files the operator console edits and allocates (default: as guanghe allocate's).",
    ),
    as_json: bool = typer.Option(
        False, "--json", help="Print the URL and demo accounts as JSON, then serve."
    ),
) -> None:
    """Serve the web pages (uvicorn): makes the application database if missing, prints the demo logins."""
    import json

    import uvicorn

    from guanghe.appdb import AppDbError
    from guanghe.config import SettingError, platform_zone
    from guanghe.data.warehouse import WarehouseError
    from guanghe.ledger import LedgerError, open_ledger
    from guanghe.web.app import assemble
    from guanghe.web.demo import demo_accounts as make_accounts
    from guanghe.web.demo import ensure_database
    from guanghe.web.settings import ENV, WebError, WebSettings, store_defaults
    from guanghe.web.state import build_state

    if as_of is not None:
        try:
            as_of = date.fromisoformat(as_of).isoformat()
        except ValueError:
            fail(f"--as-of: expected a date like 2023-06-30, got {as_of!r}")
    try:
        platform_zone(timezone)
    except SettingError:
        fail(f"--timezone {timezone!r}: expected an IANA time zone such as UTC or Asia/Shanghai")
    if demo_password is not None and len(demo_password) < 8:
        fail("--demo-password: expected at least 8 characters")
    found = store_defaults(dict(os.environ))
    settings = WebSettings(warehouse or found["warehouse"], db or found["db"], ledger or found["ledger"],
                           timezone, as_of, secure_cookies=secure_cookies)  # fmt: skip
    if programs is not None:
        if not os.path.isdir(programs):
            fail(f"--programs {programs}: expected a directory of program files (*.toml)")
        settings.programs = os.path.abspath(programs)
    try:
        open_ledger(settings.ledger).close()
    except LedgerError as e:
        fail(f"--ledger: {e}")
    try:
        ensure_database(settings.db)
    except (AppDbError, SettingError) as e:
        fail(f"--db: {e}")
    try:
        state = build_state(settings)
    except (WarehouseError, WebError, SettingError) as e:
        fail(f"--warehouse: {e}")
    accounts = make_accounts(state, demo_password) if demo_accounts else []
    url = f"http://{host}:{port}/"
    if as_json:
        print(json.dumps({"url": url, "as_of": state.as_of.isoformat(), "accounts": [
            {"role": a.role, "login": a.login, "password": a.password, "external_id": a.principal.external_id}
            for a in accounts]}), flush=True)  # fmt: skip
    else:
        console.print(f"web on {url} x{workers}; catalog of {state.market.kits.num_rows:,} creators as of "
                      f"{state.as_of}", highlight=False)  # fmt: skip
        if accounts:
            t = Table(title="demo logins", title_justify="left")
            for col in ("role", "login", "password", "id"):
                t.add_column(col)
            for a in accounts:
                t.add_row(a.role, a.login, escape(a.password), str(a.principal.external_id or ""))
            console.print(t)
            err_console.print("[yellow]note:[/] demo passwords are reset on every start (--demo-password to fix "
                              "one, --no-demo-accounts to leave them)", highlight=False)  # fmt: skip
    settings.as_of = state.as_of.isoformat()
    if workers == 1:
        uvicorn.run(assemble(state), host=host, port=port, log_level="warning", access_log=False)
        return
    state.close()
    os.environ[ENV] = settings.to_env()
    uvicorn.run("guanghe.web.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level="warning", access_log=False)  # fmt: skip
