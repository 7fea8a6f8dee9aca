"""``guanghe money settle|payouts|confirm|statement|balance|receipt|export``: settlement, payouts (thin)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.markup import escape
from rich.table import Table

from guanghe.cli.app import console, err_console, progress, warehouse_option, zone_or_exit
from guanghe.cli.money import money_app
from guanghe.config import Settings
from guanghe.data.warehouse import Warehouse, open_warehouse
from guanghe.ledger import LedgerError, LedgerMissing, LedgerStore, open_ledger
from guanghe.money.chart import check_program_codes
from guanghe.money.settle import (
    RULES_FILE,
    ConfirmError,
    Month,
    MonthError,
    SettleError,
    SettlementRules,
    SettlementRulesError,
    balance,
    confirm,
    load_settlement,
    read_statement,
    receipt,
    settle_month,
    write_batch,
    write_journal,
)
from guanghe.programs import PROGRAMS_DIR, ProgramError, load_programs

LEDGER = typer.Option(
    lambda: Settings.from_env().ledger, "--ledger", "-l", help="Ledger URL (env GUANGHE_LEDGER)."
)
WAREHOUSE = typer.Option(warehouse_option, "--warehouse", "-w", help="Warehouse URL (env GUANGHE_WAREHOUSE).")
JSON = typer.Option(False, "--json", help="Print JSON.")
RULES = typer.Option(RULES_FILE, "--rules", help="Settlement rules file (TOML).")
PROGRAMS = typer.Option(PROGRAMS_DIR, "--programs", "-P", help="Directory of program files (program names).")
MONTH = typer.Option(..., "--month", "-m", help="Settlement month YYYY-MM.")
MCN = typer.Option(False, "--mcn", help="ID is an MCN agency, not a creator.")
FIRST = "run `guanghe money accrue --through DATE` first"


def _fail(message: object) -> NoReturn:
    """Bad input or a refused step: one line per problem on stderr, exit 2."""
    for line in str(message).splitlines() or [""]:
        err_console.print(f"[red]error:[/] {escape(line)}", soft_wrap=True, highlight=False)
    raise typer.Exit(2)


def _month(text: str) -> Month:
    try:
        return Month.parse(text)
    except MonthError as e:
        _fail(f"--month: {e}")


def _rules(path: Path) -> SettlementRules:
    try:
        return load_settlement(path)
    except SettlementRulesError as e:
        _fail("\n".join(str(i) for i in e.issues))


def _programs(directory: Path) -> dict[int, str]:
    try:
        return check_program_codes(p.name for p in load_programs(directory))
    except (ProgramError, ValueError) as e:
        _fail(e)


@contextmanager
def _stores(ledger_url: str | None, warehouse_url: str | None) -> Iterator[tuple[Any, Any]]:
    """The ledger and warehouse a command uses (either may be None); exit 2 when one cannot be opened. Reads
    and settlement never create a store: the ledger comes from accrual, the warehouse from ingestion."""
    ledger: LedgerStore | None = None
    wh: Warehouse | None = None
    try:
        if ledger_url is not None:
            try:
                ledger = open_ledger(ledger_url)
            except LedgerError as e:
                _fail(f"{e}: {FIRST}" if isinstance(e, LedgerMissing) else e)
        if warehouse_url is not None:
            try:
                wh = open_warehouse(warehouse_url)
            except Exception as e:
                _fail(f"{e}: run `guanghe ingest PATH` (or `guanghe demo`) first")
        try:
            yield ledger, wh
        except (SettleError, LedgerError) as e:
            _fail(e)
    finally:
        if ledger is not None:
            ledger.close()
        if wh is not None:
            wh.close()


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def _yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100:,}.{abs(fen) % 100:02d}"


def _kv(title: str, rows: dict[str, Any]) -> Table:
    t = Table(title=title, title_justify="left", show_header=False)
    t.add_column(style="bold")
    t.add_column(justify="right")
    for k, v in rows.items():
        t.add_row(k, _yuan(v) if k.endswith("_fen") else str(v))
    return t


@money_app.command("settle")
def settle_cmd(
    month: str = MONTH,
    warehouse: str = WAREHOUSE,
    ledger: str = LEDGER,
    timezone: str | None = typer.Option(
        None, "--timezone", help="Platform time zone (env GUANGHE_TIMEZONE)."
    ),
    rules_file: Path = RULES,
    programs: Path = PROGRAMS,
    as_json: bool = JSON,
    opening: bool = typer.Option(
        False, "--opening", help="The first month settled opens the books: it takes every earlier posting."
    ),
) -> None:
    """Settle a month: statements per creator and MCN, MCN shares, withholding, carried balances, payouts."""
    m, rules, names = _month(month), _rules(rules_file), _programs(programs)
    today = datetime.now(zone_or_exit(timezone)).date()
    bar = progress()
    bar.live.transient = True  # the bar goes away when the command ends: a refusal leaves one line
    with _stores(ledger, warehouse) as (lg, wh), bar:
        task = bar.add_task(f"settle {m}", total=None)

        def tick(step: str, done: int, total: int) -> None:
            bar.update(task, description=f"settle {m}: {step}", completed=done, total=total or None)

        result = settle_month(lg, wh, rules, m, today, names, tick, opening=opening)
    if as_json:
        _print_json(result.as_dict())
        return
    d = result.as_dict()
    shown = {
        k: d[k]
        for k in (
            "statements",
            "creators",
            "mcns",
            "lines",
            "postings",
            "earnings_fen",
            "fees_fen",
            "clawbacks_fen",
            "net_income_fen",
            "mcn_share_fen",
            "withholding_fen",
            "payouts",
            "payout_fen",
            "carried_fen",
            "carried_negative",
            "transfers_written",
        )
    }
    note = " (rerun: nothing new)" if result.rerun and not result.transfers_written else ""
    console.print(_kv(f"Settlement {m}{note}", shown))


@money_app.command("payouts")
def payouts_cmd(
    month: str = MONTH,
    out: Path = typer.Option(..., "--out", "-o", help="Bank batch file to write (CSV)."),
    ledger: str = LEDGER,
    rules_file: Path = RULES,
    as_json: bool = JSON,
) -> None:
    """Write the month's bank batch: every payout still in payout (CSV)."""
    m, rules = _month(month), _rules(rules_file)
    if not out.parent.is_dir():
        _fail(f"--out {out}: the folder {out.parent} does not exist")
    with _stores(ledger, None) as (lg, _):
        batch = write_batch(lg, m, rules, out)
    if as_json:
        _print_json(batch.as_dict())
        return
    console.print(
        f"{batch.payouts} payouts, {_yuan(batch.amount_fen)} CNY, value date {batch.value_date} → {out}"
    )


