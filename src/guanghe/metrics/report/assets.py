"""The report's scripts and fonts: the vendored charting library and our glue, read from the package.

The page inlines both, so it opens offline; nothing is fetched from a CDN.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

ECHARTS_VERSION = "6.1.0"
ECHARTS_SHA256 = "61f13280aba3161f77fc801bf5f9c786f55f10432153a0683fc5cc0700b013d5"

# Latin UI fonts first, then a CJK font every common system has, so Chinese never falls back to boxes.
FONT_STACK = (
    'system-ui, -apple-system, "Segoe UI", "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", '
    '"Hiragino Sans GB", "Microsoft YaHei", "WenQuanYi Micro Hei", "Noto Sans SC", sans-serif'
)

_HERE = files("guanghe.metrics.report")


@cache
def echarts_js() -> str:
    """Apache ECharts (``vendor/echarts/echarts.common.min.js``, Apache-2.0)."""
    return (_HERE / "vendor" / "echarts" / "echarts.common.min.js").read_text(encoding="utf-8")


@cache
def glue_js() -> str:
    """Turns each figure's JSON spec into a chart (``charts.js``)."""
    return (_HERE / "charts.js").read_text(encoding="utf-8")


def inline_script(code: str) -> str:
    """``code`` in a ``<script>`` element, with any ``</script`` it contains made harmless."""
    return "<script>" + code.replace("</script", "<\\/script") + "</script>"
