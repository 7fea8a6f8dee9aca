"""The operator console's state changes through the real HTTP stack, on copies of the test platform: a
program edit (refused with file:line:field, previewed without writing, saved atomically, a stale edit
refused), the allocation rerun storing a new plan with the edited budget, a marketplace dispute resolved
(the escrow split on the ledger, idempotent) and originality appeals decided."""

from __future__ import annotations

import re
from datetime import UTC, date

from sqlalchemy import select
from sqlalchemy.orm import Session
from web_world import World

from guanghe.allocate.store import PROGRAMS
from guanghe.appdb.growth_models import OriginalityAppealRow, OriginalityDecisionRow
from guanghe.data.warehouse import open_warehouse
from guanghe.market import orders as o
from guanghe.market.offers import list_orders, make_offer
from guanghe.programs import creator_features, parse_program, why_not
from guanghe.web.views.operator_programs import sha

OLD_BUDGET, NEW_BUDGET = "impressions = 272_000_000_000", "impressions = 300_000_000_000"
OLD_RULE, NEW_RULE = (
    'feature = "active_months_12"\nop = ">="\nvalue = 3',
    'feature = "active_months_12"\nop = ">="\nvalue = 6',
)
SCALE = 240 / 7_000_000  # the platform's creators / the file's [scale] creators


def num(text: str) -> int:
    return int(text.replace(",", "").strip())


def field(html: str, attr: str, cls: str) -> int:
    row = re.search(rf"<tr {attr}[^>]*>(.*?)</tr>", html, re.S).group(1)
    return num(re.search(rf'<td class="num {cls}">([^<]*)</td>', row).group(1))


def edit(w: World, text: str, base: str, action: str = "preview"):
    return w.as_("operator").post(f"/operator/programs/{action}", {"file": "general_support.toml", "toml": text,
                                                                     "base": base})  # fmt: skip


