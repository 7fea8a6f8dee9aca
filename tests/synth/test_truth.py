"""The generator's truth (truth/earnings.parquet, numpy) equals a plain-SQL reading of the written events by
the shipped rule files: the same integer rules, implemented again over the Parquet output alone."""

from __future__ import annotations

import tomllib
from pathlib import Path

import duckdb
import pytest
from synth_views import views

from guanghe.synth import SynthConfig, generate

CHANNELS_DIR = Path(__file__).resolve().parents[2] / "examples" / "channels"


def _rules() -> dict[str, int | str]:
    t = {p.stem: tomllib.loads(p.read_text()) for p in CHANNELS_DIR.glob("*.toml")}
    (ad_bonus,) = t["ad_share"]["bonus"]
    (aff_bonus,) = t["affiliate"]["bonus"]
    (ll_bonus,) = t["local_life"]["bonus"]
    discounts = {d["program"]: d["fee_bps"] for d in t["brand_deal"]["fee_discount"]}
    return {
        **{f"share_{k}": v for k, v in t["ad_share"]["share_bps"].items()},
        "ad_bonus_program": ad_bonus["program"], "ad_bonus": ad_bonus["extra_bps"],
        "take": t["affiliate"]["platform_take_bps"], "window": t["affiliate"]["return_window_days"],
        "aff_bonus_program": aff_bonus["program"], "aff_bonus": aff_bonus["bps"],
        "aff_touch": "', '".join(aff_bonus["touchpoints"]),
        "ll_take": t["local_life"]["platform_take_bps"], "ll_bonus_program": ll_bonus["program"],
        "ll_bonus": ll_bonus["bps"], "fee": t["brand_deal"]["fee_bps"],
        "xiaomai": discounts["xiaomai"], "brand_star": discounts["brand_star"],
    }  # fmt: skip


