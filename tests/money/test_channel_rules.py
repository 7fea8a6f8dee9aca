"""Channel rule files: the shipped ones load; every problem is reported at once as file:line: field: message,
unknown keys and programs are refused, one file per channel."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from guanghe.money.rules import CHANNELS_DIR, Bonus, FeeDiscount, fen_bps
from guanghe.money.rules_load import ChannelError, load_channels, load_rules
from guanghe.programs import PROGRAMS_DIR, ProgramError

NAMES = ["brand_star", "ecom_tail", "feiniao", "general_support", "guanghe", "juguang", "xiaomai"]


def test_shipped_rules_load():
    rules, names = load_rules(CHANNELS_DIR, PROGRAMS_DIR)
    assert sorted(names) == NAMES
    assert rules.ad_share.share_bps == {"head": 6000, "waist": 5500, "tail": 5000}
    assert rules.ad_share.bonus == (Bonus("guanghe", 1000),)
    assert (rules.affiliate.platform_take_bps, rules.affiliate.return_window_days) == (1000, 7)
    assert rules.affiliate.bonus == (Bonus("ecom_tail", 100, ("short_video", "storefront")),)
    assert rules.local_life.bonus == (Bonus("feiniao", 200),) and rules.local_life.platform_take_bps == 1000
    assert rules.brand_deal.fee_bps == 500
    assert rules.brand_deal.fee_discount == (FeeDiscount("xiaomai", 200), FeeDiscount("brand_star", 300))
    assert rules.programs() == {"guanghe", "ecom_tail", "feiniao", "xiaomai", "brand_star"}
    assert rules.affiliate.where("return_window_days").endswith("affiliate.toml:7")


def test_floor_of_basis_points_is_exact_for_any_amount():
    import numpy as np

    amounts = np.array([0, 1, 9_999, 10_000, 12_345, 2**62, 2**63 - 1], np.int64)
    for bps in (0, 1, 1_234, 9_999, 10_000):
        assert fen_bps(amounts, bps).tolist() == [a * bps // 10_000 for a in amounts.tolist()]


def write(tmp_path: Path, edits: dict[str, tuple[str, str]], drop: tuple[str, ...] = ()) -> Path:
    d = tmp_path / "channels"
    shutil.copytree(CHANNELS_DIR, d)
    for name in drop:
        (d / f"{name}.toml").unlink()
    for name, (old, new) in edits.items():
        f = d / f"{name}.toml"
        text = f.read_text()
        assert old in text, old
        f.write_text(text.replace(old, new))
    return d


def problems(d: Path) -> list[str]:
    with pytest.raises(ChannelError) as e:
        load_channels(d, NAMES)
    return [str(i).replace(str(d) + "/", "") for i in e.value.issues]


def test_every_problem_at_once_with_file_line_and_field(tmp_path):
    d = write(tmp_path, {
        "ad_share": ("waist = 5500", "waist = 5500\nwaists = 3"),
        "affiliate": ("return_window_days = 7", "return_window_days = -1"),
        "brand_deal": ("program = \"brand_star\"\nfee_bps = 300", "program = \"brand_stars\"\nfee_bps = 600"),
        "local_life": ("bps = 200", "bps = 12000"),
        "incentive": ("installment = \"weekly\"", "installment = \"daily\""),
    })  # fmt: skip
    assert problems(d) == [
        "ad_share.toml:10: share_bps.waists: unknown key 'waists'; expected one of: head, waist, tail",
        "affiliate.toml:7: return_window_days: expected days after delivery (an integer 0..365), got -1",
        "brand_deal.toml:14: fee_discount[2].program: unknown program 'brand_stars'; expected one of the loaded "
        "programs: brand_star, ecom_tail, feiniao, general_support, guanghe, juguang, xiaomai",
        "brand_deal.toml:15: fee_discount[2].fee_bps: expected a fee at most the standard fee_bps 500, got 600",
        "incentive.toml:7: installment: expected one of: weekly; got 'daily'",
        "local_life.toml:10: bonus[1].bps: expected the bonus rate in basis points (an integer 0..10000), got 12000",
    ]


@pytest.mark.parametrize(
    ("name", "old", "new", "expected"),
    [
        ("affiliate", "touchpoints = [\"short_video\", \"storefront\"]", "touchpoints = [\"shop\"]",
         "affiliate.toml:13: bonus[1].touchpoints: expected a non-empty list of distinct touchpoints among live, "
         "short_video, storefront, got ['shop']"),
        ("affiliate", "platform_take_bps = 1000", "platform_take_bps = 10.5",
         "affiliate.toml:6: platform_take_bps: expected the platform's take of the commission in basis points "
         "(an integer 0..10000), got 10.5"),
        ("ad_share", "extra_bps = 1000", "extra_bps = 4500",
         "ad_share.toml:15: bonus[1].extra_bps: the highest share 6000 bp plus every bonus (4500 bp) exceeds 10000 bp: the "
         "platform's part would be negative"),
        ("ad_share", "head = 6000\n", "",
         "ad_share.toml:7: share_bps.head: missing; expected the head creators' share in basis points (an integer "
         "0..10000)"),
        ("task", "channel = \"task\"", "channel = \"tasks\"",
         "task.toml:2: channel: unknown channel 'tasks'; expected one of: ad_share, brand_deal, affiliate, "
         "local_life, task, incentive"),
        ("task", "description =", "[oops\ndescription =", "task.toml:4: not valid TOML"),
        ("local_life", "program = \"feiniao\"\nbps = 200", "program = \"feiniao\"\nbps = 200\nextra = 1",
         "local_life.toml:11: bonus[1].extra: unknown key 'extra'; expected one of: program, bps"),
        ("brand_deal", "[[fee_discount]]\nprogram = \"brand_star\"", "[[fee_discount]]\nprogram = \"xiaomai\"",
         "brand_deal.toml:14: fee_discount[2].program: program 'xiaomai' is listed twice; expected one entry per "
         "program"),
    ],
)  # fmt: skip
def test_one_bad_field(tmp_path, name, old, new, expected):
    got = problems(write(tmp_path, {name: (old, new)}))
    assert len(got) == 1 and got[0].startswith(expected), got


def test_one_file_per_channel(tmp_path):
    d = write(tmp_path, {}, drop=("task", "brand_deal"))
    assert problems(d) == [f"{d}: no rule file for the channel(s) brand_deal, task; expected one file per "
                           "channel (channel = \"...\")".replace(str(d) + "/", "")]  # fmt: skip
    shutil.copy(d / "ad_share.toml", d / "ad_share_copy.toml")
    assert (
        problems(d)[0] == "ad_share_copy.toml:2: channel: channel 'ad_share' already defined in ad_share.toml"
    )
    assert problems(tmp_path / "nowhere") == [
        f"{tmp_path}/nowhere: not a directory of channel rule files (*.toml)"
    ]


def test_rules_name_only_loaded_programs(tmp_path):
    programs = tmp_path / "programs"
    shutil.copytree(PROGRAMS_DIR, programs)
    (programs / "feiniao.toml").unlink()
    with pytest.raises(ProgramError) as e:
        load_rules(CHANNELS_DIR, programs)
    assert [str(i).split("/")[-1] for i in e.value.issues] == [
        "local_life.toml:9: bonus[1].program: unknown program 'feiniao'; expected one of the loaded programs: "
        "brand_star, ecom_tail, general_support, guanghe, juguang, xiaomai"
    ]
