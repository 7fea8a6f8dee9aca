"""A DuckDB writer waits for readers of the file — another process's read-only connection, or a thread of
this process (the web's snapshot build) — instead of failing at once; it gives up after ``LOCK_WAIT_S`` with
the contract's error, and a reader never waits."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest

from guanghe.data.warehouse import WarehouseError, open_warehouse
from guanghe.data.warehouse import duckdb as engine

HOLD = ("import duckdb, sys, time; c = duckdb.connect(sys.argv[1], read_only=True); print('held', flush=True); "
        "time.sleep(float(sys.argv[2])); c.close()")  # fmt: skip


@pytest.fixture
def path(tmp_path) -> str:
    p = str(tmp_path / "wh.duckdb")
    open_warehouse(f"duckdb:///{p}", create=True).close()
    return p


def test_a_writer_waits_for_a_reader_process(path):
    reader = subprocess.Popen([sys.executable, "-c", HOLD, path, "1.5"], stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "held"
        t = time.monotonic()
        with open_warehouse(f"duckdb:///{path}") as wh:
            waited = time.monotonic() - t
            assert wh.has("works")
        assert waited >= 0.5  # it did wait for the reader (held 1.5 s from "held")
    finally:
        reader.kill()
        reader.wait()


def test_a_writer_waits_for_a_reader_thread(path):
    held = threading.Event()

    def read() -> None:
        with open_warehouse(f"duckdb:///{path}", read_only=True):
            held.set()
            time.sleep(1.0)

    reader = threading.Thread(target=read)
    reader.start()
    held.wait(10)
    t = time.monotonic()
    with open_warehouse(f"duckdb:///{path}") as wh:
        assert wh.has("works") and time.monotonic() - t >= 0.3
    reader.join()


def test_a_writer_gives_up_and_a_reader_never_waits(path, monkeypatch):
    monkeypatch.setattr(engine, "LOCK_WAIT_S", 0.5)
    writer = subprocess.Popen([sys.executable, "-c", HOLD.replace(", read_only=True", ""), path, "30"],
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert writer.stdout.readline().strip() == "held"
        t = time.monotonic()
        with pytest.raises(WarehouseError, match="cannot open DuckDB warehouse"):
            open_warehouse(f"duckdb:///{path}", read_only=True)
        assert time.monotonic() - t < 0.4  # a reader fails at once
        t = time.monotonic()
        with pytest.raises(WarehouseError, match="cannot open DuckDB warehouse"):
            open_warehouse(f"duckdb:///{path}")
        assert 0.3 <= time.monotonic() - t < 5  # a writer waited LOCK_WAIT_S, then gave up
    finally:
        writer.kill()
        writer.wait()
