"""The creator center's growth pages against the growth room's own use cases, on a copy of the shared platform
with the growth steps run (levels + badges, tasks paid on a ledger copy, the originality scan): the overview's
level and missing rules are ``explain_creator``'s, the tasks page is ``creator_progress``, an appeal is filed
only on the creator's own flagged work, the studio's keywords are ``extract_keywords``'s."""

from __future__ import annotations

import re
from html import unescape

import pytest
from web_growth_world import build_growth_world
from web_helpers import sign_in
from web_platform import UTC, PlatformFiles
from web_world import World

from guanghe.growth.level_explain import explain_creator
from guanghe.growth.level_load import LEVELS_FILE, load_levels
from guanghe.growth.originality.decisions import appeals
from guanghe.growth.tasks import TASKS_DIR, load_tasks
from guanghe.growth.tasks.progress import creator_progress
from guanghe.programs import PROGRAMS_DIR, load_programs
from guanghe.studio import extract_keywords, product_script, titles
from guanghe.web.demo import ensure_principal

TEXT = "周末带着相机去山里露营，分享帐篷搭建、篝火晚餐和星空摄影的技巧，新手也能轻松上手。"


@pytest.fixture(scope="module")
def growth_world(web_platform: PlatformFiles, tmp_path_factory) -> World:
    world = build_growth_world(web_platform, tmp_path_factory.mktemp("web_growth"))
    yield world
    world.state.close()


