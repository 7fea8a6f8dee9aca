"""Explain reads the stored plan back: eligibility, curve, binding constraints, marginal value vs price."""

from __future__ import annotations

import numpy as np
import pytest
from synth_platform import PLAN_ID, small_platform

from guanghe.allocate.explain import explain, latest_plan_id
from guanghe.data.warehouse import WarehouseError


def _creator(plan, where) -> int:
    return int(plan.platform.creator_id[np.flatnonzero(where)[0]])


def test_a_capped_creator_names_its_cap_and_the_budget(tmp_path_factory) -> None:
    p = small_platform(tmp_path_factory)
    kp = p.plan.kinds["impressions"]
    caps = kp.problem.effective_caps()
    capped = np.any((kp.amounts >= np.floor(caps)) & (kp.amounts > 0), axis=1)
    wh = p.open()
    try:
        ex = explain(wh, _creator(p.plan, capped), p.programs, PLAN_ID)
    finally:
        wh.close()
    text = ex.text()
    assert "at its cap" in text and "binding:" in text
    assert any("per-creator impressions cap" in b for b in ex.binding)
    assert any("budget" in b for b in ex.binding)
    assert "segment prior theta" in text and "marginal value" in text and "quotas:" in text


def test_a_floor_binding_tier_is_mentioned(tmp_path_factory) -> None:
    p = small_platform(tmp_path_factory)
    kp = next(k for k in p.plan.kinds.values() if np.any(k.result.floor_binding))
    j, t = np.argwhere(kp.result.floor_binding)[0]
    who = (kp.problem.tier == t) & (kp.amounts[:, j] > 0)
    wh = p.open()
    try:
        ex = explain(wh, _creator(p.plan, who), p.programs, PLAN_ID)
    finally:
        wh.close()
    assert any("floor" in b for b in ex.binding)


def test_an_ineligible_creator_gets_the_failed_rules(tmp_path_factory) -> None:
    p = small_platform(tmp_path_factory)
    nobody = ~np.any(p.plan.platform.eligible, axis=1)
    wh = p.open()
    try:
        ex = explain(wh, _creator(p.plan, nobody), p.programs, None)
        assert latest_plan_id(wh) == PLAN_ID
        with pytest.raises(WarehouseError, match="not in plan"):
            explain(wh, 10**9, p.programs, PLAN_ID)
    finally:
        wh.close()
    assert ex.text().count("not eligible") == len(p.programs)
    assert " fails: " in ex.text()
    assert ex.doc["programs"][0]["why_not"]
