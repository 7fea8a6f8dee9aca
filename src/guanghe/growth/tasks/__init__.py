"""The task center (任务中心): tasks declared as files (audience, window, goal, reward, limits), completions
detected from the warehouse, rewards paid once through the ledger's task channel.

>>> [t.task_id for t in load_tasks(TASKS_DIR, ["feiniao"])][:2]
['feiniao_keep_posting', 'food_explore']
"""

from __future__ import annotations

from pathlib import Path

from guanghe.growth.tasks.goals import GOALS, Goal, countable_works
from guanghe.growth.tasks.load import TaskError, load_task, load_tasks, parse_task
from guanghe.growth.tasks.model import Audience, Task

# The shipped tasks: examples/tasks/ of a source checkout.
TASKS_DIR = Path(__file__).resolve().parents[4] / "examples" / "tasks"

__all__ = ["GOALS", "TASKS_DIR", "Audience", "Goal", "Task", "TaskError", "countable_works", "load_task",
           "load_tasks", "parse_task"]  # fmt: skip
