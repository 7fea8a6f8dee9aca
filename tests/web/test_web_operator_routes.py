"""The operator console's role × route matrix (every route, every role), its cross-tenant rule (an operator
sees every tenant; no creator, brand or agency of any tenant opens a console page) and CSRF refusals on every
state change (nothing changes), through the real HTTP stack on a real application database."""

from __future__ import annotations

import pytest
from web_helpers import sign_in
from web_world import World

from guanghe.market.api.app import api_routes
from guanghe.programs import PROGRAMS_DIR
from guanghe.web.demo import ensure_principal
from guanghe.web.roles import OPERATOR, ROUTE_ROLES, role_of_path

ROLES = ("creator", "brand", "mcn", "operator")
GETS = {
    "operator_index": "/operator/",
    "operator_dashboard_figures": "/operator/dashboard/figures?period=2023-Q2",
    "operator_programs": "/operator/programs",
    "operator_program_edit": "/operator/programs/edit?file=guanghe.toml",
    "operator_allocation": "/operator/allocation",
    "operator_explain": "/operator/allocation/explain",
    "operator_pacing": "/operator/pacing",
    "operator_pacing_live": "/operator/pacing/live",
    "operator_money": "/operator/money",
    "operator_quarantine": "/operator/quarantine",
    "operator_disputes": "/operator/disputes",
    "operator_appeals": "/operator/appeals",
}
POSTS = {
    "operator_program_preview": (
        "/operator/programs/preview",
        {"file": "guanghe.toml", "toml": "x", "base": "0"},
    ),
    "operator_program_save": ("/operator/programs/save", {"file": "guanghe.toml", "toml": "x", "base": "0"}),
    "operator_allocation_run": ("/operator/allocation/run", {}),
    "operator_reconcile": ("/operator/money/reconcile", {}),
    "operator_resolve": ("/operator/disputes/1/resolve", {"creator_share_pct": "50"}),
    "operator_appeal_decide": ("/operator/appeals/1/decide", {"outcome": "upheld", "original_work_id": "1"}),
}


def operator_routes(world: World) -> dict[str, str]:
    """name → path of every console route of the app."""
    return {r.name: r.path for r in api_routes(world.app.routes) if role_of_path(r.path) == "operator"}  # type: ignore[attr-defined]


def test_every_console_route_is_operator_only_and_covered_here(operator_world: World):
    found = operator_routes(operator_world)
    assert set(found) == set(GETS) | set(POSTS), "a console route is missing from this matrix"
    for name in found:
        assert ROUTE_ROLES[name] == OPERATOR, name


def test_role_by_route_matrix(operator_world: World):
    w = operator_world
    clients = {role: w.as_(role) for role in ROLES}
    for url in GETS.values():
        anon = w.anonymous().get(url)
        assert anon.status_code == 302 and anon.headers["location"].startswith("/login?next=/operator/"), url
        for role in ROLES:
            r = clients[role].get(url)
            assert r.status_code == (200 if role == "operator" else 403), (
                role,
                url,
                r.status_code,
                r.text[-400:],
            )
    for url, data in POSTS.values():
        assert w.anonymous().post(url, data, csrf=False).status_code == 403, url  # no session, no token
        for role in ("creator", "brand", "mcn"):
            r = clients[role].post(url, data)  # a valid CSRF token of its own session: still not allowed
            assert r.status_code == 403 and "may not open" in r.text, (role, url, r.status_code)


def test_no_tenant_of_any_kind_opens_the_console(operator_world: World):
    """Principals of other tenants (another creator, brand, agency) are refused like the demo cast; the
    operator's dispute list spans every tenant (the marketplace's operator rule: ``party`` None)."""
    db = operator_world.state.db
    others = [ensure_principal(db, "creator", "Other creator", 999_101), ensure_principal(db, "brand", "Other brand", 999_102),
              ensure_principal(db, "mcn", "Other agency", 999_103)]  # fmt: skip
    for p in others:
        c = sign_in(operator_world.app, p).client  # type: ignore[arg-type]
        for url in GETS.values():
            assert c.get(url).status_code == 403, (p.kind, url)
    # a second operator sees the same console as the first
    second = sign_in(operator_world.app, ensure_principal(db, "operator", "Second operator", None)).client  # type: ignore[arg-type]
    assert second.get("/operator/disputes").status_code == 200


@pytest.mark.parametrize("token", [None, "not-the-token"])
def test_csrf_refused_on_every_state_change_and_nothing_moves(operator_world: World, token):
    w = operator_world
    op = w.as_("operator")
    folder = w.extra["programs"]
    before_files = {p.name: p.read_bytes() for p in folder.glob("*.toml")}
    plans_before = op.get("/operator/allocation").text.count('href="/operator/allocation?plan=')
    for name, (url, data) in POSTS.items():
        form = dict(data)
        if token is not None:
            form["csrf"] = token
        r = op.post(url, form, csrf=False)
        assert r.status_code == 403 and "CSRF" in r.text, (name, r.status_code)
    # the header of another session is refused too
    other = w.as_("operator")
    r = op.request("POST", "/operator/allocation/run", headers={"X-CSRF-Token": other.csrf})
    assert r.status_code == 403
    assert {p.name: p.read_bytes() for p in folder.glob("*.toml")} == before_files
    assert op.get("/operator/allocation").text.count('href="/operator/allocation?plan=') == plans_before
    assert folder != PROGRAMS_DIR  # the shipped files are never the ones a test edits


def test_web_refuses_a_programs_folder_that_is_not_one(tmp_path):
    """``guanghe web --programs`` names the console's programs folder: a missing one is exit 2, one line."""
    from typer.testing import CliRunner

    from guanghe.cli import app

    r = CliRunner().invoke(app, ["web", "--programs", str(tmp_path / "nope"), "--no-demo-accounts"])
    assert r.exit_code == 2 and "--programs" in r.output and "expected a directory" in r.output
