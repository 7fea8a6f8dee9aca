"""The operator console's read pages with known answers, through the real HTTP stack on copies of the test
platform: the dashboard's figures against plain counts of the warehouse, eligibility against the Python
mirror of the rules, the stored plan, live pacing on flushed deliveries written in known hours, money,
the quarantine browser (filters, pages) and explain."""

from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime, timedelta

import pyarrow as pa
import pytest
from web_world import World

from guanghe.allocate.store import PLAN, PROGRAMS, QUOTAS
from guanghe.data.schema import QUARANTINE
from guanghe.data.warehouse import open_warehouse
from guanghe.ledger import open_ledger
from guanghe.programs import creator_features, load_programs, why_not
from guanghe.serve.flush import DELIVERIES, FLUSHES
from guanghe.web.views import operator_pacing as pace

UTC_ZONE = UTC


def cell(html: str, row_attr: str, cls: str) -> str:
    """The text of the ``td.cls`` cell of the row ``<tr data-...="row_attr">``."""
    row = re.search(rf"<tr {row_attr}[^>]*>(.*?)</tr>", html, re.S)
    assert row, row_attr
    m = re.search(rf'<td class="[^"]*\b{cls}\b[^"]*"[^>]*>(.*?)</td>', row.group(1), re.S)
    assert m, (row_attr, cls)
    return re.sub(r"<[^>]+>", "", m.group(1)).strip()


def num(text: str) -> int:
    return int(text.replace(",", "").replace("¥", ""))


def ready(client, url: str, marker: str = 'id="computing"', timeout: float = 90) -> str:
    """GET until the page is no longer computing in the background."""
    deadline = time.monotonic() + timeout
    while True:
        r = client.get(url)
        assert r.status_code == 200, r.text[-500:]
        if marker not in r.text and 'id="updating"' not in r.text:
            return r.text
        assert time.monotonic() < deadline, f"{url} still computing"
        time.sleep(0.5)


@pytest.fixture(scope="module")
def w(operator_world: World) -> World:
    return operator_world


def test_dashboard_period_figures_are_the_warehouse_counts(w: World):
    op = w.as_("operator")
    html = ready(op, "/operator/dashboard/figures?period=2023-Q2")
    assert "2023-Q2 (2023-04-01 → 2023-06-30)" in html
    with open_warehouse(w.extra["warehouse"], read_only=True) as wh:
        works = wh.fetch(wh.table("works").select("published_at")).column("published_at").to_pylist()
        income = wh.fetch(wh.table("income").select("occurred_at", "amount_fen")).to_pylist()
    q2 = sum(1 for t in works if date(2023, 4, 1) <= t.date() <= date(2023, 6, 30))
    q1 = sum(1 for t in works if date(2023, 1, 1) <= t.date() <= date(2023, 3, 31))
    fen = sum(
        r["amount_fen"] for r in income if date(2023, 4, 1) <= r["occurred_at"].date() <= date(2023, 6, 30)
    )
    assert num(cell(html, 'data-catalog="works_published"', "value")) == q2
    got = re.search(r'data-catalog="works_published".*?</tr>', html, re.S).group(0)
    assert f"{q1:,}" in got and f"{q2 / q1 - 1:+.1%}" in got  # previous quarter and the change
    assert cell(html, 'data-catalog="income_total_fen"', "value") == f"¥{fen // 100:,}.{fen % 100:02d}"
    # the full page: the seed's figures (the conference's YoY beside this platform's) and the selector
    page = ready(op, "/operator/?period=2023-Q2&lang=en")
    assert 'id="seed-figures"' in page and "+14.8%" in page  # works_published's conference YoY
    assert '<option value="2023-Q2" selected>' in page and 'hx-get="/operator/dashboard/figures"' in page
    assert page.count('data-option="') >= 5
    r = op.get("/operator/?period=2023-Q5")
    assert r.status_code == 422 and "period" in r.text


def test_programs_eligible_counts_match_the_python_rules(w: World):
    op = w.as_("operator")
    html = ready(op, "/operator/programs")
    folder = w.extra["programs"]
    with open_warehouse(w.extra["warehouse"], read_only=True) as wh:
        rows = creator_features(wh.tables(), date(2023, 6, 30), UTC_ZONE).to_pyarrow().to_pylist()
    for p in load_programs(folder):
        expected = sum(1 for r in rows if not why_not(r, p))
        assert num(cell(html, f'data-program="{p.name}"', "eligible")) == expected, p.name
    assert "240 " in html  # budgets scaled to the platform's creators


