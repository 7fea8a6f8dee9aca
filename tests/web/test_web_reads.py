"""The pages' read cache (``web.reads``): a repeated read is served without opening the warehouse, and any
write to the warehouse (a committed transaction: its file or write-ahead log changes) makes the next read
recompute — the creator's income page shows a new income row right after it is written."""

from __future__ import annotations

import re
import shutil
from contextlib import contextmanager

import pyarrow as pa
import pytest
from web_platform import PlatformFiles
from web_world import fresh_world

from guanghe.config import parse_url
from guanghe.data.money_schema import INCOME
from guanghe.data.warehouse import open_warehouse
from guanghe.web.reads import ReadCache, identity

TOTAL = re.compile(r'id="income-total">([^<]*)<')


def fen(text: str) -> int:
    whole, _, cents = text.strip().replace(",", "").partition(".")
    return int(whole) * 100 + int(cents or 0)


def income_rows(wh, creator_id: int) -> pa.Table:
    t = wh.table(INCOME)
    return wh.fetch(t.filter(t.creator_id == creator_id).order_by(t.occurred_at.desc()).limit(1))


def test_a_repeated_read_opens_nothing_and_a_write_invalidates(tmp_path, web_platform: PlatformFiles):
    db = tmp_path / "wh.duckdb"
    shutil.copy(parse_url(web_platform.warehouse).file(), db)
    url = f"duckdb:///{db}"
    opened = []

    @contextmanager
    def opener():
        opened.append(1)
        with open_warehouse(url, read_only=True) as wh:
            yield wh

    cache = ReadCache(url, opener)

    def count(wh) -> int:
        return wh.count("income")

    first = cache.read("count", None, count)
    assert cache.read("count", None, count) == first and len(opened) == 1 and cache.hits == 1
    before = identity(url)
    with open_warehouse(url) as wh:
        row = income_rows(wh, int(wh.fetch(wh.table(INCOME).limit(1)).column("creator_id")[0].as_py()))
        with wh.writer() as w:
            w.insert(INCOME, row.set_column(0, "income_id", pa.array(["f" * 32])))
    assert identity(url) != before
    assert cache.read("count", None, count) == first + 1 and len(opened) == 2


@pytest.mark.slow
def test_the_income_page_shows_a_write_at_once(tmp_path, web_platform: PlatformFiles):
    db = tmp_path / "wh.duckdb"
    shutil.copy(parse_url(web_platform.warehouse).file(), db)
    world = fresh_world(PlatformFiles(tmp_path, f"duckdb:///{db}", web_platform.ledger_file, web_platform.month),
                        tmp_path)  # fmt: skip
    try:
        me = world.accounts["creator"].principal.external_id
        client = world.as_("creator")
        total = fen(TOTAL.search(client.get("/creator/income").text).group(1))
        assert fen(TOTAL.search(client.get("/creator/income").text).group(1)) == total
        assert world.state.cache.hits >= 1  # the second page was served from the cache
        with open_warehouse(f"duckdb:///{db}") as wh:
            row = income_rows(wh, me)  # the creator's latest row: inside the page's 12 months
            row = row.set_column(0, "income_id", pa.array(["e" * 32]))
            row = row.set_column(row.schema.get_field_index("amount_fen"), "amount_fen", pa.array([12_345]))
            with wh.writer() as w:
                w.insert(INCOME, row)
        assert fen(TOTAL.search(client.get("/creator/income").text).group(1)) == total + 12_345
    finally:
        world.state.close()
