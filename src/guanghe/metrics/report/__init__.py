"""The static HTML ecosystem report."""

from guanghe.metrics.report.build import write_report

__all__ = ["write_report"]
