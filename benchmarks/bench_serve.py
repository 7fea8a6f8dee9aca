"""In-process rerank decision for a 200-candidate request: decode, decide (quota, pacing, guardrail), encode.

    .venv/bin/python benchmarks/bench_serve.py                    # 20,000 requests, memory counters
    .venv/bin/python benchmarks/bench_serve.py --counters redis://127.0.0.1:6379/0 --requests 5000

Plan: 2,000 creators with quotas (the 5,000-creator demo's shape: most candidates are organic); each request
has 200 candidates, 20 of them from planned creators; 10 slots, K = 2, timestamps across the day. Baseline:
the same engine with boosting off (decode, organic sort, encode). Figures: p50/p99 per request (µs).
"""

from __future__ import annotations

import argparse
import random
import time
import uuid
from datetime import UTC, date, datetime

import msgspec

from guanghe.serve.counters import open_counters
from guanghe.serve.engine import Config, Engine
from guanghe.serve.plans import PlanSource, Snapshot

DAY = date(2023, 7, 1)


def bodies(n: int, rng: random.Random, planned: int) -> list[bytes]:
    midnight = datetime.combine(DAY, datetime.min.time(), UTC).timestamp()
    out = []
    for i in range(n):
        cands = [{"work_id": w, "creator_id": 100_000 + w, "score": rng.random()} for w in range(180)]
        cands += [{"work_id": 10_000 + k, "creator_id": rng.randrange(planned), "score": rng.random() * 0.9}
                  for k in range(20)]  # fmt: skip
        out.append(msgspec.json.encode({"request_id": f"b{i}", "user_id": i, "slots": 10, "candidates": cands,
                                        "at": midnight + 86_400 * i / n}))  # fmt: skip
    return out


def run(engine: Engine, reqs: list[bytes]) -> list[float]:
    times = []
    for b in reqs:
        t = time.perf_counter()
        engine.handle(b)
        times.append(time.perf_counter() - t)
    return sorted(times)


def pct(ts: list[float], q: float) -> float:
    return ts[min(len(ts) - 1, int(q * len(ts)))] * 1e6


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=20_000)
    ap.add_argument("--counters", default="memory://")
    a = ap.parse_args()
    rng = random.Random(7)
    planned = 2_000
    snap = Snapshot(DAY, "bench", None, {c: (("general_support", 300),) for c in range(planned)})
    reqs = bodies(a.requests, rng, planned)
    opts = {"prefix": f"guanghe-bench:{uuid.uuid4().hex[:8]}"} if a.counters.startswith("redis") else {}
    for label, boost in (("organic only (baseline)", False), ("boost + pacing", True)):
        counters = open_counters(a.counters, **opts)
        eng = Engine(PlanSource.fixed(snap), counters, Config(boost=boost, seed=1, replay=True))
        run(eng, reqs[:1000])  # warm up (separate request ids below)
        eng2 = Engine(PlanSource.fixed(snap), counters, Config(boost=boost, seed=1, replay=True))
        ts = run(eng2, [b.replace(b'"request_id":"b', b'"request_id":"m' + label[:1].encode()) for b in reqs])
        boosts = sum(eng2.stats.boosts.values())
        print(f"{label:26s} p50 {pct(ts, 0.5):6.1f} us  p99 {pct(ts, 0.99):6.1f} us  mean "
              f"{sum(ts) / len(ts) * 1e6:6.1f} us  boosts {boosts:,} ({a.requests:,} requests, {a.counters})")  # fmt: skip
        if hasattr(counters, "r"):
            counters.close()
            _cleanup(a.counters, opts["prefix"])


def _cleanup(url: str, prefix: str) -> None:
    import redis

    r = redis.Redis.from_url(url)
    keys = list(r.scan_iter(f"{prefix}:*", count=1000))
    for i in range(0, len(keys), 1000):
        r.delete(*keys[i : i + 1000])
    r.close()


if __name__ == "__main__":
    main()
