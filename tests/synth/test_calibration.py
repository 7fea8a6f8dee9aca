"""The default platform reproduces the seed's six YoY figures, computed by the metric catalog."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from guanghe.synth import SynthConfig, generate
from guanghe.synth.figures import TARGETS, catalog_values, values


@pytest.mark.slow
def test_default_platform_matches_seed_figures(tmp_path: Path) -> None:
    cfg = SynthConfig()  # 50,000 creators x 24 months, seed 7, window 2021-07..2023-06
    assert (cfg.creators, cfg.months) == (50_000, 24)
    generate(cfg, tmp_path)
    got = catalog_values(tmp_path, cfg.end)
    off = {k: round(got[k]["yoy"] - target, 4) for k, target in TARGETS.items()}
    assert all(abs(v) <= 0.03 for v in off.values()), off


def test_own_sql_agrees_with_catalog(small_run: tuple[Path, dict]) -> None:
    out, _ = small_run
    end = date(2023, 6, 30)
    mine = values(out, end)
    catalog = catalog_values(out, end)
    assert mine == {k: catalog[k]["value"] for k in mine}
    assert mine["works_published"] > 0 and mine["creators_multi_income"] > 0
