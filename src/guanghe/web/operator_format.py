"""Template filters of the operator console, added to the shared Jinja environment on import: a metric value
by its unit (``metrics.format``: counts, fen as ¥, shares) and a relative change (+14.8%)."""

from __future__ import annotations

import json

from guanghe.metrics.format import fmt_change, fmt_value
from guanghe.web.templating import env

env.filters.update(metric=lambda v, unit: fmt_value(v, unit), change=fmt_change)


def op_json(data: object) -> str:
    """A chart option as JSON for a ``data-option`` attribute (a plain string: autoescaping quotes it)."""
    return json.dumps(data, ensure_ascii=False, default=str)


env.filters["op_json"] = op_json
