"""The static HTML ecosystem report."""

from guanghe.metrics.report.build import write_report
from guanghe.metrics.report.money import money_report
from guanghe.metrics.report.operator import plan_tables

__all__ = ["money_report", "plan_tables", "write_report"]
