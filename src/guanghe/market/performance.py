"""Reports of delivered works: per work of an order and per campaign, from the warehouse's ``work_daily``.

A brand order is delivered as one or more works; a campaign is its orders' works together. The figures are
the works' daily activity summed up to a platform day (``through``, inclusive; ``work_daily.date`` is already
a platform day). Rates are ratios of sums — a campaign's completion rate is its completed plays over its plays,
never an average of its works' rates:

- impressions = organic + boosted (support traffic, all programs);
- completion rate = completed plays / plays;
- engagement = likes + comments + shares; engagement rate = engagement / plays;
- follows gained = new followers of the creator attributed to the work.

A rate without a denominator (no plays) is None. Everything is one Ibis query through the warehouse contract
(``wh.table``, ``wh.fetch``), so it runs on any engine; the requested work ids travel as an in-memory table.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

import ibis
import pyarrow as pa
import pyarrow.compute as pc

from guanghe.data.warehouse.base import Warehouse

UTC = ZoneInfo("UTC")
COUNTS = (
    "organic_impressions", "boosted_impressions", "plays", "completed_plays", "likes", "comments", "shares",
    "follows_gained",
)  # fmt: skip
# The columns of works_performance, in order.
COLUMNS = (
    "work_id", "creator_id", "published_on", "days", "impressions", "organic_impressions", "boosted_impressions",
    "plays", "completed_plays", "completion_rate", "likes", "comments", "shares", "engagement",
    "engagement_rate", "follows_gained",
)  # fmt: skip


@dataclass(frozen=True)
class CampaignPerformance:
    """A campaign's delivered works together: sums, and rates computed from the sums."""

    works: int  # distinct works asked for
    works_with_activity: int  # of them, works with at least one work_daily row up to ``through``
    impressions: int
    organic_impressions: int
    boosted_impressions: int
    plays: int
    completed_plays: int
    completion_rate: float | None  # completed_plays / plays
    likes: int
    comments: int
    shares: int
    engagement: int  # likes + comments + shares
    engagement_rate: float | None  # engagement / plays
    follows_gained: int


def _ids(work_ids: Iterable[int]) -> pa.Table:
    ids = sorted({int(w) for w in work_ids})
    return pa.table({"work_id": pa.array(ids, pa.int64())})


def _daily(wh: Warehouse, ids: ibis.Table, through: date | None) -> ibis.Table:
    d = wh.table("work_daily")
    if through is not None:
        d = d.filter(d.date <= ibis.literal(through, type="date"))
    return d.semi_join(ids, "work_id")


def _rate(num: int, den: int) -> float | None:
    return num / den if den else None


def works_performance(
    wh: Warehouse, work_ids: Iterable[int], through: date | None = None, zone: ZoneInfo = UTC
) -> pa.Table:
    """One row per distinct requested work (ascending ``work_id``; columns ``COLUMNS``): its activity summed
    over ``work_daily`` rows dated up to ``through`` (all rows when None). ``published_on`` is the platform day
    (in ``zone``) of ``works.published_at``; ``days`` the work-days with activity. A work without activity has
    zeros and None rates; an id unknown to ``works`` also has a null creator and publication day."""
    ids = _ids(work_ids)
    if not ids.num_rows:
        return _empty()
    base = ibis.memtable(ids)
    d = _daily(wh, base, through)
    sums = d.group_by("work_id").aggregate(days=d.count(), **{c: d[c].sum() for c in COUNTS})
    w = wh.table("works").select("work_id", "creator_id", "published_at")
    j = base.left_join(w, "work_id").select("work_id", "creator_id", "published_at")
    j = j.left_join(sums, "work_id").select(
        "work_id", "creator_id", "published_at", days=sums.days.coalesce(0),
        **{c: sums[c].coalesce(0) for c in COUNTS},
    )  # fmt: skip
    got = wh.fetch(j.order_by("work_id"))
    return _finish(got, zone)


def _finish(t: pa.Table, zone: ZoneInfo) -> pa.Table:
    n = {c: pc.cast(t[c], pa.int64()) for c in ("days", *COUNTS)}
    impressions = pc.add(n["organic_impressions"], n["boosted_impressions"])
    engagement = pc.add(pc.add(n["likes"], n["comments"]), n["shares"])
    published = t["published_at"].cast(pa.timestamp("us"))
    local = pc.local_timestamp(published.cast(pa.timestamp("us", tz=zone.key)))
    cols = {
        "work_id": pc.cast(t["work_id"], pa.int64()),
        "creator_id": pc.cast(t["creator_id"], pa.int64()),
        "published_on": pc.cast(local, pa.date32()),
        "days": n["days"],
        "impressions": impressions,
        **{c: n[c] for c in ("organic_impressions", "boosted_impressions", "plays", "completed_plays")},
        "completion_rate": _ratio(n["completed_plays"], n["plays"]),
        **{c: n[c] for c in ("likes", "comments", "shares")},
        "engagement": engagement,
        "engagement_rate": _ratio(engagement, n["plays"]),
        "follows_gained": n["follows_gained"],
    }
    return pa.table({c: cols[c] for c in COLUMNS})


def _ratio(num: pa.ChunkedArray, den: pa.ChunkedArray) -> pa.ChunkedArray:
    """num / den as float64, null where den is 0."""
    den_f = pc.if_else(pc.equal(den, 0), pa.scalar(None, pa.float64()), pc.cast(den, pa.float64()))
    return pc.divide(pc.cast(num, pa.float64()), den_f)


def _empty() -> pa.Table:
    types = {"published_on": pa.date32(), "completion_rate": pa.float64(), "engagement_rate": pa.float64()}
    return pa.schema([(c, types.get(c, pa.int64())) for c in COLUMNS]).empty_table()


def campaign_performance(
    wh: Warehouse, work_ids: Iterable[int], through: date | None = None
) -> CampaignPerformance:
    """The requested works' activity summed together (``work_daily`` rows dated up to ``through``; all when
    None), rates from the sums: one aggregate query."""
    ids = _ids(work_ids)
    if not ids.num_rows:
        return CampaignPerformance(0, 0, 0, 0, 0, 0, 0, None, 0, 0, 0, 0, None, 0)
    d = _daily(wh, ibis.memtable(ids), through)
    row = wh.fetch(d.aggregate(active=d.work_id.nunique(), **{c: d[c].sum() for c in COUNTS})).to_pylist()[0]
    s = {c: int(row[c] or 0) for c in COUNTS}
    engagement = s["likes"] + s["comments"] + s["shares"]
    return CampaignPerformance(
        works=ids.num_rows,
        works_with_activity=int(row["active"] or 0),
        impressions=s["organic_impressions"] + s["boosted_impressions"],
        organic_impressions=s["organic_impressions"],
        boosted_impressions=s["boosted_impressions"],
        plays=s["plays"],
        completed_plays=s["completed_plays"],
        completion_rate=_rate(s["completed_plays"], s["plays"]),
        likes=s["likes"],
        comments=s["comments"],
        shares=s["shares"],
        engagement=engagement,
        engagement_rate=_rate(engagement, s["plays"]),
        follows_gained=s["follows_gained"],
    )
