"""Wire types of the rerank API (msgspec: strict, no unknown fields) and their checks."""

from __future__ import annotations

import math
from typing import Annotated

import msgspec

Id = Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=128)]


class Candidate(msgspec.Struct, forbid_unknown_fields=True):
    work_id: Id
    creator_id: Id
    score: float
    quality: float = 0.0


class RerankRequest(msgspec.Struct, forbid_unknown_fields=True):
    request_id: Text
    user_id: Id
    slots: Annotated[int, msgspec.Meta(ge=1, le=100)]
    candidates: list[Candidate]
    at: float | None = None  # unix seconds of the request; default: the server's clock (replays set it)


class Item(msgspec.Struct, omit_defaults=True):
    work_id: int
    creator_id: int
    score: float
    program: str | None = None  # set on a boosted work: the program paying for the impression


class RerankResponse(msgspec.Struct):
    request_id: str
    items: list[Item]
    boosted: int
    degraded: bool = False


class BadRequest(ValueError):
    """A request the service refuses: ``field`` is the JSON path of the offending value."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


_decoder = msgspec.json.Decoder(RerankRequest)
_encoder = msgspec.json.Encoder()


def decode(body: bytes, max_candidates: int) -> RerankRequest:
    """Parse and check a rerank body; raise ``BadRequest`` naming the field."""
    try:
        req = _decoder.decode(body)
    except msgspec.ValidationError as e:
        text = str(e)
        field = text.rsplit("at `", 1)[1].rstrip("`") if " - at `" in text else "$"
        if text.startswith(("Object contains unknown field", "Object missing required field")):
            field += "." + text.split("`", 2)[1]
        raise BadRequest(field, text) from None
    except msgspec.DecodeError as e:
        raise BadRequest("$", f"malformed JSON: {e}") from None
    n = len(req.candidates)
    if n > max_candidates:
        raise BadRequest("$.candidates", f"{n} candidates, at most {max_candidates} allowed")
    cands = req.candidates
    scores, qualities = [c.score for c in cands], [c.quality for c in cands]
    total = sum(scores) + sum(qualities)  # NaN or infinity anywhere: not finite (then look closer)
    if (
        math.isfinite(total)
        and (not cands or (min(scores) >= 0 and min(qualities) >= 0))
        and len({c.work_id for c in cands}) == n
        and (req.at is None or math.isfinite(req.at))
    ):
        return req
    seen: set[int] = set()
    for i, c in enumerate(cands):
        if not (math.isfinite(c.score) and c.score >= 0):
            raise BadRequest(f"$.candidates[{i}].score", f"expected a finite number >= 0, got {c.score!r}")
        if not (math.isfinite(c.quality) and c.quality >= 0):
            raise BadRequest(
                f"$.candidates[{i}].quality", f"expected a finite number >= 0, got {c.quality!r}"
            )
        if c.work_id in seen:
            raise BadRequest(f"$.candidates[{i}].work_id", f"duplicate work id {c.work_id}")
        seen.add(c.work_id)
    if req.at is not None and not math.isfinite(req.at):
        raise BadRequest("$.at", "expected finite unix seconds")
    return req


def encode(obj: object) -> bytes:
    return _encoder.encode(obj)
