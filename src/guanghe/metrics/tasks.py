"""Task-center (任务中心) metrics: completions detected by ``guanghe tasks run`` and the rewards earned.

A completion or reward belongs to the platform day of its ``completed_at``, like every timestamp of the
catalog. ``task_rewards`` holds every reward the task channel pays: the task center's and those the platform
exports.
"""

from __future__ import annotations

import ibis

from guanghe.metrics.catalog import Metric, Source, Tables, each_period, register
from guanghe.metrics.followers import in_days
from guanghe.metrics.period import Period


def _completions(tables: Tables, p: Period) -> ibis.Table:
    t = tables["task_completions"]
    return t.filter(in_days(t.completed_at, p)).select("creator_id", "reward_fen")


def _rewards(tables: Tables, p: Period) -> ibis.Table:
    t = tables["task_rewards"]
    return t.filter(in_days(t.completed_at, p)).select("creator_id", "reward_fen")


COMPLETIONS = Source(
    "task_completions", "task_completions of the period (creator_id, reward_fen).", each_period(_completions)
)
REWARDS = Source(
    "task_rewards", "task_rewards earned in the period (creator_id, reward_fen).", each_period(_rewards)
)

register(
    Metric(
        "task_completions", "任务完成数",
        "Task-center completions (task_completions rows, rewarded or not) completed in the period.",
        "count", "count(task_completions where date(completed_at) in P)",
        COMPLETIONS, lambda t: t.count(),
    ),
    Metric(
        "task_completers", "完成任务作者数",
        "Distinct creators with at least one task-center completion in the period.",
        "count", "count(distinct task_completions.creator_id where date(completed_at) in P)",
        COMPLETIONS, lambda t: t.creator_id.nunique(),
    ),
    Metric(
        "task_rewards_fen", "任务奖励",
        "Task rewards earned in the period: sum of task_rewards.reward_fen (the task center's rewards and those "
        "the platform exports), what the task channel pays from the task budget.",
        "fen", "sum(task_rewards.reward_fen where date(completed_at) in P)",
        REWARDS, lambda t: t.reward_fen.sum(),
    ),
)  # fmt: skip
