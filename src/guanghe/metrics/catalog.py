"""The metric catalog: every metric defined once, as data, over shared Ibis "sources".

A metric is ``reduce(source.build(tables, period))``: a source builds one Ibis table for a period (works in
the period, income in the period, ...) and the metric reduces it to one scalar. Metrics that share a source
are computed in one aggregate query. Theme modules (creation, income, support, market) register their metrics here;
later work extends the catalog the same way with :func:`register`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
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
    """A table every metric over it reduces: built once per period, shared by identity."""

    name: str
    description: str
    build: Callable[[Tables, Period], ibis.Table]


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
        return self.reduce(self.source.build(tables, period))


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
