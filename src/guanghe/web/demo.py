"""What ``guanghe web`` does before serving, on a demo platform: the application database made and migrated
if missing, one web login per role (a creator with income in the warehouse, its MCN agency, the brand with
the most deals, an operator), their passwords set (``password`` or random), and a little marketplace state
if the demo brand has no campaign yet (a campaign and an offer to the demo creator), so each role's pages
have something to do. Idempotent: a rerun finds the same principals and only resets the passwords."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import select
from sqlalchemy.orm import Session

from guanghe.appdb import AppDb, Principal, open_appdb
from guanghe.appdb.logins import set_password
from guanghe.appdb.models import PrincipalRow
from guanghe.data.warehouse import Warehouse
from guanghe.market.api.orders import level_discount_of, programs_of
from guanghe.market.offers import create_campaign, list_campaigns, make_offer
from guanghe.web.state import WebState

LOGINS = {"creator": "demo-creator", "mcn": "demo-mcn", "brand": "demo-brand", "operator": "demo-operator"}
NAMES = {"creator": "演示创作者 Demo creator", "mcn": "演示机构 Demo MCN", "brand": "演示品牌 Demo brand",
         "operator": "平台运营 Operator"}  # fmt: skip


@dataclass(frozen=True)
class DemoAccount:
    role: str
    login: str
    password: str
    principal: Principal


def ensure_database(url: str) -> None:
    """Make and migrate the application database if it is missing or behind (a writing command's step)."""
    open_appdb(url, create=True).close()


def ensure_principal(db: AppDb, kind: str, name: str, external_id: int | None) -> Principal:
    """The principal ``(kind, external_id)`` (for an operator without an id: by name), made if missing."""
    with Session(db.engine) as s, s.begin():
        q = select(PrincipalRow).where(PrincipalRow.kind == kind)
        q = q.where(PrincipalRow.external_id == external_id) if external_id is not None else q.where(
            PrincipalRow.external_id.is_(None), PrincipalRow.name == name)  # fmt: skip
        row = s.scalars(q.order_by(PrincipalRow.id)).first()
        if row is None:
            row = PrincipalRow(kind=kind, name=name, external_id=external_id)
            s.add(row)
            s.flush()
        return Principal(row.id, row.kind, row.name, row.external_id)


def pick_cast(wh: Warehouse, kits: pa.Table) -> dict[str, int | None]:
    """External ids of the demo cast: the creator with an MCN and the highest net income in the last settled
    month (else the most followed creator with an MCN), its agency, the brand with the most deals."""
    signed = kits.filter(pc.is_valid(kits.column("mcn_id")))
    if signed.num_rows == 0:
        signed = kits
    ids = set(signed.column("creator_id").to_pylist())
    creator = None
    if wh.has("money_statements"):
        s = wh.table("money_statements")
        last = wh.fetch(s.aggregate(m=s.month.max())).column("m")[0].as_py()
        if last is not None:
            rows = wh.fetch(s.filter((s.month == last) & (s.payee_kind == "creator"))
                            .select("payee_id", "net_income_fen")).to_pylist()  # fmt: skip
            rows = sorted((r for r in rows if r["payee_id"] in ids), key=lambda r: -r["net_income_fen"])
            creator = rows[0]["payee_id"] if rows else None
    if creator is None:
        top = signed.sort_by([("followers", "descending")]).slice(0, 1)
        creator = top.column("creator_id")[0].as_py()
    row = kits.filter(pc.equal(kits.column("creator_id"), creator)).to_pylist()[0]
    brand = 1
    if wh.has("brand_orders"):
        b = wh.table("brand_orders")
        top = wh.fetch(b.group_by("brand_id").aggregate(n=b.count()).order_by([b.count().desc(), "brand_id"])
                       .limit(1))  # fmt: skip
        if top.num_rows:
            brand = top.column("brand_id")[0].as_py()
    return {"creator": creator, "mcn": row["mcn_id"], "brand": brand, "operator": None}


def demo_accounts(state: WebState, password: str | None = None) -> list[DemoAccount]:
    """One login per role (``LOGINS``), each with ``password`` or a fresh random one; then ``seed_market``."""
    with state.warehouse() as wh:
        cast = pick_cast(wh, state.market.kits)
    accounts = []
    for role, login in LOGINS.items():
        if role == "mcn" and cast["mcn"] is None:
            continue
        p = ensure_principal(state.db, role, NAMES[role], cast[role])
        pw = password or secrets.token_urlsafe(9)
        set_password(state.db, p.id, login, pw)
        accounts.append(DemoAccount(role, login, pw, p))
    seed_market(state, {a.role: a.principal for a in accounts})
    return accounts


def seed_market(state: WebState, cast: dict[str, Principal]) -> int | None:
    """A campaign of the demo brand and an offer of it to the demo creator, if the brand has no campaign;
    the campaign's id (None when nothing was made)."""
    brand, creator = cast["brand"], cast["creator"]
    if list_campaigns(state.db, brand.external_id, 1)[1] or creator.external_id is None:
        return None
    kit = state.market.kit(creator.external_id)
    if kit is None:
        return None
    price = int(kit["suggested_fen"] or 100_000)
    deadline = state.as_of + timedelta(days=365 * 3)  # open well past the demo's last day
    cid = create_campaign(state.db, brand, "夏季新品推广 Summer launch", "短视频种草 · short videos about the new line",
                          [kit["category"]], price * 20, deadline, max_creators=10)  # fmt: skip
    make_offer(state.market.market(), brand, cid, creator.external_id, "short_video", price, programs_of(kit),
               mcn_id=kit["mcn_id"], pitch="欢迎合作 · we would love to work with you",
               level_discount_bps=level_discount_of(kit))  # fmt: skip
    return cid
