"""Originality appeals for the operator console, through SQLAlchemy on the application database's
``originality_appeals`` / ``originality_decisions`` (``appdb.growth_models``). A stand-in for the growth
room's use case (``growth.originality``): the coordinator swaps ``decide`` for it after merging.

Deciding an open appeal records the operator's decision on the (work, original) pair — ``upheld``: the
work is NOT a duplicate (``not_duplicate``), ``rejected``: it is (``duplicate``) — and closes the appeal,
in one transaction; an appeal already decided is refused (``AppealError``), so a resubmitted form changes
nothing twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from guanghe.appdb import AppDb, Principal
from guanghe.appdb.growth_models import APPEAL_STATES, OriginalityAppealRow, OriginalityDecisionRow
from guanghe.appdb.models import utc_now

OUTCOMES = {"upheld": "not_duplicate", "rejected": "duplicate"}  # appeal outcome -> decision


class AppealError(Exception):
    """No such appeal (``status`` 404) or not open any more (409)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Appeal:
    id: int
    work_id: int
    creator_id: int
    reason: str
    state: str
    filed_at: datetime
    decided_by: int | None
    decided_at: datetime | None
    note: str | None


def appeals(db: AppDb, state: str | None = "open", limit: int = 200) -> tuple[list[Appeal], dict[str, int]]:
    """Appeals in ``state`` (None: all), oldest first, and the count in each state."""
    with Session(db.engine) as s:
        q = select(OriginalityAppealRow).order_by(OriginalityAppealRow.id)
        if state is not None:
            q = q.where(OriginalityAppealRow.state == state)
        rows = s.scalars(q.limit(limit)).all()
        counts = {st: n for st, n in s.execute(select(OriginalityAppealRow.state, func.count())
                                               .group_by(OriginalityAppealRow.state)).all()}  # fmt: skip
    items = [Appeal(r.id, r.work_id, r.creator_id, r.reason, r.state, r.filed_at, r.decided_by, r.decided_at,
                    r.note) for r in rows]  # fmt: skip
    return items, {st: int(counts.get(st, 0)) for st in APPEAL_STATES}


def decide(db: AppDb, operator: Principal, appeal_id: int, outcome: str, original_work_id: int,
           note: str | None = None) -> Appeal:  # fmt: skip
    """Record the decision and close the appeal (``outcome``: upheld or rejected)."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome: expected one of {', '.join(OUTCOMES)}, got {outcome!r}")
    with Session(db.engine) as s, s.begin():
        row = s.get(OriginalityAppealRow, appeal_id)
        if row is None:
            raise AppealError(404, f"no appeal {appeal_id}")
        now = utc_now()
        # the state check and the update are one statement: two operators deciding at once, one wins
        done = s.execute(update(OriginalityAppealRow)
                         .where(OriginalityAppealRow.id == appeal_id, OriginalityAppealRow.state == "open")
                         .values(state=outcome, decided_by=operator.id, decided_at=now, note=note)).rowcount  # fmt: skip
        if done != 1:
            raise AppealError(409, f"appeal {appeal_id} is {row.state} already")
        s.add(OriginalityDecisionRow(work_id=row.work_id, original_work_id=original_work_id,
                                     decision=OUTCOMES[outcome], reason=note or f"appeal {appeal_id} {outcome}",
                                     decided_by=operator.id, decided_at=now))  # fmt: skip
    with Session(db.engine) as s:
        r = s.get(OriginalityAppealRow, appeal_id)
        return Appeal(r.id, r.work_id, r.creator_id, r.reason, r.state, r.filed_at, r.decided_by, r.decided_at,
                      r.note)  # fmt: skip
