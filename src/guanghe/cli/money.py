"""``guanghe money ...``: accrual, settlement, payouts, statements and balances (thin commands)."""

from __future__ import annotations

import typer

from guanghe.cli.app import app

money_app = typer.Typer(
    name="money",
    help="Money flows: accrue channels on the ledger, settle months, pay out, statements, balances.",
    no_args_is_help=True,
)
app.add_typer(money_app, name="money")
