"""``run_badges`` on the hand-made storefronts: stored history, idempotent reruns, nothing partial on failure;
the badges as creator features in program eligibility; the report's section; ``guanghe badges run|show``."""

from __future__ import annotations

import json
from datetime import date

import pytest
from badges_platform import AS_OF, MERCHANTS_UTC, PRODUCTS_EXPECTED, build
from typer.testing import CliRunner

from guanghe.cli import app
from guanghe.data.growth_schema import MERCHANT_BADGES, PRODUCT_BADGES
from guanghe.growth.badge_rules import load_badge_rules
from guanghe.growth.badges import badge_days, run_badges
from guanghe.metrics.report.badges import badge_counts, badges_section
from guanghe.programs import creator_features, eligibility, parse_program

RULES = load_badge_rules()
TRUSTED = sorted(m for m, v in MERCHANTS_UTC.items() if v[-1])  # 11, 14, 17
runner = CliRunner()

PROGRAM = """\
name = "trusted_sellers"
title = "信任购商家扶持"
[period]
start = 2023-07-01
end = 2023-12-31
[scale]
creators = 1_000
[budget]
impressions = 1_000_000
[outcome]
gmv = 1.0
[[eligibility]]
feature = "is_ecommerce"
op = "=="
value = true
"""
RULE = """
[[eligibility]]
feature = "{feature}"
op = "{op}"
value = {value}
"""


@pytest.fixture
def wh(tmp_path):
    w = build(tmp_path / "shop.duckdb")
    yield w
    w.close()


def _stored(wh) -> tuple[list[dict], list[dict]]:
    p = wh.fetch(wh.table(PRODUCT_BADGES).order_by(["as_of", "product_id"])).to_pylist()
    m = wh.fetch(wh.table(MERCHANT_BADGES).order_by(["as_of", "merchant_id"])).to_pylist()
    return p, m


def test_run_stores_history_and_reruns_are_idempotent(wh) -> None:
    days = badge_days(date(2023, 6, 29), AS_OF)
    result = run_badges(wh, days, RULES)
    assert [d.as_of for d in result] == days
    last = result[-1]
    assert (last.products, last.price_badges) == (len(PRODUCTS_EXPECTED), 9)
    assert (last.merchants, last.judged, last.trusted) == (7, 5, 3)
    first = _stored(wh)
    on_day = [r for r in first[0] if r["as_of"] == AS_OF]
    assert {r["product_id"]: r["badge"] for r in on_day} == {k: v[3] for k, v in PRODUCTS_EXPECTED.items()}
    assert {r["as_of"] for r in first[1]} == set(days)

    run_badges(wh, [AS_OF], RULES)  # the same day again: the same rows, none twice
    run_badges(wh, days, RULES)
    assert _stored(wh) == first


def test_a_failed_run_writes_nothing(wh) -> None:
    run_badges(wh, [AS_OF], RULES)
    before = _stored(wh)

    def fail(d: date) -> None:
        if d == date(2023, 6, 29):
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        run_badges(wh, badge_days(date(2023, 6, 28), AS_OF), RULES, on_day=fail)
    assert _stored(wh) == before


def test_badge_features_drive_eligibility(wh) -> None:
    def eligible(extra: str = "") -> list[int]:
        prog = parse_program(PROGRAM + extra)
        f = creator_features(wh.tables(), AS_OF)
        return sorted(f.filter(eligibility(f, prog)).creator_id.to_pyarrow().to_pylist())

    sellers = list(range(11, 18))
    trusted_rule = RULE.format(feature="trusted_merchant", op="==", value="true")
    assert eligible() == sellers
    assert eligible(trusted_rule) == []  # no badge run yet: nobody is trusted
    run_badges(wh, [AS_OF], RULES)
    assert eligible(trusted_rule) == TRUSTED
    # price_badge_share: 11 holds 敢比价 on 1, 7, 10 of its 4 products (not 3); 12 on 2, 8 of 4 (not 5, 11);
    # 13 on 4 of its 3 on sale (not 6, 12; 13 is listed later); 16 on none (14 is alone in its group)
    f = creator_features(wh.tables(), AS_OF).to_pyarrow().to_pylist()
    share = {r["creator_id"]: r["price_badge_share"] for r in f}
    assert share == {11: 0.75, 12: 0.5, 13: pytest.approx(1 / 3), 14: 1.0, 15: 1.0, 16: 0.0, 17: 1.0, 18: 0.0}
    assert eligible(RULE.format(feature="price_badge_share", op=">=", value="0.5")) == [11, 12, 14, 15, 17]


