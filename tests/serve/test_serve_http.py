"""Against real uvicorn processes: a short replay over HTTP, and two workers sharing quota through Redis."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import httpx
import pytest
import redis
from serve_helpers import DAY, MIDNIGHT, free_port, small_platform
from typer.testing import CliRunner

from guanghe.cli import app

GUANGHE = str(Path(sys.executable).parent / "guanghe")


def start(args: list[str]) -> tuple[subprocess.Popen, str]:
    """``guanghe serve ARGS`` in a process group of its own (its uvicorn workers with it), once healthy."""
    port = free_port()
    proc = subprocess.Popen([GUANGHE, "serve", "--port", str(port), *args], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    # two workers each import the package and load the plan: tens of seconds on a loaded machine
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(url + "/v1/health", timeout=0.5).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.1)
    kill_group(proc)
    pytest.fail(f"server did not start: {proc.communicate(timeout=30)[0]}")


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the server and its workers: a worker left alive would hold the output pipe open forever."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


def stop(proc: subprocess.Popen) -> str:
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.communicate(timeout=30)[0]
    except subprocess.TimeoutExpired:
        kill_group(proc)
        return proc.communicate(timeout=30)[0]


def test_replay_over_http(tmp_path) -> None:
    path = str(tmp_path / "wh.duckdb")
    small_platform(path)
    proc, url = start(["-w", f"duckdb:///{path}", "--date", DAY.isoformat(), "--replay", "--no-flush"])
    try:
        out = CliRunner().invoke(app, ["replay", "--date", DAY.isoformat(), "-w", f"duckdb:///{path}", "--url", url,
                                       "--requests", "300"])  # fmt: skip
        assert out.exit_code == 0, out.output
        assert f"replayed 300 requests (HTTP {url})" in out.output and "overspend 0.000%" in out.output
    finally:
        stop(proc)


def test_two_workers_share_the_quota_through_redis(tmp_path, shared_redis) -> None:
    redis_url, prefix = shared_redis
    path = str(tmp_path / "wh.duckdb")
    quotas = small_platform(path)  # creator 1: 7 in a; creator 3: 11 in a and 10 in b
    proc, url = start(["-w", f"duckdb:///{path}", "--date", DAY.isoformat(), "--replay", "--workers", "2", "--redis", redis_url,
                       "--prefix", prefix, "--flush-s", "3600"])  # fmt: skip
    try:

        def one(i: int) -> list[tuple[int, str]]:
            cands = [{"work_id": w, "creator_id": 5000 + w, "score": 10.0 - w} for w in range(8)]
            cands += [
                {"work_id": 100, "creator_id": 1, "score": 5.0},
                {"work_id": 300, "creator_id": 3, "score": 4.9},
            ]
            body = {"request_id": f"mw-{i % 150}", "user_id": i, "slots": 5, "candidates": cands,
                    "at": MIDNIGHT + 23.8 * 3600}  # fmt: skip
            items = http.post("/v1/rerank", json=body).json()["items"]
            return [(it["creator_id"], it["program"]) for it in items if "program" in it]

        with httpx.Client(base_url=url, timeout=10) as http, ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(one, range(200)))  # 50 of them retry an earlier request id
    finally:
        log = stop(proc)
    served: dict[tuple[int, str], int] = {}
    for a in answers[:150]:  # a retried id returns the same slate: count each id once
        for k in a:
            served[k] = served.get(k, 0) + 1
    assert answers[150:] == answers[:50]
    assert served[(1, "a")] == quotas[(1, "a")] == 7  # demand far above the quota: exactly the quota
    assert served[(3, "a")] + served.get((3, "b"), 0) == quotas[(3, "a")] + quotas[(3, "b")] == 21
    r = redis.Redis.from_url(redis_url)
    used = {k.decode(): int(v) for k, v in r.hgetall(f"{prefix}:{DAY.isoformat()}:used").items()}
    r.close()
    assert used == {f"{c}:{p}": n for (c, p), n in served.items()}, log
    con = duckdb.connect(path, read_only=True)  # both workers flushed their deliveries at shutdown
    got = dict(con.execute("SELECT program, sum(impressions) FROM work_boost GROUP BY 1").fetchall())
    con.close()
    assert got == {"a": 7 + 11, "b": 10}, log
