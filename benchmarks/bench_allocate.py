"""Benchmark of the certified allocator (guanghe.allocate.solve).

    python benchmarks/bench_allocate.py scale   [--creators 7000000] [--programs 6] [--repeat 3] [--rate-sigma S]
    python benchmarks/bench_allocate.py compare [--creators 20000] [--programs 6] [--segments 40] [--repeat 1]

`scale`: the seed's size; creators' curves, tiers, eligibility and caps are generated directly
(guanghe.allocate.instances). Each repetition runs in a fresh subprocess; prints solve time (generation
excluded) with its CPU time (the process's own: less sensitive to other jobs on a shared machine than the wall
time), peak RSS of the process (generation included), the certified duality gap, and the load average.
`compare`: our allocator versus the HiGHS piecewise-linear bracket (chord LP + tangent LP) on the same instance
in the same run: both times, the time ratio, and where our value sits in the bracket.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time


def child(
    mode: str, creators: int, programs: int, segments: int, seed: int, rate_sigma: float | None
) -> None:
    from guanghe.allocate import solve
    from guanghe.allocate.instances import generate

    t0 = time.perf_counter()
    problem = generate(creators, programs, seed=seed, rate_sigma=rate_sigma)
    gen = time.perf_counter() - t0
    t0, c0 = time.perf_counter(), time.process_time()
    r = solve(problem)
    out = {"generate_s": gen, "solve_s": time.perf_counter() - t0, "cpu_s": time.process_time() - c0, "gap": r.gap,
           "value": r.value, "bound": r.dual_bound, "passes": r.stats["passes"]}  # fmt: skip
    if mode == "compare":
        from guanghe.allocate.exact import bracket

        b = bracket(problem, segments=segments)
        out.update(highs_s=b.seconds, lower=b.lower, upper=b.upper)
    out["peak_rss_gib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(json.dumps(out))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["scale", "compare"])
    ap.add_argument("--creators", type=int, default=None)
    ap.add_argument("--programs", type=int, default=6)
    ap.add_argument("--segments", type=int, default=40)
    ap.add_argument("--repeat", type=int, default=None)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--rate-sigma", type=float, default=None,
                    help="program rates (outcome weights) log-normal with this log-sd; default: none")  # fmt: skip
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    creators = args.creators or (7_000_000 if args.mode == "scale" else 20_000)
    if args.child:
        child(args.mode, creators, args.programs, args.segments, args.seed, args.rate_sigma)
        return
    runs = []
    for i in range(args.repeat or (3 if args.mode == "scale" else 1)):
        cmd = [sys.executable, __file__, args.mode, "--child", "--creators", str(creators),
               "--programs", str(args.programs), "--segments", str(args.segments), "--seed", str(args.seed + i)]  # fmt: skip
        if args.rate_sigma is not None:
            cmd += ["--rate-sigma", str(args.rate_sigma)]
        done = subprocess.run(cmd, capture_output=True, text=True, check=True)
        run = json.loads(done.stdout.strip().splitlines()[-1])
        runs.append(run)
        line = f"run {i + 1}: solve {run['solve_s']:.1f} s (CPU {run['cpu_s']:.1f} s; generate {run['generate_s']:.1f} s), "
        line += f"peak RSS {run['peak_rss_gib']:.2f} GiB, gap {run['gap']:.2e}, {run['passes']} dual passes"
        if args.mode == "compare":
            width = (run["upper"] - run["lower"]) / run["upper"]
            line += (f"; HiGHS bracket {run['highs_s']:.1f} s, ratio {run['highs_s'] / run['solve_s']:.0f}x, "
                     f"bracket width {width:.1e}, ours - lower = {(run['value'] - run['lower']) / run['upper']:+.1e},"
                     f" upper - ours = {(run['upper'] - run['value']) / run['upper']:.1e}")  # fmt: skip
        print(line, flush=True)

    def med(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    rates = "" if args.rate_sigma is None else f" with program rates (log-sd {args.rate_sigma:g})"
    print(f"{creators:,} creators x {args.programs} programs{rates}, median of {len(runs)}: solve {med('solve_s'):.1f} s "
          f"(CPU {med('cpu_s'):.1f} s), peak RSS {med('peak_rss_gib'):.2f} GiB, gap {med('gap'):.1e}; "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    if args.mode == "compare":
        print(
            f"HiGHS bracket {med('highs_s'):.1f} s; ratio HiGHS / ours {med('highs_s') / med('solve_s'):.0f}x"
        )


if __name__ == "__main__":
    main()
