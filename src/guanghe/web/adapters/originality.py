"""Originality appeals for the operator console, through SQLAlchemy on the application database's
``originality_appeals`` / ``originality_decisions`` (``appdb.growth_models``): the list with counts per state
read here, the answer given by the growth room's use case (``growth.originality.decisions.resolve_appeal``).

Deciding an open appeal records the operator's decision on the (work, original) pair — ``upheld``: the
work is NOT a duplicate (``not_duplicate``), ``rejected``: it is (``duplicate``) — and closes the appeal,
in one transaction; an appeal already decided is refused (``AppealError``), so a resubmitted form changes
nothing twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from guanghe.appdb import AppDb, Principal
from guanghe.appdb.growth_models import APPEAL_STATES, OriginalityAppealRow
from guanghe.growth.originality.decisions import AppealNotFound, DecisionError, resolve_appeal

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
    """Answer the appeal through the growth room's use case (``resolve_appeal``: the decision recorded and
    the appeal closed in one transaction, once); ``outcome``: upheld or rejected."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome: expected one of {', '.join(OUTCOMES)}, got {outcome!r}")
    try:
        a, _ = resolve_appeal(db, operator, appeal_id, outcome == "upheld", original_work_id, note)
    except AppealNotFound as e:
        raise AppealError(404, str(e)) from e
    except DecisionError as e:
        raise AppealError(409, str(e)) from e
    return Appeal(a.id, a.work_id, a.creator_id, a.reason, a.state, a.filed_at, a.decided_by, a.decided_at,
                  a.note)  # fmt: skip
