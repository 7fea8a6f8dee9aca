"""Compute catalog metrics for a period, its prior year and its previous period, batched into few queries.

Metrics sharing a source become one aggregate grouped by period (every period of the run in one pass over the
source); the aggregates of all sources are unioned into one small result (a row per source and period), so a
full catalog run is two round trips on any engine: the data's span, then the values.

The data's span (:func:`data_range`) is the first and last platform day on which a work was published. A
comparison window (prior year, previous period) the data does not fully cover has no value (None, "no data"),
and a period the data does not fully cover is marked ``partial`` (see ``Period.partial``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import ibis

from guanghe.metrics.catalog import Metric, Tables, get
from guanghe.metrics.period import DEFAULT_PERIOD, UTC_ZONE, Period, parse_period

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MetricValue:
    name: str
    label: str
    unit: str
    period: Period
    value: int | float | None
    prior_period: Period
    prior_value: int | float | None  # None when the data does not cover the prior year ("no data")
    yoy: float | None  # value / prior_value - 1; None when the prior value is 0 or missing
    previous_period: Period
    previous_value: int | float | None  # None when the data does not cover the previous period
    pop: float | None  # value / previous_value - 1; None when the previous value is 0 or missing

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        for k in ("period", "prior_period", "previous_period"):
            d[k] = d[k].to_dict()
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


def _query(tables: Tables, metrics: Sequence[Metric], periods: Sequence[Period]) -> tuple[ibis.Table, list]:
    """One table with a row per source and period that has rows: ``source`` (index), ``period`` (index into
    ``periods``) and a column per metric (NULL in other sources' rows). Also the sources' metric groups."""
    by_source: dict[int, list[Metric]] = {}
    for m in metrics:
        by_source.setdefault(id(m.source), []).append(m)
    groups = list(by_source.values())
    aggs = []
    for group in groups:
        t = group[0].source.build(tables, periods)
        aggs.append(t.group_by("period").aggregate(**{m.name: m.reduce(t) for m in group}))
    types = {name: dtype for a in aggs for name, dtype in a.schema().items() if name != "period"}
    parts = [
        a.select(
            source=ibis.literal(k, type="int16"),
            period=a.period.cast("int16"),
            **{n: a[n] if n in a.columns else ibis.null(dt) for n, dt in types.items()},
        )
        for k, a in enumerate(aggs)
    ]
    return (parts[0] if len(parts) == 1 else ibis.union(*parts, distinct=False)), groups


def evaluate_many(
    tables: Tables, metrics: Sequence[Metric], periods: Sequence[Period]
) -> list[dict[str, int | float | None]]:
    """Values of ``metrics`` for each period (one dict per period), in one query."""
    if not metrics or not periods:
        return [{} for _ in periods]
    # e.g. last-12m: prior year == previous period, computed once
    spans = list(dict.fromkeys((p.start, p.end, p.zone) for p in periods))
    query, groups = _query(tables, metrics, [Period(s, e, zone=z) for s, e, z in spans])
    rows = {(r["source"], r["period"]): r for r in query.to_pyarrow().to_pylist()}
    source_of = {m.name: k for k, group in enumerate(groups) for m in group}
    # a source without rows in a period has no group there: its reductions are over no rows (0 or NULL)
    out = []
    for p in periods:
        i = spans.index((p.start, p.end, p.zone))
        out.append({m.name: _finish(m, rows.get((source_of[m.name], i), {}).get(m.name)) for m in metrics})
    return out


def evaluate(metric: Metric | str, tables: Tables, period: Period) -> int | float | None:
    """One metric's value for one period."""
    m = get([metric])[0] if isinstance(metric, str) else metric
    return evaluate_many(tables, [m], [period])[0][m.name]


def compute(
    tables: Tables,
    period: Period | str = DEFAULT_PERIOD,
    metrics: Iterable[str | Metric] | None = None,
    zone: ZoneInfo | None = None,
) -> list[MetricValue]:
    """Every (or the named) metric for ``period``, with prior-year and previous-period values and changes.

    Days are days of ``zone`` (the platform's time zone): period text is read in it (UTC when None), and a
    :class:`Period` is moved to it when given (else it keeps its own ``zone``). The periods returned carry
    the data's span (``partial``, ``covered_*``); a prior year or previous period that the data does not
    fully cover gets None values ("no data") instead of a count of the rows it has.
    """
    chosen = _metrics(metrics)
    if isinstance(period, str):
        period = resolve_period(tables, period, zone or UTC_ZONE)
    elif zone is not None and zone is not period.zone:
        period = replace(period, zone=zone, data_start=None, data_end=None)  # the span is the zone's
    if period.data_start is None and (rng := data_range(tables, period.zone)) is not None:
        period = period.with_data(*rng)
    if period.partial:
        log.info(
            "period %s is partial: the data covers %s..%s", period, period.covered_start, period.covered_end
        )
    prior, previous = period.prior_year(), period.previous()
    wanted = [p for p in (period, prior, previous) if p is period or not p.partial]
    got = dict(zip(map(id, wanted), evaluate_many(tables, chosen, wanted), strict=True))
    none = dict.fromkeys((m.name for m in chosen), None)
    now, then, before = (got.get(id(p), none) for p in (period, prior, previous))
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


def _local_day(v: datetime | date, zone: ZoneInfo) -> date:
    """The platform day of a stored timestamp (naive = UTC; Spark may hand back an aware one)."""
    if not isinstance(v, datetime):
        return v
    return (v.replace(tzinfo=UTC) if v.tzinfo is None else v).astimezone(zone).date()


def data_range(tables: Tables, zone: ZoneInfo = UTC_ZONE) -> tuple[date, date] | None:
    """The data's span: the first and last platform day (in ``zone``) on which a work was published; None
    without works. Only works count: boosts the service delivers (work_boost, work_daily rows written by
    ``guanghe serve``/``replay``), income and follower snapshots do not move the span."""
    w = tables["works"]
    row = w.aggregate(first=w.published_at.min(), last=w.published_at.max()).to_pyarrow().to_pylist()[0]
    if row["first"] is None:
        return None
    return _local_day(row["first"], zone), _local_day(row["last"], zone)


def resolve_period(tables: Tables, text: str, zone: ZoneInfo = UTC_ZONE) -> Period:
    """Parse period text into days of ``zone``, with the data's span attached (``last-Nm`` ends with the data's
    last complete month)."""
    relative = text.strip().lower().startswith("last-")
    fixed = None if relative else parse_period(text, zone=zone)  # bad text fails before any query
    rng = data_range(tables, zone)
    p = fixed or parse_period(text, rng[1] if rng else None, zone)
    return p.with_data(*rng) if rng else p