def test_allocation_page_shows_the_stored_plan(w: World):
    op = w.as_("operator")
    html = op.get("/operator/allocation").text
    with open_warehouse(w.extra["warehouse"], read_only=True) as wh:
        rows = wh.fetch(wh.table(PROGRAMS)).to_pylist()
    assert {r["plan_id"] for r in rows} == {"plan-2023-06-30"}
    assert '<code id="plan-id">plan-2023-06-30</code>' in html
    for r in rows:
        attr = f'data-program="{r["program"]}" data-kind="{r["kind"]}"'
        assert num(cell(html, attr, "budget")) == r["budget"]
        assert num(cell(html, attr, "allocated")) == r["allocated"]
    gap = next(r["gap"] for r in rows if r["kind"] == "impressions")
    assert f"{gap:.2e}" in html
    assert op.get("/operator/allocation?plan=no-such-plan").status_code == 404


def test_explain_a_creator_and_an_unknown_one(w: World):
    op = w.as_("operator")
    with open_warehouse(w.extra["warehouse"], read_only=True) as wh:
        t = wh.table(PLAN)
        creator = wh.fetch(t.order_by("creator_id").limit(1)).to_pylist()[0]["creator_id"]
    r = op.get(f"/operator/allocation/explain?creator={creator}")
    assert r.status_code == 200 and f"creator {creator} in plan plan-2023-06-30" in r.text
    r = op.get("/operator/allocation/explain?creator=999999")
    assert r.status_code == 404 and "not in plan" in r.text
    assert op.get("/operator/allocation/explain?creator=abc").status_code == 422


def _flush(wh_url: str, rows: list[tuple[str, datetime, date, int, str, int]]) -> None:
    """Flushed batches as ``guanghe serve`` records them: (batch, written_at, day, creator, program, n)."""
    with open_warehouse(wh_url) as wh, wh.writer() as w:
        w.ensure(FLUSHES)
        w.ensure(DELIVERIES)
        batches = sorted({(b, at) for b, at, *_ in rows})
        w.insert(FLUSHES, pa.table({"batch_id": [b for b, _ in batches], "rows": [1] * len(batches),
                                    "impressions": [sum(r[5] for r in rows if r[0] == b) for b, _ in batches],
                                    "written_at": [at for _, at in batches]}, schema=FLUSHES.arrow_schema()))  # fmt: skip
        w.insert(DELIVERIES, pa.table({"batch_id": [r[0] for r in rows], "worker": ["w1"] * len(rows),
                                       "date": [r[2] for r in rows], "creator_id": [r[3] for r in rows],
                                       "program": [r[4] for r in rows], "impressions": [r[5] for r in rows]},
                                      schema=DELIVERIES.arrow_schema()))  # fmt: skip


