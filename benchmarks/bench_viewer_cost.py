"""Viewer cost of the ample replay per placement, against the old rank placement, and a lower bound for any.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_viewer_cost.py -w duckdb:///guanghe-demo/guanghe.duckdb \\
        --date 2023-07-03 --quota-scale 0.25 --requests 60000 --seed 0

Each placement (``serve/placement.py``: draw, rank, cost; K = 2, guardrail 0.5 unless given) replays the same
requests in-process (``serve.replay.run``, as ``guanghe replay`` does); printed: delivered, attainment, viewer
cost (score loss / organic slate score) and its ratio to ``rank`` (the baseline). The ``rank`` run's requests are
recorded (each slate's organic picks and every eligible candidate: a planned creator with quota, not in the
slate, above the guardrail) and the lowest viewer cost *any* placement could have on that stream is bounded:
each creator given the impressions it got (``--share`` of them), K per slate, the j-th boost displacing the j-th
lowest organic pick, time of day ignored: a Lagrangian lower bound (a price per creator; each slate takes the
candidates whose cost less their creator's price is negative; subgradient steps on the prices).
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from datetime import date

import numpy as np

from guanghe.serve import replay as rp
from guanghe.serve.server import ServeSettings, build


def replay(args, placement: str, record: list | None = None):
    eng = build(ServeSettings(warehouse=args.warehouse, day=args.date, write_warehouse=False, seed=args.seed,
                              replay=True, placement=placement, quota_scale=args.quota_scale, max_boosts=args.k,
                              guardrail=args.guardrail)).engine  # fmt: skip
    if record is not None:
        boosts, guard = eng._boosts, args.guardrail

        def recorded(cands, n, at):
            takes = boosts(cands, n, at)
            quotas, top = eng.source.snapshot.quotas, [c.score for c in cands[:n]]
            mine = {c.creator_id for c in cands[:n]}
            record.append((top, [(c.score, c.creator_id) for c in cands[n:] if c.score >= guard * top[-1]
                                 and c.creator_id in quotas and c.creator_id not in mine],
                           [cr for _, cr, _ in takes]))  # fmt: skip
            return takes

        eng._boosts = recorded
    snap = eng.source.snapshot
    catalog = rp.Catalog.load(args.warehouse, date.fromisoformat(args.date), args.seed)
    return rp.run(
        eng.handle, lambda at: eng.pool(None, 300, at), snap, catalog, args.requests, seed=args.seed
    )


def bound(record: list, k: int, share: float, steps: int = 400) -> tuple[float, int, int]:
    """Lagrangian lower bound on the viewer cost (score loss / organic score) of delivering ``share`` of each
    creator's recorded count; also the priced solution's delivery and the target."""
    need = Counter(cr for *_, takes in record for cr in takes)
    index = {c: i for i, c in enumerate(sorted(need))}
    slate, who, cost = [], [], []
    extra = np.zeros((len(record), max(k, 1)))  # the j-th boost's extra cost: pick n-1-j − pick n-1
    for i, (top, eligible, _) in enumerate(record):
        for j in range(1, min(k, len(top))):
            extra[i, j] = top[-1 - j] - top[-1]
        for score, cr in eligible:
            if cr in index:  # (a creator given nothing needs nothing: its candidates cannot lower the bound)
                slate.append(i), who.append(index[cr]), cost.append(top[-1] - score)
    slate, who, cost = np.array(slate), np.array(who), np.array(cost)
    target = np.floor(np.array([need[c] for c in index], float) * share)
    organic = sum(sum(top) for top, _, _ in record)
    price, best, got = np.full(len(index), float(np.median(cost)) * 0.3), -np.inf, 0
    for it in range(steps):
        reduced = cost - price[who]
        order = np.lexsort((reduced, slate))
        s, r, w = slate[order], reduced[order], who[order]
        start = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
        value, count = 0.0, np.zeros(len(index))
        alive = np.ones(len(start), bool)
        for j in range(k):  # the j-th cheapest candidate of each slate, at the j-th slot's extra cost
            pos = start + j
            ok = alive & (pos < len(s))
            ok[ok] &= s[pos[ok]] == s[start[ok]]
            rj = np.where(ok, r[np.minimum(pos, len(s) - 1)] + extra[s[start], j], 0.0)
            take = ok & (rj < 0)
            value += rj[take].sum()
            count += np.bincount(w[pos[take]], minlength=len(index))
            alive = take
        lagrangian = value + float(price @ target)
        if lagrangian > best:
            best, got = lagrangian, int(count.sum())
        gap = target - count
        price += 0.02 * 0.99**it * gap / max(1.0, float(np.abs(gap).max()))
    return best / organic, got, int(target.sum())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-w", "--warehouse", required=True)
    ap.add_argument("--date", required=True)
    ap.add_argument("--quota-scale", type=float, default=0.25)
    ap.add_argument("--requests", type=int, default=60_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("-k", type=int, default=2)
    ap.add_argument("--guardrail", type=float, default=0.5)
    ap.add_argument("--share", type=float, nargs="*", default=[1.0, 0.95, 0.9, 0.8])
    args = ap.parse_args()
    record: list = []
    rows = {}
    for placement in ("draw", "rank", "cost"):
        t0 = time.perf_counter()
        r = replay(args, placement, record if placement == "rank" else None)
        rows[placement] = r
        print(f"{placement:5s} delivered {sum(r.delivered.values()):,}  attainment {r.creators['attainment']:.2%}  "
              f"viewer cost {r.relative_loss:.3%}  slates boosted {r.slates_boosted:,}  overspend "
              f"{r.overspend:.3%}  ({time.perf_counter() - t0:.0f} s)", flush=True)  # fmt: skip
    base = rows["rank"].relative_loss
    for placement, r in rows.items():
        print(f"ratio to rank: {placement:5s} {r.relative_loss / base:.3f}")
    for share in args.share:
        lb, got, target = bound(record, args.k, share)
        print(
            f"lower bound, any placement, {share:.0%} of each creator's impressions (rank's stream): "
            f"{lb:.3%} (priced solution delivers {got:,} of {target:,})"
        )


if __name__ == "__main__":
    main()
