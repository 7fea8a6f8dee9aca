"""How a warehouse table is declared: columns with their types and checks, keys, cross-column row checks.

``data/schema.py`` declares the platform's tables with these; other rooms declare their own derived tables
(plans, deliveries, statements) the same way and import them from where they are declared.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pyarrow as pa


@dataclass(frozen=True)
class Plausible:
    """Plausible values of a date or timestamp column: from ``earliest`` (midnight UTC) to ``ahead`` after
    the time of loading. Values outside (year 0, year 10000, a clock set to 1970 or 2099) are quarantined."""

    earliest: date
    ahead: timedelta = timedelta(days=1)

    def bounds(self, now: datetime) -> tuple[datetime, datetime]:
        """(lowest, highest) allowed as naive UTC datetimes, ``now`` being the load's time (naive UTC)."""
        return datetime.combine(self.earliest, time()), now + self.ahead

    @property
    def horizon(self) -> str:
        """The upper bound in words: ``now + 1 day``."""
        days = self.ahead / timedelta(days=1)
        return f"now + {days:g} day{'s' if days != 1 else ''}"

    def rule(self) -> str:
        return f"from {self.earliest} to {self.horizon}"


ACTIVITY = Plausible(date(2000, 1, 1))  # works, traffic, followers, money: nothing of ours predates 2000
ACCOUNTS = Plausible(date(1970, 1, 1))  # accounts migrated from older systems may be old, not pre-epoch


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    description: str
    required: bool = True  # a required text value must also be non-blank
    minimum: int | None = None  # inclusive lower bound for numbers
    maximum: int | None = None  # inclusive upper bound for numbers
    enum: tuple[str, ...] | None = None
    references: str | None = None  # "table.column" that must hold this value
    plausible: Plausible | None = None  # dates and timestamps: the range a real value falls in

    def rule(self, ingested: bool = True) -> str:
        """The column's checks beyond its type, as docs/data-model.md states them (system tables are written,
        not ingested: ``ingested=False`` leaves out the rule that ingestion adds, non-blank text)."""
        parts = []
        if self.minimum is not None and self.maximum is not None:
            parts.append(f"{self.minimum} to {self.maximum}")
        elif self.minimum is not None:
            parts.append(f">= {self.minimum}")
        elif self.maximum is not None:
            parts.append(f"<= {self.maximum}")
        if self.enum is not None:
            parts.append("one of " + ", ".join(f"`{v}`" for v in self.enum))
        elif self.required and self.type == pa.string() and ingested:
            parts.append("not blank")
        if self.references is not None:
            parts.append(f"must exist in `{self.references}`")
        if self.plausible is not None:
            parts.append(self.plausible.rule())
        return "; ".join(parts)


OPS = {"<=": "at most", ">=": "at least", "<": "less than", ">": "greater than"}


@dataclass(frozen=True)
class RowCheck:
    """A rule between two columns of one row, checked where both are present: ``left op right`` (e.g. a refund
    is at most the order's amount, a redemption is not before the purchase). A failing row is quarantined
    under ``left`` with the reason."""

    left: str
    op: str  # one of OPS
    right: str
    reason: str  # what the rule means, e.g. "a refund cannot exceed the order"

    def rule(self) -> str:
        return f"`{self.left}` {self.op} `{self.right}` ({self.reason})"


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    load_order: int = 0  # referenced tables load first
    checks: tuple[RowCheck, ...] = ()  # rules between columns of one row
    # The engine keeps a unique index on the primary key (small tables written with Writer.append, whose
    # key must be recorded once even by two racing transactions). Data tables have none: merge() checks
    # their keys per batch, which loads ~3x faster than maintaining an index on millions of rows.
    key_index: bool = False

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def arrow_schema(self) -> pa.Schema:
        return pa.schema([pa.field(c.name, c.type, nullable=not c.required) for c in self.columns])

    def doc_section(self, ingested: bool = True) -> str:
        """This table's section of docs/data-model.md: description, key, row checks, the column table."""
        out = [f"## `{self.name}`", "", self.description, "", f"Primary key: ({', '.join(self.primary_key)})"]
        if self.checks:
            out += ["", "Row checks: " + "; ".join(c.rule() for c in self.checks) + "."]
        out += [
            "",
            "| column | type | required | rule | meaning |",
            "|---|---|---|---|---|",
            *self.doc_rows(ingested),
        ]
        return "\n".join(out) + "\n"

    def doc_rows(self, ingested: bool = True) -> list[str]:
        """The rows of this table's column table in docs/data-model.md (tests/data/test_schema_doc.py)."""
        return [
            f"| `{c.name}` | {c.type} | {'yes' if c.required else 'no'} | {c.rule(ingested)} | {c.description} |"
            for c in self.columns
        ]


# Ids of the parties money is owed to or paid by (creators, agencies, merchants, stores, brands) become ledger
# account ids (``money.chart``), which keep 48 bits of them.
PARTY_ID_MAX = 2**48 - 1
I64, I32, STR, DATE, TS, BOOL = (
    pa.int64(),
    pa.int32(),
    pa.string(),
    pa.date32(),
    pa.timestamp("us"),
    pa.bool_(),
)
