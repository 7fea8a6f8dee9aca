"""The creator pages' snapshot (``web.snapshot``): every creator's overview and level, read for all creators
at once, equal what the pages read for one creator directly (the reference); a warehouse write makes it stale
(pages go back to the direct read) until a rebuild that sees the write; no file, no snapshot."""

from __future__ import annotations

import math
import re
from datetime import date

import pyarrow as pa
import pytest
from web_growth_world import build_growth_world
from web_platform import UTC, PlatformFiles
from web_world import World

from guanghe.data.warehouse import open_warehouse
from guanghe.web.snapshot import Snapshots
from guanghe.web.views import creator_data, growth


@pytest.fixture(scope="module")
def snap_world(web_platform: PlatformFiles, tmp_path_factory) -> World:
    world = build_growth_world(web_platform, tmp_path_factory.mktemp("web_snapshot"))
    yield world
    world.state.close()


def same(a, b) -> bool:
    """Equal, floats to 1e-9 relative (a sum over all creators may round its last bit differently)."""
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def test_every_creator_s_sections_equal_the_direct_read(snap_world: World):
    state = snap_world.state
    snap = state.snapshots.wait() or (state.snapshots.start(), state.snapshots.wait())[1]
    assert snap is not None, state.snapshots.error
    with open_warehouse(state.settings.warehouse, read_only=True) as wh:
        every = (
            wh.fetch(wh.table("creators").select("creator_id").order_by("creator_id")).column(0).to_pylist()
        )
        ids = every[::8]  # 30 of the 240 (the direct read costs ~1 s a creator): every segment of the ids
        levels_seen = planned_seen = support_seen = incomes = statements = 0
        for c in ids:
            direct = (creator_data.overview(wh, c, state.as_of), growth.level(wh, c, state.as_of, state.zone))
            got = snap.creator_overview(c)
            assert same(got, direct), c
            money = (creator_data.income(wh, c, state.as_of), creator_data.statements(wh, "creator", c))
            assert snap.creator_income(c) == money, c
            incomes += bool(money[0]["total"])
            statements += bool(money[1])
            levels_seen += got[1] is not None and "error" not in got[1]
            planned_seen += bool(got[0]["planned"])
            support_seen += bool(got[0]["support"])
        agencies = wh.fetch(wh.table("creators").select("mcn_id").distinct()).column(0).to_pylist()
        for mcn in [a for a in agencies if a is not None]:
            assert snap.statements_of("mcn", mcn) == creator_data.statements(wh, "mcn", mcn), mcn
        assert snap.income_totals(tuple(every)) == creator_data.income_totals(wh, every, state.as_of)
    # the comparison covers what the pages show: levels, next week's plan, support received, income, statements
    assert (
        levels_seen == len(ids) and planned_seen > 0 and support_seen > 0 and incomes > 0 and statements > 0
    )
    unknown = snap.creator_overview(10**12)
    assert unknown[0]["plays"] == [0] * creator_data.DAYS and "not in the warehouse" in unknown[1]["error"]


def test_a_write_makes_the_snapshot_stale_until_rebuilt(snap_world: World):
    state, snaps = snap_world.state, snap_world.state.snapshots
    snaps.start()
    before = snaps.wait()
    assert before is not None
    me = snap_world.accounts["creator"].principal.external_id
    client = snap_world.as_("creator")
    shown = re.compile(r'id="support-30d">([^<]*)<')

    def on_page() -> int:
        page = client.get("/creator/")
        assert page.status_code == 200
        return int(shown.search(page.text).group(1).replace(",", ""))

    assert on_page() == before.creator_overview(me)[0]["support_30d"]
    with open_warehouse(state.settings.warehouse) as wh:
        w = wh.table("works")
        work = wh.fetch(w.filter(w.creator_id == me).select("work_id").limit(1)).column(0)[0].as_py()
        row = pa.table(
            {"work_id": [work], "date": [state.as_of], "program": ["guanghe"], "impressions": [12_345]}
        )
        with wh.writer() as wr:
            wr.merge("work_boost", row.cast(pa.schema([("work_id", pa.int64()), ("date", pa.date32()),
                                                       ("program", pa.string()), ("impressions", pa.int64())])))  # fmt: skip
    assert snaps.current() is None  # stale: the page reads directly meanwhile
    after = snaps.wait()
    assert after is not None and after is not before and snaps.builds >= 2
    gained = after.creator_overview(me)[0]["support_30d"] - before.creator_overview(me)[0]["support_30d"]
    assert gained == 12_345
    assert on_page() == after.creator_overview(me)[0]["support_30d"]


def test_no_file_no_snapshot():
    snaps = Snapshots("duckdb://", lambda: open_warehouse("duckdb://"), date(2023, 6, 30), UTC)
    assert snaps.current() is None and snaps.wait() is None and snaps.builds == 0
