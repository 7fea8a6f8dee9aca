"""Payouts and pending commissions, read from what `guanghe money settle` and `guanghe money confirm` wrote.

Per settled month (``money_months``): statements, payouts sent, tax withheld, the agencies' shares, and the
commissions still held in their return windows at the month's cutoff; per month the payouts' latest status
(``payouts``: in payout, paid, failed — a payout's newest row is its status).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

import ibis

from guanghe.data.money_schema import MONEY_MONTHS, PAYOUTS
from guanghe.data.warehouse.base import Warehouse
from guanghe.metrics.report.charts import Figure, bar_figure
from guanghe.metrics.report.numbers import cn, yuan
from guanghe.metrics.report.page import table

NO_SETTLEMENT = "no month settled in this warehouse: run `guanghe money settle --month YYYY-MM`"
STATUSES = ("in_payout", "paid", "failed")


@dataclass
class MoneyReport:
    months: list[dict] = field(default_factory=list)  # money_months rows, oldest first
    status: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)  # month -> status -> (n, fen)


def money_report(wh: Warehouse) -> MoneyReport | None:
    """The settled months of ``wh`` and their payouts' statuses; None when nothing was ever settled."""
    if not wh.has(MONEY_MONTHS):
        return None
    months = wh.fetch(wh.table(MONEY_MONTHS).order_by("month")).to_pylist()
    if not months:
        return None
    out = MoneyReport(months)
    if wh.has(PAYOUTS):
        p = wh.table(PAYOUTS)
        newest = p.mutate(
            r=ibis.row_number().over(group_by=p.payout_id, order_by=ibis.desc(p.updated_at))
        ).filter(lambda t: t.r == 0)
        agg = newest.group_by(["month", "status"]).aggregate(n=newest.count(), fen=newest.amount_fen.sum())
        for r in wh.fetch(agg).to_pylist():
            out.status.setdefault(r["month"], {})[r["status"]] = (int(r["n"]), int(r["fen"]))
    return out


def _figure(m: MoneyReport) -> Figure:
    x = [r["month"] for r in m.months]
    fig = bar_figure(
        "结算 settlement by month: payouts, tax withheld, commissions pending at the cutoff (元 CNY)",
        x,
        {
            "payouts 提现": [r["payout_fen"] / 100 for r in m.months],
            "withholding 代扣税": [r["withholding_fen"] / 100 for r in m.months],
            "pending commissions 待结佣金": [r["pending_fen"] / 100 for r in m.months],
        },
        fmt=lambda v: "¥" + cn(v),
    )
    fig.note = (
        "Pending commissions: e-commerce commissions (and their bonuses) still in their return windows at the "
        "month's cutoff, held on the ledger as pending transfers: the creators' money only once posted."
    )
    return fig


def _status(m: MoneyReport, month: str, status: str) -> str:
    n, fen = m.status.get(month, {}).get(status, (0, 0))
    return f"{n:,} · {yuan(fen)}" if n else "—"


def money_section(m: MoneyReport | None, figure_id: str) -> str:
    head = "<section><h2>Payouts and pending commissions 结算与待结佣金</h2>"
    if m is None:
        return head + f'<p class="empty">{escape(NO_SETTLEMENT)}.</p></section>'
    rows = [
        (r["month"], f"{r['statements']:,}", yuan(r["net_income_fen"]), yuan(r["mcn_share_fen"]),
         yuan(r["withholding_fen"]), f"{r['payouts']:,}", yuan(r["payout_fen"]),
         *(_status(m, r["month"], s) for s in STATUSES), yuan(r["pending_fen"]), f"{r['pending_creators']:,}")
        for r in m.months
    ]  # fmt: skip
    cols = ("month", "statements", "net income", "MCN share", "withheld", "payouts", "paid out", "in payout",
            "paid", "failed", "pending commissions", "creators pending")  # fmt: skip
    return (
        head
        + '<p class="note">From the monthly settlements (<code>guanghe money settle</code>) and the bank\'s '
        "results (<code>guanghe money confirm</code>). Statuses are each payout's latest.</p>"
        + f'<div class="charts">{_figure(m).html(figure_id)}</div>'
        + table(cols, rows)
        + "</section>"
    )
