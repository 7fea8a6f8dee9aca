"""Task files: the shipped examples load; bad files are refused with file:line:field, every problem at once."""

from __future__ import annotations

import pytest

from guanghe.growth.tasks import GOALS, TASKS_DIR, TaskError, load_tasks, parse_task
from guanghe.programs import PROGRAMS_DIR, load_programs
from guanghe.programs.catalog import FEATURES

PROGRAMS = [p.name for p in load_programs(PROGRAMS_DIR)]
GOOD = """id = "t1"
title = "新人首播"

[window]
start = 2023-05-01
end = 2023-05-31

[audience]
categories = ["food"]

[goal]
kind = "publish_count"
count = 5

[reward]
fen = 2_000
first = 10
"""


def problems(text: str) -> list[str]:
    with pytest.raises(TaskError) as e:
        parse_task(text, "t.toml", PROGRAMS)
    return [str(i) for i in e.value.issues]


def test_examples_load_and_use_every_goal_kind():
    tasks = load_tasks(TASKS_DIR, PROGRAMS)
    assert {t.goal.kind for t in tasks} == set(GOALS) == {"publish_count", "work_plays", "first_live",
                                                          "storefront_sales"}  # fmt: skip
    for t in tasks:  # inside the demo platform's window (24 months ending 2023-06-30)
        assert "2021-07-01" <= t.start.isoformat() <= t.end.isoformat() <= "2023-06-30"


def test_good_file():
    t = parse_task(GOOD, "t.toml", PROGRAMS)
    assert (t.task_id, t.goal.count, t.reward_fen, t.first, t.per_creator, t.budget_fen) == (
        "t1",
        5,
        2000,
        10,
        1,
        None,
    )
    assert t.audience.categories == ("food",)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("count = 5", "count = 0", "t.toml:13: goal.count: expected the number of works (an integer >= 1), got 0"),
        ('kind = "publish_count"', 'kind = "dance"', "t.toml:12: goal.kind: unknown goal kind 'dance'; expected one "
         "of: publish_count, work_plays, first_live, storefront_sales"),
        ("count = 5", "count = 5\nplays = 3", "t.toml:14: goal.plays: unknown key 'plays'; expected one of: kind, "
         "count, category, keyword, work_kind"),
        ("end = 2023-05-31", "end = 2023-04-30", "t.toml:6: window.end: expected a date on or after window.start "
         "2023-05-01, got 2023-04-30"),
        ('categories = ["food"]', 'categories = ["cooking"]', "t.toml:9: audience.categories: expected a list of"),
        ('categories = ["food"]', 'program = "nope"', "t.toml:9: audience.program: unknown program 'nope'"),
        ("fen = 2_000", "fen = -5", "t.toml:16: reward.fen: expected the reward in fen (an integer >= 1), got -5"),
        ("first = 10", "first = 10\n\n[limits]\nbudget_fen = 100", "t.toml:20: limits.budget_fen: expected at least "
         "one reward (2000 fen), got 100"),
    ],
)  # fmt: skip
def test_bad_fields_name_file_line_field(old, new, expected):
    found = problems(GOOD.replace(old, new))
    assert len(found) == 1 and found[0].startswith(expected), found


def test_every_problem_at_once_and_bad_toml():
    found = problems(GOOD.replace("count = 5", "count = 0").replace("fen = 2_000", "fen = 0"))
    assert [f.split(": ")[1] for f in found] == ["goal.count", "reward.fen"]
    assert problems("id = \n")[0].startswith("t.toml:1: not valid TOML")


def test_level_filter_needs_the_level_feature():
    text = GOOD.replace('categories = ["food"]', "min_level = 2")
    if "level" in FEATURES:  # growth-rights levels installed: the filter is a rule on the feature
        assert parse_task(text, "t.toml", PROGRAMS).audience.min_level == 2
    else:
        assert problems(text) == ["t.toml:9: audience.min_level: the creator feature 'level' does not exist (no "
                                  "growth-rights levels in this installation); remove min_level"]  # fmt: skip


def test_duplicate_ids_across_files(tmp_path):
    for name in ("a", "b"):
        (tmp_path / f"{name}.toml").write_text(GOOD, encoding="utf-8")
    with pytest.raises(TaskError) as e:
        load_tasks(tmp_path, PROGRAMS)
    assert [str(i) for i in e.value.issues] == [f"{tmp_path / 'b.toml'}:1: id: task 't1' already defined in "
                                                f"{tmp_path / 'a.toml'}"]  # fmt: skip
