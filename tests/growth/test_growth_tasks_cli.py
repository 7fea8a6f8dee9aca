"""`guanghe tasks list|progress|run` through the real CLI on the hand-built warehouse and a SQLite ledger."""

from __future__ import annotations

import json

import tasks_platform as tp
from typer.testing import CliRunner

from guanghe.cli import app
from guanghe.growth.tasks import TASKS_DIR

runner = CliRunner()


def invoke(*args: str, tz: str = "UTC"):
    return runner.invoke(app, list(args), env={"GUANGHE_TIMEZONE": tz})


def test_list_json_shows_the_examples():
    r = invoke("tasks", "list", "--json")
    assert r.exit_code == 0, r.output
    rows = {t["task_id"]: t for t in json.loads(r.stdout)}
    assert rows["newbie_first_live"]["title"] == "新人首播"
    assert (
        rows["food_explore"]["goal"] == "publish >= 5 food works" and rows["food_explore"]["per_creator"] == 2
    )
    assert len(rows) == len(list(TASKS_DIR.glob("*.toml")))


def test_run_then_progress(tmp_path):
    wh = tp.write(tmp_path / "w.duckdb")
    tp.task_file(tmp_path / "t", "food", 'kind = "publish_count"\ncount = 2\ncategory = "food"', first=2,
                 audience='categories = ["food"]')  # fmt: skip
    tp.task_file(tmp_path / "t", "plays", 'kind = "work_plays"\nplays = 1000', reward=300)
    ledger = f"sqlite:///{tmp_path / 'l.sqlite3'}"
    common = ("--tasks", str(tmp_path / "t"), "--warehouse", wh)
    r = invoke("tasks", "run", "--through", "2023-05-31", *common, "--ledger", ledger, "--json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert [(t["task_id"], t["new"], t["rewarded"], t["reward_fen"]) for t in doc["tasks"]] == [
        ("food", 3, 2, 200), ("plays", 1, 1, 300)]  # fmt: skip
    assert doc["accrual"]["channels"]["task"]["earnings_fen"] == 500
    r = invoke("tasks", "progress", "1", "--through", "2023-05-31", *common, "--json")
    assert r.exit_code == 0, r.output
    mine = {t["task_id"]: t for t in json.loads(r.stdout)["tasks"]}
    assert mine["food"] == {"task_id": "food", "title": "food", "status": "completed", "have": 3, "need": 2,
                                 "unit": "works", "completions": 1, "reward_fen": 100}  # fmt: skip
    assert (mine["plays"]["have"], mine["plays"]["need"], mine["plays"]["reward_fen"]) == (1100, 1000, 300)
    r = invoke("tasks", "progress", "5", "--through", "2023-05-04", *common, "--json")
    five = {t["task_id"]: t for t in json.loads(r.stdout)["tasks"]}
    assert (five["food"]["status"], five["food"]["have"], five["food"]["need"]) == ("in_progress", 0, 2)
    r = invoke("tasks", "progress", "4", *common)  # default: the data's last day; a travel creator
    assert r.exit_code == 0 and "not_enrolled" in r.stdout
    r = invoke("tasks", "run", "--through", "2023-05-31", *common, "--ledger", ledger, "--json")
    again = json.loads(r.stdout)
    assert sum(t["new"] for t in again["tasks"]) == 0 and again["accrual"]["channels"]["task"]["new"] == 0


def test_bad_input_exits_2_with_file_line_field(tmp_path):
    p = tp.task_file(tmp_path / "t", "bad", 'kind = "publish_count"\ncount = "five"')
    r = invoke("tasks", "list", "--tasks", str(tmp_path / "t"))
    assert r.exit_code == 2
    assert f"{p}:10: goal.count: expected the number of works" in r.stderr
    wh = tp.write(tmp_path / "w.duckdb")
    r = invoke("tasks", "run", "--through", "May", "--warehouse", wh)
    assert r.exit_code == 2 and "--through: expected a date like 2023-06-30, got 'May'" in r.stderr
    r = invoke("tasks", "progress", "999", "--warehouse", wh)
    assert r.exit_code == 2 and "no creator 999" in r.stderr
    r = invoke("tasks", "progress", "1", "--warehouse", f"duckdb:///{tmp_path / 'missing.duckdb'}")
    assert r.exit_code == 2 and not (tmp_path / "missing.duckdb").exists()  # a read never creates a store