def product_script_from_fields(folder=None):
    """The same product written as a file by hand, through the studio's own use case."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "p.toml"
        p.write_text(
            'name = "轻羽降噪耳机"\nselling_points = ["40dB 深度降噪", "30 小时续航", "单耳 4.5 克"]\n'
        )
        return product_script(p)


def read(world: World, fn):
    with world.state.warehouse() as wh:
        return fn(wh)


def flagged_by_creator(world: World) -> dict[int, list[int]]:
    def go(wh):
        t = wh.table("work_originality")
        return wh.fetch(t.filter(t.flagged).select("creator_id", "work_id").order_by("work_id")).to_pylist()

    out: dict[int, list[int]] = {}
    for r in read(world, go):
        out.setdefault(r["creator_id"], []).append(r["work_id"])
    return out


def as_creator(world: World, creator_id: int):
    p = ensure_principal(world.state.db, "creator", f"creator-{creator_id}", creator_id)
    return sign_in(world.app, p).client


def text_of(html: str, element_id: str) -> str:
    m = re.search(rf'id="{element_id}"[^>]*>(.*?)</', html, re.S)
    assert m, f"no #{element_id}"
    return unescape(m.group(1)).strip()


def test_overview_shows_the_level_and_the_rules_the_next_level_misses(growth_world):
    w, rules, day = growth_world, load_levels(LEVELS_FILE), growth_world.state.as_of
    ids = read(
        w, lambda wh: wh.fetch(wh.table("creators").select("creator_id").order_by("creator_id")).column(0)
    )
    found = None
    for cid in ids.to_pylist()[:80]:
        e = read(w, lambda wh, c=cid: explain_creator(wh, rules, c, day, UTC))
        if e.next_level and any(not c.holds for c in e.entry):
            found = e
            break
    assert found is not None, "no creator short of a next level among the first 80"
    html = as_creator(w, found.creator_id).get("/creator/").text
    assert text_of(html, "level-name") == found.level
    assert text_of(html, "level-rank") == str(found.rank)
    assert text_of(html, "next-level") == found.next_level
    miss = next(c for c in found.entry if not c.holds)
    row = re.search(rf'<tr data-feature="{miss.rule.feature}">(.*?)</tr>', html, re.S)
    assert row, f"the missing rule {miss.rule.feature} is not shown"
    cells = [unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))]
    value = float(cells[1].replace(",", ""))
    assert value == pytest.approx(miss.value, abs=1e-4)
    op, threshold = cells[2].split(" ", 1)
    assert op == miss.rule.op and float(threshold.replace(",", "")) == pytest.approx(
        miss.rule.value, abs=1e-4
    )
    assert float(cells[3].replace(",", "")) == pytest.approx(miss.missing, abs=1e-4)
    # every missing rule, and only those
    shown = re.findall(r'<tr data-feature="([a-z_0-9]+)">', html)
    assert shown == [c.rule.feature for c in found.entry if not c.holds]


def test_overview_without_levels_says_so(web_world):
    html = web_world.as_("creator").get("/creator/").text
    assert "No levels computed yet" in html or "尚未计算成长等级" in html


def test_tasks_page_is_creator_progress(growth_world):
    w = growth_world
    creator = w.accounts["creator"].principal.external_id
    progs = load_programs(PROGRAMS_DIR)
    tasks = load_tasks(TASKS_DIR, [p.name for p in progs])
    want = read(
        w, lambda wh: creator_progress(wh, tasks, creator, w.state.as_of, UTC, {p.name: p for p in progs})
    )
    html = w.as_("creator").get("/creator/tasks").text
    rows = re.findall(r'<tr data-task="([^"]+)">(.*?)</tr>', html, re.S)
    assert [r[0] for r in rows] == [p.task_id for p in want] and want
    for (_tid, body), p in zip(rows, want, strict=True):
        assert f'data-status="{p.status}"' in body
        assert f'<span class="have">{p.have:,}</span> / <span class="need">{p.need:,}</span>' in body
        assert f'<td class="num reward">{p.reward_fen / 100:,.2f}</td>' in body


def test_an_appeal_is_filed_only_on_an_own_flagged_work(growth_world):
    w = growth_world
    flagged = flagged_by_creator(w)
    me, other = list(flagged)[:2]
    mine, theirs = flagged[me][0], flagged[other][0]
    client = as_creator(w, me)
    page = client.get("/creator/originality").text
    assert f'<tr data-work="{mine}">' in page
    # another creator's flagged work: 404, nothing recorded
    r = client.post("/creator/originality/appeals", data={"work_id": theirs, "reason": "mine"})
    assert r.status_code == 404
    # without the CSRF field: 403
    r = client.post(
        "/creator/originality/appeals", data={"work_id": mine, "reason": "my own footage"}, csrf=False
    )
    assert r.status_code == 403
    assert [a for a in appeals(w.state.db) if a.work_id in (mine, theirs)] == []
    r = client.post("/creator/originality/appeals", data={"work_id": mine, "reason": "my own footage"})
    assert r.status_code == 303
    filed = [a for a in appeals(w.state.db) if a.work_id == mine]
    assert [(a.creator_id, a.reason, a.state) for a in filed] == [(me, "my own footage", "open")]
    page = client.get("/creator/originality").text
    assert f'<tr data-work="{mine}" data-state="open">' in page
    # a second appeal on the same work while one is open: refused
    again = client.post("/creator/originality/appeals", data={"work_id": mine, "reason": "x"})
    assert again.status_code == 409


def test_studio_keywords_are_the_studio_functions(growth_world):
    client = growth_world.as_("creator")
    assert client.get("/creator/studio").status_code == 200
    r = client.post("/creator/studio/keywords", data={"text": TEXT})
    assert r.status_code == 200
    got = [
        unescape(x) for x in re.findall(r"<li>(.*?)</li>", r.text.split('id="keywords"')[1].split("</ol>")[0])
    ]
    want = extract_keywords(TEXT, top=8)
    assert got == want.words and got
    assert text_of(r.text, "hashtags") == " ".join(want.hashtags)
    r = client.post("/creator/studio/titles", data={"text": TEXT})
    got = [unescape(x) for x in re.findall(r"<tr><td>(.*?)</td>", r.text.split('id="titles"')[1])]
    assert got == [t.text for t in titles(TEXT, 5).titles]
    r = client.post(
        "/creator/studio/script",
        data={"name": "轻羽降噪耳机", "selling_points": "40dB 深度降噪\n30 小时续航\n单耳 4.5 克"},
    )
    want_script = product_script_from_fields()
    assert [
        unescape(x) for x in re.findall(r"<dd>(.*?)</dd>", r.text.split('id="script"')[1].split("</dl>")[0])
    ] == [x.text for x in want_script.sections]
    bad = client.post("/creator/studio/script", data={"name": "耳机", "selling_points": "降噪"})
    assert bad.status_code == 400 and "selling_points" in text_of(bad.text, "studio-error")


@pytest.mark.parametrize("role", ["brand", "mcn", "operator"])
def test_other_roles_may_not_open_the_studio(web_world, role):
    client = web_world.as_(role)
    assert client.get("/creator/studio").status_code == 403
    assert client.post("/creator/studio/keywords", data={"text": TEXT}).status_code == 403