@money_app.command("confirm")
def confirm_cmd(
    file: Path = typer.Argument(..., help="The bank's result file: payout_id,status,bank_reference,reason."),
    ledger: str = LEDGER,
    warehouse: str = WAREHOUSE,
    as_json: bool = JSON,
) -> None:
    """Apply the bank's results: paid → post the payout and move it to the bank; failed → void (carried)."""
    with _stores(ledger, warehouse) as (lg, wh):
        try:
            result = confirm(lg, wh, file)
        except ConfirmError as e:
            _fail("\n".join(str(i) for i in e.issues))
    if as_json:
        _print_json(result.as_dict())
        return
    console.print(
        f"{result.paid} paid ({_yuan(result.paid_fen)} CNY), {result.failed} failed "
        f"({_yuan(result.failed_fen)} CNY); {result.already} applied before"
    )


@money_app.command("statement")
def statement_cmd(
    payee: int = typer.Argument(..., help="Creator id (or MCN id with --mcn)."),
    month: str = MONTH,
    mcn: bool = MCN,
    warehouse: str = WAREHOUSE,
    as_json: bool = JSON,
) -> None:
    """A settled month's statement: carried forward, lines, MCN share, withholding, payout."""
    m = _month(month)
    with _stores(None, warehouse) as (_, wh):
        data = read_statement(wh, m, "mcn" if mcn else "creator", payee)
    if as_json:
        _print_json(data)
        return
    s = data["statement"]
    console.print(
        _kv(
            f"Statement {s['month']} {s['payee_kind']} {s['payee_id']}",
            {k: v for k, v in s.items() if k.endswith("_fen") or k in ("payout_id", "postings")},
        )
    )
    t = Table(title="Lines", title_justify="left")
    for c in ("line", "channel", "program", "earned", "contract", "postings", "amount (CNY)"):
        t.add_column(c, justify="right" if c in ("postings", "amount (CNY)") else "left")
    for r in data["lines"]:
        earned = r["earned_month"] + (" (late)" if r["late"] else "")
        t.add_row(
            r["line"],
            r["channel"] or "",
            r["program"] or "",
            earned,
            str(r["contract_id"] or ""),
            str(r["postings"]),
            _yuan(r["amount_fen"]),
        )
    console.print(t)


