"""``roles.check_routes``: the app's guard against a route without roles and a role page open to another role
(no app, no database: the function on hand-made (name, path) pairs, against the real ``ROUTE_ROLES``)."""

from __future__ import annotations

from guanghe.web.roles import ROUTE_ROLES, check_routes, role_of_path


def test_the_real_table_passes():
    pairs = [("creator_income", "/creator/income"), ("brand_reports", "/brand/reports"), ("mcn_creators", "/mcn/"),
             ("login_form", "/login"), ("home", "/")]  # fmt: skip
    assert check_routes(pairs) == []


def test_a_route_missing_from_the_table_is_refused():
    assert "creator_secret_page" not in ROUTE_ROLES
    problems = check_routes(
        [("creator_income", "/creator/income"), ("creator_secret_page", "/creator/secret")]
    )
    assert problems == ["route creator_secret_page (/creator/secret) has no roles in web.roles.ROUTE_ROLES"]


def test_a_route_under_a_role_prefix_open_to_another_role_is_refused():
    # login_form is open to anyone: mounted under /brand it would expose a brand page to every role
    assert check_routes([("login_form", "/brand/login")]) == [
        "route login_form (/brand/login) is under /brand but open to "
        "['anonymous', 'brand', 'creator', 'mcn', 'operator']"
    ]
    # a creator page mounted under the MCN prefix: open to creators, not to the MCN the prefix promises
    assert check_routes([("creator_income", "/mcn/income")]) == [
        "route creator_income (/mcn/income) is under /mcn but open to ['creator']"
    ]


def test_prefixes_match_whole_segments():
    assert role_of_path("/creator") == "creator" and role_of_path("/creator/x") == "creator"
    assert role_of_path("/creators/x") is None and role_of_path("/login") is None
