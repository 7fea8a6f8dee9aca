"""The report's payouts and pending commissions: read from ``money_months`` and ``payouts`` (each payout's
newest status counts), on a hand-made warehouse."""

from __future__ import annotations

import json
import re
from datetime import datetime

import pyarrow as pa

from guanghe.data.money_schema import MONEY_MONTHS, PAYOUTS
from guanghe.data.warehouse import open_warehouse
from guanghe.metrics.report.money import NO_SETTLEMENT, money_report, money_section

T = datetime(2023, 7, 1, 2)


def month(m: str, payouts: int, payout_fen: int, pending_fen: int, pending_creators: int) -> dict:
    return {"month": m, "cutoff": 1, "settled_at": T, "statements": 3, "earnings_fen": 100_000, "fees_fen": -5_000,
            "clawbacks_fen": 0, "net_income_fen": 95_000, "mcn_share_fen": 1_000, "withholding_fen": 2_000,
            "payouts": payouts, "payout_fen": payout_fen, "carried_negative": 0, "carried_fen": 0,
            "pending_fen": pending_fen, "pending_creators": pending_creators}  # fmt: skip


def payout(pid: str, m: str, fen: int, status: str, minute: int) -> dict:
    return {"payout_id": pid, "payee_kind": "creator", "payee_id": 1, "month": m, "amount_fen": fen,
            "withholding_fen": 0, "status": status, "updated_at": T.replace(minute=minute), "bank_ref": None,
            "reason": None}  # fmt: skip


def test_settled_months_and_newest_payout_statuses(tmp_path):
    wh = open_warehouse(f"duckdb:///{tmp_path / 'wh.duckdb'}", create=True)
    assert money_report(wh) is None  # nothing settled yet
    assert f"{NO_SETTLEMENT}." in money_section(None, "fig-0")
    months = [month("2023-07", 1, 30_000, 0, 0), month("2023-06", 3, 60_000, 9_000, 2)]
    rows = [payout("a", "2023-06", 10_000, "in_payout", 0), payout("a", "2023-06", 10_000, "paid", 5),
            payout("b", "2023-06", 20_000, "in_payout", 0), payout("b", "2023-06", 20_000, "failed", 6),
            payout("c", "2023-06", 30_000, "in_payout", 0), payout("d", "2023-07", 30_000, "in_payout", 1)]  # fmt: skip
    with wh.writer() as w:
        w.merge(MONEY_MONTHS.name, pa.Table.from_pylist(months, schema=MONEY_MONTHS.arrow_schema()))
        w.merge(PAYOUTS.name, pa.Table.from_pylist(rows, schema=PAYOUTS.arrow_schema()))
    m = money_report(wh)
    assert m is not None
    assert [r["month"] for r in m.months] == ["2023-06", "2023-07"]
    assert m.status == {
        "2023-06": {"paid": (1, 10_000), "failed": (1, 20_000), "in_payout": (1, 30_000)},
        "2023-07": {"in_payout": (1, 30_000)},
    }
    html = money_section(m, "fig-9")
    (spec,) = [json.loads(s) for s in re.findall(r'class="spec">(.*?)</script>', html, re.S)]
    series = {s["name"]: [d["value"] if isinstance(d, dict) else d for d in s["data"]]
              for s in spec["option"]["series"]}  # fmt: skip
    assert series["pending commissions 待结佣金"] == [90.0, 0.0]  # 元
    assert series["payouts 提现"] == [600.0, 300.0]
    cells = re.findall(r"<td>(.*?)</td>", html[html.index("</figure>") :])
    june = cells[: len(cells) // 2]
    assert june[0] == "2023-06" and "1 · ¥100" in june and "1 · ¥200" in june and "1 · ¥300" in june
    assert june[-2:] == ["¥90", "2"]
    wh.close()
