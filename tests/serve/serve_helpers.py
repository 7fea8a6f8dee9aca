"""Helpers: small plans written to real DuckDB files; Redis (shared with a prefix, or a private server)."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from datetime import UTC, date, datetime

import duckdb
import pyarrow as pa
import pytest

from guanghe.allocate.store import PROGRAMS, QUOTAS
from guanghe.data.schema import TABLES
from guanghe.data.warehouse.duckdb import ddl

DAY = date(2023, 7, 1)


def url_of(path: str) -> str:
    """The warehouse URL of a DuckDB file (the service takes URLs)."""
    return f"duckdb:///{path}"


MIDNIGHT = datetime.combine(DAY, datetime.min.time(), UTC).timestamp()


def _fill(t, n: int, given: dict) -> pa.Table:
    cols = {}
    for f in t.arrow_schema():
        if f.name in given:
            cols[f.name] = pa.array(given[f.name], f.type)
            continue
        kind = str(f.type)
        v = {"string": "", "double": 0.0, "bool": False, "int64": 0, "date32[day]": DAY}.get(kind)
        v = datetime(2023, 6, 30) if kind.startswith("timestamp") else v
        cols[f.name] = pa.array([v] * n, f.type)
    return pa.table(cols, schema=t.arrow_schema())


def write_plan(path: str, plan_id: str, quotas: dict[tuple[int, str], int], created_at: datetime,
               day: date = DAY) -> None:  # fmt: skip
    """Write a plan's program rows and one day's quotas (what the service reads)."""
    con = duckdb.connect(path)
    try:
        for t in (PROGRAMS, QUOTAS):
            con.execute(ddl(t))
        progs = sorted({p for _, p in quotas})
        con.register("_p", _fill(PROGRAMS, len(progs), {"plan_id": [plan_id] * len(progs), "program": progs,
                                                         "kind": ["impressions"] * len(progs),
                                                         "created_at": [created_at] * len(progs)}))  # fmt: skip
        con.execute(f"INSERT INTO {PROGRAMS.name} SELECT * FROM _p")
        n = len(quotas)
        con.register("_q", _fill(QUOTAS, n, {"plan_id": [plan_id] * n, "creator_id": [c for c, _ in quotas],
                                              "program": [p for _, p in quotas], "date": [day] * n,
                                              "impressions": list(quotas.values())}))  # fmt: skip
        con.execute(f"INSERT INTO {QUOTAS.name} SELECT * FROM _q")
    finally:
        con.close()


def write_works(path: str, works: list[tuple[int, int, str]]) -> None:
    """(work_id, creator_id, category) published the day before DAY."""
    con = duckdb.connect(path)
    try:
        con.execute(ddl(TABLES["works"]))
        at = datetime(2023, 6, 30, 12)
        con.executemany(
            "INSERT INTO works VALUES (?, ?, ?, 'short_video', ?, 30, NULL, NULL)",
            [[w, c, at, cat] for w, c, cat in works],
        )
    finally:
        con.close()


# -- Redis ---------------------------------------------------------------------------------------------
def redis_url() -> str:
    """The shared test Redis (GUANGHE_TEST_REDIS_URL); skip loudly (fail under CI) if unreachable."""
    import redis

    url = os.environ.get("GUANGHE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except Exception as e:
        msg = f"REDIS TESTS NOT RUN: {url} unreachable ({e}); set GUANGHE_TEST_REDIS_URL"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    return url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    """A redis-server of our own on a free port (never the machine's shared one), stoppable."""

    def __init__(self, directory: str | None = None) -> None:
        self.directory = directory  # persist there (append-only file) so a restart keeps the counts
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        import redis

        persist = (
            ["--appendonly", "yes", "--appendfsync", "always", "--dir", self.directory]
            if self.directory
            else []
        )
        args = ["--port", str(self.port), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1", *persist]
        self.proc = subprocess.Popen(
            ["redis-server", *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        for _ in range(100):
            try:
                redis.Redis(port=self.port, socket_connect_timeout=0.1).ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


CATS = ("food", "tech", "travel", "music")


def small_platform(path: str) -> dict[tuple[int, str], int]:
    """30 planned creators (programs a, b) among 130 with 5 recent works each; returns the quotas."""
    quotas = {(c, "a"): 5 + 2 * c for c in range(1, 31)}
    quotas |= {(c, "b"): 10 for c in range(3, 31, 3)}
    write_plan(path, "small", quotas, datetime(2026, 1, 1))
    creators = [*range(1, 31), *range(1000, 1100)]
    write_works(path, [(c * 100 + k, c, CATS[(c + k) % 4]) for c in creators for k in range(5)])
    return quotas
