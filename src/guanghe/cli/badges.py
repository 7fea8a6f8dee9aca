"""``guanghe badges run|show``: the trust badges 敢比价 (price-compare) and 信任购 (trusted purchase)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer
from rich.table import Table

from guanghe.cli.app import app, console, err_console, open_or_exit, progress, warehouse_option, zone_or_exit
from guanghe.data.warehouse import WarehouseError
from guanghe.growth.badge_rules import RULES_FILE, BadgeRuleError, BadgeRules, load_badge_rules
from guanghe.growth.badges import (
    BadgeError,
    badge_days,
    day_summary,
    default_day,
    explain_merchant,
    explain_product,
    run_badges,
)

EXIT_BAD_INPUT = 2
badges_app = typer.Typer(help="Trust badges: 敢比价 (price-compare) and 信任购 (trusted purchase).",
                         no_args_is_help=True)  # fmt: skip
app.add_typer(badges_app, name="badges")

RULES_OPTION = typer.Option(RULES_FILE, "--rules", "-r", help="Badge rule file (TOML).")
TZ_HELP = "The platform's time zone: days are counted in it (default: $GUANGHE_TIMEZONE, else UTC)."


def _fail(message: object) -> typer.Exit:
    err_console.print(f"[red]error:[/] {message}", markup=True, highlight=False, soft_wrap=True)
    return typer.Exit(EXIT_BAD_INPUT)


def _day(text: str | None, flag: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as e:
        raise _fail(f"{flag}: expected a date like 2023-06-30, got {text!r}") from e


def _rules(path: Path) -> BadgeRules:
    try:
        return load_badge_rules(path)
    except BadgeRuleError as e:
        raise _fail(e) from e


@badges_app.command("run")
def run_command(
    as_of: str = typer.Option(..., "--as-of", help="Day to compute the badges for (YYYY-MM-DD)."),
    through: str | None = typer.Option(None, "--through", help="Last day of a range starting at --as-of."),
    rules_file: Path = RULES_OPTION,
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    warehouse: str = typer.Option(warehouse_option, "--warehouse", "-w", help="Warehouse URL."),
    timezone: str | None = typer.Option(None, "--timezone", help=TZ_HELP, show_default=False),
) -> None:
    """Compute 敢比价 and 信任购 for a day (or each day through --through) and store them; a rerun replaces them."""
    zone = zone_or_exit(timezone)
    rules = _rules(rules_file)
    try:
        days = badge_days(_day(as_of, "--as-of"), _day(through, "--through"))  # type: ignore[arg-type]
    except BadgeError as e:
        raise _fail(e) from e
    wh = open_or_exit(warehouse)
    try:
        with progress() as bar:
            task = bar.add_task("badges", total=len(days))
            result = run_badges(wh, days, rules, zone, on_day=lambda _: bar.advance(task))
    except (BadgeError, WarehouseError) as e:
        raise _fail(e) from e
    finally:
        wh.close()
    if as_json:
        doc = {"rules": rules.source, "days": [day_summary(d) for d in result]}
        typer.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    t = Table(title=f"Trust badges (rules {rules.source})", title_justify="left")
    for col in ("day", "products", "敢比价", "merchants", "judged", "信任购"):
        t.add_column(col, justify="right")
    for d in result:
        t.add_row(str(d.as_of), f"{d.products:,}", f"{d.price_badges:,}", f"{d.merchants:,}", f"{d.judged:,}",
                  f"{d.trusted:,}")  # fmt: skip
    console.print(t)


@badges_app.command("show")
def show_command(
    product: int | None = typer.Option(None, "--product", help="Product id: why it holds 敢比价 or not."),
    merchant: int | None = typer.Option(None, "--merchant", help="Merchant id: why it holds 信任购 or not."),
    as_of: str | None = typer.Option(None, "--as-of", help="Day (default: the latest badge run's day)."),
    rules_file: Path = RULES_OPTION,
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of text."),
    warehouse: str = typer.Option(warehouse_option, "--warehouse", "-w", help="Warehouse URL."),
    timezone: str | None = typer.Option(None, "--timezone", help=TZ_HELP, show_default=False),
) -> None:
    """Why a product holds 敢比价 or a merchant holds 信任购 on a day, or why not, with the figures."""
    if (product is None) == (merchant is None):
        raise _fail("give exactly one of --product ID and --merchant ID")
    zone = zone_or_exit(timezone)
    rules = _rules(rules_file)
    day = _day(as_of, "--as-of")
    wh = open_or_exit(warehouse)
    try:
        day = day or default_day(wh)
        if product is not None:
            doc = explain_product(wh, product, day, rules)
        else:
            doc = explain_merchant(wh, merchant, day, rules, zone)  # type: ignore[arg-type]
    except (BadgeError, WarehouseError) as e:
        raise _fail(e) from e
    finally:
        wh.close()
    if as_json:
        typer.echo(json.dumps(doc, ensure_ascii=False, indent=2, default=str))
        return
    _print(doc)


def _print(doc: dict) -> None:
    name, who = ("敢比价", f"product {doc['product_id']}") if "product_id" in doc else (
        "信任购", f"merchant {doc['merchant_id']}")  # fmt: skip
    verdict = "[green]holds[/]" if doc["badge"] else "[red]does not hold[/]"
    console.print(f"{who} {verdict} {name} on {doc['as_of']}: {doc['why']}", highlight=False)
    if doc.get("checks"):
        t = Table(title_justify="left")
        for col in ("rule", "met", "figure", "limit"):
            t.add_column(col)
        for c in doc["checks"]:
            t.add_row(c["rule"], "yes" if c["ok"] else "[red]no[/]", c["figure"], c["limit"])
        console.print(t)
    if doc.get("comparables"):
        t = Table(title=f"other products of {doc['sku_group']} (lowest price of the window first)",
                  title_justify="left")  # fmt: skip
        for col in ("product", "merchant", "price now", "lowest in window"):
            t.add_column(col, justify="right")
        for c in doc["comparables"][:10]:
            t.add_row(str(c["product_id"]), str(c["merchant_id"]), f"¥{c['price_fen'] / 100:,.2f}",
                      f"¥{c['low'] / 100:,.2f}")  # fmt: skip
        console.print(t)
