"""Benchmark of campaign matching (guanghe.market): exact HiGHS MIP versus the greedy-by-ratio baseline.

    python benchmarks/bench_matching.py [--candidates 10000] [--seeds 5] [--budget-share 0.05]
                                        [--max-creators 100] [--max-per-mcn 5]

Pools from guanghe.market.instances.generate (log-normal prices around 3,000 CNY, reach correlated with price,
~30 % of creators in ~200 MCNs); budget = share of the pool's total price; 0 for a cap means no cap. For each
seed: exact and greedy value, their ratio, exact seconds (pre-filter, dominance, model build and solve),
greedy seconds, status, proven gap and how many candidates the dominance pre-solve kept; then medians.
One small warm-up solve first: the first HiGHS call in a process also starts its thread pool.
"""

from __future__ import annotations

import argparse
import statistics
import time

from guanghe.market import match_exact, match_greedy
from guanghe.market.dominance import undominated
from guanghe.market.instances import campaign_for, generate
from guanghe.market.matching import candidates, violations


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--candidates", type=int, default=10_000)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0, help="first seed")
    ap.add_argument("--budget-share", type=float, default=0.05)
    ap.add_argument("--max-creators", type=int, default=100)
    ap.add_argument("--max-per-mcn", type=int, default=5)
    ap.add_argument("--time-limit", type=float, default=10.0)
    args = ap.parse_args()
    warm = generate(500, seed=10_000)
    match_exact(warm, campaign_for(warm))
    runs = []
    for seed in range(args.seed, args.seed + args.seeds):
        pool = generate(args.candidates, seed=seed)
        campaign = campaign_for(pool, args.budget_share, args.max_creators or None, args.max_per_mcn or None)
        idx = candidates(pool, campaign)
        kept = int(undominated(pool.price_fen[idx], pool.value[idx], pool.mcn_id[idx], pool.must[idx],
                               campaign.budget_fen, campaign.max_creators, campaign.max_per_mcn).sum())  # fmt: skip
        t0 = time.perf_counter()
        exact = match_exact(pool, campaign, time_limit_s=args.time_limit)
        exact_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        greedy = match_greedy(pool, campaign)
        greedy_s = time.perf_counter() - t0
        assert not violations(pool, campaign, exact.index) and not violations(pool, campaign, greedy.index)
        run = {"exact": exact.value, "greedy": greedy.value, "ratio": greedy.value / exact.value,
               "exact_s": exact_s, "greedy_s": greedy_s, "gap": exact.gap, "kept": kept}  # fmt: skip
        runs.append(run)
        print(f"seed {seed}: exact {exact.value:,.0f} ({exact.index.size} creators, {exact.price_fen / 100:,.0f} CNY"
              f" of {campaign.budget_fen / 100:,.0f}), greedy {greedy.value:,.0f} ({greedy.index.size} creators,"
              f" {greedy.price_fen / 100:,.0f} CNY), ratio greedy/exact {run['ratio']:.3f}; exact {exact_s:.3f} s,"
              f" greedy {greedy_s * 1000:.1f} ms; status {exact.status}, gap {exact.gap:.1e};"
              f" {kept:,} of {idx.size:,} candidates kept by dominance", flush=True)  # fmt: skip

    def med(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    print(f"{args.candidates:,} candidates, budget {args.budget_share:.0%} of the pool, N = {args.max_creators or '-'},"
          f" M = {args.max_per_mcn or '-'}; median of {len(runs)}: exact {med('exact'):,.0f}, greedy {med('greedy'):,.0f},"
          f" ratio greedy/exact {med('ratio'):.3f}; exact {med('exact_s'):.3f} s (max"
          f" {max(r['exact_s'] for r in runs):.3f} s), greedy {med('greedy_s') * 1000:.1f} ms;"
          f" gap {med('gap'):.1e}; kept {med('kept'):,.0f}")  # fmt: skip


if __name__ == "__main__":
    main()