def test_edit_preview_save_and_rerun(operator_world: World):
    w = operator_world
    path = w.extra["programs"] / "general_support.toml"
    original = path.read_text(encoding="utf-8")
    base = sha(original)
    assert OLD_BUDGET in original and OLD_RULE in original
    # a bad edit: every problem named by file, line and field; nothing written
    bad = original.replace(OLD_BUDGET, 'impressions = "lots"').replace("tail = 0.40", "tail = 0.90")
    r = edit(w, bad, base)
    assert r.status_code == 422 and 'id="problems"' in r.text
    line = next(i for i, x in enumerate(bad.splitlines(), 1) if x.startswith('impressions = "lots"'))
    assert f"general_support.toml:{line}: budget.impressions" in r.text and "floors" in r.text
    r = edit(w, original.replace('name = "general_support"', 'name = "renamed"'), base)
    assert r.status_code == 422 and "a program is renamed by renaming its file" in r.text
    # a good edit: eligible creators before/after and the plan's change, solved but not stored
    edited = original.replace(OLD_BUDGET, NEW_BUDGET).replace(OLD_RULE, NEW_RULE)
    r = edit(w, edited, base)
    assert r.status_code == 200 and 'id="preview"' in r.text, r.text[-800:]
    with open_warehouse(w.extra["warehouse"], read_only=True) as wh:
        rows = creator_features(wh.tables(), date(2023, 6, 30), UTC).to_pyarrow().to_pylist()
        plans_before = wh.fetch(wh.table(PROGRAMS).select("plan_id").distinct()).num_rows
    # the reference: the rules' Python mirror (why_not) per creator, not the Ibis expression the page uses
    before, after = parse_program(original), parse_program(edited)
    n_before = sum(not why_not(x, before) for x in rows)
    n_after = sum(not why_not(x, after) for x in rows)
    assert num(re.search(r'id="eligible-before">([^<]+)<', r.text).group(1)) == n_before
    assert num(re.search(r'id="eligible-after">([^<]+)<', r.text).group(1)) == n_after
    assert n_after < n_before
    attr = 'data-program="general_support" data-kind="impressions"'
    assert field(r.text, attr, "budget-before") == round(272_000_000_000 * SCALE)
    assert field(r.text, attr, "budget-after") == round(300_000_000_000 * SCALE)
    assert field(r.text, 'data-program="guanghe" data-kind="impressions"', "budget-after") == field(
        r.text, 'data-program="guanghe" data-kind="impressions"', "budget-before")  # fmt: skip
    assert path.read_text(encoding="utf-8") == original  # a preview writes nothing
    # save: the file replaced atomically (no temp file left), then a save from the old version is stale
    r = edit(w, edited, base, "save")
    assert (
        r.status_code == 303
        and r.headers["location"] == "/operator/programs/edit?file=general_support.toml&saved=1"
    )
    assert path.read_text(encoding="utf-8") == edited
    assert sorted(p.name for p in path.parent.iterdir()) == sorted(p.name for p in path.parent.glob("*.toml"))
    r = edit(w, original, base, "save")
    assert r.status_code == 409 and path.read_text(encoding="utf-8") == edited
    # rerun: a new plan id, the edited budget, the other programs' budgets as before
    r = w.as_("operator").post("/operator/allocation/run")
    assert r.status_code == 303
    new_id = re.search(r"plan=([^&]+)", r.headers["location"]).group(1)
    assert new_id.startswith("plan-2023-06-30-web-")
    html = w.as_("operator").get(r.headers["location"]).text
    assert f'<code id="plan-id">{new_id}</code>' in html and 'id="ran"' in html
    assert num(re.search(rf"<tr {attr}.*?budget\">([^<]+)<", html, re.S).group(1)) == round(
        300_000_000_000 * SCALE
    )
    with open_warehouse(w.extra["warehouse"], read_only=True) as wh:
        t = wh.table(PROGRAMS)
        got = {(x["plan_id"], x["program"], x["kind"]): x["budget"] for x in wh.fetch(t).to_pylist()}
        assert wh.fetch(t.select("plan_id").distinct()).num_rows == plans_before + 1
    assert got[(new_id, "general_support", "impressions")] == round(300_000_000_000 * SCALE)
    assert got[(new_id, "guanghe", "cash_fen")] == got[("plan-2023-06-30", "guanghe", "cash_fen")]
    # the latest plan is the page's default now
    assert f'<code id="plan-id">{new_id}</code>' in w.as_("operator").get("/operator/allocation").text


def test_dispute_resolved_with_the_escrow_split(operator_world: World):
    w = operator_world
    m = w.state.market.market()
    brand, creator = w.accounts["brand"].principal, w.accounts["creator"].principal
    order = list_orders(w.state.db, ("brand", brand.external_id), "offered", 10)[0][0]
    with open_warehouse(w.extra["warehouse"], read_only=True) as wh:
        works = wh.table("works")
        work = wh.fetch(works.filter(works.creator_id == creator.external_id).limit(1)).to_pylist()[0][
            "work_id"
        ]
    o.accept(m, creator, order.id)
    o.fund(m, brand, order.id)
    o.deliver(m, creator, order.id, work, w.state.market.work_owner)
    o.dispute(m, brand, order.id, reason="not as briefed")
    op = w.as_("operator")
    html = op.get("/operator/disputes").text
    assert f'data-order="{order.id}"' in html.split('id="resolved"')[0]
    version = int(re.search(rf'/operator/disputes/{order.id}/resolve".*?name="version" value="(\d+)"', html,
                            re.S).group(1))  # fmt: skip
    r = op.post(
        f"/operator/disputes/{order.id}/resolve", {"creator_share_pct": "101", "version": str(version)}
    )
    assert r.status_code == 422  # 0..100
    r = op.post(f"/operator/disputes/{order.id}/resolve", {"creator_share_pct": "30", "version": str(version),
                                                            "note": "half delivered"})  # fmt: skip
    assert r.status_code == 303
    done = list_orders(w.state.db, None, "resolved", 10)[0]
    mine = next(x for x in done if x.id == order.id)
    assert mine.creator_fen == order.price_fen * 3000 // 10_000
    transfers = len(list(m.ledger.snapshot()[1]))
    # the same form again: the first answer, nothing moves twice
    r = op.post(
        f"/operator/disputes/{order.id}/resolve", {"creator_share_pct": "80", "version": str(version)}
    )
    assert r.status_code == 303
    again = next(x for x in list_orders(w.state.db, None, "resolved", 10)[0] if x.id == order.id)
    assert again.creator_fen == mine.creator_fen and len(list(m.ledger.snapshot()[1])) == transfers
    resolved = op.get("/operator/disputes").text.split('id="resolved"')[1]
    assert f'data-order="{order.id}"' in resolved
    # an order that is not disputed cannot be resolved
    kit = w.state.market.kit(creator.external_id)
    fresh = make_offer(m, brand, order.campaign_id, creator.external_id, "short_video", order.price_fen, (),
                       mcn_id=kit["mcn_id"])  # fmt: skip
    assert op.post(f"/operator/disputes/{fresh.id}/resolve", {"creator_share_pct": "50"}).status_code == 409


