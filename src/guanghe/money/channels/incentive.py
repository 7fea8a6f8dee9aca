"""现金激励 cash support in weekly installments: ``cash_grants`` and the newest plan's cash quotas summed per
ISO week (Monday..Sunday, platform days).

Per installment: held (401, pending) from the program's budget on the week's Monday, after the budget is funded
with that week's installments (402: one per program and week, first in a linked chain with them); on the
Sunday, POSTED if the creator published a work that week, else VOIDED — the money stays in the budget,
visible as unspent. Grants naming a program that is not loaded are skipped (reported).
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from guanghe.money.channels.base import Context, Read, funding
from guanghe.money.chart import Kind, program_code
from guanghe.money.days import dates_to_days, monday
from guanghe.money.inputs import Posted, read
from guanghe.money.legs import PENDING, POST, RESOLVE, VOID, Chunk, Legs, Side

CH = "incentive"


def _installments(ctx: Context, out: Read) -> list[tuple]:
    """Per source (grants, plan): keys, creators, programs, Mondays, amounts of the weeks begun by ``through``."""
    g = read(ctx.wh, "cash_grants", ["grant_id", "creator_id", "program", "week_start", "amount_fen"],
             lambda t: t.week_start <= ctx.through + timedelta(days=6))  # fmt: skip
    p = ctx.plan.cash_weeks(ctx.through)
    parts = []
    for src, t, key in (("cash_grants", g, "grant_id"), ("plan", p, "creator_id")):
        start = "week_start" if src == "cash_grants" else "monday"
        mon = monday(dates_to_days(t.column(start)))
        keep = mon <= ctx.last
        out.events += int(keep.sum())
        keys = t.column(key).to_numpy()
        prog = np.array(t.column("program").to_pylist(), dtype=object)
        known = np.isin(prog, sorted(ctx.programs)) if len(prog) else np.zeros(0, bool)
        if (bad := keep & ~known).any():
            out.skip(src, keys[bad], "the program is not among the loaded programs")
        keep &= known
        parts.append((src, keys[keep], t.column("creator_id").to_numpy()[keep], prog[keep], mon[keep],
                      t.column("amount_fen").to_numpy()[keep]))  # fmt: skip
    return parts


def incentive(ctx: Context, legs: Legs) -> Read:
    out = Read(CH)
    parts = _installments(ctx, out)
    creators = np.concatenate([p[2] for p in parts])
    if not len(creators):
        return out
    mondays = np.concatenate([p[4] for p in parts])
    posted = Posted(ctx.wh, creators, int(mondays.min()), int(mondays.max()), ctx.zone)
    for name in sorted(set(np.concatenate([p[3] for p in parts]).tolist())):
        budget = Side(Kind.PROGRAM_BUDGET, program_code(name))
        days, amounts = [], []
        for src, key, creator, prog, mon, amount in parts:
            m = prog == name
            k, c, d, a = key[m], creator[m], mon[m], amount[m]
            cr, sunday = Side(Kind.CREATOR_PAYABLE, c), (d + 6).astype(np.int32)
            week = (
                d if src == "plan" else None
            )  # a plan installment is (creator, program, week); a grant has an id
            legs.add(Chunk(CH, 401, src, "hold", k, d, c, budget, cr, a, PENDING, program=name, id_day=week,
                           chain=d.astype(np.int64), tag=f"fund:{name}").take(np.ones(len(k), bool)))  # fmt: skip
            due, ok = sunday <= ctx.last, posted.posted(c, d)
            for step, flags, when in (("post", POST, due & ok), ("void", VOID, due & ~ok)):
                legs.add(Chunk(CH, 401, src, step, k, sunday, c, budget, cr, a, flags, RESOLVE, name,
                               week, lane=1).take(when))  # fmt: skip
            days.append(d)
            amounts.append(a)
        legs.add(funding(CH, name, np.concatenate(days), np.concatenate(amounts), tag=f"fund:{name}"))
    return out
