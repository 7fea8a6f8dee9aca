"""The whole money loop on a synthetic platform, on both ledger stores: events → accrue → income from the ledger
equals the generator's own earnings (truth/earnings.parquet, an independent numpy implementation of the rules);
money is conserved; the books open with the last month's settlement and its statements trace to the ledger."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from guanghe.data.ingest import ingest
from guanghe.data.warehouse import open_warehouse
from guanghe.ledger import open_ledger
from guanghe.ledger.reconcile import reconcile
from guanghe.money.accrue import accrue
from guanghe.money.chart import check_program_codes
from guanghe.money.rules import CHANNELS_DIR
from guanghe.money.rules_load import load_rules
from guanghe.money.settle import Month, settle_month
from guanghe.money.settle.rules import load_settlement
from guanghe.programs import PROGRAMS_DIR
from guanghe.synth import SynthConfig, generate

UTC = ZoneInfo("UTC")
END = date(2023, 6, 30)


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """3,000 creators × 24 months (ad share from 2023-03), ingested into a DuckDB file."""
    root = tmp_path_factory.mktemp("e2e")
    generate(SynthConfig(creators=3_000, months=24, seed=21, end=END), root / "synth")
    db = root / "wh.duckdb"
    with open_warehouse(f"duckdb:///{db}", create=True) as wh:
        report = ingest([root / "synth" / "data"], wh)
    assert report.total("quarantined") == 0
    return root, str(db)


def truth(root: Path) -> dict[tuple[int, str, str, str], int]:
    t = pq.read_table(root / "synth" / "truth" / "earnings.parquet").to_pylist()
    return {
        (r["creator_id"], r["channel"], r["month"], r["line"]): r["amount_fen"] for r in t if r["amount_fen"]
    }


def income(wh) -> dict[tuple[int, str, str, str], int]:
    t = wh.table("income").to_pyarrow()
    months = pc.strftime(t.column("occurred_at"), "%Y-%m").to_pylist()
    out: dict[tuple[int, str, str, str], int] = defaultdict(int)
    for c, ch, m, line, a in zip(t.column("creator_id").to_pylist(), t.column("channel").to_pylist(), months,
                                 t.column("line").to_pylist(), t.column("amount_fen").to_pylist(), strict=True):  # fmt: skip
        out[(c, ch, m, line)] += a
    return {k: v for k, v in out.items() if v}


def test_income_from_the_ledger_equals_the_generators_truth(platform, make_ledger_url, tmp_path) -> None:
    root, db = platform
    wh_file = tmp_path / "wh.duckdb"
    wh_file.write_bytes(Path(db).read_bytes())  # each store gets its own copy of the warehouse
    rules, names = load_rules(CHANNELS_DIR, PROGRAMS_DIR)
    url = make_ledger_url()
    with open_warehouse(f"duckdb:///{wh_file}") as wh, open_ledger(url, create=True) as ledger:
        report = accrue(wh, ledger, rules, names, END, UTC)
        assert report.ok and report.events > 10_000, report.as_dict()
        assert reconcile(ledger).ok
        expected, got = truth(root), income(wh)
        channels = {k[1] for k in expected}
        assert channels == {"ad_share", "affiliate", "local_life", "brand_deal", "task", "incentive"}
        diff = {
            k: (expected.get(k), got.get(k))
            for k in expected.keys() | got.keys()
            if expected.get(k) != got.get(k)
        }
        assert not diff, (
            f"{len(diff)} (creator, channel, month, line) differ, e.g. {sorted(diff.items())[:5]}"
        )

        again = accrue(wh, ledger, rules, names, END, UTC)  # a rerun applies nothing twice
        assert sum(c.new for c in again.channels.values()) == 0 and again.income.inserted == 0
        assert income(wh) == got

        # the books open with June: every earlier posting is in its statements, which trace to the ledger
        result = settle_month(ledger, wh, load_settlement(), Month.of(END), date(2024, 1, 1),
                              check_program_codes(names), opening=True)  # fmt: skip
        assert reconcile(ledger).ok
        statements = wh.table("money_statements").to_pyarrow().to_pylist()
        lines = wh.table("money_statement_lines").to_pyarrow().to_pylist()
        per: dict[tuple[str, int], int] = defaultdict(int)
        for r in lines:
            per[(r["payee_kind"], r["payee_id"])] += r["amount_fen"]
        for s in statements:  # lines add up to the balance change; creators' income lines to their income
            assert per[(s["payee_kind"], s["payee_id"])] == s["available_fen"] - s["carried_forward_fen"]
        earned = defaultdict(int)
        for (c, _, _, _), a in got.items():
            earned[c] += a
        stated = defaultdict(int)
        for r in lines:
            if r["payee_kind"] == "creator" and r["line"] in ("earning", "fee", "clawback"):
                stated[r["payee_id"]] += r["amount_fen"]
        assert {c: a for c, a in stated.items() if a} == {c: a for c, a in earned.items() if a}
        assert result.as_dict()["payouts"] > 0
