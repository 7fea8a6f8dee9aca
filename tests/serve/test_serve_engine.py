"""The rerank rules on hand-built slates: quota, K per slate, the viewer guardrail, retries."""

from __future__ import annotations

import msgspec
from serve_helpers import DAY, MIDNIGHT

from guanghe.serve.counters import open_counters
from guanghe.serve.engine import Config, Engine
from guanghe.serve.plans import PlanSource, Snapshot

NOON = MIDNIGHT + 12 * 3600


def engine(quotas: dict, **cfg) -> Engine:
    snap = Snapshot(DAY, "p", None, quotas, {1: "food", 2: "tech"}, {1: (50,), 2: (60,)})
    return Engine(PlanSource.fixed(snap), open_counters("memory://"), Config(seed=0, replay=True, **cfg))


def request(rid: str, extra: list[tuple[int, int, float]], slots: int = 5, at: float = NOON) -> bytes:
    # organic: works 0..9 of creators 100..109 scoring 10, 9, ..., 1; the slate's lowest organic pick is 6
    cands = [{"work_id": i, "creator_id": 100 + i, "score": 10.0 - i} for i in range(10)]
    cands += [{"work_id": w, "creator_id": c, "score": s} for w, c, s in extra]
    return msgspec.json.encode(
        {"request_id": rid, "user_id": 7, "slots": slots, "candidates": cands, "at": at}
    )


def slate(out: bytes) -> list[tuple[int, str | None]]:
    return [(i["work_id"], i.get("program")) for i in msgspec.json.decode(out)["items"]]


def test_boosts_replace_the_lowest_organic_picks_up_to_k() -> None:
    e = engine({1: (("a", 2),), 2: (("a", 1), ("b", 1))})
    extra = [(50, 1, 4.0), (51, 1, 3.5), (60, 2, 3.2), (70, 3, 4.5)]  # creator 3 has no quota
    # work 51: creator 1 is in the slate already; K = 2 stops after work 60 (program a: both have 1/1 left)
    assert slate(e.handle(request("r1", extra))) == [(0, None), (1, None), (2, None), (50, "a"), (60, "a")]
    assert e.stats.boosts == {"a": 2}
    assert e.stats.score_loss == (10 + 9 + 8 + 7 + 6) - (10 + 9 + 8 + 4.0 + 3.2)


def test_guardrail_keeps_weak_candidates_out() -> None:
    e = engine({1: (("a", 5),)}, guardrail=0.5)
    assert slate(e.handle(request("r", [(50, 1, 2.9)]))) == [(i, None) for i in range(5)]  # 2.9 < 0.5 x 6
    e = engine({1: (("a", 5),)}, guardrail=0.4)
    assert (50, "a") in slate(e.handle(request("r", [(50, 1, 2.9)])))


def test_quota_is_never_exceeded_and_programs_share_it() -> None:
    e = engine({2: (("a", 1), ("b", 1))}, max_boosts=1)
    late = MIDNIGHT + 23 * 3600  # the last stretch: pacing lets every chance through
    got = [slate(e.handle(request(f"r{i}", [(60, 2, 5.5)], at=late)))[-1] for i in range(4)]
    assert got == [(60, "a"), (60, "b"), (4, None), (4, None)]
    assert e.attainment() == {"a": (1, 1), "b": (1, 1)}


def test_retried_request_gets_the_same_slate_and_counts_once() -> None:
    e = engine({1: (("a", 3),)})
    first = e.handle(request("same", [(50, 1, 5.5)]))
    assert e.handle(request("same", [(50, 1, 5.5)])) == first
    assert e.attainment() == {"a": (1, 3)} and e.stats.requests == 1 and e.stats.replays == 1


def test_no_boost_mode_and_short_lists_stay_organic() -> None:
    e = engine({1: (("a", 3),)}, boost=False)
    assert slate(e.handle(request("r", [(50, 1, 5.5)]))) == [(i, None) for i in range(5)]
    e = engine({1: (("a", 3),)})
    assert [w for w, _ in slate(e.handle(request("r", [(50, 1, 5.5)], slots=20)))][
        -1
    ] == 9  # all fit: no boost


def test_boost_pool_orders_by_lag() -> None:
    e = engine({1: (("a", 10),), 2: (("a", 10),)})
    e.handle(request("r", [(50, 1, 5.5)]))  # creator 1 got one
    pool = e.pool(None, 10, NOON)
    assert [p["creator_id"] for p in pool] == [2, 1] and pool[1]["remaining"] == 9
    assert [p["creator_id"] for p in e.pool("food", 10, NOON)] == [1]
