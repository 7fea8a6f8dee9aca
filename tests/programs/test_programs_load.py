"""Program files: validation errors name file, line and field; unknown keys; scaling; the shipped files."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from programs_platform import VALID

from guanghe.programs import PROGRAMS_DIR, ProgramError, load_program, load_programs, parse_program
from guanghe.programs.hours import PROFILES


def issues(text: str) -> list[tuple[int, str, str]]:
    with pytest.raises(ProgramError) as e:
        parse_program(text, "p.toml")
    return [(i.line, i.field, i.message) for i in e.value.issues]


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_valid_file(write):
    p = load_program(write(VALID))
    assert (p.name, p.title, p.period_start, p.period_end) == (
        "demo",
        "演示计划",
        date(2023, 7, 1),
        date(2024, 6, 30),
    )
    assert p.budget == {"impressions": 1_000_000, "cash_fen": 500_000}
    assert p.caps == {"impressions": 400_000} and p.floors == {"tail": 0.4}
    assert p.outcome == {"follower_growth": 0.75, "retention": 0.0, "income": 0.25, "gmv": 0.0}
    assert (p.delivery.start, p.delivery.end, p.delivery.hours) == (
        date(2023, 8, 1),
        date(2024, 6, 30),
        "evening",
    )
    assert p.delivery.hour_weights == PROFILES["evening"]
    assert [str(r) for r in p.eligibility] == ["works_90d >= 1", 'tier in ["waist", "tail"]']
    assert [r.line for r in p.eligibility] == [
        line_of(VALID, 'feature = "works_90d"'),
        line_of(VALID, '"tier"'),
    ]
    assert p.full_scale_creators == 1000 and p.scale_factor == 1.0


def test_wrong_types_name_line_and_field():
    text = VALID.replace("impressions = 1_000_000", "impressions = 1.5e6").replace('op = "in"', 'op = "like"')
    got = issues(text)
    assert (line_of(text, "1.5e6"), "budget.impressions") == got[0][:2]
    assert "expected a budget in impressions (an integer >= 0)" in got[0][2]
    assert got[1][:2] == (line_of(text, '"like"'), "eligibility[2].op")
    assert "expected one of: ==, !=" in got[1][2]


def test_message_format_has_file_line_field():
    text = VALID.replace("tail = 0.4", "tail = 1.4")
    with pytest.raises(ProgramError) as e:
        parse_program(text, "progs/demo.toml")
    assert (
        f"progs/demo.toml:{line_of(text, 'tail = 1.4')}: floors.tail: expected a share between 0 and 1"
        in str(e.value)
    )


@pytest.mark.parametrize(
    ("old", "new", "field", "needle"),
    [
        ("[caps]", "[capz]", "capz", "unknown key 'capz'"),
        ('title = "演示计划"', 'title = "演示计划"\ntitel = "x"', "titel", "unknown key 'titel'"),
        ("cash_fen = 500_000", "cash = 500_000", "budget.cash", "expected one of: impressions, cash_fen"),
        (
            'value = ["waist", "tail"]',
            'value = ["waist", "tail"]\nvalu = 3',
            "eligibility[2].valu",
            "unknown key",
        ),
        ('hours = "evening"', 'hours = "evening"\nhour = 3', "delivery.hour", "unknown key 'hour'"),
    ],
)
def test_unknown_keys_are_errors(old, new, field, needle):
    text = VALID.replace(old, new)
    got = [g for g in issues(text) if g[1] == field]
    assert got, issues(text)
    assert needle in got[0][2]
    key = field.split(".")[-1].split("[")[0]
    assert got[0][0] == line_of(text, key + (" =" if old != "[caps]" else "]"))


@pytest.mark.parametrize(
    ("old", "new", "field", "needle"),
    [
        (
            'feature = "works_90d"',
            'feature = "works_99d"',
            "eligibility[1].feature",
            "unknown feature 'works_99d'",
        ),
        (
            'value = ["waist", "tail"]',
            'value = ["waist", "tial"]',
            "eligibility[2].value",
            "'head', 'waist', 'tail'",
        ),
        ('value = ["waist", "tail"]', "value = []", "eligibility[2].value", "non-empty list"),
        ("value = 1\n", 'value = "one"\n', "eligibility[1].value", "compared with an integer"),
        ('op = "in"', 'op = "<"', "eligibility[2].op", "needs a numeric feature"),
        (
            "start = 2023-08-01",
            "start = 2023-06-01",
            "delivery.start",
            "within the period 2023-07-01..2024-06-30",
        ),
        ("end = 2024-06-30", "end = 2023-01-01", "period.end", "on or after period.start"),
        ("start = 2023-07-01", 'start = "July"', "period.start", "expected a date like 2023-07-01"),
        ("income = 0.25", "income = 0.5", "outcome", "weights sum to 1.25; expected them to sum to 1"),
        ("income = 0.25", "income = -0.25", "outcome.income", "non-negative weight"),
        (
            "tail = 0.4",
            "tail = 0.7\nwaist = 0.5",
            "floors",
            "floors sum to 1.2 of the budget (waist 0.5 + tail 0.7)",
        ),
        ("[caps]", "[caps]\ncash_fen = 0", "caps.cash_fen", "an integer >= 1"),
        ('hours = "evening"', "hours = [1, 2]", "delivery.hours", "24 non-negative weights"),
        ('hours = "evening"', 'hours = "night"', "delivery.hours", "unknown profile 'night'"),
        ('name = "demo"', 'name = "Demo Plan"', "name", "expected an identifier"),
        ("creators = 1_000", "creators = 0", "scale.creators", "an integer >= 1"),
    ],
)
def test_field_errors(old, new, field, needle):
    text = VALID.replace(old, new, 1)
    assert text != VALID
    got = {g[1]: g for g in issues(text)}
    assert field in got, got
    assert needle in got[field][2]
    assert got[field][0] > 0


def test_rule_note_must_be_text():
    text = VALID.replace('feature = "tier"', 'feature = "tier"\nnote = 3')
    assert issues(text) == [(line_of(text, "note = 3"), "eligibility[2].note", "expected a string, got 3")]


def test_missing_sections_and_bad_toml():
    got = issues('name = "x"\ntitle = "y"\n')
    assert {g[1] for g in got} == {"period", "scale", "budget", "outcome"}
    got = issues(VALID.replace("[budget]", "[budget"))
    assert got[0][0] == line_of(VALID, "[budget]") and "not valid TOML" in got[0][2]


def test_zero_budget_and_cap_without_budget():
    text = VALID.replace("impressions = 1_000_000\ncash_fen = 500_000", "cash_fen = 500_000")
    got = {g[1]: g[2] for g in issues(text)}
    assert "no impressions budget" in got["caps.impressions"]
    text = VALID.replace("impressions = 1_000_000\ncash_fen = 500_000", "impressions = 0").replace(
        "impressions = 400_000", ""
    )
    assert (
        "expected a positive impressions and/or cash_fen budget"
        in {g[1]: g[2] for g in issues(text)}["budget"]
    )


def test_every_problem_is_listed_at_once():
    text = (
        VALID.replace("tail = 0.4", "tail = 2")
        .replace('hours = "evening"', 'hours = "x"')
        .replace("[caps]", "[cap]")
    )
    assert {g[1] for g in issues(text)} == {"floors.tail", "delivery.hours", "cap"}


def test_scaling(write):
    path = write(VALID)
    half = load_program(path, 0.5)
    assert half.budget == {"impressions": 500_000, "cash_fen": 250_000} and half.scale_factor == 0.5
    assert half.caps == {"impressions": 400_000} and half.floors == {
        "tail": 0.4
    }  # per creator / shares unchanged
    by_platform = load_program(path, platform_creators=3)  # 3 / 1000 of the full scale
    assert by_platform.budget == {"impressions": 3000, "cash_fen": 1500}
    assert by_platform.scale_factor == pytest.approx(0.003)
    assert by_platform.floor_amount("tail", "cash_fen") == 600
    with pytest.raises(ProgramError, match="scale factor > 0"):
        load_program(path, 0)


def test_load_programs_all_or_nothing(write):
    write(VALID, "a.toml")
    write(VALID.replace('"demo"', '"other"'), "b.toml")
    assert [p.name for p in load_programs(write(VALID, "a.toml").parent)] == ["demo", "other"]
    bad = write(VALID.replace("[caps]", "[capz]").replace('"demo"', '"third"'), "c.toml")
    dup = write(VALID, "d.toml")
    with pytest.raises(ProgramError) as e:
        load_programs(bad.parent)
    text = str(e.value)
    assert f"{bad}:{line_of(VALID, '[caps]')}: capz: unknown key" in text
    assert f"{dup}:1: name: program 'demo' already defined in" in text
    with pytest.raises(ProgramError, match="not a directory"):
        load_programs(bad.parent / "nope")


def test_shipped_programs_at_full_scale():
    progs = {p.name: p for p in load_programs(PROGRAMS_DIR)}
    assert set(progs) == {
        "general_support",
        "guanghe",
        "juguang",
        "feiniao",
        "ecom_tail",
        "brand_star",
        "xiaomai",
    }
    assert sum(p.budget.get("impressions", 0) for p in progs.values()) == 400_000_000_000  # 4000亿 in total
    assert progs["guanghe"].budget["impressions"] == 100_000_000_000  # ~1000亿
    assert progs["guanghe"].budget["cash_fen"] >= 100_000_000 * 100  # 上亿 CNY
    assert 10_000_000 * 100 <= progs["juguang"].budget["cash_fen"] < 100_000_000 * 100  # 千万级 CNY
    assert 100_000_000 <= progs["feiniao"].budget["impressions"] < 1_000_000_000  # 亿级
    assert {p.full_scale_creators for p in progs.values()} == {7_000_000}
    assert progs["general_support"].floors["tail"] == 0.40
    scaled = load_programs(PROGRAMS_DIR, platform_creators=7_000)
    assert sum(p.budget.get("impressions", 0) for p in scaled) == pytest.approx(400_000_000, abs=7)


def test_floor_amount_has_no_float_error() -> None:
    """0.07 x 100 is 7.000000000000001 in floats: the floor is 7 units, not 8 (ceil of the share as written)."""
    p = parse_program(VALID, "p.toml")
    p = dataclasses.replace(
        p, floors={"tail": 0.07, "waist": 0.3}, budget={"impressions": 100, "cash_fen": 1000}
    )
    assert p.floor_amount("tail", "impressions") == 7 and p.floor_amount("tail", "cash_fen") == 70
    assert p.floor_amount("waist", "impressions") == 30 and p.floor_amount("head", "impressions") == 0
    p = dataclasses.replace(p, floors={"tail": 0.333}, budget={"impressions": 1000})
    assert p.floor_amount("tail", "impressions") == 333
    p = dataclasses.replace(p, floors={"tail": 0.3331}, budget={"impressions": 1000})
    assert p.floor_amount("tail", "impressions") == 334  # a fraction of a unit still rounds up


def test_hour_profiles_are_hours_of_the_platforms_own_day() -> None:
    """Profiles are declared in the platform's hours (GUANGHE_TIMEZONE): the evening is 18-24h there."""
    assert sum(PROFILES["evening"][18:24]) > 0.6 and max(PROFILES["audience"][:8]) < max(PROFILES["audience"])
    assert max(range(24), key=lambda h: PROFILES["audience"][h]) in (19, 20, 21)
    assert sum(PROFILES["daytime"][9:19]) > 0.75