REFERENCE = """
CREATE OR REPLACE TEMP TABLE member AS
    SELECT DISTINCT w.creator_id, b.program, CAST(date_trunc('month', b.date) AS DATE) AS m
    FROM work_boost b JOIN works w USING (work_id);
CREATE OR REPLACE TEMP TABLE money AS
WITH ad AS (
    SELECT w.creator_id, a.date AS day, a.gross_fen, CAST(date_trunc('month', a.date) AS DATE) AS m
    FROM ad_revenue a JOIN works w USING (work_id)
), ad_tier AS (  -- followers of the last creator_daily row before the month (none: 0)
    SELECT ad.*, coalesce(cd.followers, 0) AS f FROM ad ASOF LEFT JOIN creator_daily cd
    ON ad.creator_id = cd.creator_id AND ad.m > cd.date
), aff AS (
    SELECT o.*, CAST(delivered_at AS DATE) + {window} AS close, CAST(refunded_at AS DATE) AS rday,
        CASE WHEN touchpoint IN ('{aff_touch}') AND EXISTS (SELECT 1 FROM member x WHERE x.creator_id = o.creator_id
             AND x.program = '{aff_bonus_program}' AND x.m = date_trunc('month', o.paid_at)) THEN {aff_bonus}
             ELSE 0 END AS bonus_bps
    FROM ecommerce_orders o
), aff_base AS (
    SELECT *, amount_fen - CASE WHEN refund_fen > 0 AND rday <= close THEN refund_fen ELSE 0 END AS base
    FROM aff WHERE delivered_at IS NOT NULL
), ll AS (
    SELECT o.*, CASE WHEN EXISTS (SELECT 1 FROM member x WHERE x.creator_id = o.creator_id
             AND x.program = '{ll_bonus_program}' AND x.m = date_trunc('month', o.paid_at)) THEN {ll_bonus}
             ELSE 0 END AS bonus_bps
    FROM local_life_orders o WHERE redeemed_at IS NOT NULL
), brand AS (
    SELECT o.*, least({fee},
        CASE WHEN EXISTS (SELECT 1 FROM member x WHERE x.creator_id = o.creator_id AND x.program = 'xiaomai'
                          AND x.m = date_trunc('month', o.completed_at)) THEN {xiaomai} ELSE 10000 END,
        CASE WHEN EXISTS (SELECT 1 FROM member x WHERE x.creator_id = o.creator_id AND x.program = 'brand_star'
                          AND x.m = date_trunc('month', o.completed_at)) THEN {brand_star} ELSE 10000 END
    ) AS fee_bps FROM brand_orders o
), lines (creator_id, channel, line, day, amount) AS (
    SELECT creator_id, 'ad_share', 'earning', day,
        gross_fen * CASE WHEN f >= 1000000 THEN {share_head} WHEN f >= 10000 THEN {share_waist}
                         ELSE {share_tail} END // 10000
        + CASE WHEN EXISTS (SELECT 1 FROM member x WHERE x.creator_id = ad_tier.creator_id
                            AND x.program = '{ad_bonus_program}' AND x.m = ad_tier.m)
               THEN gross_fen * {ad_bonus} // 10000 ELSE 0 END
    FROM ad_tier
    UNION ALL SELECT creator_id, 'affiliate', 'earning', close, base * commission_bps // 10000
        + base * bonus_bps // 10000 FROM aff_base
    UNION ALL SELECT creator_id, 'affiliate', 'fee', close, -(base * commission_bps // 10000 * {take} // 10000)
        FROM aff_base
    UNION ALL SELECT creator_id, 'affiliate', 'clawback', rday,
        -(refund_fen * commission_bps // 10000 + refund_fen * bonus_bps // 10000)
        FROM aff_base WHERE refund_fen > 0 AND rday > close
    UNION ALL SELECT creator_id, 'affiliate', 'fee', rday, refund_fen * commission_bps // 10000 * {take} // 10000
        FROM aff_base WHERE refund_fen > 0 AND rday > close
    UNION ALL SELECT creator_id, 'local_life', 'earning', CAST(redeemed_at AS DATE),
        amount_fen * commission_bps // 10000 + amount_fen * bonus_bps // 10000 FROM ll
    UNION ALL SELECT creator_id, 'local_life', 'fee', CAST(redeemed_at AS DATE),
        -(amount_fen * commission_bps // 10000 * {ll_take} // 10000) FROM ll
    UNION ALL SELECT creator_id, 'local_life', 'clawback', CAST(refunded_at AS DATE),
        -(refund_fen * commission_bps // 10000 + refund_fen * bonus_bps // 10000) FROM ll WHERE refund_fen > 0
    UNION ALL SELECT creator_id, 'local_life', 'fee', CAST(refunded_at AS DATE),
        refund_fen * commission_bps // 10000 * {ll_take} // 10000 FROM ll WHERE refund_fen > 0
    UNION ALL SELECT creator_id, 'brand_deal', 'earning', CAST(completed_at AS DATE), price_fen FROM brand
    UNION ALL SELECT creator_id, 'brand_deal', 'fee', CAST(completed_at AS DATE), -(price_fen * fee_bps // 10000)
        FROM brand
    UNION ALL SELECT creator_id, 'task', 'earning', CAST(completed_at AS DATE), reward_fen FROM task_rewards
    UNION ALL SELECT g.creator_id, 'incentive', 'earning', g.week_start + 6, g.amount_fen FROM cash_grants g
        WHERE EXISTS (SELECT 1 FROM works w WHERE w.creator_id = g.creator_id
                      AND CAST(w.published_at AS DATE) BETWEEN g.week_start AND g.week_start + 6)
)
SELECT creator_id, channel, strftime(day, '%Y-%m') AS month, line, sum(amount)::BIGINT AS amount_fen
FROM lines WHERE day <= DATE '{end}' GROUP BY ALL HAVING sum(amount) <> 0
"""


def reference(c: duckdb.DuckDBPyConnection, cfg: SynthConfig) -> list[tuple]:
    c.execute(REFERENCE.format(**_rules(), end=cfg.end.isoformat()))
    return c.execute("SELECT * FROM money ORDER BY ALL").fetchall()


@pytest.fixture(scope="module")
def want(con: duckdb.DuckDBPyConnection, small_cfg: SynthConfig) -> list[tuple]:
    return reference(con, small_cfg)


def test_truth_equals_a_sql_reading_of_the_events(con: duckdb.DuckDBPyConnection, want: list[tuple]) -> None:
    got = con.execute("SELECT * FROM truth ORDER BY ALL").fetchall()
    assert got == want
    channels = {r[1] for r in got}
    lines = {(r[1], r[3]) for r in got}
    assert channels == {"ad_share", "brand_deal", "affiliate", "local_life", "task", "incentive"}
    assert {("affiliate", "clawback"), ("local_life", "clawback"), ("brand_deal", "fee")} <= lines


