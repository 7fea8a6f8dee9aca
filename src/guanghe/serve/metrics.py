"""Prometheus text exposition of the engine's statistics."""

from __future__ import annotations

from guanghe.serve.engine import LATENCY_BUCKETS_US, Engine


def _esc(v: str) -> str:
    return v.replace("\\", "\\\\").replace('"', '\\"')


def render(engine: Engine, extra: dict[str, float] | None = None) -> str:
    st, snap = engine.stats, engine.source.snapshot
    out = [
        "# HELP guanghe_requests_total Rerank requests answered (retries excluded).",
        "# TYPE guanghe_requests_total counter",
        f"guanghe_requests_total {st.requests}",
        "# HELP guanghe_retries_total Retried request ids answered with their first slate.",
        "# TYPE guanghe_retries_total counter",
        f"guanghe_retries_total {st.replays}",
        "# HELP guanghe_rejected_total Requests refused, by HTTP status.",
        "# TYPE guanghe_rejected_total counter",
        *(f'guanghe_rejected_total{{status="{s}"}} {n}' for s, n in sorted(st.rejected.items())),
        "# HELP guanghe_degraded_total Requests answered organically because the counters were unreachable.",
        "# TYPE guanghe_degraded_total counter",
        f"guanghe_degraded_total {st.degraded}",
        "# HELP guanghe_boosts_total Boosted impressions served, by program.",
        "# TYPE guanghe_boosts_total counter",
        *(f'guanghe_boosts_total{{program="{_esc(p)}"}} {n}' for p, n in sorted(st.boosts.items())),
        "# HELP guanghe_score_loss_total Sum over slates of the organic slate's score minus the served one's.",
        "# TYPE guanghe_score_loss_total counter",
        f"guanghe_score_loss_total {st.score_loss:.6f}",
        "# HELP guanghe_quota_impressions Today's quota, by program.",
        "# TYPE guanghe_quota_impressions gauge",
    ]
    att = engine.attainment()
    out += [f'guanghe_quota_impressions{{program="{_esc(p)}"}} {q}' for p, (_, q) in sorted(att.items())]
    out += ["# HELP guanghe_quota_attainment Delivered today / today's quota, by program (all workers).",
            "# TYPE guanghe_quota_attainment gauge"]  # fmt: skip
    out += [
        f'guanghe_quota_attainment{{program="{_esc(p)}"}} {d / q if q else 0:.6f}'
        for p, (d, q) in sorted(att.items())
    ]
    out += ["# HELP guanghe_rerank_latency_seconds Decision time of a rerank (decode to encode).",
            "# TYPE guanghe_rerank_latency_seconds histogram"]  # fmt: skip
    cum = 0
    for b, n in zip(LATENCY_BUCKETS_US, st.latency, strict=False):
        cum += n
        out.append(f'guanghe_rerank_latency_seconds_bucket{{le="{b / 1e6:g}"}} {cum}')
    cum += st.latency[-1]
    out += [f'guanghe_rerank_latency_seconds_bucket{{le="+Inf"}} {cum}',
            f"guanghe_rerank_latency_seconds_sum {st.latency_sum_us / 1e6:.6f}",
            f"guanghe_rerank_latency_seconds_count {cum}",
            "# HELP guanghe_plan_info The plan being served.", "# TYPE guanghe_plan_info gauge",
            f'guanghe_plan_info{{plan_id="{_esc(str(snap.plan_id))}",day="{snap.day}"}} 1']  # fmt: skip
    for name, v in (extra or {}).items():
        out += [f"# TYPE {name} gauge", f"{name} {v:g}"]
    return "\n".join(out) + "\n"
