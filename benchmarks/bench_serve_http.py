"""Rerank over HTTP: uvicorn workers with Redis counters, load from wrk (a separate process) on loopback.

    .venv/bin/python benchmarks/bench_serve_http.py                       # 2 workers, 32 connections, 15 s
    .venv/bin/python benchmarks/bench_serve_http.py --warehouse duckdb:///guanghe-demo/guanghe.duckdb --date 2023-07-03

Without --warehouse a 2,000-creator demo platform and its plan are made in a temp dir (~10 s). Bodies: 200
candidates (180 organic works, 20 works of planned creators), 10 slots, times spread over the day; every
request id unique. Runs, in the same session: the server with --no-boost (organic order: the baseline), then
with boosting and pacing; both in replay mode (``--replay --date``: the bodies' ``at`` spread the requests
over the plan's day; a live server would pace by its own clock). ``--runs 3`` repeats the pair and prints the
medians. Needs ``wrk`` (apt-get install -y wrk) and Redis (GUANGHE_TEST_REDIS_URL).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import msgspec
import redis

from guanghe.serve.plans import load

HERE = Path(__file__).parent
BIN = Path(sys.executable).parent / "guanghe"


def demo(tmp: str) -> str:
    out = Path(tmp) / "demo"
    subprocess.run([BIN, "demo", "--creators", "2000", "--out", out], check=True, capture_output=True)
    url = f"duckdb:///{out / 'guanghe.duckdb'}"
    subprocess.run([BIN, "allocate", "-w", url], check=True, capture_output=True)
    return url


def bodies(path: str, day: date, n: int, file: Path) -> int:
    import duckdb

    snap = load(f"duckdb:///{path}", day)
    planned = [(w, c) for c, ws in snap.works.items() for w in ws]
    con = duckdb.connect(path, read_only=True)
    organic = con.execute(
        "SELECT work_id, creator_id FROM works ORDER BY work_id DESC LIMIT 20000"
    ).fetchall()
    con.close()
    rng, midnight = random.Random(7), datetime.combine(day, datetime.min.time(), UTC).timestamp()
    with file.open("w") as f:
        for i in range(n):
            picks = rng.sample(organic, 180) + rng.sample(planned, 20)
            seen, cands = set(), []
            for w, c in picks:
                if w not in seen:
                    seen.add(w)
                    cands.append(
                        {"work_id": w, "creator_id": c, "score": round(rng.lognormvariate(0, 0.5), 4)}
                    )
            body = msgspec.json.encode({"user_id": i, "slots": 10, "candidates": cands,
                                        "at": midnight + 86_400 * (i + 0.5) / n}).decode()  # fmt: skip
            f.write(body[1:] + "\n")
    return len(planned)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(args: list[str]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([BIN, "serve", "--port", str(port), *args], stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(url + "/v1/health", timeout=0.5).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("server did not start")


def wrk(url: str, file: Path, seconds: int, connections: int, threads: int) -> dict[str, float]:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
           "-s", str(HERE / "bench_serve_post.lua"), url, "--", str(file)]  # fmt: skip
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    res = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    for q in ("50", "90", "99"):
        v, unit = re.search(rf"\s{q}%\s+([\d.]+)(us|ms|s)", out).groups()
        res[f"p{q}"] = float(v) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    res["non2xx"] = int(bad.group(1)) if bad else 0
    return res


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--warehouse")
    ap.add_argument("--date", default="2023-07-03")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--threads", type=int, default=1, help="wrk threads")
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--runs", type=int, default=1, help="baseline/boosted pairs (medians printed)")
    ap.add_argument("--redis", default=os.environ.get("GUANGHE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"))
    a = ap.parse_args()
    day = date.fromisoformat(a.date)
    with tempfile.TemporaryDirectory() as tmp:
        url = a.warehouse or demo(tmp)
        path = url.split("://", 1)[1].lstrip("/")
        path = "/" + path if url.startswith("duckdb:////") else path
        file = Path(tmp) / "bodies.txt"
        planned = bodies(path, day, 500, file)
        print(f"{file.stat().st_size / 500 / 1024:.1f} KiB per body; {planned:,} planned works; load average "
              f"{os.getloadavg()[0]:.2f} before the runs")  # fmt: skip
        runs: list[dict[str, dict[str, float]]] = []
        for n in range(a.runs):
            runs.append(pair(a, url, file))
            b, s = runs[-1]["organic only (baseline)"], runs[-1]["boost + pacing"]
            print(f"run {n + 1}: overhead: throughput x{s['rps'] / b['rps']:.2f}, p99 x{s['p99'] / b['p99']:.2f} "
                  f"({a.workers} workers, wrk -t{a.threads} -c{a.connections} -d{a.seconds}s, Redis counters)")  # fmt: skip
        if a.runs > 1:
            for label in runs[0]:
                med = {k: statistics.median(r[label][k] for r in runs) for k in ("rps", "p50", "p99")}
                rps = ", ".join(f"{r[label]['rps']:,.0f}" for r in runs)
                p99 = ", ".join(f"{r[label]['p99']:.1f}" for r in runs)
                print(f"median of {a.runs}: {label:26s} {med['rps']:8,.0f} req/s  p50 {med['p50']:6.2f} ms  "
                      f"p99 {med['p99']:6.2f} ms  (runs: {rps} req/s; p99 {p99} ms)")  # fmt: skip


def pair(a, url: str, file: Path) -> dict[str, dict[str, float]]:
    """The baseline and the boosted server, one after the other, each under the same wrk load."""
    results = {}
    for label, extra in (("organic only (baseline)", ["--no-boost"]), ("boost + pacing", [])):
        prefix = f"guanghe-bench:{uuid.uuid4().hex[:8]}"
        proc, base = serve(["-w", url, "--date", a.date, "--replay", "--workers", str(a.workers), "--redis", a.redis,
                            "--prefix", prefix, "--no-flush", *extra])  # fmt: skip
        try:
            wrk(base, file, 2, a.connections, a.threads)  # warm up
            r = results[label] = wrk(base, file, a.seconds, a.connections, a.threads)
            boosts = sum(float(m.group(1)) for m in re.finditer(
                r"guanghe_boosts_total\{[^}]*\} ([\d.e+]+)", httpx.get(base + "/metrics").text))  # fmt: skip
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(30)
            rc = redis.Redis.from_url(a.redis)
            keys = list(rc.scan_iter(f"{prefix}:*", count=1000))
            for i in range(0, len(keys), 1000):
                rc.delete(*keys[i : i + 1000])
            rc.close()
        print(f"{label:26s} {r['rps']:8,.0f} req/s  p50 {r['p50']:6.2f} ms  p90 {r['p90']:6.2f} ms  "
              f"p99 {r['p99']:6.2f} ms  non-2xx {r['non2xx']}  (one worker's boosts: {boosts:,.0f}; "
              f"load average {os.getloadavg()[0]:.2f})", flush=True)  # fmt: skip
    return results


if __name__ == "__main__":
    main()
