"""The warehouse's tables, defined once as data: columns, types, keys, ranges, enumerations, references.

Everything else (ingestion, the synthetic platform, docs, the warehouse DDL) reads these definitions.

>>> TABLES["works"].primary_key
('work_id',)
"""

from __future__ import annotations

from guanghe.data.growth_schema import GROWTH_INPUTS, GROWTH_OUTPUTS
from guanghe.data.money_schema import CHANNELS, EVENT_TABLES, EXPORT_TABLES, INCOME, PAYOUTS, TOUCHPOINTS
from guanghe.data.tables import ACCOUNTS, ACTIVITY, BOOL, DATE, I32, I64, PARTY_ID_MAX, STR, TS, Column, Table

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


CREATORS = Table(
    "creators",
    "One row per creator account.",
    (
        Column("creator_id", I64, "Creator id.", minimum=1, maximum=PARTY_ID_MAX),
        Column("joined_on", DATE, "Date the account was created (UTC).", plausible=ACCOUNTS),
        Column("region", STR, "Home region of the creator.", enum=REGIONS),
        Column("category", STR, "Primary content category.", enum=CATEGORIES),
        Column(
            "mcn_id",
            I64,
            "MCN agency id, or null when the creator has no agency.",
            required=False,
            minimum=1,
            maximum=PARTY_ID_MAX,
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
        Column("date", DATE, "Platform day (GUANGHE_TIMEZONE).", plausible=ACTIVITY),
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
        Column("date", DATE, "Platform day (GUANGHE_TIMEZONE).", plausible=ACTIVITY),
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
        Column("date", DATE, "Platform day (GUANGHE_TIMEZONE).", plausible=ACTIVITY),
        Column("followers", I64, "Follower count at the end of the day.", minimum=0),
        Column("follows_lost", I64, "Followers lost (unfollows) during the day.", minimum=0),
    ),
    ("creator_id", "date"),
    load_order=1,
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        CREATORS,
        WORKS,
        WORK_DAILY,
        WORK_BOOST,
        CREATOR_DAILY,
        *EXPORT_TABLES,
        *EVENT_TABLES,
        *GROWTH_INPUTS,
        *GROWTH_OUTPUTS,
    )
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

__all__ = [
    "CATEGORIES", "CHANNELS", "CREATORS", "CREATOR_DAILY", "EVENT_TABLES", "EXPORT_TABLES", "INCOME", "LOADS",
    "PAYOUTS", "QUARANTINE", "REGIONS", "SYSTEM_TABLES", "TABLES", "TOUCHPOINTS", "WORKS", "WORK_BOOST",
    "WORK_DAILY", "WORK_KINDS", "Column", "Table",
]  # fmt: skip
