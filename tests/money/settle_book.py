"""Hand-made ledgers for the settlement tests: postings written directly with the money room's contracts
(chart, codes, ids), as accrual writes them. Fixtures: ``settle_fixtures``."""

from __future__ import annotations

import random
from datetime import date

import pyarrow as pa

from guanghe.data.money_schema import MCN_CONTRACTS
from guanghe.data.warehouse import Warehouse
from guanghe.ledger import CNY, POST_FULL, LedgerStore, Transfer, TransferFlags
from guanghe.ledger.reconcile import reconcile
from guanghe.money.chart import (
    Kind,
    account_id,
    check_program_codes,
    open_accounts,
    platform_revenue,
    program_budget,
)
from guanghe.money.codes import BY_NAME
from guanghe.money.ids import transfer_id, user_data
from guanghe.money.settle.rules import load_settlement

PROGRAMS = check_program_codes(("guanghe", "ecom_tail", "feiniao", "xiaomai"))  # code -> name
RULES = load_settlement()
SOURCE = {
    "ad_share": "ad_revenue",
    "affiliate": "ecommerce_orders",
    "local_life": "local_life_orders",
    "brand_deal": "brand_orders",
    "task": "task_rewards",
    "incentive": "cash_grants",
}


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
        open_accounts(
            self.ledger,
            {a for t in transfers for a in (t.debit_account_id, t.credit_account_id) if a},
            self.known,
        )
        assert set(self.ledger.create_transfers(transfers)) <= {"ok"}, self.ledger.create_transfers(transfers)
        return transfers

    def _t(
        self,
        name: str,
        dr: int,
        cr: int,
        amount: int,
        day: date,
        program: str | None,
        flags: int = 0,
        key: int | None = None,
    ) -> Transfer:
        c = BY_NAME[name]
        self.n += 1
        key = self.n if key is None else key
        source = SOURCE.get(c.channel or "", "funding")
        return Transfer(
            transfer_id(c.value, source, key, day, f"t{self.n}"),
            dr,
            cr,
            amount,
            user_data=user_data(day, program, source, key),
            ledger=CNY,
            code=c.value,
            flags=flags,
        )

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
                self._write(
                    [
                        self._t(
                            "task_funding",
                            account_id(Kind.PLATFORM_FUNDING),
                            account_id(Kind.TASK_BUDGET),
                            amount,
                            day,
                            None,
                        )
                    ]
                )
            dr = account_id(debit_kind, entity)
        return self._write(
            [self._t(name, dr, account_id(Kind.CREATOR_PAYABLE, creator), amount, day, program)]
        )[0]

    def fund(self, program: str, amount: int, day: date) -> None:
        self._write(
            [
                self._t(
                    "program_funding",
                    account_id(Kind.PLATFORM_FUNDING),
                    program_budget(program),
                    amount,
                    day,
                    program,
                )
            ]
        )

    def fee(self, creator: int, name: str, amount: int, day: date, program: str | None = None) -> Transfer:
        """A fee (affiliate_fee, local_life_fee, brand_fee): creator payable -> platform revenue."""
        ch = BY_NAME[name].channel or ""
        return self._write(
            [
                self._t(
                    name,
                    account_id(Kind.CREATOR_PAYABLE, creator),
                    platform_revenue(ch),
                    amount,
                    day,
                    program,
                )
            ]
        )[0]

    def clawback(self, creator: int, name: str, amount: int, day: date) -> Transfer:
        c = BY_NAME[name]
        return self._write(
            [
                self._t(
                    name,
                    account_id(Kind.CREATOR_PAYABLE, creator),
                    account_id(c.credit[0], 7),
                    amount,
                    day,
                    None,
                )
            ]
        )[0]

    def hold(self, creator: int, amount: int, day: date) -> Transfer:
        """An affiliate commission held (pending) from the paid day."""
        return self._write(
            [
                self._t(
                    "affiliate",
                    account_id(Kind.MERCHANT, 7),
                    account_id(Kind.CREATOR_PAYABLE, creator),
                    amount,
                    day,
                    None,
                    int(TransferFlags.PENDING),
                )
            ]
        )[0]

    def post(self, hold: Transfer, day: date, amount: int = POST_FULL) -> Transfer:
        """Post a hold at the window's close (the post's user_data carries the close day)."""
        ud = user_data(day, None, "ecommerce_orders", hold.user_data & (2**80 - 1))
        t = Transfer(
            transfer_id(hold.code, "ecommerce_orders", hold.id, day, "post"),
            pending_id=hold.id,
            amount=amount,
            user_data=ud,
            flags=int(TransferFlags.POST_PENDING_TRANSFER),
        )
        return self._write([t])[0]

    def void(self, hold: Transfer, day: date) -> Transfer:
        t = Transfer(
            transfer_id(hold.code, "ecommerce_orders", hold.id, day, "void"),
            pending_id=hold.id,
            flags=int(TransferFlags.VOID_PENDING_TRANSFER),
        )
        return self._write([t])[0]


