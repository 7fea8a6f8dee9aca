"""Benchmark of the closed-loop simulation (guanghe.simulate): six months, every policy, several seeds.

    python benchmarks/bench_simulate.py [--seeds 11 7] [--creators 2000] [--months 6] [--history 6]

Per seed: the optimal policy's follows from boosts (expected under the true curves) and its ratio to the
named baselines — the best simple policy (uniform / followers / quality), today's support rule (the naive
baseline) and the oracle that plans on the true curves — the explore policy against optimal, the GMV-planned
program against the follower-planned one (sales from boosts), the wall time and the peak RSS. Then medians.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[11, 7])
    ap.add_argument("--creators", type=int, default=2_000)
    ap.add_argument("--months", type=int, default=6)
    ap.add_argument("--history", type=int, default=6)
    a = ap.parse_args()
    from guanghe.simulate.run import SimConfig, simulate

    rows = []
    for seed in a.seeds:
        t0 = time.perf_counter()
        r = simulate(SimConfig(creators=a.creators, months=a.months, history=a.history, seed=seed))
        wall = time.perf_counter() - t0
        t, g, gr = r.targets["boost_follows_expected"], r.targets["gmv"], r.targets["gmv_rate"]
        row = {
            "seed": seed, "optimal_follows": r.totals["optimal"]["boost_follows_expected"],
            "vs_best_simple": t["optimal_vs_best_simple"], "best_simple": t["best_simple"],
            "vs_today": t["optimal_vs_today"], "vs_oracle": t["optimal_vs_oracle"],
            "explore_vs_optimal": t["explore_vs_optimal"],
            "gmv_vs_follows_planned": g["gmv_planned_vs_follower_planned_boost_gmv"],
            "gmv_rate_vs_follows_planned": gr["gmv_planned_vs_follower_planned_boost_gmv"], "wall_s": wall,
        }  # fmt: skip
        rows.append(row)
        print(f"seed {seed}: optimal {row['optimal_follows']:,.0f} follows from boosts; x{row['vs_best_simple']:.3f} "
              f"the best simple ({row['best_simple']}), x{row['vs_today']:.2f} today's rule, {row['vs_oracle']:.3f} of "
              f"the oracle; explore/optimal {row['explore_vs_optimal']:.3f}; GMV-planned sales from boosts "
              f"x{row['gmv_vs_follows_planned']:.2f} (allocate's [outcome] gmv rule x{row['gmv_rate_vs_follows_planned']:.2f}); "
              f"{wall:.1f} s", flush=True)  # fmt: skip
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    med = lambda k: statistics.median(r[k] for r in rows)  # noqa: E731
    print(f"median over {len(rows)} seeds: x{med('vs_best_simple'):.3f} best simple, {med('vs_oracle'):.3f} of the "
          f"oracle, x{med('vs_today'):.2f} today's rule, explore/optimal {med('explore_vs_optimal'):.3f}, "
          f"{med('wall_s'):.1f} s a seed; peak RSS {rss:.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
