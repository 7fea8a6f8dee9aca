"""``guanghe market serve``: bad settings exit 2 naming the option; a real server answers over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from guanghe.appdb import create_key, open_appdb
from guanghe.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def app_db(tmp_path_factory) -> tuple[str, str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('serve_cli') / 'app.sqlite3'}"
    with open_appdb(url, create=True) as db:
        return url, create_key(db, "brand", "Acme", 42)[1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2023-13-01"], "--as-of"),
        (["--timezone", "Mars/Olympus"], "--timezone"),
        (["--warehouse", "duckdb:///nowhere.duckdb"], "no warehouse at"),
        (["--db", "sqlite:///nowhere.sqlite3"], "guanghe db upgrade"),
        (["--warehouse", "mysql://x"], "--warehouse"),
    ],
)
def test_bad_settings_exit_2(
    market_warehouse: str, app_db, tmp_path: Path, args: list[str], message: str
) -> None:
    base = ["market", "serve", "--warehouse", market_warehouse, "--db", app_db[0]]
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        r = runner.invoke(app, base + args)
    finally:
        os.chdir(cwd)
    assert r.exit_code == 2, r.output
    assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_serves_over_http(market_warehouse: str, app_db) -> None:
    url, key = app_db
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[2] / "src"), *sys.path])}
    proc = subprocess.Popen(
        [sys.executable, "-m", "guanghe", "market", "serve", "--warehouse", market_warehouse, "--db", url,
         "--port", str(port), "--as-of", "2023-06-01"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}/v1/market"
        deadline = time.monotonic() + 90
        while True:
            try:
                r = httpx.get(f"{base}/me", timeout=2)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.communicate()
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.3)
        assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"
        me = httpx.get(f"{base}/me", headers={"Authorization": f"Bearer {key}"}, timeout=5)
        assert me.json()["role"] == "brand"
        page = httpx.get(f"{base}/creators", headers={"Authorization": f"Bearer {key}"}, timeout=5).json()
        assert page["as_of"] == "2023-06-01" and page["total"] == 1500
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    assert "catalog of 1,500 creators as of 2023-06-01" in out
