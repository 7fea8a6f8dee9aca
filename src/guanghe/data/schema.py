"""The warehouse's tables, defined once as data: columns, types, keys, ranges, enumerations, references.

Everything else (ingestion, the synthetic platform, docs, the warehouse DDL) reads these definitions.

>>> TABLES["works"].primary_key
('work_id',)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pyarrow as pa

CHANNELS = ("ad_share", "brand_deal", "affiliate", "task", "local_life", "incentive", "live_tips")
WORK_KINDS = ("short_video", "live", "image")
CATEGORIES = (
    "comedy",
    "food",
    "rural",
    "beauty",
    "gaming",
    "music",
    "education",
    "sports",
    "auto",
    "parenting",
    "travel",
    "tech",
    "fashion",
    "pets",
)
REGIONS = ("north", "northeast", "east", "south", "central", "southwest", "northwest")


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


ACTIVITY = Plausible(date(2000, 1, 1))  # works, traffic, followers, income: nothing of ours predates 2000
ACCOUNTS = Plausible(date(1970, 1, 1))  # accounts migrated from older systems may be old, not pre-epoch


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    description: str
    required: bool = True  # a required text value must also be non-blank
    minimum: int | None = None  # inclusive lower bound for numbers
    enum: tuple[str, ...] | None = None
    references: str | None = None  # "table.column" that must hold this value
    plausible: Plausible | None = None  # dates and timestamps: the range a real value falls in

    def rule(self, ingested: bool = True) -> str:
        """The column's checks beyond its type, as docs/data-model.md states them (system tables are written,
        not ingested: ``ingested=False`` leaves out the rule that ingestion adds, non-blank text)."""
        parts = []
        if self.minimum is not None:
            parts.append(f">= {self.minimum}")
        if self.enum is not None:
            parts.append("one of " + ", ".join(f"`{v}`" for v in self.enum))
        elif self.required and self.type == pa.string() and ingested:
            parts.append("not blank")
        if self.references is not None:
            parts.append(f"must exist in `{self.references}`")
        if self.plausible is not None:
            parts.append(self.plausible.rule())
        return "; ".join(parts)


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    load_order: int = 0  # referenced tables load first
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

    def doc_rows(self, ingested: bool = True) -> list[str]:
        """The rows of this table's column table in docs/data-model.md (tests/data/test_schema_doc.py)."""
        return [
            f"| `{c.name}` | {c.type} | {'yes' if c.required else 'no'} | {c.rule(ingested)} | {c.description} |"
            for c in self.columns
        ]


I64, I32, STR, DATE, TS, BOOL = (
    pa.int64(),
    pa.int32(),
    pa.string(),
    pa.date32(),
    pa.timestamp("us"),
    pa.bool_(),
)

CREATORS = Table(
    "creators",
    "One row per creator account.",
    (
        Column("creator_id", I64, "Creator id.", minimum=1),
        Column("joined_on", DATE, "Date the account was created (UTC).", plausible=ACCOUNTS),
        Column("region", STR, "Home region of the creator.", enum=REGIONS),
        Column("category", STR, "Primary content category.", enum=CATEGORIES),
        Column(
            "mcn_id", I64, "MCN agency id, or null when the creator has no agency.", required=False, minimum=1
        ),
        Column("is_ecommerce", BOOL, "Creator is an e-commerce seller (has a storefront / sells goods)."),
        Column("is_local_life", BOOL, "Creator is a local-life merchant partner."),
    ),
    ("creator_id",),
    load_order=0,
)

WORKS = Table(
    "works",
    "One row per published work.",
    (
        Column("work_id", I64, "Work id.", minimum=1),
        Column("creator_id", I64, "Author.", references="creators.creator_id"),
        Column("published_at", TS, "Publication time (UTC).", plausible=ACTIVITY),
        Column("kind", STR, "short_video, live (a live session) or image (an image post).", enum=WORK_KINDS),
        Column("category", STR, "Content category of this work.", enum=CATEGORIES),
        Column("duration_s", I32, "Duration in seconds (0 for image posts).", minimum=0),
        Column("title", STR, "Title text.", required=False),
        Column(
            "fingerprint", STR, "Content fingerprint (64-bit hex) for originality checks.", required=False
        ),
    ),
    ("work_id",),
    load_order=1,
)

