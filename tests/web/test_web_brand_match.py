"""The brand's match page solves in the background (``ReadCache.memo_background``): a page answers at once —
with the result when the solver is done within ``MATCH_WAIT_S``, else with a panel that polls — and the
result it shows is ``match_exact``'s on the campaign's pool (the reference)."""

from __future__ import annotations

import re
import time

import pytest
from web_world import World

from guanghe.market.discovery import SearchFilters
from guanghe.market.matching import Campaign as MatchCampaign
from guanghe.market.matching import match_exact
from guanghe.market.offers import list_campaigns
from guanghe.web.pages import brand as brand_pages

ROW = re.compile(r'<tr><td><a href="/brand/creators/(\d+)">')


def poll(client, url: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while True:
        r = client.get(url)
        assert r.status_code == 200, r.text
        if 'id="computing"' not in r.text:
            return r.text
        assert 'hx-trigger="every 1s"' in r.text and "hx-get" in r.text
        assert time.monotonic() < deadline, "the match is still being solved"
        time.sleep(0.1)


def test_the_match_page_shows_the_exact_match_after_a_polling_panel(web_world: World, monkeypatch):
    state = web_world.state
    brand = web_world.accounts["brand"].principal
    c = list_campaigns(state.db, brand.external_id, 1)[0][0]
    client = web_world.as_("brand")
    url = f"/brand/campaigns/{c.id}/match?objective=engagement&max_per_mcn=2"
    monkeypatch.setattr(brand_pages, "MATCH_WAIT_S", 0.0)  # the page does not wait: the first answer polls
    first = client.get(url)
    assert first.status_code == 200 and 'id="computing"' in first.text and 'id="matched"' not in first.text
    html = poll(client, url)
    pool, rows = state.market.pool(SearchFilters(categories=c.categories), "engagement", [], [])
    best = match_exact(pool, MatchCampaign(c.budget_fen, c.max_creators, 2), time_limit_s=5.0)
    want = rows.column("creator_id").take(best.index).to_pylist()
    assert [int(x) for x in ROW.findall(html)] == want and want
    assert f'id="match-n">{len(want)}<' in html
    assert client.get(url).text.count('id="computing"') == 0  # solved once, kept for the process


def test_memo_background_returns_none_then_the_value_and_keeps_a_failure():
    from guanghe.web.reads import ReadCache

    cache = ReadCache("duckdb://", lambda: None)
    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.3)
        return 42

    assert cache.memo_background("s", 1, slow, 0.0) is None
    assert cache.memo_background("s", 1, slow, 5.0) == 42 and cache.memo_background("s", 1, slow, 0) == 42
    assert len(calls) == 1

    def fails():
        calls.append(2)
        raise ValueError("no creator fits the budget")

    for _ in range(2):  # computed once; the same failure on every view
        with pytest.raises(ValueError, match="no creator fits"):
            cache.memo_background("s", 2, fails, 5.0)
    assert calls.count(2) == 1
