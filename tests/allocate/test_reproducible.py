"""Plans are reproducible bit for bit: two runs of ``guanghe allocate`` on the same data store identical rows
(every column but ``allocation_programs.created_at``, the run's timestamp), also when the warehouse holds the
same rows in another physical order."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
from synth_platform import small_platform
from typer.testing import CliRunner

from guanghe.allocate.store import TABLES
from guanghe.cli import app

runner = CliRunner()
RUN_TIMESTAMP = "created_at"  # the one column allowed to differ between two runs


def _allocate(db: Path, plan_id: str) -> None:
    r = runner.invoke(app, ["allocate", "-w", f"duckdb:///{db}", "--plan-id", plan_id])
    assert r.exit_code == 0, r.output


def _stored(db: Path, plan_id: str) -> dict[str, dict[str, np.ndarray]]:
    """Every plan table's rows of ``plan_id`` in key order, column by column (floats as their bits)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for name, t in TABLES.items():
            cols = [c for c in t.names if c not in ("plan_id", RUN_TIMESTAMP)]
            sel, key = (", ".join(f'"{c}"' for c in names) for names in (cols, t.primary_key))
            sql = f'SELECT {sel} FROM "{name}" WHERE plan_id = ? ORDER BY {key}'
            got = con.execute(sql, [plan_id]).fetchnumpy()
            out[name] = {c: _bits(np.asarray(got[c])) for c in cols}
    finally:
        con.close()
    return out


def _bits(a: np.ndarray) -> np.ndarray:
    return a.view(np.int64) if a.dtype == np.float64 else a


def _assert_identical(a: dict, b: dict) -> None:
    for name, cols in a.items():
        assert cols.keys() == b[name].keys()
        for c, v in cols.items():
            w = b[name][c]
            assert v.shape == w.shape and v.size > 0, (name, c)
            assert np.array_equal(v, w), f"{name}.{c}: {int(np.sum(v != w))} of {v.size} rows differ"


def test_two_runs_on_the_same_data_store_identical_plans(tmp_path_factory, tmp_path) -> None:
    p = small_platform(tmp_path_factory)
    one, other = tmp_path / "one.duckdb", tmp_path / "other.duckdb"
    shutil.copy(p.root / "wh.duckdb", one)
    shutil.copy(p.root / "wh.duckdb", other)
    # The same rows in another physical order: the history's scan order must not reach the fit's float sums.
    con = duckdb.connect(str(other))
    try:
        con.execute("CREATE TEMP TABLE wd AS SELECT * FROM work_daily ORDER BY work_id DESC, date DESC")
        con.execute("DELETE FROM work_daily")
        con.execute("INSERT INTO work_daily SELECT * FROM wd ORDER BY work_id DESC, date DESC")
        assert con.execute("SELECT count(*) FROM work_daily").fetchone()[0] > 100_000
    finally:
        con.close()
    _allocate(one, "first")
    _allocate(one, "second")
    _allocate(other, "first")
    first = _stored(one, "first")
    _assert_identical(first, _stored(one, "second"))
    _assert_identical(first, _stored(other, "first"))
    assert sum(v.size for v in first["allocation_quotas"].values()) > 0


_SOLVE = """
import hashlib
from guanghe.allocate import solve
from guanghe.allocate.instances import generate
r = solve(generate(30_000, 1, seed=1))
print(hashlib.sha256(b"".join(a.tobytes() for a in (r.x, r.budget_multipliers, r.floor_multipliers))).hexdigest())
"""


def test_the_solution_does_not_depend_on_the_blas_thread_count() -> None:
    """A one-program group of 30,000 creators: its Hessian sum was a BLAS dot product, which OpenBLAS splits
    between its threads (n > 10,000), so prices and plan changed in the last bits with the thread count.
    (Needs >= 2 cores for the threaded run to differ; it then failed before the fix.)"""
    runs = set()
    for threads in ("1", "2"):
        env = {**os.environ, "OPENBLAS_NUM_THREADS": threads, "OMP_NUM_THREADS": threads}
        out = subprocess.run(
            [sys.executable, "-c", _SOLVE], env=env, capture_output=True, text=True, check=True
        )
        runs.add(out.stdout.strip())
    assert len(runs) == 1 and len(runs.pop()) == 64
