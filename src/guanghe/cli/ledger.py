"""``guanghe ledger accounts|balance|statement|transfer|history|reconcile``: the ledger from the shell."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from guanghe.cli.app import app, console, err_console
from guanghe.config import Settings
from guanghe.ledger import (
    CNY,
    Account,
    AccountCode,
    AccountFlags,
    LedgerError,
    LedgerStore,
    Transfer,
    open_ledger,
)
from guanghe.ledger.reconcile import reconcile
from guanghe.ledger.types import code_name

ledger_app = typer.Typer(
    name="ledger",
    help="The double-entry money ledger (accounts, transfers, reconcile).",
    no_args_is_help=True,
)
app.add_typer(ledger_app, name="ledger")

URL = typer.Option(lambda: Settings.from_env().ledger, "--url", "-u", help="Ledger URL (env GUANGHE_LEDGER).")
JSON = typer.Option(False, "--json", help="Print JSON.")


def _open(url: str) -> LedgerStore:
    try:
        return open_ledger(url)
    except LedgerError as e:
        err_console.print(f"[red]error:[/] {e}")
        raise typer.Exit(2) from e


def _utc(ns: int) -> str:
    """A ledger timestamp (ns since the epoch) as UTC text with microseconds."""
    return datetime.fromtimestamp(ns / 1e9, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def _print(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, default=str))


def _account_table(accounts: list[Account]) -> Table:
    t = Table(title="Accounts", title_justify="left")
    for name in (
        "id",
        "ledger",
        "code",
        "flags",
        "debits pending",
        "debits posted",
        "credits pending",
        "credits posted",
        "balance",
    ):
        t.add_column(name, justify="right" if name not in ("code", "flags") else "left")
    for a in accounts:
        flags = AccountFlags(a.flags).name.lower() if a.flags else ""
        t.add_row(
            str(a.id),
            str(a.ledger),
            code_name(a.code),
            flags or "",
            *(
                f"{v:,}"
                for v in (a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted, a.balance)
            ),
        )
    return t


@ledger_app.command("accounts")
def accounts_command(
    create: int | None = typer.Option(None, "--create", help="Create an account with this id."),
    ledger: int = typer.Option(CNY, "--ledger-id", help="Ledger (currency) of the new account; 156 = CNY."),
    code: str = typer.Option("creator_balance", "--code", help="Kind: creator_balance, brand_escrow, ..."),
    flag: list[str] = typer.Option(
        [], "--flag", help="debits_must_not_exceed_credits or credits_must_not_exceed_debits"
    ),
    url: str = URL,
    as_json: bool = JSON,
) -> None:
    """List accounts with balances, or create one (``--create ID``). Exit 1 if the creation was refused."""
    with _open(url) as store:
        if create is not None:
            try:
                flags = sum(int(AccountFlags.parse(f)) for f in flag)
                result = store.create_accounts(
                    [Account(create, ledger, AccountCode.parse(code), flags=flags)]
                )[0]
            except LedgerError as e:
                err_console.print(f"[red]error:[/] {e}")
                raise typer.Exit(2) from e
            _print({"id": create, "result": str(result)}) if as_json else console.print(
                f"account {create}: {result}"
            )
            raise typer.Exit(0 if result in ("ok", "exists") else 1)
        accounts = store.accounts()
    if as_json:
        _print([asdict(a) | {"balance": a.balance} for a in accounts])
    else:
        console.print(_account_table(accounts))


@ledger_app.command("balance")
def balance_command(
    account: int = typer.Argument(..., help="Account id."),
    as_of: int | None = typer.Option(None, "--as-of", help="Ledger timestamp (ns since the epoch)."),
    url: str = URL,
    as_json: bool = JSON,
) -> None:
    """Balances of one account, now or as of a timestamp. Exit 1 if there is no such account."""
    with _open(url) as store:
        b = store.balance(account, as_of)
    if b is None:
        err_console.print(f"[red]error:[/] no account {account}")
        raise typer.Exit(1)
    data = asdict(b) | {"balance": b.credits_posted - b.debits_posted}
    if as_json:
        _print(data)
    else:
        for k, v in data.items():
            console.print(f"{k:16s} {v if v is None or k in ('account_id', 'as_of') else f'{v:,}'}")


@ledger_app.command("statement")
def statement_command(
    account: int = typer.Argument(..., help="Account id."),
    since: int = typer.Option(0, "--since", help="From this ledger timestamp (ns)."),
    until: int | None = typer.Option(None, "--until", help="Up to this ledger timestamp (ns)."),
    limit: int | None = typer.Option(None, "--limit", help="At most this many entries."),
    url: str = URL,
    as_json: bool = JSON,
) -> None:
    """The account's transfers in time order with the running posted balance."""
    with _open(url) as store:
        rows = store.statement(account, since, until, limit)
    if as_json:
        _print([asdict(t) | {"balance_after": bal} for t, bal in rows])
        return
    t = Table(title=f"Statement of account {account}", title_justify="left")
    for name in ("timestamp", "transfer", "kind", "debit", "credit", "balance"):
        t.add_column(name, justify="right")
    for tr, bal in rows:
        kind = (
            "pending" if tr.flags & 2 else "post" if tr.flags & 4 else "void" if tr.flags & 8 else "transfer"
        )
        debit, credit = (f"{tr.amount:,}", "") if tr.debit_account_id == account else ("", f"{tr.amount:,}")
        t.add_row(_utc(tr.timestamp), str(tr.id), kind, debit, credit, f"{bal:,}")
    console.print(t)


