"""The settlement rules file: the shipped one loads, a bad one is refused with file:line:field; withholding
hand-computed at each bracket, at the low-income deduction and at the bounds."""

from __future__ import annotations

import numpy as np
import pytest

from guanghe.money.settle.rules import RULES_FILE, SettlementRulesError, load_settlement, parse_settlement
from guanghe.money.settle.tax import withhold, withhold_many

GOOD = RULES_FILE.read_text(encoding="utf-8")


def test_shipped_rules() -> None:
    r = load_settlement()
    assert (r.payout_threshold_fen, r.payout_day, r.mcn_base) == (10_000, 15, "net_income")
    w = r.withholding
    assert (w.rule, w.low_income_fen, w.fixed_deduction_fen, w.deduction_bps) == (
        "labour_remuneration",
        400_000,
        80_000,
        2000,
    )
    assert [(b.up_to_fen, b.rate_bps, b.quick_deduction_fen) for b in w.brackets] == [
        (2_000_000, 2000, 0),
        (5_000_000, 3000, 200_000),
        (None, 4000, 700_000),
    ]


W = load_settlement().withholding


@pytest.mark.parametrize(
    ("income", "tax"),
    [
        (0, 0),
        (-5_000, 0),  # a net loss: no tax
        (80_000, 0),  # 800 CNY: all deducted
        (80_001, 0),  # taxable 1 fen: 20% of it rounds down to 0
        (80_005, 1),  # taxable 5 fen -> 1 fen
        (100_000, 4_000),  # (1000 - 800) x 20% = 40 CNY
        (400_000, 64_000),  # the low-income bound itself: (4000 - 800) x 20%
        (400_001, 64_000),  # above it: floor(400001 x 0.8) = 320000 -> 64000
        (500_000, 80_000),  # 5000 x 80% = 4000 -> 800 CNY
        (2_500_000, 400_000),  # taxable 20000 CNY: top of the 20% bracket (inclusive)
        (2_500_002, 400_000),  # taxable 2000001 fen: 30% bracket: 600000 - 200000 = 400000 (floor .3)
        (3_000_000, 520_000),  # taxable 24000: 30% - 2000 = 5200 CNY
        (6_250_000, 1_300_000),  # taxable 50000 CNY: top of the 30% bracket: 15000 - 2000
        (6_250_002, 1_300_000),  # taxable 5000001 fen: 40% - 7000 CNY = 2000000.4 - 700000
        (10_000_000, 2_500_000),  # taxable 80000 CNY: 32000 - 7000
    ],
)
def test_labour_remuneration_withholding(income: int, tax: int) -> None:
    assert withhold(W, income) == tax


def test_vectorised_equals_scalar() -> None:
    incomes = np.array([0, 79_999, 80_000, 123_456, 400_000, 400_001, 2_500_001, 7_777_777, 99_999_999])
    assert withhold_many(W, incomes).tolist() == [withhold(W, int(x)) for x in incomes]


def test_no_withholding_rule() -> None:
    r = parse_settlement(GOOD.split("[withholding]")[0] + '[withholding]\nrule = "none"\n')
    assert withhold(r.withholding, 10_000_000) == 0


def problems(text: str) -> list[str]:
    with pytest.raises(SettlementRulesError) as e:
        parse_settlement(text, "s.toml")
    return [str(i) for i in e.value.issues]


def test_bad_values_name_file_line_and_field() -> None:
    bad = GOOD.replace("payout_threshold_fen = 10_000", "payout_threshold_fen = 0").replace(
        "payout_day = 15", "payout_day = 31"
    )
    bad = bad.replace('rule = "labour_remuneration"', 'rule = "flat"')
    lines = {n: i + 1 for i, n in enumerate(bad.splitlines())}
    got = problems(bad)
    line_of = lambda prefix: next(v for k, v in lines.items() if k.startswith(prefix))  # noqa: E731
    assert got == [
        f"s.toml:{line_of('payout_threshold_fen')}: payout_threshold_fen: expected the smallest balance paid out, "
        "in fen (an integer >= 1), got 0",
        f"s.toml:{line_of('payout_day')}: payout_day: expected a day 1..28 (every month has it), got 31",
        f"s.toml:{line_of('rule =')}: withholding.rule: expected one of labour_remuneration, none, got 'flat'",
    ]


def test_bad_brackets() -> None:
    bad = GOOD.replace("up_to_fen = 5_000_000", "up_to_fen = 1_000_000").replace(
        "rate_bps = 4000", "rate_bps = 40000"
    )
    got = problems(bad + "up_to_fen = 1\n")
    text = "\n".join(got)
    assert "withholding.brackets[2].up_to_fen: expected a bound above the previous bracket's 2000000" in text
    assert (
        "withholding.brackets[3].rate_bps: expected the bracket's rate in basis points (an integer 0..10000)"
        in text
    )
    assert "withholding.brackets[3].up_to_fen: the last bracket has no upper bound" in text
    assert all(g.startswith("s.toml:") and g.split(":")[1].isdigit() for g in got)


def test_missing_and_unknown_keys() -> None:
    got = problems('title = "x"\npayout_day = 1\nsurprise = 1\n[mcn]\nbase = "gross"\n')
    assert got == [
        "s.toml:3: surprise: unknown key 'surprise'; expected one of: title, payout_threshold_fen, payout_day, mcn, "
        "withholding",
        "s.toml: payout_threshold_fen: missing; expected the smallest balance paid out, in fen (an integer >= 1)",
        "s.toml:5: mcn.base: expected one of net_income, got 'gross'",
        "s.toml: withholding: missing; expected a [withholding] table",
    ]
    assert problems('title = "x"\npayout_day = = 2\n')[0].startswith("s.toml:2: not valid TOML")