def clean(ledger: LedgerStore) -> None:
    report = reconcile(ledger)
    assert report.ok, report.problems[:5]


def june(book: Book, wh: Warehouse) -> None:
    """The June 2023 postings the settlement tests compute by hand (test_settle_month.py spells them out)."""
    add_contracts(
        wh, [(1, 1, 900, 1000, date(2023, 1, 1), date(2023, 6, 15)), (2, 2, 901, 500, date(2023, 7, 1), None)]
    )
    book.earn(1, "ad_share", 300_000, date(2023, 6, 3), "guanghe")
    book.earn(1, "ad_share_bonus", 20_000, date(2023, 6, 3), "guanghe")
    book.earn(1, "brand_deal", 200_000, date(2023, 6, 12))
    book.fee(1, "brand_fee", 10_000, date(2023, 6, 12))
    hold = book.hold(1, 550_000, date(2023, 6, 5))
    book.post(hold, date(2023, 6, 20))
    book.fee(1, "affiliate_fee", 55_000, date(2023, 6, 20))
    book.earn(1, "local_life", 30_000, date(2023, 6, 25))
    book.fee(1, "local_life_fee", 3_000, date(2023, 6, 25))
    book.hold(1, 9_000, date(2023, 6, 28))  # still in its return window: pending, not in the statement
    book.earn(1, "ad_share", 7_000, date(2023, 7, 1))  # booked before June's cutoff for a July day: held
    book.earn(2, "ad_share", 6_000, date(2023, 6, 10))
    book.earn(3, "local_life", 5_000, date(2023, 6, 2))
    book.clawback(3, "local_life_clawback", 8_000, date(2023, 6, 20))


def bulk_june(ledger: LedgerStore, wh: Warehouse, creators: int, seed: int = 3) -> None:
    """``creators`` creators with one to three June 2023 postings each (ad share, brand deal with its fee),
    written in batches; every 20th creator under a 10% MCN contract ending 2023-06-20. Amounts span the
    threshold and the withholding brackets."""
    rng = random.Random(seed)
    pool, brand = account_id(Kind.AD_POOL), account_id(Kind.BRAND, 7)
    revenue = platform_revenue("brand_deal")
    open_accounts(
        ledger, [pool, brand, revenue, *(account_id(Kind.CREATOR_PAYABLE, c) for c in range(1, creators + 1))]
    )
    out: list[Transfer] = []
    for c in range(1, creators + 1):
        payable = account_id(Kind.CREATOR_PAYABLE, c)
        day = date(2023, 6, rng.randint(1, 30))
        amount = rng.choice((3_000, 9_999, 10_000, 50_000, 90_000, 600_000, 3_000_000))
        out.append(
            Transfer(
                transfer_id(101, "ad_revenue", c, day),
                pool,
                payable,
                amount,
                user_data=user_data(day, None, "ad_revenue", c),
                ledger=CNY,
                code=101,
            )
        )
        if rng.random() < 0.3:
            price = rng.randint(1, 500) * 1_000
            bd = date(2023, 6, rng.randint(1, 30))
            ud = user_data(bd, None, "brand_orders", c)
            out.append(
                Transfer(
                    transfer_id(501, "brand_orders", c, bd),
                    brand,
                    payable,
                    price,
                    user_data=ud,
                    ledger=CNY,
                    code=501,
                )
            )
            out.append(
                Transfer(
                    transfer_id(502, "brand_orders", c, bd),
                    payable,
                    revenue,
                    price // 20,
                    user_data=ud,
                    ledger=CNY,
                    code=502,
                )
            )
    for start in range(0, len(out), 8_000):
        assert set(ledger.create_transfers(out[start : start + 8_000])) == {"ok"}
    add_contracts(
        wh,
        [
            (c, c, 5_000 + c % 7, 1_000, date(2023, 1, 1), date(2023, 6, 20))
            for c in range(20, creators + 1, 20)
        ],
    )
