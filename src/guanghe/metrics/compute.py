"""Compute catalog metrics for a period, its prior year and its previous period, batched into few queries.

Metrics sharing a source become one aggregate; all aggregates of all periods are cross-joined into a single
one-row query, so a full catalog run is one round trip on any engine.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import ibis

from guanghe.metrics.catalog import Metric, Tables, get
from guanghe.metrics.period import DEFAULT_PERIOD, Period, parse_period


@dataclass(frozen=True)
class MetricValue:
    name: str
    label: str
    unit: str
    period: Period
    value: int | float | None
    prior_period: Period
    prior_value: int | float | None
    yoy: float | None  # value / prior_value - 1; None when the prior value is 0 or missing
    previous_period: Period
    previous_value: int | float | None
    pop: float | None  # value / previous_value - 1; None when the previous value is 0 or missing

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        for k in ("period", "prior_period", "previous_period"):
            p: Period = d[k]
            d[k] = {"label": p.label, "start": p.start.isoformat(), "end": p.end.isoformat()}
        return d


def change(value: float | None, base: float | None) -> float | None:
    """Relative change ``value / base - 1``, None when either is missing or ``base`` is 0."""
    if value is None or base is None or base == 0:
        return None
    return value / base - 1


def _finish(metric: Metric, raw: Any) -> int | float | None:
    if metric.unit == "share":
        return None if raw is None else float(raw)
    return 0 if raw is None else int(raw)


def _query(tables: Tables, metrics: Sequence[Metric], periods: Sequence[Period]) -> ibis.Table:
    """One one-row table: column ``p{i}__{metric}`` for each period index ``i`` and metric."""
    parts: list[ibis.Table] = []
    for i, p in enumerate(periods):
        by_source: dict[int, list[Metric]] = {}
        for m in metrics:
            by_source.setdefault(id(m.source), []).append(m)
        for group in by_source.values():
            t = group[0].source.build(tables, p)
            parts.append(t.aggregate(**{f"p{i}__{m.name}": m.reduce(t) for m in group}))
    out = parts[0]
    for t in parts[1:]:
        out = out.cross_join(t)
    return out


def evaluate_many(
    tables: Tables, metrics: Sequence[Metric], periods: Sequence[Period]
) -> list[dict[str, int | float | None]]:
    """Values of ``metrics`` for each period (one dict per period), in one query."""
    if not metrics or not periods:
        return [{} for _ in periods]
    spans = list(dict.fromkeys((p.start, p.end) for p in periods))  # e.g. last-12m: prior year == previous
    row = _query(tables, metrics, [Period(*s) for s in spans]).to_pyarrow().to_pylist()[0]
    return [
        {m.name: _finish(m, row[f"p{spans.index((p.start, p.end))}__{m.name}"]) for m in metrics}
        for p in periods
    ]


def evaluate(metric: Metric | str, tables: Tables, period: Period) -> int | float | None:
    """One metric's value for one period."""
    m = get([metric])[0] if isinstance(metric, str) else metric
    return evaluate_many(tables, [m], [period])[0][m.name]


def compute(
    tables: Tables, period: Period | str = DEFAULT_PERIOD, metrics: Iterable[str | Metric] | None = None
) -> list[MetricValue]:
    """Every (or the named) metric for ``period``, with prior-year and previous-period values and changes."""
    period = resolve_period(tables, period) if isinstance(period, str) else period
    chosen = _metrics(metrics)
    prior, previous = period.prior_year(), period.previous()
    now, then, before = evaluate_many(tables, chosen, [period, prior, previous])
    return [
        MetricValue(
            m.name,
            m.label,
            m.unit,
            period,
            now[m.name],
            prior,
            then[m.name],
            change(now[m.name], then[m.name]),
            previous,
            before[m.name],
            change(now[m.name], before[m.name]),
        )
        for m in chosen
    ]


def _metrics(metrics: Iterable[str | Metric] | None) -> list[Metric]:
    if metrics is None:
        return get()
    items = list(metrics)
    names = [m for m in items if isinstance(m, str)]
    named = iter(get(names))
    return [next(named) if isinstance(m, str) else m for m in items]


def _day(v: Any) -> date | None:
    return v.date() if isinstance(v, datetime) else v


def data_range(tables: Tables) -> tuple[date, date] | None:
    """First and last day with any activity (works, income, boosts, follower counts); None when empty."""
    w, i, b, c = (tables[n] for n in ("works", "income", "work_boost", "creator_daily"))
    q = (
        w.aggregate(w0=w.published_at.min(), w1=w.published_at.max())
        .cross_join(i.aggregate(i0=i.occurred_at.min(), i1=i.occurred_at.max()))
        .cross_join(b.aggregate(b0=b.date.min(), b1=b.date.max()))
        .cross_join(c.aggregate(c0=c.date.min(), c1=c.date.max()))
    )
    row = {k: _day(v) for k, v in q.to_pyarrow().to_pylist()[0].items()}
    firsts = [v for k, v in row.items() if k.endswith("0") and v is not None]
    lasts = [v for k, v in row.items() if k.endswith("1") and v is not None]
    return (min(firsts), max(lasts)) if firsts else None


def resolve_period(tables: Tables, text: str) -> Period:
    """Parse period text, looking up the data's last day only for relative periods (``last-12m``)."""
    if text.strip().lower().startswith("last-"):
        rng = data_range(tables)
        return parse_period(text, rng[1] if rng else None)
    return parse_period(text)
