"""Small parts with hand-computed answers: calendar, fingerprints, titles, the response curve, the CLI."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from guanghe.cli.app import app
from guanghe.synth import SynthConfig
from guanghe.synth.arrow import hex64, titles
from guanghe.synth.figures import _month_end, _month_start
from guanghe.synth.truth import true_follows


def test_window_is_whole_months_ending_at_end() -> None:
    w = SynthConfig().window()
    assert len(w) == 24 and w[0].label == "2021-07" and w[-1].label == "2023-06"
    feb = SynthConfig(months=1, end=date(2024, 2, 29)).window()[0]
    assert (feb.days, feb.first_day) == (29, (date(2024, 2, 1) - date(1970, 1, 1)).days)


def test_end_must_be_a_month_end() -> None:
    with pytest.raises(
        ValueError, match="--end: the window must end on the last day of a month, got 2023-06-15"
    ):
        SynthConfig(end=date(2023, 6, 15))


def test_period_helpers() -> None:
    end = date(2023, 6, 30)
    assert (_month_start(end, 11), _month_start(end, 5), _month_end(end, 12)) == (
        date(2022, 7, 1), date(2023, 1, 1), date(2022, 6, 30),
    )  # fmt: skip


def test_fingerprints_are_hex_of_the_random_words() -> None:
    got = hex64(np.random.default_rng(5), 3).to_pylist()
    raw = np.random.default_rng(5).integers(0, 2**64 - 1, 3, dtype=np.uint64, endpoint=True)
    assert got == [bytes(np.array([v], np.uint64).view(np.uint8)).hex() for v in raw]


def test_titles() -> None:
    got = titles(("food", "pets"), np.array([1, 0]), np.array([7, 1042]))
    assert got.to_pylist() == ["pets vlog #7", "food vlog #42"]


def test_true_response_curve() -> None:
    # theta * s * ln(1 + x / s) with theta=0.01, s=1000: x=1000 -> 10 ln 2; concave; slope theta at 0.
    got = true_follows(np.array([0.01] * 3), np.array([1000.0] * 3), np.array([0.0, 1000.0, 3000.0]))
    assert got == pytest.approx([0.0, 10 * math.log(2), 10 * math.log(4)])


def test_cli_writes_the_folders(tmp_path: Path) -> None:
    prefix = ["synth"] if len(app.registered_commands) > 1 else []
    args = [*prefix, "--creators", "300", "--months", "2", "--seed", "1", "--out", str(tmp_path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == sorted(
        ["creators", "works", "work_fingerprints", "work_daily", "work_boost", "creator_daily", "ad_revenue",
         "ecommerce_orders", "local_life_orders", "mcn_contracts", "cash_grants", "brand_orders", "task_rewards",
         "products", "product_prices", "merchant_orders", "after_sales", "creator_violations"]
    )  # fmt: skip
    assert (tmp_path / "truth" / "params.json").exists() and (
        tmp_path / "truth" / "earnings.parquet"
    ).exists()
    assert (tmp_path / "truth" / "reuploads.parquet").exists()
    bad = CliRunner().invoke(app, [*prefix, "--end", "2023-06-15", "--out", str(tmp_path)])
    assert bad.exit_code == 2 and "last day of a month" in bad.output


def test_cli_json_summary(tmp_path: Path) -> None:
    prefix = ["synth"] if len(app.registered_commands) > 1 else []
    args = [*prefix, "--creators", "200", "--months", "2", "--out", str(tmp_path), "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    written = {
        p.name: sum(pq.read_metadata(f).num_rows for f in p.glob("*.parquet"))
        for p in (tmp_path / "data").iterdir()
    }
    assert doc["rows"] == written and doc["window"] == ["2023-05", "2023-06"] and doc["creators"] == 200