def test_appeals_decided_once(operator_world: World):
    w = operator_world
    creator = w.accounts["creator"].principal
    with Session(w.state.db.engine) as s, s.begin():
        rows = [OriginalityAppealRow(work_id=700 + i, creator_id=creator.external_id, reason=f"my own work {i}",
                                     state="open", filed_by=creator.id) for i in range(3)]  # fmt: skip
        s.add_all(rows)
        s.flush()
        ids = [r.id for r in rows]
    op = w.as_("operator")
    html = op.get("/operator/appeals").text
    assert all(f'data-appeal="{i}"' in html for i in ids) and "(3)" in html
    assert (
        op.post(
            f"/operator/appeals/{ids[0]}/decide", {"outcome": "maybe", "original_work_id": "5"}
        ).status_code
        == 422
    )
    r = op.post(
        f"/operator/appeals/{ids[0]}/decide", {"outcome": "upheld", "original_work_id": "123", "note": "ok"}
    )
    assert r.status_code == 303
    r = op.post(f"/operator/appeals/{ids[1]}/decide", {"outcome": "rejected", "original_work_id": "456"})
    assert r.status_code == 303
    # decided once: a second answer is refused and changes nothing
    assert (
        op.post(
            f"/operator/appeals/{ids[0]}/decide", {"outcome": "rejected", "original_work_id": "123"}
        ).status_code
        == 409
    )
    assert (
        op.post("/operator/appeals/999999/decide", {"outcome": "upheld", "original_work_id": "1"}).status_code
        == 404
    )
    with Session(w.state.db.engine) as s:
        found = s.scalars(select(OriginalityAppealRow).where(OriginalityAppealRow.id.in_(ids)))
        states = {a.id: (a.state, a.decided_by, a.note) for a in found}
        decisions = s.execute(select(OriginalityDecisionRow.work_id, OriginalityDecisionRow.original_work_id,
                                     OriginalityDecisionRow.decision)).all()  # fmt: skip
    op_id = w.accounts["operator"].principal.id
    assert states == {
        ids[0]: ("upheld", op_id, "ok"),
        ids[1]: ("rejected", op_id, None),
        ids[2]: ("open", None, None),
    }
    assert sorted(tuple(d) for d in decisions) == [(700, 123, "not_duplicate"), (701, 456, "duplicate")]
    assert 'data-appeal="' + str(ids[2]) + '"' in op.get("/operator/appeals").text
    assert f'data-appeal="{ids[0]}"' not in op.get("/operator/appeals").text
    assert f'data-appeal="{ids[0]}"' in op.get("/operator/appeals?status=upheld").text