@money_app.command("balance")
def balance_cmd(
    payee: int = typer.Argument(..., help="Creator id (or MCN id with --mcn)."),
    mcn: bool = MCN,
    ledger: str = LEDGER,
    transfers: bool = typer.Option(False, "--transfers", help="List every ledger transfer with its state."),
    as_json: bool = JSON,
) -> None:
    """Money by state: pending, held, available, in payout; paid, reversed, fees, MCN share, withholding."""
    with _stores(ledger, None) as (lg, _):
        data = balance(lg, "mcn" if mcn else "creator", payee)
    if not transfers:
        data.pop("transfers")
    if as_json:
        _print_json(data)
        return
    figures = {f"{k}_fen": v for k, v in data.items() if isinstance(v, int) and k != "payee_id"}
    console.print(_kv(f"Balance of {data['payee_kind']} {payee}", figures))
    if transfers:
        t = Table(title="Transfers", title_justify="left")
        for c in ("booked_at", "day", "code", "kind", "amount (CNY)", "state", "source_ref", "transfer_id"):
            t.add_column(c, justify="right" if c == "amount (CNY)" else "left")
        for r in data["transfers"]:
            t.add_row(
                r["booked_at"],
                r["day"],
                r["code"],
                r["kind"],
                _yuan(r["amount_fen"]),
                r["state"],
                r["source_ref"],
                r["transfer_id"],
            )
        console.print(t)


@money_app.command("receipt")
def receipt_cmd(
    payout_id: str = typer.Argument(..., help="Payout id (32 hex digits, as in the bank batch)."),
    ledger: str = LEDGER,
    warehouse: str = WAREHOUSE,
    as_json: bool = JSON,
) -> None:
    """A payout's receipt: payee, period, gross, fees, MCN share, withholding, net, bank reference, status."""
    with _stores(ledger, warehouse) as (lg, wh):
        data = receipt(lg, wh, payout_id)
    if as_json:
        _print_json(data)
        return
    console.print(_kv(f"Receipt {data['payout_id']}", data))


@money_app.command("export")
def export_cmd(
    month: str = MONTH,
    out: Path = typer.Option(..., "--out", "-o", help="Journal file to write (CSV)."),
    ledger: str = LEDGER,
    programs: Path = PROGRAMS,
    as_json: bool = JSON,
) -> None:
    """A settled month's journal for accountants: every ledger transfer booked in it (CSV)."""
    m, names = _month(month), _programs(programs)
    if not out.parent.is_dir():
        _fail(f"--out {out}: the folder {out.parent} does not exist")
    with _stores(ledger, None) as (lg, _):
        result = write_journal(lg, m, out, names)
    if as_json:
        _print_json(result.as_dict())
        return
    console.print(f"{result.transfers} transfers of {m} ({_yuan(result.amount_fen)} CNY moved) → {out}")
