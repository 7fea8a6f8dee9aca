"""``guanghe db`` and ``guanghe market keys`` end to end through the Typer app, on both databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from guanghe.appdb import authenticate, head, open_appdb
from guanghe.cli import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    r = runner.invoke(app, list(args))
    return r.exit_code, r.stdout, r.stderr


def test_upgrade_current_create_list_revoke(url: str) -> None:
    code, _, err = run("db", "current", "--db", url)
    assert code == 2 and "no application database at" in err and "guanghe db upgrade" in err
    assert len(err.strip().splitlines()) == 1

    code, out, _ = run("db", "upgrade", "--db", url, "--json")
    assert code == 0 and json.loads(out) == {"url": url, "from": None, "to": head(), "head": head()}
    code, out, _ = run("db", "upgrade", "--db", url)
    assert code == 0 and f"already at revision {head()}" in out
    code, out, _ = run("db", "current", "--db", url, "--json")
    assert code == 0 and json.loads(out) == {"revision": head(), "head": head(), "at_head": True}
    assert run("db", "current", "--db", url)[1].strip() == f"{head()} (head)"

    code, out, err = run(
        "market", "keys", "create", "--role", "brand", "--name", "Acme", "--external-id", "42", "--db", url
    )
    key = out.strip()
    assert code == 0 and key.startswith("gh_brand_") and "not shown again" in err
    code, out, _ = run(
        "market", "keys", "create", "--role", "creator", "--name", "Lin", "--db", url, "--json"
    )
    created = json.loads(out)
    assert code == 0 and created["principal"]["kind"] == "creator" and "not shown again" in created["warning"]
    with open_appdb(url) as db:
        brand = authenticate(db, key)
        assert brand is not None and (brand.kind, brand.name, brand.external_id) == ("brand", "Acme", 42)
        assert authenticate(db, created["key"]) is not None

    code, out, _ = run("market", "keys", "list", "--db", url, "--json")
    listed = json.loads(out)
    assert code == 0 and [(k["id"], k["role"], k["name"], k["revoked_at"]) for k in listed] == [
        (1, "brand", "Acme", None),
        (2, "creator", "Lin", None),
    ]
    assert listed[0]["prefix"] == key[: len("gh_brand_") + 8] and listed[0]["last_used_at"] is not None
    table = run("market", "keys", "list", "--db", url)[1]
    for text in (out, table):
        assert key not in text and created["key"] not in text and "hash" not in text
    assert listed[0]["prefix"] in table and "Acme" in table

    code, out, _ = run("market", "keys", "revoke", "1", "--db", url)
    assert code == 0 and "revoked at" in out
    with open_appdb(url) as db:
        assert authenticate(db, key) is None
    code, _, err = run("market", "keys", "revoke", "99", "--db", url)
    assert code == 1 and "no API key 99" in err
    listed = json.loads(run("market", "keys", "list", "--db", url, "--json")[1])
    assert listed[0]["revoked_at"] is not None and listed[1]["revoked_at"] is None


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--role", "admin", "--name", "x"], "--role 'admin'"),
        (["--role", "brand", "--name", "x", "--external-id", "0"], "--external-id 0"),
        (["--role", "brand", "--name", "x", "--external-id", str(2**48)], f"--external-id {2**48}"),
        (["--role", "brand", "--name", " "], "--name"),
    ],
)
def test_bad_input_is_one_line_exit_2(tmp_path: Path, args: list[str], field: str) -> None:
    url = f"sqlite:///{tmp_path}/app.sqlite3"
    assert run("db", "upgrade", "--db", url)[0] == 0
    code, out, err = run("market", "keys", "create", *args, "--db", url)
    assert (
        code == 2 and err.startswith(f"error: {field}") and len(err.strip().splitlines()) == 1 and out == ""
    )
    assert json.loads(run("market", "keys", "list", "--db", url, "--json")[1]) == []


@pytest.mark.parametrize(
    "argv",
    [["db", "current"], ["market", "keys", "list"], ["market", "keys", "revoke", "1"],
     ["market", "keys", "create", "--role", "brand", "--name", "x"]],
    ids=lambda a: "-".join(a[:3]),
)  # fmt: skip
def test_reads_and_key_commands_never_create_the_database(tmp_path: Path, argv: list[str]) -> None:
    file = tmp_path / "app.sqlite3"
    code, _, err = run(*argv, "--db", f"sqlite:///{file}")
    assert code == 2 and "no application database at" in err and "run guanghe db upgrade" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not file.exists()


@pytest.mark.parametrize("bad", ["app.sqlite3", "mysql://h/db", "postgresql://h/db?schema=a-b"])
def test_bad_url_names_the_option(bad: str) -> None:
    for argv in (["db", "upgrade"], ["db", "current"], ["market", "keys", "list"]):
        code, _, err = run(*argv, "--db", bad)
        assert code == 2 and err.startswith("error: --db: application database URL"), err
        assert len(err.strip().splitlines()) == 1


def test_the_env_setting_and_its_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GUANGHE_DB", raising=False)
    assert run("db", "upgrade")[0] == 0
    assert (tmp_path / "guanghe-app.sqlite3").is_file()  # default: sqlite:///guanghe-app.sqlite3
    monkeypatch.setenv("GUANGHE_DB", f"sqlite:///{tmp_path}/env.sqlite3")
    assert run("db", "upgrade")[0] == 0 and (tmp_path / "env.sqlite3").is_file()
    assert run("market", "keys", "create", "--role", "mcn", "--name", "Agency")[0] == 0
    assert len(json.loads(run("market", "keys", "list", "--json")[1])) == 1
    assert (
        json.loads(run("market", "keys", "list", "--json", "--db", "sqlite:///guanghe-app.sqlite3")[1]) == []
    )