def test_the_rules_matter_in_this_platform(con: duckdb.DuckDBPyConnection, want: list[tuple]) -> None:
    """The cases the rules distinguish all occur, so the comparison above exercises them."""
    one = lambda sql: con.execute(sql).fetchone()[0]  # noqa: E731
    assert one("SELECT count(*) FROM ecommerce_orders WHERE refund_fen > 0 AND delivered_at IS NOT NULL "
               "AND CAST(refunded_at AS DATE) <= CAST(delivered_at AS DATE) + 7") > 0  # fmt: skip
    assert one("SELECT count(*) FROM ecommerce_orders WHERE refund_fen > 0 "
               "AND CAST(refunded_at AS DATE) > CAST(delivered_at AS DATE) + 7") > 0  # fmt: skip
    assert one("SELECT count(*) FROM ecommerce_orders WHERE refund_fen BETWEEN 1 AND amount_fen - 1") > 0
    assert one("SELECT count(*) FROM ecommerce_orders WHERE delivered_at IS NULL AND refund_fen = 0") > 0
    assert one("SELECT count(*) FROM local_life_orders WHERE redeemed_at IS NOT NULL AND refund_fen > 0") > 0
    members = "SELECT count(*) FROM {t} o JOIN member m ON m.creator_id = o.creator_id AND m.program = '{p}' " \
              "AND m.m = date_trunc('month', o.{c})"  # fmt: skip
    assert one(members.format(t="ecommerce_orders", p="ecom_tail", c="paid_at")) > 0
    assert one(members.format(t="local_life_orders", p="feiniao", c="paid_at")) > 0
    assert one(members.format(t="brand_orders", p="xiaomai", c="completed_at")) > 0
    assert one(members.format(t="brand_orders", p="brand_star", c="completed_at")) > 0
    assert one("SELECT count(*) FROM ad_revenue a JOIN works w USING (work_id) JOIN member m "
               "ON m.creator_id = w.creator_id AND m.program = 'guanghe' "
               "AND m.m = date_trunc('month', a.date)") > 0  # fmt: skip
    paid = "SELECT count(*) FROM cash_grants g WHERE {} EXISTS (SELECT 1 FROM works w WHERE " \
           "w.creator_id = g.creator_id AND CAST(w.published_at AS DATE) BETWEEN week_start AND week_start + 6)"  # fmt: skip
    assert one(paid.format("")) > 0 and one(paid.format("NOT")) > 0


@pytest.mark.parametrize("end", ["2023-04-30", "2021-12-31"])
def test_truth_of_a_window_starting_after_the_launch(tmp_path: Path, end: str) -> None:
    """A 2-month window: ad share from its first month (tier: tail, no earlier follower row) or none at all."""
    from datetime import date

    cfg = SynthConfig(creators=1_500, months=2, seed=5, end=date.fromisoformat(end))
    generate(cfg, tmp_path)
    c = views(duckdb.connect(), tmp_path)
    want = reference(c, cfg)
    assert c.execute("SELECT * FROM truth ORDER BY ALL").fetchall() == want
    ads = c.execute("SELECT count(*) FROM ad_revenue").fetchone()[0]
    assert (ads > 0) == (end == "2023-04-30")


def test_truth_from_the_ingested_warehouse(
    small_run: tuple[Path, dict], small_cfg: SynthConfig, tmp_path: Path
) -> None:
    """What the money room reads: the events after `guanghe ingest` (nothing quarantined) give the same truth."""
    from guanghe.data.ingest import ingest
    from guanghe.data.warehouse import open_warehouse

    out, summary = small_run
    wh = open_warehouse(f"duckdb:///{tmp_path / 'w.duckdb'}", create=True)
    try:
        ingest([out / "data"], wh)
        raw = wh.raw  # the DuckDB engine's connection
        counts = {t: raw.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in summary["rows"]}
        assert counts == summary["rows"] and raw.execute("SELECT count(*) FROM quarantine").fetchone()[0] == 0
        got = reference(raw, small_cfg)
    finally:
        wh.close()
    truth = duckdb.sql(f"SELECT * FROM read_parquet('{out}/truth/earnings.parquet') ORDER BY ALL").fetchall()
    assert got == truth
