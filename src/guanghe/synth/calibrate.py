"""Fit the six knobs so the generated rows reproduce the seed's YoY figures.

Method (coordinate iterations with secant slopes): each knob drives one figure (``config.KNOBS``).
1. Run the generator at small scale (default 50,000 creators x 24 months, averaged over seeds 7..16) and
   compute the six YoY figures from the parquet files (``figures.yoy``; the two income figures from the
   truth's earnings, as the ``income`` table would hold them after accrual).
2. Estimate each knob's own slope d(figure)/d(knob) by one finite step per knob.
3. Repeat: move every knob by -residual/slope (damped), regenerate, re-measure; after each round update a
   knob's slope by the secant through its last two points when the step was large enough to measure.
   Stop when every figure is within ``tol`` of its target.

Run: ``python -m guanghe.synth.calibrate [--creators 50000] [--rounds 8] [--knobs K ...]``; paste the printed
knobs into ``SynthConfig``'s defaults. The money events draw from their own streams and adopt channels by
uniforms drawn once, so fitting only the two money knobs (``--knobs monetisation_trend uptake_trend``) leaves
the other tables unchanged and moves the income figures smoothly.
"""

from __future__ import annotations

import argparse
import tempfile
from dataclasses import replace

import numpy as np

from guanghe.synth.config import KNOBS, SynthConfig
from guanghe.synth.figures import MARKET_TARGETS, TARGETS, first_time_ad_share, market_yoy, yoy
from guanghe.synth.generator import generate

STEPS = {
    "joiner_share": 0.05,
    "posting_trend": 0.004,
    "follow_scale": 0.3,
    "retention_trend": 0.01,
    "monetisation_trend": 0.006,
    "uptake_trend": 0.006,
}


def measure(cfg: SynthConfig, seeds: tuple[int, ...]) -> dict[str, float]:
    """Mean YoY figures over the given seeds (and, not fitted by the knobs: the first-time share of ad-share
    earners, the marketplace's June advertisers and Q2 orders)."""
    runs = []
    for seed in seeds:
        with tempfile.TemporaryDirectory(prefix="guanghe-calib-") as tmp:
            generate(replace(cfg, seed=seed), tmp)
            first = {"first_time_ad_share": first_time_ad_share(tmp, cfg.end)}
            runs.append(yoy(tmp, cfg.end) | market_yoy(tmp, cfg.end) | first)
    return {k: float(np.mean([r[k] for r in runs])) for k in runs[0]}


def _show(label: str, cfg: SynthConfig, fig: dict[str, float]) -> None:
    knobs = ", ".join(f"{k}={getattr(cfg, k):.5g}" for k in KNOBS)
    figs = ", ".join(f"{f}={fig[f]:+.3f}({fig[f] - TARGETS[f]:+.3f})" for f in KNOBS.values())
    market = ", ".join(f"{f}={fig[f]:+.3f}({fig[f] - t:+.3f})" for f, t in MARKET_TARGETS.items())
    print(
        f"[{label}] {knobs}\n    {figs}; first-time ad share {fig['first_time_ad_share']:.3f}; {market}",
        flush=True,
    )


def calibrate(
    cfg: SynthConfig,
    seeds: tuple[int, ...] = tuple(range(7, 17)),
    rounds: int = 8,
    tol: float = 0.005,
    damping: float = 0.8,
    knobs: tuple[str, ...] = tuple(KNOBS),
) -> SynthConfig:
    """Fit ``knobs`` (the others stay); returns the round whose largest residual (fitted figures) is smallest."""
    fitted = {k: KNOBS[k] for k in knobs}
    fig = measure(cfg, seeds)
    _show("start", cfg, fig)
    best = (max(abs(fig[f] - TARGETS[f]) for f in fitted.values()), cfg)
    slopes = {}
    for knob, figure in fitted.items():
        probe = replace(cfg, **{knob: getattr(cfg, knob) + STEPS[knob]})
        slopes[knob] = (measure(probe, seeds)[figure] - fig[figure]) / STEPS[knob]
        print(f"    slope d{figure}/d{knob} = {slopes[knob]:.4g}", flush=True)
    for r in range(rounds):
        if all(abs(fig[f] - TARGETS[f]) <= tol for f in fitted.values()):
            break
        moves = {}
        for knob, figure in fitted.items():
            step = -damping * (fig[figure] - TARGETS[figure]) / slopes[knob] if slopes[knob] else 0.0
            moves[knob] = float(np.clip(step, -3 * STEPS[knob], 3 * STEPS[knob]))
        new = replace(cfg, **{k: getattr(cfg, k) + v for k, v in moves.items()})
        new_fig = measure(new, seeds)
        for knob, figure in fitted.items():
            if abs(moves[knob]) > 0.2 * STEPS[knob]:
                secant = (new_fig[figure] - fig[figure]) / moves[knob]
                if np.sign(secant) == np.sign(slopes[knob]):
                    slopes[knob] = 0.5 * (slopes[knob] + secant)
        cfg, fig = new, new_fig
        _show(f"round {r + 1}", cfg, fig)
        best = min(best, (max(abs(fig[f] - TARGETS[f]) for f in fitted.values()), cfg), key=lambda b: b[0])
    return best[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--creators", type=int, default=50_000)
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--seeds", type=int, nargs="+", default=list(range(7, 17)))
    ap.add_argument("--knobs", nargs="+", choices=list(KNOBS), default=list(KNOBS),
                    help="knobs to fit (the others keep their defaults)")  # fmt: skip
    args = ap.parse_args()
    fitted = calibrate(
        SynthConfig(creators=args.creators), tuple(args.seeds), args.rounds, knobs=tuple(args.knobs)
    )
    print("fitted knobs:")
    for k in KNOBS:
        print(f"    {k}: float = {getattr(fitted, k):.4g}")


if __name__ == "__main__":
    main()
