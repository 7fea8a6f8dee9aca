"""The report's task-center part (任务中心): completions per month and the past year's completions, completers
and rewards with their YoY — catalog metrics (``metrics/tasks.py``)."""

from __future__ import annotations

from html import escape
from zoneinfo import ZoneInfo

from guanghe.metrics.catalog import Tables, get
from guanghe.metrics.compute import compute, evaluate_many
from guanghe.metrics.period import Period
from guanghe.metrics.report.charts import line_figure
from guanghe.metrics.report.page import fmt_change, fmt_value, table

TASK_METRICS = ("task_completions", "task_completers", "task_rewards_fen")
NO_TASKS = (
    "no task completions or rewards (任务中心) in this warehouse: run `guanghe tasks run --through DAY`"
)


def tasks_by_month(tables: Tables, months: list[Period]) -> dict[str, list[int]]:
    """Each task metric per month of ``months`` (one query)."""
    rows = evaluate_many(tables, get(TASK_METRICS), months)
    return {name: [int(r[name] or 0) for r in rows] for name in TASK_METRICS}


def tasks_section(tables: Tables, months: list[Period], zone: ZoneInfo, first_figure: int) -> str:
    """The "Task center 任务中心" section (its chart is ``fig-{first_figure}``); says so when empty."""
    head = "<section><h2>Task center 任务中心 — completions and rewards</h2>"
    monthly = tasks_by_month(tables, months)
    if not any(monthly["task_completions"]) and not any(monthly["task_rewards_fen"]):
        return head + f'<p class="empty">{escape(NO_TASKS)}.</p></section>'
    labels = {m.name: m.label for m in get(TASK_METRICS)}
    fig = line_figure(
        "任务中心 completions / month",
        [m.label for m in months],
        {labels[n]: [float(v) for v in monthly[n]] for n in ("task_completions", "task_completers")},
    )
    year = {v.name: v for v in compute(tables, "last-12m", TASK_METRICS, zone)}
    rows = [(f"{v.label} · {v.name}", fmt_value(v.value, v.unit), fmt_value(v.prior_value, v.unit), fmt_change(v.yoy))
            for v in year.values()]  # fmt: skip
    label = next(iter(year.values())).period.label
    return (
        head
        + '<p class="note">Completions detected by <code>guanghe tasks run</code> (<code>task_completions</code>, '
        "rewarded or not) and rewards earned (<code>task_rewards</code>: the task center's and the platform's), "
        "on the platform day of completion.</p>"
        + f'<div class="charts">{fig.html(f"fig-{first_figure}")}</div>'
        + table(["metric", f"past year ({label})", "prior year", "YoY"], rows)
        + "</section>"
    )
