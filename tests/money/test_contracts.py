"""The money room's declared contracts: account ids, transfer codes, transfer ids, user_data."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from guanghe.data.schema import CHANNELS, INCOME
from guanghe.money.chart import Kind, account_id, check_program_codes, parse_account, program_code
from guanghe.money.codes import BY_VALUE, CODES
from guanghe.money.ids import (
    SOURCES,
    STEPS,
    day_number,
    event_ids,
    event_transfer_id,
    parse_user_data,
    transfer_id,
    user_data,
)
from guanghe.programs import PROGRAMS_DIR, load_programs


def test_account_ids_round_trip_and_do_not_collide() -> None:
    ids = {account_id(k, e, s) for k in Kind for e in (0, 1, 2**48 - 1) for s in (0, 255)}
    assert len(ids) == len(Kind) * 3 * 2 and all(0 < i < 2**63 for i in ids)  # SQLite INTEGERs
    assert parse_account(account_id(Kind.MCN_PAYABLE, 77, 3)) == (Kind.MCN_PAYABLE, 77, 3)
    with pytest.raises(ValueError):
        account_id(Kind.BRAND, 2**48)
    with pytest.raises(ValueError):
        account_id(Kind.PLATFORM_REVENUE, 0, 256)


def test_shipped_programs_have_distinct_codes() -> None:
    names = [p.name for p in load_programs(PROGRAMS_DIR)]
    assert len(check_program_codes(names)) == len(names) and all(
        1 <= program_code(n) <= 0xFFFF for n in names
    )


def test_codes_are_consistent() -> None:
    assert len(BY_VALUE) == len(CODES)
    for c in CODES:
        assert c.channel is None or c.channel in CHANNELS
        if c.line is not None:  # an income line always touches the creator's payable
            assert c.creator_sign != 0 and c.line in INCOME.column("line").enum and c.channel is not None
    assert {c.channel for c in CODES if c.line == "earning"} == set(CHANNELS)


def test_user_data_and_transfer_ids_are_deterministic() -> None:
    u = user_data(date(2023, 6, 30), "feiniao", "local_life_orders", 2**80 - 1)
    ref = parse_user_data(u)
    assert (ref.day, ref.program_code, ref.source, ref.key) == (date(2023, 6, 30), program_code("feiniao"),
                                                                "local_life_orders", 2**80 - 1)  # fmt: skip
    assert u < 2**128 and len(SOURCES) == len(set(SOURCES.values()))
    a = transfer_id(201, "ecommerce_orders", 5, date(2023, 6, 1), "hold")
    assert a == transfer_id(201, "ecommerce_orders", 5, date(2023, 6, 1), "hold")
    assert a != transfer_id(201, "ecommerce_orders", 5, date(2023, 6, 1), "post") and 0 < a < 2**127
    with pytest.raises(ValueError):
        user_data(date(2023, 1, 1), None, "ad_revenue", 2**80)


def test_event_ids_are_their_parts_side_by_side_and_never_a_hashed_id() -> None:
    day = date(2023, 6, 1)
    a = event_transfer_id(201, "ecommerce_orders", 5, day, "hold", "ecom_tail")
    assert a >> 126 == 1 and (a >> 116) & 0x3FF == 201 and (a >> 112) & 0xF == SOURCES["ecommerce_orders"]
    assert (a >> 108) & 0xF == STEPS.index("hold") and (a >> 92) & 0xFFFF == program_code("ecom_tail")
    assert (a >> 68) & 0xFFFFFF == day_number(day) + 1 and a & (2**64 - 1) == 5
    assert event_transfer_id(201, "ecommerce_orders", 5, None, "hold") >> 68 & 0xFFFFFF == 0  # no day
    # the vectorised form gives the same ids; every part changes the id
    rows = [(201, "ecommerce_orders", 5, day, "hold", ""), (201, "ecommerce_orders", 5, day, "post", ""),
            (202, "ecommerce_orders", 5, day, "hold", ""), (201, "local_life_orders", 5, day, "hold", ""),
            (201, "ecommerce_orders", 6, day, "hold", ""), (201, "ecommerce_orders", 5, None, "hold", ""),
            (201, "ecommerce_orders", 5, day, "hold", "feiniao"), (402, "funding", 2**63 - 1, day, "affiliate", "")]  # fmt: skip
    one = [event_transfer_id(*r) for r in rows]
    cols = [np.array(v) for v in zip(*[(c, SOURCES[s], STEPS.index(st), program_code(p) if p else 0,
                                        day_number(d) if d else -1) for c, s, _, d, st, p in rows], strict=True)]  # fmt: skip
    assert event_ids(*cols, np.array([r[2] for r in rows], np.int64)) == one and len(set(one)) == len(rows)
    hashed = [transfer_id(*r) for r in rows]  # settlement-side ids: bit 126 clear
    assert all(h >> 126 == 0 for h in hashed) and not set(hashed) & set(one)
    with pytest.raises(ValueError):
        event_transfer_id(1024, "ad_revenue", 1)
    with pytest.raises(ValueError):
        event_transfer_id(101, "ad_revenue", 1, None, "paid:x")