def test_features_use_the_latest_badge_day_on_or_before_as_of(wh) -> None:
    def trusted(as_of: date) -> list[int]:
        f = creator_features(wh.tables(), as_of)
        return sorted(f.filter(f.trusted_merchant).creator_id.to_pyarrow().to_pylist())

    # on 2023-05-31 only merchant 11 is judged (100 orders on May 31; its one request is too young to judge)
    run_badges(wh, [date(2023, 5, 31)], RULES)
    assert trusted(AS_OF) == [11]
    run_badges(wh, [AS_OF], RULES)
    assert trusted(AS_OF) == TRUSTED
    assert trusted(date(2023, 6, 15)) == [11]  # the June 30 run is after June 15: May 31's badges hold
    assert trusted(date(2023, 5, 30)) == []  # no run on or before: nobody


def test_report_section_counts_badges_by_day(wh) -> None:
    assert "no trust badges computed" in badges_section(wh.tables(), 50)
    run_badges(wh, badge_days(date(2023, 6, 29), AS_OF), RULES)
    counts = badge_counts(wh.tables())
    assert [(c.as_of, c.products, c.price_badges, c.merchants, c.judged, c.trusted) for c in counts][-1] == (
        AS_OF,
        15,
        9,
        7,
        5,
        3,
    )
    html = badges_section(wh.tables(), 50)
    assert 'id="fig-50"' in html and "<h3>On 2023-06-30</h3>" in html
    assert "<td>with 信任购 (trusted purchase)</td><td>3</td><td>60.0%</td>" in html


def test_cli_run_and_show(wh, tmp_path) -> None:
    url = f"duckdb:///{wh.path}"
    wh.close()
    r = runner.invoke(app, ["badges", "run", "--as-of", "2023-06-30", "-w", url, "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["days"] == [{"as_of": "2023-06-30", "products": 15, "price_badges": 9, "merchants": 7, "judged": 5,
                            "trusted": 3}]  # fmt: skip
    r = runner.invoke(app, ["badges", "show", "--product", "6", "-w", url, "--json"])
    assert r.exit_code == 0, r.output
    p = json.loads(r.stdout)
    assert (p["as_of"], p["badge"], p["price_fen"], p["comparable_min_fen"]) == ("2023-06-30", False, 100, 80)
    assert p["comparables"] == [{"product_id": 5, "merchant_id": 12, "price_fen": 150, "low": 80}]
    r = runner.invoke(app, ["badges", "show", "--merchant", "15", "-w", url])
    assert r.exit_code == 0, r.output
    assert "does not hold 信任购 on 2023-06-30: rules not met: refund_handling" in r.output
    assert "9 of 11 judged refund requests resolved within 48 h = 81.82%" in r.output
    r = runner.invoke(
        app, ["badges", "show", "--merchant", "14", "--as-of", "2023-06-30", "-w", url, "--json"]
    )
    assert json.loads(r.stdout)["badge"] is True


def test_cli_refuses_bad_input(tmp_path) -> None:
    wh = build(tmp_path / "shop.duckdb")
    url = f"duckdb:///{wh.path}"
    wh.close()
    bad = tmp_path / "bad.toml"
    bad.write_text("[price]\nwindow_days = 0\n\n[merchant]\nwindow_days = 30\nmin_orders = 30\n")
    r = runner.invoke(app, ["badges", "run", "--as-of", "2023-06-30", "--rules", str(bad), "-w", url])
    assert r.exit_code == 2
    assert (
        f"{bad}:2: price.window_days: expected the price window in days (an integer 1..366), got 0"
        in r.output
    )
    for args in (["run", "--as-of", "2023-06-31"], ["run", "--as-of", "2023-06-30", "--through", "2023-06-01"],
                 ["show"], ["show", "--product", "1", "--merchant", "11"], ["show", "--product", "99"]):  # fmt: skip
        r = runner.invoke(app, ["badges", *args, "-w", url])
        assert r.exit_code == 2, (args, r.output)
    r = runner.invoke(app, ["badges", "show", "--product", "1", "-w", f"duckdb:///{tmp_path}/none.duckdb"])
    assert r.exit_code == 2 and not (tmp_path / "none.duckdb").exists()  # a read never creates a store
