"""Creators' rate cards: a listed price per deliverable (short_video, live_mention).

Who may set one: the creator itself; an MCN agency for the creators it holds a current contract for (the
caller reads the contracts and passes those creators in, ``mcn_creators``); an operator for anyone.

>>> from guanghe.appdb import open_appdb, create_key
>>> with open_appdb("sqlite://", create=True) as db:
...     creator, _ = create_key(db, "creator", "Lin", external_id=7)
...     _ = set_rate(db, creator, 7, "short_video", 80_000)
...     rates_of(db, [7, 8])
{7: {'short_video': 80000}}
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from guanghe.appdb import AppDb, Principal
from guanghe.appdb.market_models import RateCardRow
from guanghe.market.errors import Forbidden
from guanghe.market.offers import check_deliverable, check_price
from guanghe.market.order_types import utc


@dataclass(frozen=True)
class Rate:
    creator_id: int
    deliverable: str
    price_fen: int
    set_by_principal_id: int
    updated_at: datetime


def may_set(principal: Principal, creator_id: int, mcn_creators: Collection[int] = ()) -> bool:
    if principal.kind == "operator":
        return True
    if principal.kind == "creator":
        return principal.external_id == creator_id
    return principal.kind == "mcn" and creator_id in mcn_creators


def set_rate(
    db: AppDb,
    principal: Principal,
    creator_id: int,
    deliverable: str,
    price_fen: int,
    mcn_creators: Collection[int] = (),
    now: datetime | None = None,
) -> Rate:
    """Set (insert or replace) the creator's price for a deliverable; Forbidden for anyone else (see the
    module), MarketError for a bad deliverable or a price that is not a positive integer."""
    check_deliverable(deliverable)
    check_price(price_fen)
    if not may_set(principal, creator_id, mcn_creators):
        raise Forbidden(
            f"principal {principal.id} ({principal.kind} {principal.external_id}) cannot set creator "
            f"{creator_id}'s rates"
        )
    at = utc(now)
    with Session(db.engine) as s, s.begin():
        row = s.scalars(
            select(RateCardRow)
            .where(RateCardRow.creator_id == creator_id, RateCardRow.deliverable == deliverable)
            .with_for_update()
        ).one_or_none()
        if row is None:
            row = RateCardRow(creator_id=creator_id, deliverable=deliverable)
            s.add(row)
        row.price_fen, row.set_by_principal_id, row.updated_at = price_fen, principal.id, at
        s.flush()
        return Rate(row.creator_id, row.deliverable, row.price_fen, row.set_by_principal_id, row.updated_at)


def rates_of(db: AppDb, creator_ids: Iterable[int] | None) -> dict[int, dict[str, int]]:
    """creator id -> {deliverable: price_fen}, for the creators that have a rate card (``None``: every one)."""
    cols = (RateCardRow.creator_id, RateCardRow.deliverable, RateCardRow.price_fen)
    out: dict[int, dict[str, int]] = {}
    if creator_ids is None:
        with Session(db.engine) as s:
            for creator, deliverable, price in s.execute(select(*cols)):
                out.setdefault(creator, {})[deliverable] = price
        return out
    ids = sorted(set(creator_ids))
    with Session(db.engine) as s:
        for start in range(0, len(ids), 1000):
            rows = s.execute(
                select(RateCardRow.creator_id, RateCardRow.deliverable, RateCardRow.price_fen).where(
                    RateCardRow.creator_id.in_(ids[start : start + 1000])
                )
            )
            for creator, deliverable, price in rows:
                out.setdefault(creator, {})[deliverable] = price
    return out
