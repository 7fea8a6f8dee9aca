"""The ecosystem metric catalog: metrics as data, periods, and batched computation on any Ibis engine."""

from __future__ import annotations

from guanghe.metrics.catalog import CATALOG, Metric, MetricError, Source, get, register
from guanghe.metrics.compute import MetricValue, compute, data_range, evaluate, evaluate_many, resolve_period
from guanghe.metrics.period import DEFAULT_PERIOD, UTC_ZONE, Period, PeriodError, parse_period

__all__ = [
    "CATALOG", "DEFAULT_PERIOD", "UTC_ZONE", "Metric", "MetricError", "MetricValue", "Period", "PeriodError", "Source",
    "compute", "data_range", "evaluate", "evaluate_many", "get", "parse_period", "register", "resolve_period",
]  # fmt: skip
