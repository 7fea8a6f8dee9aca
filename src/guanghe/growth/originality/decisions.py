"""Operators' decisions and creators' appeals, in the application database (``appdb.growth_models``): use
cases for the CLI now and the web console later. Decisions are recorded, never edited; the newest one on a
(work, original) pair holds. Upholding an appeal records a ``not_duplicate`` decision on the flagged pair."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from guanghe.appdb import AppDb, Principal
from guanghe.appdb.growth_models import DECISIONS, OriginalityAppealRow, OriginalityDecisionRow
from guanghe.appdb.models import utc_now


class DecisionError(ValueError):
    """A decision or an appeal that cannot be made (unknown appeal, already decided, bad value)."""


@dataclass(frozen=True)
class Decision:
    id: int
    work_id: int
    original_work_id: int
    decision: str
    reason: str
    decided_by: int
    decided_at: datetime


@dataclass(frozen=True)
class Appeal:
    id: int
    work_id: int
    creator_id: int
    reason: str
    state: str
    filed_by: int
    filed_at: datetime
    decided_by: int | None
    decided_at: datetime | None
    note: str | None


def _decision(r: OriginalityDecisionRow) -> Decision:
    return Decision(r.id, r.work_id, r.original_work_id, r.decision, r.reason, r.decided_by, r.decided_at)


def _appeal(r: OriginalityAppealRow) -> Appeal:
    return Appeal(r.id, r.work_id, r.creator_id, r.reason, r.state, r.filed_by, r.filed_at, r.decided_by,
                  r.decided_at, r.note)  # fmt: skip


def _need_operator(who: Principal) -> None:
    if who.kind != "operator":
        raise DecisionError(f"principal {who.id} is a {who.kind}: only an operator decides")


def decide(
    db: AppDb, who: Principal, work_id: int, original_work_id: int, decision: str, reason: str
) -> Decision:
    """Record an operator's decision on whether ``work_id`` re-uploads ``original_work_id``."""
    _need_operator(who)
    if decision not in DECISIONS:
        raise DecisionError(f"decision {decision!r}: expected one of {', '.join(DECISIONS)}")
    if work_id == original_work_id:
        raise DecisionError("a work cannot re-upload itself")
    if not reason.strip():
        raise DecisionError("a decision needs a reason")
    with Session(db.engine) as s, s.begin():
        row = OriginalityDecisionRow(work_id=work_id, original_work_id=original_work_id, decision=decision,
                                     reason=reason, decided_by=who.id)  # fmt: skip
        s.add(row)
        s.flush()
        return _decision(row)


def standing(db: AppDb) -> dict[tuple[int, int], str]:
    """The decision that holds on each (work, original) pair: the newest."""
    with Session(db.engine) as s:
        rows = s.scalars(select(OriginalityDecisionRow).order_by(OriginalityDecisionRow.id)).all()
        return {(r.work_id, r.original_work_id): r.decision for r in rows}


def decisions(db: AppDb) -> list[Decision]:
    with Session(db.engine) as s:
        return [
            _decision(r)
            for r in s.scalars(select(OriginalityDecisionRow).order_by(OriginalityDecisionRow.id))
        ]


def appeal(db: AppDb, who: Principal, work_id: int, creator_id: int, reason: str) -> Appeal:
    """File an appeal against the flag on ``work_id`` (by its creator, or an operator on its behalf)."""
    if who.kind not in ("operator", "creator"):
        raise DecisionError(f"principal {who.id} is a {who.kind}: a creator or an operator files an appeal")
    if who.kind == "creator" and who.external_id != creator_id:
        raise DecisionError(f"work {work_id} belongs to creator {creator_id}, not to principal {who.id}")
    if not reason.strip():
        raise DecisionError("an appeal needs a reason")
    with Session(db.engine) as s, s.begin():
        open_ = s.scalar(select(OriginalityAppealRow).where(
            OriginalityAppealRow.work_id == work_id, OriginalityAppealRow.state == "open"))  # fmt: skip
        if open_ is not None:
            raise DecisionError(f"work {work_id} already has an open appeal ({open_.id})")
        row = OriginalityAppealRow(work_id=work_id, creator_id=creator_id, reason=reason, filed_by=who.id)
        s.add(row)
        s.flush()
        return _appeal(row)


def appeals(db: AppDb, state: str | None = None) -> list[Appeal]:
    with Session(db.engine) as s:
        q = select(OriginalityAppealRow).order_by(OriginalityAppealRow.id)
        if state is not None:
            q = q.where(OriginalityAppealRow.state == state)
        return [_appeal(r) for r in s.scalars(q)]


class AppealNotFound(DecisionError):
    """No appeal with that id."""


def resolve_appeal(
    db: AppDb, who: Principal, appeal_id: int, uphold: bool, original_work_id: int, note: str | None = None
) -> tuple[Appeal, Decision]:
    """Answer an open appeal, once, and record the operator's decision on (work, ``original_work_id`` — the
    flag's original) in the same transaction: upheld → ``not_duplicate`` (the next scan no longer flags the
    pair), rejected → ``duplicate``. The state check and the update are one statement, so of two operators
    answering at once one wins and the other is refused."""
    _need_operator(who)
    state = "upheld" if uphold else "rejected"
    with Session(db.engine) as s, s.begin():
        row = s.get(OriginalityAppealRow, appeal_id)
        if row is None:
            raise AppealNotFound(f"no appeal {appeal_id}")
        now = utc_now()
        done = s.execute(update(OriginalityAppealRow)
                         .where(OriginalityAppealRow.id == appeal_id, OriginalityAppealRow.state == "open")
                         .values(state=state, decided_by=who.id, decided_at=now, note=note)
                         .execution_options(synchronize_session=False)).rowcount  # fmt: skip
        if done != 1:
            raise DecisionError(f"appeal {appeal_id} is already {row.state}")
        d = OriginalityDecisionRow(work_id=row.work_id, original_work_id=original_work_id,
                                   decision="not_duplicate" if uphold else "duplicate",
                                   reason=note or f"appeal {appeal_id} {state}", decided_by=who.id,
                                   decided_at=now)  # fmt: skip
        s.add(d)
        s.flush()
        made = _decision(d)
    with Session(db.engine) as s:
        return _appeal(s.get(OriginalityAppealRow, appeal_id)), made
