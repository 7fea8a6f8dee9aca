"""Template filters of the operator console, added to the shared Jinja environment on import: a metric value
by its unit (``metrics.format``: counts, fen as ¥, shares) and a relative change (+14.8%)."""

from __future__ import annotations

from guanghe.metrics.format import fmt_change, fmt_value
from guanghe.web.templating import env

env.filters.update(metric=lambda v, unit: fmt_value(v, unit), change=fmt_change)
