"""The settlement rules file (``examples/money/settlement.toml``): payout threshold and day, the MCN share's
base, the withholding rule with its brackets. Every problem is reported with file:line:field before anything
is written (``SettlementRulesError``, the programs' ``Issue``)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from guanghe.programs.errors import Issue, ProgramError
from guanghe.programs.reader import Reader

RULES_FILE = Path(__file__).resolve().parents[4] / "examples" / "money" / "settlement.toml"
TOP = ("title", "payout_threshold_fen", "payout_day", "mcn", "withholding")
MCN_KEYS = ("base",)
MCN_BASES = ("net_income",)
WITHHOLDING_KEYS = ("rule", "low_income_fen", "fixed_deduction_fen", "deduction_bps", "brackets")
WITHHOLDING_RULES = ("labour_remuneration", "none")
BRACKET_KEYS = ("up_to_fen", "rate_bps", "quick_deduction_fen")


class SettlementRulesError(ProgramError):
    def _text(self) -> str:
        n = len(self.issues)
        head = f"{n} problem{'s' if n != 1 else ''} in the settlement rules:"
        return "\n".join([head, *(f"  {i}" for i in self.issues)])


@dataclass(frozen=True)
class Bracket:
    up_to_fen: int | None  # inclusive upper bound of the taxable amount; None for the last bracket
    rate_bps: int
    quick_deduction_fen: int


@dataclass(frozen=True)
class Withholding:
    rule: str  # labour_remuneration or none
    low_income_fen: int = 0  # income at or below it: taxable = income - fixed_deduction_fen
    fixed_deduction_fen: int = 0
    deduction_bps: int = 0  # income above low_income_fen: taxable = income x (1 - deduction_bps / 10^4)
    brackets: tuple[Bracket, ...] = ()


@dataclass(frozen=True)
class SettlementRules:
    title: str
    payout_threshold_fen: int
    payout_day: int
    mcn_base: str
    withholding: Withholding
    file: str = ""


def load_settlement(path: str | Path = RULES_FILE) -> SettlementRules:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise SettlementRulesError([Issue(str(p), 0, "", f"cannot read the file: {e}")]) from e
    return parse_settlement(text, str(p))


def parse_settlement(text: str, file: str = "<string>") -> SettlementRules:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"\(at line (\d+)", str(e))
        raise SettlementRulesError(
            [Issue(file, int(m.group(1)) if m else 0, "", f"not valid TOML: {e}")]
        ) from e
    r = Reader(file, text)
    r.unknown(doc, (), TOP)
    title = r.string(doc, ("title",), required=False)
    threshold = _int(r, doc, ("payout_threshold_fen",), "the smallest balance paid out, in fen", 1)
    day = _int(r, doc, ("payout_day",), "the day of the next month payouts are sent", 1)
    if day is not None and day > 28:
        r.err(("payout_day",), f"expected a day 1..28 (every month has it), got {day}")
    mcn = r.table(doc, "mcn", MCN_KEYS) or {}
    base = r.string(mcn, ("mcn", "base")) if "mcn" in doc else ""
    if base and base not in MCN_BASES:
        r.err(("mcn", "base"), f"expected one of {', '.join(MCN_BASES)}, got {base!r}")
    withholding = _withholding(r, r.table(doc, "withholding", WITHHOLDING_KEYS))
    if r.issues:
        raise SettlementRulesError(r.issues)
    assert threshold is not None and day is not None and withholding is not None
    return SettlementRules(title, threshold, day, base, withholding, file)


def _int(
    r: Reader, d: dict, path: tuple, what: str, minimum: int = 0, maximum: int | None = None
) -> int | None:
    if path[-1] not in d:
        r.err(path, f"missing; expected {what} (an integer >= {minimum})")
        return None
    v = r.integer(d, path, what, minimum)
    if v is not None and maximum is not None and v > maximum:
        r.err(path, f"expected {what} (an integer {minimum}..{maximum}), got {v}")
        return None
    return v


def _withholding(r: Reader, w: dict | None) -> Withholding | None:
    if w is None:
        return None
    rule = r.string(w, ("withholding", "rule"))
    if rule and rule not in WITHHOLDING_RULES:
        r.err(("withholding", "rule"), f"expected one of {', '.join(WITHHOLDING_RULES)}, got {rule!r}")
    if rule != "labour_remuneration":
        return Withholding(rule or "none")
    p = "withholding"
    low = _int(r, w, (p, "low_income_fen"), "the income up to which the fixed deduction applies, in fen", 0)
    fixed = _int(r, w, (p, "fixed_deduction_fen"), "the fixed deduction in fen", 0)
    bps = _int(r, w, (p, "deduction_bps"), "the deduction above low_income_fen in basis points", 0, 10_000)
    raw = w.get("brackets")
    brackets: list[Bracket] = []
    if not isinstance(raw, list) or not raw or not all(isinstance(b, dict) for b in raw):
        r.err(
            (p, "brackets"),
            "missing; expected [[withholding.brackets]] tables (up_to_fen, rate_bps, "
            "quick_deduction_fen), the last one without up_to_fen",
        )
        return None
    last_bound = -1
    for i, b in enumerate(raw):
        path = ("withholding.brackets", i)  # the [[withholding.brackets]] table (its line: programs' Locator)
        r.unknown(b, path, BRACKET_KEYS)
        final = i == len(raw) - 1
        up_to = None
        if "up_to_fen" in b:
            up_to = r.integer(b, (*path, "up_to_fen"), "the bracket's upper bound in fen", 1)
            if final:
                r.err((*path, "up_to_fen"), "the last bracket has no upper bound: remove up_to_fen")
            elif up_to is not None and up_to <= last_bound:
                r.err(
                    (*path, "up_to_fen"),
                    f"expected a bound above the previous bracket's {last_bound}, got {up_to}",
                )
            elif up_to is not None:
                last_bound = up_to
        elif not final:
            r.err(
                (*path, "up_to_fen"),
                "missing; expected the bracket's upper bound in fen (only the last bracket has none)",
            )
        rate = _int(r, b, (*path, "rate_bps"), "the bracket's rate in basis points", 0, 10_000)
        quick = _int(r, b, (*path, "quick_deduction_fen"), "the bracket's quick deduction in fen", 0)
        if rate is not None and quick is not None:
            brackets.append(Bracket(up_to, rate, quick))
    if low is None or fixed is None or bps is None or len(brackets) != len(raw):
        return None
    return Withholding(rule, low, fixed, bps, tuple(brackets))