_COUNT = "Count on that day (UTC)."
WORK_DAILY = Table(
    "work_daily",
    "Daily activity of a work; sparse: a row only for a (work, day) with activity.",
    (
        Column("work_id", I64, "Work.", references="works.work_id"),
        Column("date", DATE, "Day (UTC).", plausible=ACTIVITY),
        Column("organic_impressions", I64, "Impressions from the organic feed. " + _COUNT, minimum=0),
        Column(
            "boosted_impressions",
            I64,
            "Support-traffic impressions, all programs together; the per-program split is in work_boost.",
            minimum=0,
        ),
        Column("plays", I64, "Plays started. " + _COUNT, minimum=0),
        Column("completed_plays", I64, "Plays watched to the end. " + _COUNT, minimum=0),
        Column("likes", I64, _COUNT, minimum=0),
        Column("comments", I64, _COUNT, minimum=0),
        Column("shares", I64, _COUNT, minimum=0),
        Column(
            "follows_gained",
            I64,
            "New followers of the creator attributed to this work. " + _COUNT,
            minimum=0,
        ),
    ),
    ("work_id", "date"),
    load_order=2,
)

WORK_BOOST = Table(
    "work_boost",
    "Boosted (support-traffic) impressions of a work by program and day; sparse.",
    (
        Column("work_id", I64, "Work.", references="works.work_id"),
        Column("date", DATE, "Day (UTC).", plausible=ACTIVITY),
        Column("program", STR, "Support program that paid for the impressions (program name)."),
        Column("impressions", I64, "Boosted impressions delivered.", minimum=0),
    ),
    ("work_id", "date", "program"),
    load_order=2,
)

CREATOR_DAILY = Table(
    "creator_daily",
    "Follower count at the end of a day; sparse: a row only on a day the count changed. "
    "A missing day carries the previous row's count; a creator's first row is its opening count.",
    (
        Column("creator_id", I64, "Creator.", references="creators.creator_id"),
        Column("date", DATE, "Day (UTC).", plausible=ACTIVITY),
        Column("followers", I64, "Follower count at the end of the day.", minimum=0),
        Column("follows_lost", I64, "Followers lost (unfollows) during the day.", minimum=0),
    ),
    ("creator_id", "date"),
    load_order=1,
)

INCOME = Table(
    "income",
    "Money a creator earned, one row per credited amount, by monetization channel.",
    (
        Column("income_id", STR, "Income record id (unique across channels)."),
        Column("creator_id", I64, "Creator credited.", references="creators.creator_id"),
        Column("channel", STR, "Monetization channel.", enum=CHANNELS),
        Column("amount_fen", I64, "Amount in fen (1/100 CNY), integer.", minimum=0),
        Column("occurred_at", TS, "When the income was earned (UTC).", plausible=ACTIVITY),
        Column(
            "source_ref", STR, "Reference in the source system (order, task, settlement id).", required=False
        ),
    ),
    ("income_id",),
    load_order=1,
)

TABLES: dict[str, Table] = {
    t.name: t for t in (CREATORS, WORKS, WORK_DAILY, WORK_BOOST, CREATOR_DAILY, INCOME)
}

QUARANTINE = Table(
    "quarantine",
    "Rows that failed validation, with where they came from and why. Never loaded into the data tables.",
    (
        Column("load_id", STR, "Ingestion run that saw the row."),
        Column("table_name", STR, "Target table."),
        Column("file", STR, "Source file path."),
        Column("file_sha256", STR, "Content hash of the source file."),
        Column(
            "row_number",
            I64,
            "Line number for CSV/JSON Lines (header is line 1 in CSV), row index + 1 for Parquet.",
        ),
        Column("field", STR, "Offending field ('' for whole-row problems)."),
        Column("reason", STR, "What was wrong and what was expected."),
        Column("raw", STR, "The row as JSON text.", required=False),
    ),
    ("file_sha256", "row_number", "field"),
    key_index=True,
)

LOADS = Table(
    "loads",
    "One row per (ingestion run, file): what happened to its rows.",
    (
        Column("load_id", STR, "Ingestion run id."),
        Column("loaded_at", TS, "When the run committed (UTC)."),
        Column("file", STR, "Source file path."),
        Column("file_sha256", STR, "Content hash of the source file."),
        Column("table_name", STR, "Target table."),
        Column("rows_read", I64, "Rows read from the file."),
        Column("rows_loaded", I64, "New rows written to the table."),
        Column("rows_duplicate", I64, "Rows identical to ones already present (skipped)."),
        Column("rows_quarantined", I64, "Rows sent to quarantine."),
    ),
    ("load_id", "file"),
    key_index=True,
)

SYSTEM_TABLES: dict[str, Table] = {t.name: t for t in (QUARANTINE, LOADS)}
