"""The trust badges' rules as data (``examples/growth/badges.toml``), read and validated: either the file loads
or ``BadgeRuleError`` lists every problem as ``file:line: field: message``.

>>> rules = load_badge_rules(RULES_FILE)
>>> rules.price.window_days, rules.merchant.min_orders, rules.merchant.max_refund_rate_bps
(30, 30, 500)
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from guanghe.programs.errors import Issue, ProgramError
from guanghe.programs.reader import Reader

RULES_FILE = Path(__file__).resolve().parents[3] / "examples" / "growth" / "badges.toml"
BPS = 10_000


@dataclass(frozen=True)
class PriceRule:
    """敢比价: the product's price is at most every price another product of its sku_group had in the window."""

    window_days: int


@dataclass(frozen=True)
class MerchantRule:
    """信任购: enough orders in the window, few refund requests and complaints, refunds handled in time."""

    window_days: int
    min_orders: int
    max_refund_rate_bps: int
    max_complaint_rate_bps: int
    refund_hours: int
    min_on_time_bps: int


@dataclass(frozen=True)
class BadgeRules:
    price: PriceRule
    merchant: MerchantRule
    source: str = "<string>"


# section -> key -> (what the value is, smallest, largest): the whole file format, as data
SPEC: dict[str, dict[str, tuple[str, int, int]]] = {
    "price": {"window_days": ("the price window in days", 1, 366)},
    "merchant": {
        "window_days": ("the merchant window in days", 1, 366),
        "min_orders": ("the orders a merchant needs in the window to be judged", 1, 10**9),
        "max_refund_rate_bps": ("the highest refund rate in basis points", 0, BPS),
        "max_complaint_rate_bps": ("the highest complaint rate in basis points", 0, BPS),
        "refund_hours": ("the refund handling time in hours", 1, 24 * 366),
        "min_on_time_bps": ("the lowest share of refunds handled on time in basis points", 0, BPS),
    },
}
TOP_KEYS = ("title", "description", *SPEC)


class BadgeRuleError(ProgramError):
    """The badge rule file is invalid; ``issues`` lists every problem found."""

    def _text(self) -> str:
        n = len(self.issues)
        head = f"{n} problem{'s' if n != 1 else ''} in the badge rule file:"
        return "\n".join([head, *(f"  {i}" for i in self.issues)])


def _section(r: Reader, doc: dict, name: str) -> dict[str, int]:
    table = r.table(doc, name, tuple(SPEC[name]))
    out: dict[str, int] = {}
    for key, (what, lo, hi) in SPEC[name].items():
        if table is None:
            break
        path = (name, key)
        if key not in table:
            r.err(path, f"missing; expected {what} (an integer {lo}..{hi})")
            continue
        v = table[key]
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            r.err(path, f"expected {what} (an integer {lo}..{hi}), got {v!r}")
            continue
        out[key] = v
    return out


def parse_badge_rules(text: str, file: str = "<string>") -> BadgeRules:
    """Validate one badge rule document; raise BadgeRuleError listing every problem."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+)", str(e))
        raise BadgeRuleError([Issue(file, int(m.group(1)) if m else 0, "", f"not valid TOML: {e}")]) from e
    r = Reader(file, text)
    r.unknown(doc, (), TOP_KEYS)
    for key in ("title", "description"):
        if key in doc:
            r.string(doc, (key,))
    price, merchant = _section(r, doc, "price"), _section(r, doc, "merchant")
    if r.issues:
        raise BadgeRuleError(r.issues)
    return BadgeRules(PriceRule(**price), MerchantRule(**merchant), file)


def load_badge_rules(path: str | Path = RULES_FILE) -> BadgeRules:
    """Read and validate a badge rule file (default: the example rules)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise BadgeRuleError([Issue(str(p), 0, "", f"cannot read the file: {e.strerror or e}")]) from e
    return parse_badge_rules(text, str(p))
