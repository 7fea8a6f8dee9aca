"""The month-by-month driver: ``generate(config, out_dir)`` writes the whole synthetic platform."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa

from guanghe.synth import activity, followers, population, reuploads, traffic, violations
from guanghe.synth.commerce import Commerce
from guanghe.synth.config import Month, SynthConfig
from guanghe.synth.money import Economy
from guanghe.synth.truth import write_badge_truth, write_earnings, write_truth
from guanghe.synth.writer import Writer, to_table

OnMonth = Callable[[Month, int], None]  # (month just written, number of months)


def generate(config: SynthConfig, out_dir: str | Path, on_month: OnMonth | None = None) -> dict:
    """Generate ``config.months`` months of data into ``out_dir``; return a summary (rows, seconds).

    Memory stays bounded by one month of rows: each month is drawn from its own seed (a child of
    ``SeedSequence(config.seed)``), written, and dropped; only per-creator state and the work-days that spill
    into the next month carry over.
    """
    t0 = time.perf_counter()
    out = Path(out_dir)
    months = config.window()
    seeds = config.seeds()
    pop = population.build(config, seeds[0])
    with Writer(out) as writer:
        writer.write("creators", "creators", population.creators_table(pop))
        write_truth(config, pop, out)

        count = pop.followers0.copy()
        active = pop.active0
        next_id = 1
        economy = Economy(config, pop)
        commerce = Commerce(config, pop)
        write_badge_truth(commerce.truth(), out)
        carry_days: traffic.Rows | None = None
        carry_boost: traffic.Rows | None = None
        planter = reuploads.Planter(config.seed, pop.creator_id)
        for month, ss in zip(months, seeds[1:], strict=True):
            rng = np.random.default_rng(ss)
            active = activity.next_active(config, pop, month, active, rng)
            works = activity.publish(config, pop, month, active, next_id, rng)
            works, prints = planter.month(month.index, works)
            next_id += len(works.work_id)
            support = traffic.supported(config, pop, count, active, month, rng, economy.contracted(month))
            last = month.first_day + month.days - 1
            days, later_days, boost, later_boost = traffic.work_days(
                config, pop, works, count, support, last, rng
            )
            # Work-days of last month's works falling in this month come first, as their own row group.
            parts = [p for p in (carry_days, days) if p is not None]
            flow = traffic.concat(carry_days, days, ("_cidx", "date", "follows_gained"))
            daily, count_end = followers.creator_days(config, pop, month, flow, count, rng)
            boosts = [p for p in (carry_boost, boost) if p is not None]
            carry_days, carry_boost = later_days, later_boost
            events = economy.month(month, count, active, support, works.cidx, works.day, parts, boosts)

            writer.write("works", month.label, works.table)
            writer.write("work_fingerprints", month.label, prints)
            writer.write(
                "work_daily", month.label, pa.concat_tables([to_table("work_daily", p) for p in parts])
            )
            writer.write(
                "work_boost", month.label, pa.concat_tables([to_table("work_boost", p) for p in boosts])
            )
            writer.write("creator_daily", month.label, to_table("creator_daily", daily))
            writer.write(
                "creator_violations",
                month.label,
                violations.month_violations(config, pop, month, works.work_id, works.cidx, works.day),
            )
            for name, table in (*events.items(), *commerce.month(month).items()):
                writer.write(name, month.label, table)
            count = count_end
            del works, days, boost, daily, events, parts, boosts, flow
            if on_month is not None:
                on_month(month, len(months))
        truth_rows = write_earnings(economy.earnings, out)
        reupload_rows = planter.write(out)
    seconds = time.perf_counter() - t0
    total = sum(writer.rows.values())
    return {
        "out": str(out),
        "creators": config.creators,
        "months": config.months,
        "seed": config.seed,
        "window": [months[0].label, months[-1].label],
        "rows": dict(writer.rows),
        "truth_earnings": truth_rows,
        "truth_reuploads": reupload_rows,
        "seconds": round(seconds, 3),
        "rows_per_second": round(total / seconds) if seconds else None,
    }
