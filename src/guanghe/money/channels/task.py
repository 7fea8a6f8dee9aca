"""任务中心 task rewards, earned on the completion day from the task budget.

Per reward: TASK_BUDGET -> creator (601). The platform's exported rewards are funded per day from
PLATFORM_FUNDING with that day's rewards (602), first in a linked chain with them, so the budget never
overspends and a day's rewards commit their funding all or nothing. Rewards the task center writes (ids with
``TASK_CENTER_ID_BIT``, ``guanghe tasks run``) are each funded by a 602 of their own, keyed by the reward: a
later run may add rewards on a day already paid without changing that day's funding.
"""

from __future__ import annotations

import numpy as np

from guanghe.data.growth_schema import TASK_CENTER_ID_BIT
from guanghe.money.channels.base import Context, Read, sums_by
from guanghe.money.chart import Kind
from guanghe.money.days import local_days
from guanghe.money.inputs import read
from guanghe.money.legs import Chunk, Legs, Side

CH, SRC = "task", "task_rewards"


def task(ctx: Context, legs: Legs) -> Read:
    out = Read(CH)
    rows = read(ctx.wh, SRC, ["reward_id", "creator_id", "completed_at", "reward_fen"],
                lambda t: t.completed_at < ctx.end_utc)  # fmt: skip
    out.events = rows.num_rows
    if not rows.num_rows:
        return out
    key, creator = rows.column("reward_id").to_numpy(), rows.column("creator_id").to_numpy()
    reward = rows.column("reward_fen").to_numpy()
    day = local_days(rows.column("completed_at"), ctx.zone)
    center = (key & TASK_CENTER_ID_BIT) != 0
    legs.add(Chunk(CH, 601, SRC, "", key, day, creator, Side(Kind.TASK_BUDGET), Side(Kind.CREATOR_PAYABLE, creator),
                   reward, chain=day.astype(np.int64), tag="fund", order=1).take(~center))  # fmt: skip
    days, total = sums_by(day[~center & (reward > 0)], reward[~center & (reward > 0)])
    n, on = len(days), days.astype(np.int32)
    fund = Chunk(CH, 602, "funding", "", np.zeros(n, np.int64), on, np.zeros(n, np.int64), Side(Kind.PLATFORM_FUNDING),
                 Side(Kind.TASK_BUDGET), total, id_day=on, chain=days.astype(np.int64), tag="fund", order=0)  # fmt: skip
    legs.add(fund.take(np.ones(n, bool)))
    # the task center's rewards: each in a chain with its own funding (602 keyed by the reward, no day)
    legs.add(Chunk(CH, 601, SRC, "", key, day, creator, Side(Kind.TASK_BUDGET), Side(Kind.CREATOR_PAYABLE, creator),
                   reward, chain=key, tag="reward", order=1).take(center))  # fmt: skip
    legs.add(Chunk(CH, 602, "funding", "", key, day, np.zeros(len(key), np.int64), Side(Kind.PLATFORM_FUNDING),
                   Side(Kind.TASK_BUDGET), reward, chain=key, tag="reward", order=0).take(center))  # fmt: skip
    return out