@ledger_app.command("transfer")
def transfer_command(
    id: int | None = typer.Option(None, "--id", help="Transfer id (the idempotency key)."),
    debit: int = typer.Option(0, "--debit", help="Debit account id."),
    credit: int = typer.Option(0, "--credit", help="Credit account id."),
    amount: int = typer.Option(0, "--amount", help="Amount in minor units (fen)."),
    ledger: int = typer.Option(CNY, "--ledger-id", help="Ledger (currency); 156 = CNY."),
    code: int = typer.Option(1, "--code", help="Transfer code (why the money moved)."),
    user_data: int = typer.Option(0, "--user-data", help="Reference (a 128-bit integer)."),
    pending: bool = typer.Option(False, "--pending", help="Reserve the amount (two-phase)."),
    timeout: int = typer.Option(0, "--timeout", help="Seconds before a pending transfer expires."),
    post: int | None = typer.Option(
        None, "--post", help="Post this pending transfer (--amount 0 = in full)."
    ),
    void: int | None = typer.Option(None, "--void", help="Void this pending transfer."),
    file: Path | None = typer.Option(
        None, "--file", help="A JSON Lines batch: one transfer object per line."
    ),
    url: str = URL,
    as_json: bool = JSON,
) -> None:
    """Submit one transfer (or a batch with --file). Exit 0 if every one is ok or exists, else 1."""
    if file is not None:
        batch = _read_batch(file)
    elif id is None:
        err_console.print("[red]error:[/] --id is required (or --file)")
        raise typer.Exit(2)
    elif post is not None or void is not None:
        batch = [
            Transfer(
                id,
                debit,
                credit,
                amount,
                pending_id=post or void or 0,
                user_data=user_data,
                flags=4 if post is not None else 8,
            )
        ]
    else:
        batch = [
            Transfer(
                id,
                debit,
                credit,
                amount,
                user_data=user_data,
                ledger=ledger,
                code=code,
                flags=2 if pending else 0,
                timeout=timeout,
            )
        ]
    with _open(url) as store:
        results = store.create_transfers(batch)
    if as_json:
        _print([{"id": t.id, "result": str(r)} for t, r in zip(batch, results, strict=True)])
    else:
        for t, r in zip(batch, results, strict=True):
            console.print(f"transfer {t.id}: {'[green]' if r in ('ok', 'exists') else '[red]'}{r}")
    raise typer.Exit(0 if all(r in ("ok", "exists") for r in results) else 1)


def _read_batch(path: Path) -> list[Transfer]:
    fields = set(Transfer.__dataclass_fields__)
    out = []
    try:
        lines = path.read_text().splitlines()
    except OSError as e:
        err_console.print(f"[red]error:[/] cannot read {path}: {e}")
        raise typer.Exit(2) from e
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            unknown = set(obj) - fields
            if unknown or not all(isinstance(v, int) for v in obj.values()):
                raise ValueError(
                    f"expected integer fields from {sorted(fields)}, got {sorted(unknown) or obj}"
                )
            out.append(Transfer(**obj))
        except (ValueError, TypeError) as e:
            err_console.print(f"[red]error:[/] {path}:{n}: {e}")
            raise typer.Exit(2) from e
    return out


@ledger_app.command("history")
def history_command(
    transfer: int = typer.Argument(..., help="Transfer id."), url: str = URL, as_json: bool = JSON
) -> None:
    """A transfer and, for a pending one, its state and the transfer that resolved it. Exit 1 if unknown."""
    with _open(url) as store:
        h = store.history(transfer)
    if h is None:
        err_console.print(f"[red]error:[/] no transfer {transfer}")
        raise typer.Exit(1)
    data = {
        "transfer": asdict(h["transfer"]),
        "pending": asdict(h["pending"]) if h["pending"] else None,
        "resolutions": [asdict(t) for t in h["resolutions"]],
    }
    _print(data) if as_json else console.print(data)


@ledger_app.command("reconcile")
def reconcile_command(url: str = URL, as_json: bool = JSON) -> None:
    """Replay every transfer and check all invariants. Exit 0 if the ledger balances, 1 on any difference."""
    with _open(url) as store:
        report = reconcile(store)
    if as_json:
        _print(report.as_dict())
    else:
        console.print(
            f"{report.accounts:,} accounts, {report.transfers:,} transfers, {report.pending:,} pending"
        )
        for p in report.problems:
            console.print(f"[red]✗[/] {p}")
        console.print(
            "[green]ledger balances[/]" if report.ok else f"[red]{len(report.problems)} problem(s)[/]"
        )
    raise typer.Exit(0 if report.ok else 1)
