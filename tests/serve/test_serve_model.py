"""Bad input is refused with the offending field named."""

from __future__ import annotations

import msgspec
import pytest

from guanghe.serve.model import BadRequest, decode


def body(**over) -> bytes:
    two = [{"work_id": 1, "creator_id": 9, "score": 1.0}, {"work_id": 2, "creator_id": 9, "score": 0.5}]
    req = {"request_id": "r", "user_id": 1, "slots": 2, "candidates": two}
    req.update(over)
    return msgspec.json.encode(req)


def cands(*scores) -> list[dict]:
    return [{"work_id": i, "creator_id": 1, "score": s} for i, s in enumerate(scores)]


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b"{not json", "$"),
        (b"[]", "$"),
        (body(extra=1), "$.extra"),
        (msgspec.json.encode({"request_id": "r", "user_id": 1, "candidates": []}), "$.slots"),
        (body(candidates=[{"work_id": 1, "creator_id": 2}]), "$.candidates[0].score"),
        (body(candidates=[{"work_id": 1, "creator_id": 2, "score": 1, "why": 0}]), "$.candidates[0].why"),
        (body(candidates=cands(1.0, -0.5)), "$.candidates[1].score"),
        (body(candidates=[{"work_id": 1, "creator_id": 2, "score": 1, "quality": -1}]), "$.candidates[0].quality"),
        (body(candidates=[{"work_id": 7, "creator_id": 2, "score": 1}, {"work_id": 7, "creator_id": 3, "score": 2}]),
         "$.candidates[1].work_id"),
        (body(candidates=cands(*[1.0] * 6)), "$.candidates"),
        (body(slots=0), "$.slots"),
        (body(request_id=""), "$.request_id"),
        (body(user_id=-1), "$.user_id"),
        (body(candidates=[{"work_id": "x", "creator_id": 2, "score": 1}]), "$.candidates[0].work_id"),
    ],
)  # fmt: skip
def test_bad_input_names_the_field(raw: bytes, field: str) -> None:
    with pytest.raises(BadRequest) as e:
        decode(raw, max_candidates=5)
    assert e.value.field == field, e.value


def test_nan_and_infinity_are_refused() -> None:
    head = b'{"request_id":"r","user_id":1,"slots":1,"candidates":[{"work_id":1,"creator_id":1,"score":'
    for score in (b"NaN", b"1e999", b"Infinity"):
        with pytest.raises(BadRequest):
            decode(head + score + b"}]}", 5)


def test_good_input_decodes() -> None:
    req = decode(body(), 5)
    assert (req.request_id, req.slots, [c.work_id for c in req.candidates]) == ("r", 2, [1, 2])
