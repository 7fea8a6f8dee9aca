"""Read and validate channel rule files: every problem at once, each as ``file:line: field: message``.

Unknown keys are errors, rates are integer basis points 0..10000, bonus and fee-discount programs must be among
the loaded programs, and each channel of ``data.money_schema.CHANNELS`` has exactly one file. Either every file
loads or ``ChannelError`` lists every problem: nothing partial is used (and nothing is written).

>>> from guanghe.programs import PROGRAMS_DIR, load_programs
>>> rules = load_channels(CHANNELS_DIR, [p.name for p in load_programs(PROGRAMS_DIR)])
>>> rules.ad_share.share_bps["tail"], rules.affiliate.return_window_days, rules.brand_deal.fee_discount[0]
(5000, 7, FeeDiscount(program='xiaomai', fee_bps=200))
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from pathlib import Path

from guanghe.data.money_schema import CHANNELS, TOUCHPOINTS
from guanghe.data.tiers import TIERS
from guanghe.money.chart import check_program_codes
from guanghe.money.rules import (
    BPS,
    CHANNELS_DIR,
    AdShareRule,
    AffiliateRule,
    Bonus,
    BrandDealRule,
    ChannelRule,
    ChannelRules,
    FeeDiscount,
    IncentiveRule,
    LocalLifeRule,
    TaskRule,
)
from guanghe.programs.errors import Issue, ProgramError
from guanghe.programs.load import load_programs
from guanghe.programs.reader import Reader

COMMON = ("channel", "title", "description")
KEYS: dict[str, tuple[str, ...]] = {
    "ad_share": ("share_bps", "bonus"),
    "affiliate": ("platform_take_bps", "return_window_days", "bonus"),
    "local_life": ("platform_take_bps", "bonus"),
    "brand_deal": ("fee_bps", "fee_discount"),
    "incentive": ("installment", "condition"),
    "task": (),
}
TIER_NAMES = tuple(name for name, _ in TIERS)
INSTALLMENTS, CONDITIONS = ("weekly",), ("posted_in_week",)
MAX_WINDOW_DAYS = 365
_MISSING = object()


class ChannelError(ProgramError):
    """One or more channel rule files are invalid; ``issues`` lists every problem found."""

    def _text(self) -> str:
        n = len(self.issues)
        head = f"{n} problem{'s' if n != 1 else ''} in channel rule files:"
        return "\n".join([head, *(f"  {i}" for i in self.issues)])


class _Rules(Reader):
    """A Reader with the checks channel files need: basis points, program names, arrays of tables."""

    def __init__(self, file: str, text: str, programs: set[str]) -> None:
        super().__init__(file, text)
        self.programs = programs

    def bps(self, d: dict, path: tuple, what: str, required: bool = True) -> int | None:
        if path[-1] not in d:
            if required:
                self.err(path, f"missing; expected {what} in basis points (an integer 0..{BPS})")
            return None
        v = d[path[-1]]
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= BPS:
            self.err(path, f"expected {what} in basis points (an integer 0..{BPS}), got {v!r}")
            return None
        return v

    def program(self, d: dict, path: tuple) -> str:
        name = self.string(d, path)
        if name and name not in self.programs:
            known = ", ".join(sorted(self.programs)) or "none"
            self.err(path, f"unknown program {name!r}; expected one of the loaded programs: {known}")
            return ""
        return name

    def entries(self, doc: dict, key: str, allowed: tuple[str, ...]) -> list[tuple[tuple, dict]]:
        raw = doc.get(key, [])
        if not isinstance(raw, list) or not all(isinstance(x, dict) for x in raw):
            self.err((key,), f"expected [[{key}]] tables ({', '.join(allowed)})")
            return []
        out = []
        for i, d in enumerate(raw):
            self.unknown(d, (key, i), allowed)
            out.append(((key, i), d))
        return out

    def once(self, seen: set[str], name: str, path: tuple) -> None:
        if name and name in seen:
            self.err(path, f"program {name!r} is listed twice; expected one entry per program")
        seen.add(name)


def _bonuses(r: _Rules, doc: dict, rate_key: str, touchpoints: bool) -> tuple[Bonus, ...]:
    allowed = ("program", *(("touchpoints",) if touchpoints else ()), rate_key)
    out, seen = [], set()
    for path, d in r.entries(doc, "bonus", allowed):
        name = r.program(d, (*path, "program"))
        r.once(seen, name, (*path, "program"))
        rate = r.bps(d, (*path, rate_key), "the bonus rate" if rate_key == "bps" else "the extra share")
        where: tuple[str, ...] = ()
        if touchpoints:
            v = d.get("touchpoints", _MISSING)
            good = isinstance(v, list) and v and all(t in TOUCHPOINTS for t in v) and len(set(v)) == len(v)
            if not good:
                got = "nothing" if v is _MISSING else repr(v)
                r.err((*path, "touchpoints"), f"expected a non-empty list of distinct touchpoints among "
                                              f"{', '.join(TOUCHPOINTS)}, got {got}")  # fmt: skip
            else:
                where = tuple(v)
        if name and rate is not None:
            out.append(Bonus(name, rate, where))
    return tuple(out)


def _ad_share(r: _Rules, doc: dict, base: dict) -> AdShareRule:
    table = r.table(doc, "share_bps", TIER_NAMES) or {}
    share = {}
    for tier in TIER_NAMES:
        if table and (v := r.bps(table, ("share_bps", tier), f"the {tier} creators' share")) is not None:
            share[tier] = v
    bonus = _bonuses(r, doc, "extra_bps", touchpoints=False)
    extra = sum(b.bps for b in bonus)
    if share and extra and max(share.values()) + extra > BPS:
        top = max(share.values())
        why = f"the highest share {top} bp plus every bonus ({extra} bp) exceeds {BPS} bp"
        r.err(("bonus", len(bonus) - 1, "extra_bps"), why + ": the platform's part would be negative")
    return AdShareRule(**base, share_bps=share, bonus=bonus)


def _affiliate(r: _Rules, doc: dict, base: dict) -> AffiliateRule:
    take = r.bps(doc, ("platform_take_bps",), "the platform's take of the commission")
    window = doc.get("return_window_days")
    if window is None:
        r.err(("return_window_days",), f"missing; expected days after delivery (0..{MAX_WINDOW_DAYS})")
    elif isinstance(window, bool) or not isinstance(window, int) or not 0 <= window <= MAX_WINDOW_DAYS:
        r.err(("return_window_days",), f"expected days after delivery (an integer 0..{MAX_WINDOW_DAYS}), "
                                       f"got {window!r}")  # fmt: skip
        window = None
    bonus = _bonuses(r, doc, "bps", touchpoints=True)
    return AffiliateRule(**base, platform_take_bps=take or 0, return_window_days=window or 0, bonus=bonus)


def _local_life(r: _Rules, doc: dict, base: dict) -> LocalLifeRule:
    take = r.bps(doc, ("platform_take_bps",), "the platform's take of the commission")
    return LocalLifeRule(
        **base, platform_take_bps=take or 0, bonus=_bonuses(r, doc, "bps", touchpoints=False)
    )


def _brand_deal(r: _Rules, doc: dict, base: dict) -> BrandDealRule:
    fee = r.bps(doc, ("fee_bps",), "the service fee")
    out, seen = [], set()
    for path, d in r.entries(doc, "fee_discount", ("program", "fee_bps")):
        name = r.program(d, (*path, "program"))
        r.once(seen, name, (*path, "program"))
        low = r.bps(d, (*path, "fee_bps"), "the reduced service fee")
        if low is not None and fee is not None and low > fee:
            r.err((*path, "fee_bps"), f"expected a fee at most the standard fee_bps {fee}, got {low}")
        elif name and low is not None:
            out.append(FeeDiscount(name, low))
    return BrandDealRule(**base, fee_bps=fee or 0, fee_discount=tuple(out))


def _choice(r: _Rules, doc: dict, key: str, allowed: tuple[str, ...]) -> str:
    v = doc.get(key, allowed[0])
    if v not in allowed:
        r.err((key,), f"expected one of: {', '.join(allowed)}; got {v!r}")
    return v


def _incentive(r: _Rules, doc: dict, base: dict) -> IncentiveRule:
    return IncentiveRule(**base, installment=_choice(r, doc, "installment", INSTALLMENTS),
                         condition=_choice(r, doc, "condition", CONDITIONS))  # fmt: skip


BUILD = {"ad_share": _ad_share, "affiliate": _affiliate, "local_life": _local_life, "brand_deal": _brand_deal,
         "incentive": _incentive, "task": lambda r, doc, base: TaskRule(**base)}  # fmt: skip


def parse_channel(text: str, file: str, programs: Iterable[str]) -> ChannelRule:
    """Validate one channel rule document; raise ChannelError listing every problem."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+)", str(e))
        raise ChannelError([Issue(file, int(m.group(1)) if m else 0, "", f"not valid TOML: {e}")]) from e
    r = _Rules(file, text, set(programs))
    channel = r.string(doc, ("channel",))
    if channel and channel not in CHANNELS:
        r.err(("channel",), f"unknown channel {channel!r}; expected one of: {', '.join(CHANNELS)}")
    if channel not in CHANNELS:
        raise ChannelError(r.issues)
    r.unknown(doc, (), COMMON + KEYS[channel])
    base = {"channel": channel, "title": r.string(doc, ("title",)),
            "description": r.string(doc, ("description",), required=False), "source": file}  # fmt: skip
    rule = BUILD[channel](r, doc, base)
    if r.issues:
        raise ChannelError(r.issues)
    for key in (*COMMON, *KEYS[channel]):
        if n := r.loc.line((key,)):
            rule.lines[key] = n
    return rule


