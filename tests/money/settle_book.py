"""Hand-made ledgers for the settlement tests: postings written directly with the money room's contracts
(chart, codes, ids), and the fixtures that run each test on SQLite and on PostgreSQL with a DuckDB warehouse.

Import the fixtures into a test module (``from settle_book import backend, ledger_url, ...``)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date

import psycopg
import pyarrow as pa
import pytest

from guanghe.data.money_schema import MCN_CONTRACTS
from guanghe.data.warehouse import Warehouse, open_warehouse
from guanghe.ledger import CNY, POST_FULL, LedgerStore, Transfer, TransferFlags, open_ledger
from guanghe.ledger.reconcile import reconcile
from guanghe.money.chart import Kind, account_id, open_accounts, platform_revenue, program_budget
from guanghe.money.codes import BY_NAME
from guanghe.money.ids import transfer_id, user_data
from guanghe.money.settle.rules import load_settlement
from servers import PG_URL, postgres_available

PROGRAMS = {}  # code -> name of the programs the tests use
for _name in ("guanghe", "ecom_tail", "feiniao", "xiaomai"):
    from guanghe.money.chart import program_code

    PROGRAMS[program_code(_name)] = _name
RULES = load_settlement()
SOURCE = {
    "ad_share": "ad_revenue",
    "affiliate": "ecommerce_orders",
    "local_life": "local_life_orders",
    "brand_deal": "brand_orders",
    "task": "task_rewards",
    "incentive": "cash_grants",
}


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres":
        postgres_available()
    return request.param


@pytest.fixture
def ledger_url(backend: str, tmp_path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.sqlite3'}"
        return
    schema = f"s_{uuid.uuid4().hex[:16]}"
    yield f"{PG_URL}?schema={schema}"
    with psycopg.connect(PG_URL, autocommit=True) as con:
        con.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def ledger(ledger_url: str) -> Iterator[LedgerStore]:
    with open_ledger(ledger_url, create=True) as store:
        yield store


@pytest.fixture
def wh_url(tmp_path) -> str:
    url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    open_warehouse(url, create=True).close()
    return url


@pytest.fixture
def wh(wh_url: str) -> Iterator[Warehouse]:
    w = open_warehouse(wh_url)
    yield w
    w.close()


def add_contracts(wh: Warehouse, rows: list[tuple[int, int, int, int, date, date | None]]) -> None:
    """(contract_id, creator_id, mcn_id, share_bps, start_date, end_date) rows into mcn_contracts."""
    names = MCN_CONTRACTS.names
    table = pa.table(
        {n: [r[i] for r in rows] for i, n in enumerate(names)}, schema=MCN_CONTRACTS.arrow_schema()
    )
    with wh.writer() as w:
        w.merge("mcn_contracts", table)


class Book:
    """Writes postings the way accrual does: deterministic ids, user_data with the business day."""

    def __init__(self, ledger: LedgerStore) -> None:
        self.ledger = ledger
        self.known: set[int] = set()
        self.n = 0

    def _write(self, transfers: list[Transfer]) -> list[Transfer]:
        open_accounts(self.ledger, {a for t in transfers for a in (t.debit_account_id, t.credit_account_id) if a},
                      self.known)  # fmt: skip
        assert set(self.ledger.create_transfers(transfers)) <= {"ok"}, self.ledger.create_transfers(transfers)
        return transfers

    def _t(self, name: str, dr: int, cr: int, amount: int, day: date, program: str | None, flags: int = 0,
           key: int | None = None) -> Transfer:  # fmt: skip
        c = BY_NAME[name]
        self.n += 1
        key = self.n if key is None else key
        source = SOURCE.get(c.channel or "", "funding")
        return Transfer(transfer_id(c.value, source, key, day, f"t{self.n}"), dr, cr, amount,
                        user_data=user_data(day, program, source, key), ledger=CNY, code=c.value, flags=flags)  # fmt: skip

    def earn(self, creator: int, name: str, amount: int, day: date, program: str | None = None) -> Transfer:
        """An earning (ad_share, affiliate, local_life, brand_deal, task_reward, incentive ...) posted."""
        c = BY_NAME[name]
        debit_kind = c.debit[0]
        entity = 0
        if debit_kind == Kind.PROGRAM_BUDGET:
            self.fund(program or "guanghe", amount, day)
            dr = program_budget(program or "guanghe")
        else:
            if debit_kind in (Kind.MERCHANT, Kind.STORE, Kind.BRAND):
                entity = 7  # sources pay out freely (credits_must_not_exceed_debits)
            elif debit_kind == Kind.TASK_BUDGET:
                self._write([self._t("task_funding", account_id(Kind.PLATFORM_FUNDING),
                                     account_id(Kind.TASK_BUDGET), amount, day, None)])  # fmt: skip
            dr = account_id(debit_kind, entity)
        return self._write(
            [self._t(name, dr, account_id(Kind.CREATOR_PAYABLE, creator), amount, day, program)]
        )[0]

    def fund(self, program: str, amount: int, day: date) -> None:
        self._write([self._t("program_funding", account_id(Kind.PLATFORM_FUNDING), program_budget(program),
                             amount, day, program)])  # fmt: skip

    def fee(self, creator: int, name: str, amount: int, day: date, program: str | None = None) -> Transfer:
        """A fee (affiliate_fee, local_life_fee, brand_fee): creator payable -> platform revenue."""
        ch = BY_NAME[name].channel or ""
        return self._write([self._t(name, account_id(Kind.CREATOR_PAYABLE, creator), platform_revenue(ch), amount,
                                    day, program)])[0]  # fmt: skip

    def clawback(self, creator: int, name: str, amount: int, day: date) -> Transfer:
        c = BY_NAME[name]
        return self._write([self._t(name, account_id(Kind.CREATOR_PAYABLE, creator), account_id(c.credit[0], 7),
                                    amount, day, None)])[0]  # fmt: skip

    def hold(self, creator: int, amount: int, day: date) -> Transfer:
        """An affiliate commission held (pending) from the paid day."""
        return self._write([self._t("affiliate", account_id(Kind.MERCHANT, 7), account_id(Kind.CREATOR_PAYABLE, creator),
                                    amount, day, None, int(TransferFlags.PENDING))])[0]  # fmt: skip

    def post(self, hold: Transfer, day: date, amount: int = POST_FULL) -> Transfer:
        """Post a hold at the window's close (the post's user_data carries the close day)."""
        ud = user_data(day, None, "ecommerce_orders", hold.user_data & (2**80 - 1))
        t = Transfer(transfer_id(hold.code, "ecommerce_orders", hold.id, day, "post"), pending_id=hold.id,
                     amount=amount, user_data=ud, flags=int(TransferFlags.POST_PENDING_TRANSFER))  # fmt: skip
        return self._write([t])[0]

    def void(self, hold: Transfer, day: date) -> Transfer:
        t = Transfer(transfer_id(hold.code, "ecommerce_orders", hold.id, day, "void"), pending_id=hold.id,
                     flags=int(TransferFlags.VOID_PENDING_TRANSFER))  # fmt: skip
        return self._write([t])[0]


def clean(ledger: LedgerStore) -> None:
    report = reconcile(ledger)
    assert report.ok, report.problems[:5]
