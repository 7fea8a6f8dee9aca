"""Same seed, same bytes of data; another seed, other data."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq

from guanghe.synth import SynthConfig, generate
from guanghe.synth.writer import OUTPUT_TABLES

TINY = SynthConfig(creators=800, months=4, seed=3)


def _tables(out: Path) -> dict[str, object]:
    """Every file written, by path relative to ``out``."""
    files = sorted([*(out / "data").rglob("*.parquet"), *(out / "truth").glob("*.parquet")])
    return {str(f.relative_to(out)): pq.read_table(f) for f in files}


def test_same_seed_same_data(tmp_path: Path) -> None:
    a, b = _tables_of(tmp_path, "a", TINY), _tables_of(tmp_path, "b", TINY)
    assert a.keys() == b.keys()
    assert {k.split("/")[1] for k in a if k.startswith("data/")} == set(OUTPUT_TABLES)
    assert "truth/earnings.parquet" in a and "truth/creators.parquet" in a
    for name in a:
        assert a[name].equals(b[name]), name


def test_other_seed_other_data(tmp_path: Path) -> None:
    a, b = _tables_of(tmp_path, "a", TINY), _tables_of(tmp_path, "b", TINY.replace(seed=4))
    for name in ("data/works/2023-06.parquet", "data/creators/creators.parquet",
                 "data/ecommerce_orders/2023-06.parquet", "truth/earnings.parquet"):  # fmt: skip
        assert not a[name].equals(b[name]), name


def test_rerun_into_same_folder_replaces_old_months(tmp_path: Path) -> None:
    generate(TINY.replace(months=6), tmp_path)
    old = tmp_path / "data" / "income" / "2023-01.parquet"  # what the generator wrote before money events
    old.parent.mkdir()
    old.write_bytes((tmp_path / "data" / "works" / "2023-01.parquet").read_bytes())
    generate(TINY, tmp_path)
    assert len(list((tmp_path / "data" / "works").glob("*.parquet"))) == TINY.months
    assert {p.stem for p in (tmp_path / "data" / "task_rewards").glob("*.parquet")} <= {
        m.label for m in TINY.window()
    }
    assert not old.exists()


def _tables_of(tmp: Path, name: str, cfg: SynthConfig) -> dict[str, object]:
    generate(cfg, tmp / name)
    return _tables(tmp / name)