def load_channels(directory: str | Path, programs: Iterable[str]) -> ChannelRules:
    """Every ``*.toml`` of a directory, one per channel; all load, or ChannelError lists every problem.
    ``programs``: the names of the loaded programs (bonuses and fee discounts must name one of them)."""
    d, names = Path(directory), list(programs)
    if not d.is_dir():
        raise ChannelError([Issue(str(d), 0, "", "not a directory of channel rule files (*.toml)")])
    rules: dict[str, ChannelRule] = {}
    issues: list[Issue] = []
    for f in sorted(d.glob("*.toml")):
        try:
            rule = parse_channel(f.read_text(encoding="utf-8"), str(f), names)
        except (OSError, UnicodeDecodeError) as e:
            issues.append(Issue(str(f), 0, "", f"cannot read the file: {e}"))
            continue
        except ChannelError as e:
            issues.extend(e.issues)
            continue
        if rule.channel in rules:
            first = rules[rule.channel].source
            issues.append(Issue(str(f), rule.lines.get("channel", 0), "channel",
                                f"channel {rule.channel!r} already defined in {first}"))  # fmt: skip
            continue
        rules[rule.channel] = rule
    missing = [c for c in CHANNELS if c not in rules]
    if missing and not issues:
        issues.append(Issue(str(d), 0, "", f"no rule file for the channel(s) {', '.join(missing)}; expected "
                                           "one file per channel (channel = \"...\")"))  # fmt: skip
    if issues:
        raise ChannelError(issues)
    return ChannelRules(**rules)  # type: ignore[arg-type]


def load_rules(channels: str | Path, programs: str | Path) -> tuple[ChannelRules, list[str]]:
    """The channel rules of ``channels`` checked against the programs of ``programs`` (whose codes must be
    distinct): (rules, program names). ProgramError (ChannelError for channel files) lists every problem."""
    names = [p.name for p in load_programs(programs)]
    try:
        check_program_codes(names)
    except ValueError as e:
        raise ProgramError([Issue(str(programs), 0, "name", str(e))]) from e
    return load_channels(channels, names), names


__all__ = ["CHANNELS_DIR", "ChannelError", "load_channels", "load_rules", "parse_channel"]
