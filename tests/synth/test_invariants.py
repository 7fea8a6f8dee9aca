"""Invariants of the generated rows: schema, keys, references, sparsity, follower consistency, boost sums."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from guanghe.data.schema import CATEGORIES, CHANNELS, REGIONS, TABLES, WORK_KINDS
from guanghe.synth import SynthConfig
from guanghe.synth.config import PROGRAMS
from guanghe.synth.writer import OUTPUT_TABLES


def one(con: duckdb.DuckDBPyConnection, sql: str):
    return con.execute(sql).fetchone()[0]


def test_layout_and_exact_schemas(small_run: tuple[Path, dict], small_cfg: SynthConfig) -> None:
    out, summary = small_run
    labels = [m.label for m in small_cfg.window()]
    assert [p.name for p in (out / "data" / "creators").iterdir()] == ["creators.parquet"]
    for name, table in ((n, TABLES[n]) for n in OUTPUT_TABLES):
        files = sorted((out / "data" / name).glob("*.parquet"))
        if name != "creators":
            assert [f.stem for f in files] == labels
        for f in files:
            assert pq.read_schema(f).equals(table.arrow_schema()), f
        assert sum(pq.ParquetFile(f).metadata.num_rows for f in files) == summary["rows"][name]
    assert summary["rows"]["creators"] == small_cfg.creators
    params = json.loads((out / "truth" / "params.json").read_text())
    assert params["seed"] == small_cfg.seed and params["creators"] == small_cfg.creators
    truth = pq.read_table(out / "truth" / "creators.parquet")
    assert truth.num_rows == small_cfg.creators
    assert set(truth["tier_at_start"].to_pylist()) <= {"head", "waist", "tail"}


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ("creators", "creator_id"),
        ("works", "work_id"),
        ("income", "income_id"),
        ("work_daily", "work_id, date"),
        ("work_boost", "work_id, date, program"),
        ("creator_daily", "creator_id, date"),
    ],
)
def test_keys_unique(con: duckdb.DuckDBPyConnection, table: str, key: str) -> None:
    assert one(con, f"SELECT count(*) - count(DISTINCT ({key})) FROM {table}") == 0


@pytest.mark.parametrize(
    ("child", "parent"),
    [
        ("works", "creators USING (creator_id)"),
        ("work_daily", "works USING (work_id)"),
        ("work_boost", "works USING (work_id)"),
        ("income", "creators USING (creator_id)"),
        ("creator_daily", "creators USING (creator_id)"),
    ],
)
def test_references(con: duckdb.DuckDBPyConnection, child: str, parent: str) -> None:
    assert one(con, f"SELECT count(*) FROM {child} ANTI JOIN {parent}") == 0


def test_counts_and_enums(con: duckdb.DuckDBPyConnection) -> None:
    for name, table in ((n, TABLES[n]) for n in OUTPUT_TABLES):
        for col in table.columns:
            if col.minimum is not None:
                assert one(con, f"SELECT count(*) FROM {name} WHERE {col.name} < {col.minimum}") == 0, (
                    col.name
                )
    assert one(con, "SELECT count(*) FROM work_daily WHERE completed_plays > plays") == 0
    for sql, allowed in [
        ("SELECT DISTINCT kind FROM works", WORK_KINDS),
        ("SELECT DISTINCT category FROM works", CATEGORIES),
        ("SELECT DISTINCT region FROM creators", REGIONS),
        ("SELECT DISTINCT channel FROM income", CHANNELS),
        ("SELECT DISTINCT program FROM work_boost", PROGRAMS),
    ]:
        assert {r[0] for r in con.execute(sql).fetchall()} <= set(allowed), sql
    assert (
        one(con, "SELECT count(*) FROM works WHERE NOT regexp_full_match(fingerprint, '[0-9a-f]{16}')") == 0
    )
    assert one(con, "SELECT count(*) FROM works WHERE kind = 'image' AND duration_s <> 0") == 0


def test_times_inside_window_and_after_joining(
    con: duckdb.DuckDBPyConnection, small_cfg: SynthConfig
) -> None:
    window = small_cfg.window()
    lo, hi = f"DATE '{window[0].label}-01'", f"DATE '{small_cfg.end.isoformat()}'"
    for table, col in [("works", "published_at"), ("income", "occurred_at"), ("work_daily", "date"),
                       ("work_boost", "date"), ("creator_daily", "date")]:  # fmt: skip
        assert (
            one(con, f"SELECT count(*) FROM {table} WHERE CAST({col} AS DATE) NOT BETWEEN {lo} AND {hi}") == 0
        )
    assert (
        one(con, "SELECT count(*) FROM works JOIN creators USING (creator_id) WHERE published_at < joined_on")
        == 0
    )
    late = (
        "SELECT count(*) FROM work_daily JOIN works USING (work_id) WHERE date < CAST(published_at AS DATE)"
    )
    assert one(con, late) == 0
    assert (
        one(con, "SELECT count(*) FROM income JOIN creators USING (creator_id) WHERE occurred_at < joined_on")
        == 0
    )


def test_boosted_impressions_equal_program_rows(con: duckdb.DuckDBPyConnection) -> None:
    sql = """
        SELECT count(*) FROM work_daily d
        FULL JOIN (SELECT work_id, date, sum(impressions) AS s FROM work_boost GROUP BY ALL) b
        USING (work_id, date)
        WHERE coalesce(d.boosted_impressions, -1) <> coalesce(b.s, 0)
    """
    assert one(con, sql) == 0
    assert one(con, "SELECT count(*) FROM work_boost") > 0


def test_creator_daily_is_sparse_and_consistent(
    con: duckdb.DuckDBPyConnection, small_cfg: SynthConfig
) -> None:
    con.execute("""
        CREATE OR REPLACE TEMP TABLE cd AS
        SELECT c.*, lag(followers) OVER (PARTITION BY creator_id ORDER BY date) AS prev,
               row_number() OVER (PARTITION BY creator_id ORDER BY date) AS nr,
               coalesce(g.gained, 0) AS gained
        FROM creator_daily c LEFT JOIN (
            SELECT w.creator_id, d.date, sum(d.follows_gained) AS gained
            FROM work_daily d JOIN works w USING (work_id) GROUP BY ALL
        ) g USING (creator_id, date)
    """)
    assert one(con, "SELECT count(*) FROM cd WHERE nr > 1 AND followers <> prev + gained - follows_lost") == 0
    assert one(con, "SELECT count(*) FROM cd WHERE nr > 1 AND followers = prev") == 0  # rows only on changes
    first = small_cfg.window()[0].label + "-01"
    opening = f"""
        SELECT count(*) FROM cd JOIN creators USING (creator_id) WHERE nr = 1
        AND date <> CASE WHEN joined_on < DATE '{first}' THEN DATE '{first}' ELSE joined_on END
    """
    assert one(con, opening) == 0
    assert one(con, "SELECT count(DISTINCT creator_id) FROM creator_daily") == small_cfg.creators
    missing = """
        SELECT count(*) FROM (SELECT w.creator_id, d.date FROM work_daily d JOIN works w USING (work_id)
                              GROUP BY ALL HAVING sum(follows_gained) > 0)
        ANTI JOIN creator_daily USING (creator_id, date)
    """
    assert one(con, missing) == 0


def test_population_shares(con: duckdb.DuckDBPyConnection, small_cfg: SynthConfig) -> None:
    mcn, ecom, local, agencies = con.execute(
        "SELECT avg((mcn_id IS NOT NULL)::INT), avg(is_ecommerce::INT), avg(is_local_life::INT),"
        " count(DISTINCT mcn_id) FROM creators"
    ).fetchone()
    assert 0.08 <= mcn <= 0.18 and 0.06 <= ecom <= 0.10 and 0.015 <= local <= 0.045
    assert 100 <= agencies <= small_cfg.mcn_agencies
    assert (
        one(con, "SELECT count(*) FROM income WHERE channel = 'ad_share' AND occurred_at < DATE '2023-03-01'")
        == 0
    )
    local_only = "SELECT count(*) FROM income JOIN creators USING (creator_id) WHERE channel = 'local_life'"
    assert one(con, local_only + " AND NOT is_local_life") == 0
    assert one(con, local_only) > 0
    first_time = """
        WITH first AS (SELECT creator_id, min(occurred_at) AS f FROM income WHERE amount_fen > 0 GROUP BY ALL)
        SELECT avg((f >= DATE '2023-03-01')::INT) FROM first
        WHERE creator_id IN (SELECT creator_id FROM income WHERE channel = 'ad_share')
    """
    assert 0.15 <= one(con, first_time) <= 0.6  # the seed: ~30% of ad_share earners earn for the first time
