"""The metric catalog: every metric defined once, as data, over shared Ibis "sources".

A metric is a reduction of a shared Ibis "source": a source builds one Ibis table for a list of periods (works
in each period, income in each period, ...), each row tagged with the index of its period in a ``period``
column, and the metric reduces the rows of one period to one scalar (``group_by("period")``). Metrics that
share a source are computed in one grouped aggregate, every period at once. A reduction over no rows must be
0 or NULL (sum, count, distinct count, a share of counts): a period without rows in a source has no group.
Theme modules (creation, income, support, market, tasks) register their metrics here; later work extends the
catalog the same way with :func:`register`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from guanghe.metrics.period import Period

Tables = Mapping[str, ibis.Table]
UNITS = ("count", "fen", "share")


class MetricError(KeyError):
    """An unknown metric name."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True, eq=False)
class Source:
    """A table every metric over it reduces, shared by identity: ``build(tables, periods)`` gives the rows of
    every period at once, with a ``period`` column (index into ``periods``)."""

    name: str
    description: str
    build: Callable[[Tables, Sequence[Period]], ibis.Table]


def each_period(
    fn: Callable[[Tables, Period], ibis.Table],
) -> Callable[[Tables, Sequence[Period]], ibis.Table]:
    """A source's ``build`` from the rows of one period: the rows of every period, unioned, each tagged with
    its period's index (a row in two overlapping periods appears once per period)."""

    def build(tables: Tables, periods: Sequence[Period]) -> ibis.Table:
        return union_all([fn(tables, p).mutate(period=period_index(i)) for i, p in enumerate(periods)])

    return build


def period_index(i: int) -> ir.IntegerScalar:
    """The ``period`` column's value for the ``i``-th period."""
    return ibis.literal(i, type="int16")


def union_all(parts: Sequence[ibis.Table]) -> ibis.Table:
    return parts[0] if len(parts) == 1 else ibis.union(*parts, distinct=False)


@dataclass(frozen=True, eq=False)
class Metric:
    name: str
    label: str  # Chinese label, as in the seed report
    definition: str  # precise English definition
    unit: str  # count | fen | share
    formula: str  # the computation, in words a reader can check
    source: Source
    reduce: Callable[[ibis.Table], ir.Scalar]

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"metric {self.name}: unit {self.unit!r} not in {UNITS}")

    def expr(self, tables: Tables, period: Period) -> ir.Scalar:
        """The Ibis expression for this metric over ``period``."""
        return self.reduce(self.source.build(tables, [period]))


CATALOG: dict[str, Metric] = {}


def register(*metrics: Metric) -> None:
    for m in metrics:
        if m.name in CATALOG:
            raise ValueError(f"metric {m.name!r} registered twice")
        CATALOG[m.name] = m


def get(names: Iterable[str] | None = None) -> list[Metric]:
    """Metrics by name, in catalog order when ``names`` is None."""
    _load()
    if names is None:
        return list(CATALOG.values())
    out = []
    for n in names:
        if n not in CATALOG:
            raise MetricError(f"unknown metric {n!r}; known: {', '.join(CATALOG)}")
        out.append(CATALOG[n])
    return out


def _load() -> None:
    from guanghe.metrics import creation, income, market, support, tasks  # noqa: F401 - registers metrics
