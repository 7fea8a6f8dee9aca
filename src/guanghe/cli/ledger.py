"""``guanghe ledger accounts|balance|statement|transfer|history|reconcile``: the ledger from the shell."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.markup import escape
from rich.table import Table

from guanghe.cli.app import app, console, err_console
from guanghe.config import Settings
from guanghe.ledger import (
    CNY,
    POST_FULL,
    Account,
    AccountCode,
    AccountFlags,
    LedgerError,
    LedgerMissing,
    LedgerStore,
    Transfer,
    open_ledger,
)
from guanghe.ledger.reconcile import reconcile
from guanghe.ledger.types import AMOUNT_MAX, code_name
from guanghe.ledger.validate import TIMESTAMP_END, U32, U128, bound_text, field_problem, in_range

ledger_app = typer.Typer(
    name="ledger",
    help="The double-entry money ledger (accounts, transfers, reconcile).",
    no_args_is_help=True,
)
app.add_typer(ledger_app, name="ledger")

URL = typer.Option(lambda: Settings.from_env().ledger, "--url", "-u", help="Ledger URL (env GUANGHE_LEDGER).")
JSON = typer.Option(False, "--json", help="Print JSON.")


FIRST_WRITE = "create it with `guanghe ledger accounts --create ID` (or check --url / GUANGHE_LEDGER)"


def _fail(message: str) -> NoReturn:
    """Bad input: one line on stderr, exit 2."""
    err_console.print(f"[red]error:[/] {escape(message)}", soft_wrap=True, highlight=False)
    raise typer.Exit(2)


def _check(option: str, value: int | None, bound: int) -> None:
    """Exit 2 naming the option unless ``value`` (when given) is an integer in ``0..bound-1``."""
    if value is not None and not in_range(value, bound):
        _fail(f"{option} {value}: expected an integer {bound_text(bound)}")


def _open(url: str, create: bool = False) -> LedgerStore:
    """The ledger a command uses (exit 2 when it cannot): only writing commands pass ``create``."""
    try:
        return open_ledger(url, create=create)
    except LedgerError as e:
        hint = f": {FIRST_WRITE}" if isinstance(e, LedgerMissing) and not create else ""
        _fail(f"{e}{hint}")


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
    ledger: int | None = typer.Option(
        None,
        "--ledger-id",
        help="Ledger (currency): of the new account (default 156 = CNY), or list only it.",
    ),
    code: str | None = typer.Option(
        None, "--code", help="Kind of the new account: creator_balance (default), brand_escrow, ..."
    ),
    flag: list[str] = typer.Option(
        [], "--flag", help="debits_must_not_exceed_credits or credits_must_not_exceed_debits"
    ),
    url: str = URL,
    as_json: bool = JSON,
) -> None:
    """List accounts with balances, or create one (``--create ID``). Exit 1 if the creation was refused."""
    _check("--ledger-id", ledger, U32)
    if create is None:
        if code is not None or flag:
            _fail("--code and --flag describe a new account: use them with --create ID")
        with _open(url) as store:
            accounts = store.accounts(ledger)
        if as_json:
            _print([asdict(a) | {"balance": a.balance} for a in accounts])
        else:
            console.print(_account_table(accounts))
        return
    _check("--create", create, U128)
    try:
        kind = AccountCode.parse(code or "creator_balance")
        flags = 0
        for f in flag:  # a flag given twice is still one flag
            flags |= int(AccountFlags.parse(f))
    except LedgerError as e:
        _fail(str(e))
    _check("--code", kind, U32)
    account = Account(create, CNY if ledger is None else ledger, kind, flags=flags)
    with _open(url, create=True) as store:
        result = store.create_accounts([account])[0]
    _print({"id": create, "result": str(result)}) if as_json else console.print(f"account {create}: {result}")
    raise typer.Exit(0 if result in ("ok", "exists") else 1)


@ledger_app.command("balance")
def balance_command(
    account: int = typer.Argument(..., help="Account id."),
    as_of: int | None = typer.Option(None, "--as-of", help="Ledger timestamp (ns since the epoch)."),
    url: str = URL,
    as_json: bool = JSON,
) -> None:
    """Balances of one account, now or as of a timestamp. Exit 1 if there is no such account."""
    _check("ACCOUNT", account, U128)
    _check("--as-of", as_of, TIMESTAMP_END)
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
    _check("ACCOUNT", account, U128)
    _check("--since", since, TIMESTAMP_END)
    _check("--until", until, TIMESTAMP_END)
    _check("--limit", limit, TIMESTAMP_END)
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
    debit: int | None = typer.Option(None, "--debit", help="Debit account id."),
    credit: int | None = typer.Option(None, "--credit", help="Credit account id."),
    amount: int | None = typer.Option(
        None, "--amount", help="Amount in minor units (fen). With --post: how much to post (default: all)."
    ),
    ledger: int | None = typer.Option(None, "--ledger-id", help="Ledger (currency); default 156 = CNY."),
    code: int | None = typer.Option(None, "--code", help="Transfer code (why the money moved); default 1."),
    user_data: int | None = typer.Option(None, "--user-data", help="Reference (a 128-bit integer)."),
    pending: bool = typer.Option(False, "--pending", help="Reserve the amount (two-phase)."),
    timeout: int | None = typer.Option(None, "--timeout", help="Seconds before a pending transfer expires."),
    post: int | None = typer.Option(
        None, "--post", help="Post this pending transfer: all of it, or --amount of it (0 releases it all)."
    ),
    void: int | None = typer.Option(None, "--void", help="Void this pending transfer (release it all)."),
    file: Path | None = typer.Option(
        None, "--file", help="A JSON Lines batch: one transfer object per line."
    ),
    url: str = URL,
    as_json: bool = JSON,
) -> None:
    """Submit one transfer (or a batch with --file). Exit 0 if every one is ok or exists, else 1."""
    one = {"--id": id, "--debit": debit, "--credit": credit, "--amount": amount, "--ledger-id": ledger,
           "--code": code, "--user-data": user_data, "--timeout": timeout, "--post": post, "--void": void}  # fmt: skip
    if file is not None:
        given = [k for k, v in one.items() if v is not None] + (["--pending"] if pending else [])
        if given:
            _fail(f"--file holds the whole batch: {', '.join(given)} cannot be combined with it")
        batch = _read_batch(file)
    else:
        batch = [
            _one_transfer(id, debit, credit, amount, ledger, code, user_data, pending, timeout, post, void)
        ]
    with _open(url, create=True) as store:
        try:
            results = store.create_transfers(batch)
        except LedgerError as e:
            _fail(str(e))
    if as_json:
        _print([{"id": t.id, "result": str(r)} for t, r in zip(batch, results, strict=True)])
    else:
        for t, r in zip(batch, results, strict=True):
            console.print(f"transfer {t.id}: {'[green]' if r in ('ok', 'exists') else '[red]'}{r}")
    raise typer.Exit(0 if all(r in ("ok", "exists") for r in results) else 1)


def _one_transfer(
    id: int | None,
    debit: int | None,
    credit: int | None,
    amount: int | None,
    ledger: int | None,
    code: int | None,
    user_data: int | None,
    pending: bool,
    timeout: int | None,
    post: int | None,
    void: int | None,
) -> Transfer:
    """The transfer the options describe (exit 2 on a value out of its range or a contradiction)."""
    if id is None:
        _fail("--id is required (or --file)")
    for option, value, bound in (
        ("--id", id, U128), ("--debit", debit, U128), ("--credit", credit, U128), ("--post", post, U128),
        ("--void", void, U128), ("--user-data", user_data, U128), ("--ledger-id", ledger, U32),
        ("--code", code, U32), ("--timeout", timeout, U32), ("--amount", amount, AMOUNT_MAX + 1),
    ):  # fmt: skip
        _check(option, value, bound)
    if post is not None and void is not None:
        _fail("--post and --void are mutually exclusive: a pending transfer is either posted or voided")
    if post is not None or void is not None:
        if pending or timeout is not None:
            _fail("--pending and --timeout make a new pending transfer: they do not go with --post/--void")
        return Transfer(
            id,
            debit or 0,
            credit or 0,
            amount if amount is not None else POST_FULL if post is not None else 0,
            pending_id=post if post is not None else void,  # type: ignore[arg-type]
            user_data=user_data or 0,
            ledger=ledger or 0,  # 0: taken from the pending transfer (else it must match)
            code=code or 0,
            flags=4 if post is not None else 8,
        )
    if amount is None:
        _fail("--amount is required for a transfer (in fen; 0 is allowed)")
    return Transfer(
        id,
        debit or 0,
        credit or 0,
        amount,
        user_data=user_data or 0,
        ledger=CNY if ledger is None else ledger,
        code=1 if code is None else code,
        flags=2 if pending else 0,
        timeout=timeout or 0,
    )


def _read_batch(path: Path) -> list[Transfer]:
    """Transfers from a JSON Lines file; exit 2 naming file:line and the field on any bad line."""
    fields = set(Transfer.__dataclass_fields__)
    out = []
    try:
        lines = path.read_text().splitlines()
    except (OSError, UnicodeDecodeError) as e:
        _fail(f"cannot read {path}: {e}")
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as e:
            _fail(f"{path}:{n}: not JSON ({e})")
        if not isinstance(obj, dict):
            _fail(f"{path}:{n}: expected a JSON object with fields from {sorted(fields)}")
        unknown = sorted(set(obj) - fields)
        if unknown:
            _fail(f"{path}:{n}: unknown field(s) {', '.join(unknown)}; expected fields from {sorted(fields)}")
        if "id" not in obj:
            _fail(f"{path}:{n}: id is required")
        for k, v in obj.items():  # JSON true/false are not integers (Python would take them as 1/0)
            if not isinstance(v, int) or isinstance(v, bool):
                _fail(f"{path}:{n}: {k} = {json.dumps(v)}, expected an integer")
        t = Transfer(**obj)
        problem = field_problem(t) or (
            "" if 0 <= t.amount <= AMOUNT_MAX else f"amount = {t.amount}, expected an integer 0..2^63-1"
        )
        if problem:
            _fail(f"{path}:{n}: {problem}")
        out.append(t)
    return out


@ledger_app.command("history")
def history_command(
    transfer: int = typer.Argument(..., help="Transfer id."), url: str = URL, as_json: bool = JSON
) -> None:
    """A transfer and, for a pending one, its state and the transfer that resolved it. Exit 1 if unknown."""
    _check("TRANSFER", transfer, U128)
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
