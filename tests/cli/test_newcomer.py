"""A newcomer's first hour: reads never create a store, commands that need data say so, one URL rule."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from guanghe import __version__
from guanghe.cli import app
from guanghe.config import SettingError, StoreMissing, creatable_file, existing_file, parse_url
from guanghe.data.warehouse import WarehouseError, open_warehouse

runner = CliRunner()

NEEDS_DATA = [
    ["metrics"],
    ["report", "--out", "{tmp}/r.html"],
    ["programs", "check"],
    ["allocate"],
    ["explain", "1"],
]


@pytest.mark.parametrize("argv", NEEDS_DATA, ids=lambda a: a[0])
def test_missing_warehouse_is_refused_and_not_created(tmp_path: Path, argv: list[str]) -> None:
    db = tmp_path / "nope" / "wh.duckdb"
    args = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    r = runner.invoke(app, [*args, "--warehouse", f"duckdb:///{db}"])
    assert r.exit_code == 2, r.output
    assert "no warehouse at" in r.output and "guanghe ingest" in r.output and "Traceback" not in r.output
    assert not db.exists() and not db.parent.exists()
    assert len(r.output.strip().splitlines()) == 1


@pytest.mark.parametrize("argv", NEEDS_DATA, ids=lambda a: a[0])
def test_empty_warehouse_says_no_data(tmp_path: Path, argv: list[str]) -> None:
    db = tmp_path / "empty.duckdb"
    open_warehouse(f"duckdb:///{db}", create=True).close()
    args = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    r = runner.invoke(app, [*args, "--warehouse", f"duckdb:///{db}"])
    assert r.exit_code == 2, r.output
    assert f"no data in duckdb:///{db}" in r.output and "guanghe ingest" in r.output
    assert "program" not in r.output.split("no data")[0]  # not blamed on the shipped program files
    assert not (tmp_path / "r.html").exists()


def test_url_rule_three_slashes_relative_four_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    rel = parse_url("duckdb:///data/wh.duckdb")
    assert rel.path == "data/wh.duckdb" and not Path(rel.path).is_absolute()
    absolute = parse_url(f"duckdb:///{tmp_path}/wh.duckdb")  # f"duckdb:///{abs}" has four slashes
    assert absolute.path == f"{tmp_path}/wh.duckdb"
    assert parse_url("sqlite://").in_memory and parse_url("memory://").in_memory
    pg = parse_url("postgresql://postgres@127.0.0.1:5432/test?schema=s")
    assert (pg.host, pg.port, pg.database, pg.query) == ("127.0.0.1", 5432, "test", {"schema": "s"})
    # a read of a relative file that does not exist names the absolute path and the rule
    with pytest.raises(StoreMissing, match=r"no warehouse at .*/data/wh\.duckdb .*relative to the working"):
        existing_file(rel, "warehouse")
    # a write never creates nested folders silently
    with pytest.raises(StoreMissing, match=r"folder .* does not exist"):
        creatable_file(rel, "warehouse")
    (tmp_path / "data").mkdir()
    wh = open_warehouse("duckdb:///data/wh.duckdb", create=True)
    wh.close()
    assert (tmp_path / "data" / "wh.duckdb").exists()
    open_warehouse(f"duckdb:///{tmp_path}/data/wh.duckdb").close()  # the same file, absolute


@pytest.mark.parametrize("url", ["duckdb:/x", "mysql://h/db", "wh.duckdb", "duckdb:///", "redis://h:port/0"])
def test_bad_urls_are_setting_errors(url: str) -> None:
    with pytest.raises((SettingError, WarehouseError)):
        open_warehouse(url) if url.startswith(("duckdb", "mysql", "wh")) else parse_url(url)


def test_version_and_python_dash_m() -> None:
    r = runner.invoke(app, ["--version"])
    assert r.exit_code == 0 and r.output.strip() == f"guanghe {__version__}"
    out = subprocess.run(
        [sys.executable, "-m", "guanghe", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == f"guanghe {__version__}"


def test_log_level_emits_one_line_per_event(tmp_path: Path) -> None:
    src = tmp_path / "creators.csv"
    src.write_text("creator_id,joined_on,region,category,mcn_id,is_ecommerce,is_local_life\n")
    db = tmp_path / "wh.duckdb"
    out = subprocess.run(
        [sys.executable, "-m", "guanghe", "--log-level", "INFO", "ingest", str(src), "-w", f"duckdb:///{db}"],
        capture_output=True, text=True,
    )  # fmt: skip
    lines = [ln for ln in out.stderr.splitlines() if " INFO guanghe.data.ingest.load: " in ln]
    assert len(lines) == 1 and "committed: 1 files" in lines[0], out.stderr
    bad = runner.invoke(app, ["--log-level", "LOUD", "metrics"])
    assert bad.exit_code == 2 and "--log-level" in bad.output
