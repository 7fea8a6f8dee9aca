"""The report's operator sections on the hand-made platform plus a hand-written plan: known answers.

The plan (tables declared in guanghe.allocate.store, written here through DuckDB as `guanghe allocate` does):
  p1 (newest): guanghe impressions budget 10,000, allocated 9,000; quotas creator 1 on 2023-01-11 and -12
     (1,000 each), creator 3 on 2023-04-26 (2,500), creator 4 on 2023-07-01 (4,500).
     guanghe cash 50,000 fen to creator 1; juguang impressions 600 to creator 3 on 2023-04-26;
     feiniao impressions 500 to creator 2 on 2024-06-01 (after the data ends).
  p0 (older): one row that must not show.
Delivered (fixtures/platform/work_boost.csv): guanghe 1,000 + 500 (Jan, work 107), 2,000 (Apr 26, work 301),
  0 (Feb 11), 100 (Jul 1, work 401); juguang 300 (Apr 26).
Up to 2023-06-30: guanghe planned 1,000 + 1,000 + 2,500 = 4,500, delivered 3,500 -> 77.8%;
  juguang planned 600, delivered 300 -> 50.0%; feiniao has not started.
Up to the data's end (2024-02-29): guanghe planned 9,000, delivered 3,600 -> 40.0%.
Tiers on the as-of day 2022-12-31: creator 1 has 9,000 followers (tail), 2 has 50,000 (waist), 3 and 4 none
  (tail): impressions head 0, waist 500, tail 2,000 + 2,500 + 4,500 + 600 = 9,600; cash all tail.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import pyarrow as pa
import pytest
from metrics_platform import FIXTURES, load_dir
from typer.testing import CliRunner

from guanghe.allocate.store import PLAN, PROGRAMS, QUOTAS
from guanghe.cli import app
from guanghe.data.schema import Table
from guanghe.data.warehouse.duckdb import DuckDBWarehouse, ddl
from guanghe.metrics.report import plan_tables, write_report
from guanghe.metrics.report.operator import NO_PLAN, plan_report

P1, P0 = datetime(2023, 1, 1, 8), datetime(2022, 6, 1)


def _program(plan_id, program, kind, budget, allocated, creators, price, created=P1, floors=""):
    return {"plan_id": plan_id, "program": program, "kind": kind, "as_of": date(2022, 12, 31),
            "created_at": created, "budget": budget, "allocated": allocated, "creators": creators,
            "shadow_price": price, "budget_binding": allocated == budget, "floors_binding": floors}  # fmt: skip


PROGRAM_ROWS = [
    _program("p1", "guanghe", "impressions", 10_000, 9_000, 3, 0.0125, floors="tail"),
    _program("p1", "guanghe", "cash_fen", 50_000, 50_000, 1, 0.002),
    _program("p1", "juguang", "impressions", 1_000, 600, 1, 0.0),
    _program("p1", "feiniao", "impressions", 500, 500, 1, 0.03),
    _program("p0", "guanghe", "impressions", 1, 1, 1, 9.0, created=P0),
]
PLAN_ROWS = [  # (creator, program, impressions, cash_fen)
    ("p1", 1, "guanghe", 2_000, 50_000), ("p1", 3, "guanghe", 2_500, 0), ("p1", 4, "guanghe", 4_500, 0),
    ("p1", 3, "juguang", 600, 0), ("p1", 2, "feiniao", 500, 0), ("p0", 1, "guanghe", 1, 0),
]  # fmt: skip
QUOTA_ROWS = [  # (creator, program, day, impressions, cash_fen)
    ("p1", 1, "guanghe", date(2023, 1, 11), 1_000, 25_000), ("p1", 1, "guanghe", date(2023, 1, 12), 1_000, 25_000),
    ("p1", 3, "guanghe", date(2023, 4, 26), 2_500, 0), ("p1", 4, "guanghe", date(2023, 7, 1), 4_500, 0),
    ("p1", 3, "juguang", date(2023, 4, 26), 600, 0), ("p1", 2, "feiniao", date(2024, 6, 1), 500, 0),
    ("p0", 1, "guanghe", date(2022, 7, 1), 1, 0),
]  # fmt: skip


def _insert(wh: DuckDBWarehouse, t: Table, rows: list[dict]) -> None:
    """Rows with every declared column (unnamed ones zero / empty), as `guanghe allocate` stores them."""
    zero = {pa.float64(): 0.0, pa.int64(): 0, pa.string(): "", pa.bool_(): False}
    full = [{c.name: r.get(c.name, zero.get(c.type)) for c in t.columns} for r in rows]
    wh.raw.execute(ddl(t))
    wh.raw.register("_rows", pa.Table.from_pylist(full, schema=t.arrow_schema()))
    wh.raw.execute(f'INSERT INTO "{t.name}" SELECT * FROM _rows')
    wh.raw.unregister("_rows")


def with_plan(path) -> DuckDBWarehouse:
    wh = load_dir(DuckDBWarehouse(str(path)), FIXTURES / "platform")
    _insert(wh, PROGRAMS, PROGRAM_ROWS)
    keys = ("plan_id", "creator_id", "program")
    _insert(wh, PLAN, [dict(zip((*keys, "impressions", "cash_fen"), r, strict=True)) for r in PLAN_ROWS])
    _insert(
        wh,
        QUOTAS,
        [dict(zip((*keys, "date", "impressions", "cash_fen"), r, strict=True)) for r in QUOTA_ROWS],
    )
    return wh


@pytest.fixture(scope="module")
def planned(tmp_path_factory) -> DuckDBWarehouse:
    wh = with_plan(tmp_path_factory.mktemp("op") / "wh.duckdb")
    yield wh
    wh.close()


def test_budget_allocated_delivered_price_and_pacing_of_the_newest_plan(planned):
    rep = plan_report(planned.tables(), plan_tables(planned), date(2023, 6, 30))
    assert (rep.plan_id, rep.as_of, rep.data_end) == ("p1", date(2022, 12, 31), date(2023, 6, 30))
    got = {(x.program, x.kind): x for x in rep.lines}
    assert set(got) == {("guanghe", "impressions"), ("guanghe", "cash_fen"), ("juguang", "impressions"),
                        ("feiniao", "impressions")}  # fmt: skip
    g = got["guanghe", "impressions"]
    assert (g.budget, g.allocated, g.creators, g.shadow_price) == (10_000, 9_000, 3, 0.0125)
    assert (g.first_day, g.last_day) == (date(2023, 1, 11), date(2023, 7, 1))
    assert (g.planned_to_date, g.delivered_to_date) == (4_500, 3_500)
    assert g.attainment == pytest.approx(3_500 / 4_500)
    assert g.binding == "tail floor"
    j = got["juguang", "impressions"]
    assert (j.planned_to_date, j.delivered_to_date, j.attainment) == (600, 300, 0.5)
    f = got["feiniao", "impressions"]
    assert (f.planned_to_date, f.delivered_to_date, f.attainment) == (0, 0, None)  # delivery not started
    c = got["guanghe", "cash_fen"]
    assert (c.budget, c.allocated, c.delivered_to_date, c.attainment) == (50_000, 50_000, None, None)
    assert c.binding == "budget"
    assert rep.tiers == {"impressions": {"head": 0, "waist": 500, "tail": 9_600},
                         "cash_fen": {"head": 0, "waist": 0, "tail": 50_000}}  # fmt: skip


def test_pacing_counts_delivery_up_to_the_last_day_with_data(planned):
    rep = plan_report(planned.tables(), plan_tables(planned), date(2024, 2, 29))
    g = next(x for x in rep.lines if (x.program, x.kind) == ("guanghe", "impressions"))
    assert (g.planned_to_date, g.delivered_to_date, g.attainment) == (9_000, 3_600, 0.4)


def test_report_shows_the_program_section(planned, tmp_path):
    html = write_report(planned.tables(), tmp_path / "r.html", plan=plan_tables(planned)).read_text("utf-8")
    section = html[html.index("Support programs") : html.index("</section>", html.index("Support programs"))]
    assert "plan <b>p1</b>" in section and NO_PLAN not in html
    imp = section[section.index("Impressions by program") : section.index("Cash by program")]
    row = re.search(r"<tr><td>guanghe</td>(.*?)</tr>", imp).group(1)
    # budget, allocated, delivered to date, attainment (data ends 2024-02-29), creators, shadow price
    assert re.findall(r"<td>(.*?)</td>", row)[:6] == ["1万", "9,000", "3,600", "40.0%", "3", "0.0125"]
    cash = re.search(r"<tr><td>guanghe</td>(.*?)</tr>", section[section.index("Cash by program") :]).group(1)
    assert re.findall(r"<td>(.*?)</td>", cash)[:4] == ["¥500", "¥500", "1", "0.002"]
    assert "kept in the ledger" in section
    assert "starts 2024-06-01" in section
    assert section.count('class="spec"') == 3  # impressions budget/allocated/delivered, pacing, cash
    assert "planned impressions 计划扶持流量" in html  # the plan's spread across tiers joins the tier chart


def test_a_warehouse_without_plan_tables_has_no_plan(tmp_path):
    wh = load_dir(DuckDBWarehouse(str(tmp_path / "bare.duckdb")), FIXTURES / "platform")
    try:
        assert plan_tables(wh) is None
    finally:
        wh.close()


def test_cli_report_reads_the_warehouse_plan(tmp_path):
    with_plan(tmp_path / "wh.duckdb").close()
    url = f"duckdb:///{tmp_path / 'wh.duckdb'}"
    r = CliRunner().invoke(app, ["report", "--warehouse", url, "--out", str(tmp_path / "r.html")])
    assert r.exit_code == 0, r.output
    assert "plan <b>p1</b>" in (tmp_path / "r.html").read_text("utf-8")
