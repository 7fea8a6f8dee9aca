"""Fixtures: a small plan in a DuckDB file, the shared Redis under our own prefix, a private Redis."""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import datetime

import pytest
from serve_helpers import PrivateRedis, redis_url, write_plan, write_works


@pytest.fixture
def plan_file(tmp_path) -> str:
    """Creators 1..3 with quotas in programs a/b; their works 11..13, 21, 31."""
    path = str(tmp_path / "wh.duckdb")
    write_plan(path, "p1", {(1, "a"): 30, (2, "a"): 10, (2, "b"): 5, (3, "b"): 1}, datetime(2026, 1, 1))
    write_works(path, [(11, 1, "food"), (12, 1, "food"), (13, 1, "food"), (21, 2, "tech"), (31, 3, "food")])
    return path


@pytest.fixture
def shared_redis():
    """(url, prefix): a key prefix of our own on the shared Redis; only our keys are deleted after."""
    import redis

    url, prefix = redis_url(), f"guanghe-test:{uuid.uuid4().hex[:10]}"
    yield url, prefix
    r = redis.Redis.from_url(url)
    keys = list(r.scan_iter(f"{prefix}:*", count=1000))
    if keys:
        r.delete(*keys)
    r.close()


@pytest.fixture
def private_redis(tmp_path):
    if shutil.which("redis-server") is None:
        msg = "REDIS FAILURE TEST NOT RUN: redis-server not installed"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    r = PrivateRedis(str(tmp_path))
    r.start()
    yield r
    r.stop()
