"""Write the ecosystem report: one self-contained HTML file that opens offline.

Charts are drawn by Apache ECharts, vendored in the package and inlined with our glue script; every label is
formatted here (``numbers``). Without scripts the page still shows each figure's numbers as a table.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

import ibis

from guanghe.data.tiers import TIERS
from guanghe.metrics.catalog import Tables, get
from guanghe.metrics.compute import data_range, resolve_period
from guanghe.metrics.headline import headline
from guanghe.metrics.period import UTC_ZONE, Period
from guanghe.metrics.report.assets import echarts_js, glue_js, inline_script
from guanghe.metrics.report.badges import badges_section
from guanghe.metrics.report.breakdown import (
    TIER_MEASURES,
    by_channel,
    by_tier,
    channel_by_month,
    monthly_trends,
    months_in,
    tier_shares,
)
from guanghe.metrics.report.charts import TIER_COLORS, Figure, bar_figure, line_figure
from guanghe.metrics.report.market import market_section
from guanghe.metrics.report.money import MoneyReport, money_section
from guanghe.metrics.report.numbers import cn, percent, yuan
from guanghe.metrics.report.operator import NO_PLAN, PlanReport, ProgramLine, plan_report
from guanghe.metrics.report.page import (
    CSS,
    SIMULATION_PAGE,
    card,
    fmt_change,
    fmt_value,
    links_beside,
    nav_links,
    table,
)
from guanghe.metrics.report.tasks import tasks_section

__all__ = ["fmt_change", "fmt_value", "period_is_partial", "render", "write_report"]

TITLE = "Guanghe 光合 · creator ecosystem report"


def period_is_partial(period: Period) -> bool:
    """True when the data does not cover every day of ``period`` (the headline card then shows a
    "partial period" badge)."""
    return period.partial


def _figures(figs: list[Figure], start: int) -> str:
    return "".join(f.html(f"fig-{start + i}") for i, f in enumerate(figs))


def _trends(tables: Tables, months: list[Period]) -> list[Figure]:
    trends = monthly_trends(tables, months)
    x = [m.label for m in months]
    labels = {m.name: m.label for m in get()}

    def ys(name: str) -> list[float]:
        return [v for _, v in trends[name]]

    by_channel_month = channel_by_month(tables, months)
    return [
        line_figure(
            "作品发布数 works published / month", x, {labels["works_published"]: ys("works_published")}
        ),
        line_figure(
            "活跃发文作者 active posting creators / month",
            x,
            {
                labels["active_creators"]: ys("active_creators"),
                labels["active_creators_10k"]: ys("active_creators_10k"),
            },
        ),
        line_figure(
            "创作者收入 creator income / month (元 CNY)",
            x,
            {"income 收入": [v / 100 for v in ys("income_total_fen")]},
            fmt=lambda v: "¥" + cn(v),
        ),
        line_figure(
            "流量扶持 support traffic / month (boosted impressions)",
            x,
            {"boosted impressions 扶持曝光": ys("support_impressions")},
        ),
        bar_figure(
            "收入渠道 income by channel / month (元 CNY)",
            x,
            {c: [fen / 100 for fen in v] for c, v in by_channel_month.items()},
            fmt=lambda v: "¥" + cn(v),
            stack=True,
            labels=False,
            height=340,
        ),
    ]


def _breakdowns(tables: Tables, year: Period, plan: PlanReport | None) -> str:
    channels = by_channel(tables, year)
    tiers = by_tier(tables, year)
    shares = tier_shares(tiers)
    measures = list(TIER_MEASURES.values())
    if plan is not None:  # the plan's allocation by tier, beside what was delivered
        for kind, label in (
            ("impressions", "planned impressions 计划扶持流量"),
            ("cash_fen", "planned cash 计划现金"),
        ):
            total = sum(plan.tiers[kind].values())
            if total:
                measures.append(label)
                for t, _ in TIERS:
                    shares[t].append(plan.tiers[kind][t] / total)
    figs = [
        bar_figure(
            f"income by channel 收入渠道 ({year.label}, 元 CNY)",
            [c for c, _ in channels],
            {"income": [fen / 100 for _, fen in channels]},
            fmt=lambda v: "¥" + cn(v),
            horizontal=True,
        ),
        bar_figure(
            f"spread across tiers 分层占比 ({year.label}): each tier's share of the total",
            measures,
            shares,
            fmt=percent,
            horizontal=True,
            percent=True,
            axis_max=1.0,
            colors=[TIER_COLORS[t] for t, _ in TIERS],
        ),
    ]
    figs[1].note = (
        "Share of each total by tier (head ≥ 1,000,000 followers; waist ≥ 10,000; tail below). A nonzero share "
        "is drawn at least 2 px long so a small tier stays visible; the label gives its value."
    )
    tier_rows = [
        (
            str(t["tier"]),
            f"{t['creators']:,}",
            f"{t['active']:,}",
            f"{t['works']:,}",
            fmt_value(int(t["income_fen"]), "fen"),  # type: ignore[call-overload]
            f"{t['supported']:,}",
            f"{t['boost_impressions']:,}",
        )
        for t in tiers
    ]
    return (
        f'<section><h2>Breakdowns ({escape(year.label)})</h2><div class="charts">{_figures(figs, 10)}</div>'
        "<h3>By tier (followers at period end: head ≥ 1,000,000; waist ≥ 10,000; tail below)</h3>"
        + table(
            ("tier", "creators", "active", "works", "income", "supported", "support impressions"), tier_rows
        )
        + "<h3>By channel</h3>"
        + table(("channel", "income"), [(c, fmt_value(fen, "fen")) for c, fen in channels])
        + "</section>"
    )


def _programs(plan: PlanReport | None) -> str:
    head = "<section><h2>Support programs 扶持计划 — budget, delivery, pacing</h2>"
    if plan is None:
        return head + f'<p class="empty">{escape(NO_PLAN)}.</p></section>'
    imp, cash = plan.kind("impressions"), plan.kind("cash_fen")
    figs = []
    if imp:
        figs.append(
            bar_figure(
                "impressions 流量: budget, allocated, delivered to date",
                [x.program for x in imp],
                {
                    "budget 预算": [x.budget for x in imp],
                    "allocated 已分配": [x.allocated for x in imp],
                    "delivered 已投放": [x.delivered_to_date for x in imp],
                },
                horizontal=True,
            )
        )
        paced = [x for x in imp if x.attainment is not None]
        if paced:
            figs.append(
                bar_figure(
                    f"pacing attainment 投放达成率: delivered / planned to {plan.data_end}",
                    [x.program for x in paced],
                    {"attainment": [x.attainment for x in paced]},
                    fmt=percent,
                    horizontal=True,
                    percent=True,
                    target=1.0,
                )
            )
            figs[-1].note = "Dashed line: 100%, delivery on plan."
    if cash:
        figs.append(
            bar_figure(
                "cash 现金: budget and allocated (元 CNY)",
                [x.program for x in cash],
                {
                    "budget 预算": [x.budget / 100 for x in cash],
                    "allocated 已分配": [x.allocated / 100 for x in cash],
                },
                fmt=lambda v: "¥" + cn(v),
                horizontal=True,
            )
        )
    return (
        head
        + f'<p class="note">plan <b>{escape(plan.plan_id)}</b>, made {plan.created_at:%Y-%m-%d %H:%M} UTC on data '
        f"as of {plan.as_of}; delivery counted up to {plan.data_end}, the last day with data. Delivered: "
        "boosted impressions (work_boost) of the program on its delivery days; attainment: delivered / planned "
        "(daily quotas) over the same days. Shadow price: value per extra unit of budget, in follows (with outcome weights: "
        "follows of an average creator's worth, docs/allocation.md).</p>"
        + (f'<div class="charts">{_figures(figs, 20)}</div>' if figs else "")
        + _program_tables(imp, cash)
        + "</section>"
    )


def _window(x: ProgramLine) -> str:
    return f"{x.first_day} → {x.last_day}" if x.first_day else "—"


def _not_started(x: ProgramLine) -> str:
    return f"starts {x.first_day}" if x.first_day else "—"


def _program_tables(imp: list[ProgramLine], cash: list[ProgramLine]) -> str:
    out = ""
    if imp:
        rows = []
        for x in imp:
            attained = percent(x.attainment) if x.attainment is not None else _not_started(x)
            rows.append(
                (x.program, cn(x.budget), cn(x.allocated), cn(x.delivered_to_date or 0), attained,
                 f"{x.creators:,}", cn(x.shadow_price), x.binding or "—", _window(x))
            )  # fmt: skip
        out += "<h3>Impressions by program</h3>" + table(
            ("program", "budget", "allocated", "delivered to date", "attainment", "creators",
             "shadow price / impression", "binding", "delivery days"),
            rows,
        )  # fmt: skip
    if cash:
        rows = [
            (x.program, yuan(x.budget), yuan(x.allocated), f"{x.creators:,}", cn(x.shadow_price), x.binding or "—",
             _window(x))
            for x in cash
        ]  # fmt: skip
        out += (
            '<h3>Cash by program</h3><p class="note">Cash paid out is kept in the ledger, not the warehouse: '
        )
        out += "no delivery here.</p>" + table(
            ("program", "budget", "allocated", "creators", "shadow price / fen", "binding", "delivery days"),
            rows,
        )
    return out


def render(
    tables: Tables,
    title: str = TITLE,
    plan: dict[str, ibis.Table] | None = None,
    zone: ZoneInfo = UTC_ZONE,
    money: MoneyReport | None = None,
    pages: Sequence[tuple[str, str]] = (),
) -> str:
    """The report page, days counted in ``zone``. ``plan``: the warehouse's plan tables
    (``operator.plan_tables``); None: no plan. ``money``: the settled months (``money.money_report``).
    ``pages``: (label, relative href) of the report's other pages, linked under the title."""
    rng = data_range(tables, zone)
    if rng is None:
        raise ValueError("the warehouse is empty: ingest data first (guanghe ingest PATH or guanghe demo)")
    rows = headline(tables, zone)
    year = resolve_period(tables, "last-12m", zone)
    months = months_in(rng[0], rng[1], zone=zone)
    report = plan_report(tables, plan, rng[1]) if plan is not None else None
    cards = "".join(card(r, period_is_partial(r.value.period)) for r in rows)
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head>
<body><header><h1>{escape(title)}</h1>
<div>data {rng[0]} → {rng[1]} (days in {escape(year.timezone)}) · past year {escape(year.label)} · made {made}</div>
{nav_links(pages)}</header>
<main>
<section><h2>Headline figures — this platform vs the conference</h2><div class="cards">{cards}</div></section>
<section><h2>Trends by month</h2><div class="charts">{_figures(_trends(tables, months), 0)}</div></section>
{_breakdowns(tables, year, report)}
{market_section(tables, months, zone, 40)}
{tasks_section(tables, months, zone, 50)}
{_programs(report)}
{money_section(money, "fig-30")}
{badges_section(tables, 50)}
</main><footer>Generated by guanghe report. Metric definitions: docs/metrics.md. Charts: Apache ECharts
(Apache-2.0), inlined.</footer>
{inline_script(echarts_js())}{inline_script(glue_js())}</body></html>
"""


def write_report(
    tables: Tables,
    path: Path,
    plan: dict[str, ibis.Table] | None = None,
    zone: ZoneInfo = UTC_ZONE,
    money: MoneyReport | None = None,
    pages: Sequence[tuple[str, str]] | None = None,
) -> Path:
    """Render the report and write it atomically (a temp file renamed into place). ``pages``: links to the
    report's other pages; None: the simulation page if one was written beside it."""
    path = Path(path)
    if pages is None:
        pages = links_beside(path, {SIMULATION_PAGE: "Closed-loop simulation →"})
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(render(tables, plan=plan, zone=zone, money=money, pages=pages), encoding="utf-8")
    tmp.replace(path)
    return path
