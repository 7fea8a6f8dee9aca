"""Same seed, same bytes of data; another seed, other data."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from guanghe.synth import SynthConfig, generate
from guanghe.synth.writer import OUTPUT_TABLES

TINY = SynthConfig(creators=800, months=4, seed=3)


def _tables(out: Path) -> dict[str, object]:
    return {name: pq.read_table(out / "data" / name) for name in OUTPUT_TABLES} | {
        "truth": pq.read_table(out / "truth" / "creators.parquet")
    }


def test_same_seed_same_data(tmp_path: Path) -> None:
    a, b = _tables_of(tmp_path, "a", TINY), _tables_of(tmp_path, "b", TINY)
    for name in a:
        assert a[name].equals(b[name]), name


def test_other_seed_other_data(tmp_path: Path) -> None:
    a, b = _tables_of(tmp_path, "a", TINY), _tables_of(tmp_path, "b", TINY.replace(seed=4))
    assert not a["works"].equals(b["works"])
    assert not a["creators"].equals(b["creators"])


def test_rerun_into_same_folder_replaces_old_months(tmp_path: Path) -> None:
    generate(TINY.replace(months=6), tmp_path)
    generate(TINY, tmp_path)
    assert len(list((tmp_path / "data" / "works").glob("*.parquet"))) == TINY.months


def _tables_of(tmp: Path, name: str, cfg: SynthConfig) -> dict[str, object]:
    generate(cfg, tmp / name)
    return _tables(tmp / name)
