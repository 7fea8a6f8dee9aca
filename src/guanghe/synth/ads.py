"""磁力万合 ad revenue share: creators join from its launch month on (creators never paid before are likelier
to: "monetization for all"), and ads run on a member's work-days with enough plays."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from guanghe.data.schema import TABLES
from guanghe.data.tiers import TIERS
from guanghe.synth import rulebook
from guanghe.synth.arrow import dates
from guanghe.synth.earnings import Earnings
from guanghe.synth.moment import Moment
from guanghe.synth.traffic import Rows


def tier_code(followers: np.ndarray) -> np.ndarray:
    """0 tail, 1 waist, 2 head (``data/tiers.py``)."""
    low = dict((name, bound) for name, bound in TIERS)
    return ((followers >= low["waist"]).astype(np.int8) + (followers >= low["head"])).astype(np.int8)


def join(mo: Moment, members: np.ndarray) -> None:
    """Creators joining 磁力万合 this month (``members`` is updated in place)."""
    mk = mo.market
    if mo.month.label < mk.ad_share_launch:
        return
    p = mo.base("ad_share") * mo.trend * np.where(mo.earned, 1.0, mk.ad_share_new_earner)
    members |= mo.adopted("ad_share", p)


def ad_revenue(mo: Moment, e: Earnings, members: np.ndarray, days: Rows) -> pa.Table:
    """One row per member work-day of the month with ads: impressions ~ plays x ad_rate, gross at ad_cpm_fen.

    The creator's tier for its share is the one at the month's start as the data shows it: the follower count
    of its last ``creator_daily`` row before the month (none: tail), i.e. the count the month started from,
    except in the window's first month, which has no earlier row."""
    mk, rng = mo.market, mo.rng
    cidx, plays = days["_cidx"], days["plays"]
    rows = np.flatnonzero(members[cidx] & (plays >= mk.ad_min_plays))
    cidx, plays = cidx[rows], plays[rows]
    n = len(rows)
    impressions = np.floor(plays * mk.ad_rate * rng.uniform(0.5, 1.5, n)).astype(np.int64)
    gross = np.floor(impressions * mk.ad_cpm_fen * mo.money * np.exp(0.3 * rng.standard_normal(n)) / 1_000)
    keep = gross >= 1
    rows, cidx, impressions, gross = rows[keep], cidx[keep], impressions[keep], gross[keep].astype(np.int64)
    start = mo.followers if mo.month.index > 0 else np.zeros_like(mo.followers)
    day = days["date"][rows]
    rulebook.ad_share(e, mo.cfg.money, cidx, day, gross, tier_code(start)[cidx], mo.member)
    return pa.Table.from_arrays(
        [pa.array(days["work_id"][rows]), dates(day), pa.array(impressions), pa.array(gross)],
        schema=TABLES["ad_revenue"].arrow_schema(),
    )