def test_pacing_on_flushed_deliveries(w: World):
    op = w.as_("operator")
    day = date(2023, 7, 3)
    r = op.get(f"/operator/pacing?day={day}")
    assert (
        r.status_code == 200 and 'id="no-serving"' in r.text and 'id="pacing"' not in r.text
    )  # said plainly
    with open_warehouse(w.extra["warehouse"], read_only=True) as wh:
        q = wh.table(QUOTAS)
        got = wh.fetch(
            q.filter(q.date == day).group_by("program").aggregate(n=q.impressions.sum())
        ).to_pylist()
        creator = wh.fetch(q.filter(q.date == day).limit(1)).to_pylist()[0]["creator_id"]
    quota = {r["program"]: int(r["n"]) for r in got}
    over, short, exact = "general_support", "guanghe", "ecom_tail"
    at = lambda h: datetime(2023, 7, 3, h, 20)  # noqa: E731 - UTC, the test platform's zone
    _flush(w.extra["warehouse"], [
        ("w1-1", at(9), day, creator, over, quota[over] // 2), ("w1-2", at(20), day, creator, over, quota[over]),
        ("w1-2", at(20), day, creator, short, quota[short] // 4),
        ("w1-1", at(9), day, creator, exact, quota[exact] - 7), ("w1-3", at(22), day, creator, exact, 7),
    ])  # fmt: skip
    html = op.get(f"/operator/pacing/live?day={day}").text
    assert 'hx-trigger="every 10s"' in html and 'id="no-serving"' not in html
    for prog, delivered, status in ((over, quota[over] // 2 + quota[over], "oversold"),
                                    (short, quota[short] // 4, "behind"), (exact, quota[exact], "ok")):  # fmt: skip
        attr = f'data-program="{prog}"'
        assert num(cell(html, attr, "quota")) == quota[prog]
        assert num(cell(html, attr, "delivered")) == delivered
        assert f'data-status="{status}"' in re.search(rf"<tr {attr}.*?</tr>", html, re.S).group(0)
    assert 'id="pacing-warnings"' in html and html.count("<li>") >= 2
    # the hour of each batch is the hour its flush was written (platform zone)
    with open_warehouse(w.extra["warehouse"], read_only=True) as wh:
        p = pace.pacing(wh, day, UTC_ZONE, {x.name: x for x in load_programs(w.extra["programs"])})
    byname = {x.program: x for x in p.programs}
    assert byname[over].hourly[9] == quota[over] // 2 and byname[over].hourly[20] == quota[over]
    assert byname[exact].hourly[22] == 7 and sum(byname[exact].hourly) == quota[exact]


def test_pacing_due_by_the_hour_follows_the_profile():
    """Today at 12:30: the target due is the quota times the profile's share of hours 0..11."""
    from guanghe.programs.hours import PROFILES

    cum = pace.cumulative(PROFILES["flat"])
    assert cum[11] == pytest.approx(0.5) and cum[23] == 1.0
    now = datetime(2023, 7, 3, 12, 30, tzinfo=UTC)
    assert pace.hours_done(date(2023, 7, 3), UTC_ZONE, now) == 12
    assert pace.hours_done(date(2023, 7, 2), UTC_ZONE, now) == 24
    assert pace.hours_done(date(2023, 7, 4), UTC_ZONE, now) == 0


def test_money_and_reconcile(w: World):
    op = w.as_("operator")
    html = op.get("/operator/money").text
    with open_warehouse(w.extra["warehouse"], read_only=True) as wh:
        n_income = wh.fetch(wh.table("income").aggregate(n=wh.table("income").count())).column("n")[0].as_py()
        month = wh.fetch(wh.table("money_months")).to_pylist()[-1]
    assert f"{n_income:,}" in html
    assert num(cell(html, f'data-month="{month["month"]}"', "payouts")) == month["payouts"]
    assert 'id="reconcile-status"' not in html
    r = op.post("/operator/money/reconcile")
    assert r.status_code == 200 and 'id="reconcile-status"' in r.text and 'class="ok"' in r.text
    with open_ledger(w.extra["ledger"]) as store:
        accounts, transfers, _ = store.snapshot()
        transfers = list(transfers)
    assert num(re.search(r'id="rec-accounts">([^<]+)<', r.text).group(1)) == len(accounts)
    assert num(re.search(r'id="rec-transfers">([^<]+)<', r.text).group(1)) == len(transfers)


def test_quarantine_filters_and_pages(w: World):
    op = w.as_("operator")
    assert 'id="q-none"' in op.get("/operator/quarantine").text
    rows = [
        ("creators", "/in/creators.csv", i + 2, "followers", "expected an integer >= 0") for i in range(70)
    ]
    rows += [("works", "/in/works.jsonl", i + 1, "published_at", "expected a timestamp") for i in range(55)]
    with open_warehouse(w.extra["warehouse"]) as wh, wh.writer() as wr:
        wr.ensure(QUARANTINE)
        wr.insert(QUARANTINE, pa.table({
            "load_id": ["L1"] * len(rows), "table_name": [r[0] for r in rows], "file": [r[1] for r in rows],
            "file_sha256": [r[1] * 2 for r in rows], "row_number": [r[2] for r in rows], "field": [r[3] for r in rows],
            "reason": [r[4] for r in rows], "raw": ['{"x": 1}'] * len(rows)}, schema=QUARANTINE.arrow_schema()))  # fmt: skip
    html = op.get("/operator/quarantine").text
    assert "125 rows · Page 1/3" in html or "125 行 · 页 1/3" in html
    assert html.count('<td class="reason">') == 50 and 'id="next-page"' in html
    last = op.get("/operator/quarantine?page=3").text
    assert last.count('<td class="reason">') == 25 and 'id="next-page"' not in last
    only = op.get("/operator/quarantine?table=works").text
    assert only.count('<td class="reason">') == 50 and "creators.csv" not in only.split('id="quarantine"')[1]
    by_reason = op.get("/operator/quarantine?reason=integer&page=2").text
    assert by_reason.count('<td class="reason">') == 20  # 70 rows of creators: page 2 holds 20
    by_file = op.get("/operator/quarantine?file=/in/works.jsonl&page=2").text
    assert by_file.count('<td class="reason">') == 5


def test_no_plan_no_serving_said_plainly(w: World, tmp_path):
    """Days outside the plan and without deliveries: the page says there is no serving data, no zeros."""
    day = date(2023, 6, 1) - timedelta(days=1)
    html = w.as_("operator").get(f"/operator/pacing?day={day}&lang=en").text
    assert "No serving data for this day" in html and 'id="pacing"' not in html
