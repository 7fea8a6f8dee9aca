"""Invariants of the generated rows: schema, keys, references, column rules and row checks of every table,
times inside the window, sparsity, follower consistency, boost sums, and the money events' own logic."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from guanghe.data.money_schema import EVENT_TABLES
from guanghe.data.schema import TABLES
from guanghe.data.tables import OPS
from guanghe.synth import SynthConfig
from guanghe.synth.config import PROGRAMS
from guanghe.synth.earnings import EARNINGS_SCHEMA
from guanghe.synth.writer import OUTPUT_TABLES

EVENTS = tuple(t.name for t in EVENT_TABLES)
ACTIVITY_TABLES = ("works", "work_daily", "work_boost", "creator_daily")


def one(con: duckdb.DuckDBPyConnection, sql: str):
    return con.execute(sql).fetchone()[0]


def test_layout_and_exact_schemas(small_run: tuple[Path, dict], small_cfg: SynthConfig) -> None:
    out, summary = small_run
    labels = [m.label for m in small_cfg.window()]
    assert sorted(p.name for p in (out / "data").iterdir()) == sorted(OUTPUT_TABLES)
    assert "income" not in OUTPUT_TABLES  # written by `guanghe money accrue`, from the ledger
    assert [p.name for p in (out / "data" / "creators").iterdir()] == ["creators.parquet"]
    for name, table in ((n, TABLES[n]) for n in OUTPUT_TABLES):
        files = sorted((out / "data" / name).glob("*.parquet"))
        if name in ACTIVITY_TABLES:
            assert [f.stem for f in files] == labels
        elif name != "creators":  # a month without such events has no file
            assert files and {f.stem for f in files} <= set(labels), name
        for f in files:
            assert pq.read_schema(f).equals(table.arrow_schema()), f
            assert pq.ParquetFile(f).metadata.num_rows > 0, f
        assert sum(pq.ParquetFile(f).metadata.num_rows for f in files) == summary["rows"][name]
    assert summary["rows"]["creators"] == small_cfg.creators
    params = json.loads((out / "truth" / "params.json").read_text())
    assert params["seed"] == small_cfg.seed and params["creators"] == small_cfg.creators
    assert params["money"]["ad_share_bps"] == {"tail": 5000, "waist": 5500, "head": 6000}
    truth = pq.read_table(out / "truth" / "creators.parquet")
    assert truth.num_rows == small_cfg.creators
    assert set(truth["tier_at_start"].to_pylist()) <= {"head", "waist", "tail"}
    earnings = pq.read_table(out / "truth" / "earnings.parquet")
    assert earnings.schema.equals(EARNINGS_SCHEMA) and earnings.num_rows == summary["truth_earnings"] > 0
    assert (out / "truth" / ".guanghe-not-data").exists()


@pytest.mark.parametrize("table", OUTPUT_TABLES)
def test_keys_unique(con: duckdb.DuckDBPyConnection, table: str) -> None:
    key = ", ".join(TABLES[table].primary_key)
    assert one(con, f"SELECT count(*) - count(DISTINCT ({key})) FROM {table}") == 0


REFERENCES = [(t, c.name, c.references) for t in OUTPUT_TABLES for c in TABLES[t].columns if c.references]


@pytest.mark.parametrize(("child", "column", "parent"), REFERENCES)
def test_references(con: duckdb.DuckDBPyConnection, child: str, column: str, parent: str) -> None:
    table, col = parent.split(".")
    assert one(con, f"SELECT count(*) FROM {child} c ANTI JOIN {table} p ON c.{column} = p.{col}") == 0


@pytest.mark.parametrize("table", OUTPUT_TABLES)
def test_column_rules_and_row_checks(con: duckdb.DuckDBPyConnection, table: str) -> None:
    t = TABLES[table]
    assert one(con, f"SELECT count(*) FROM {table}") > 0
    for c in t.columns:
        bad = [f"{c.name} IS NULL" if c.required else "false"]
        if c.minimum is not None:
            bad.append(f"{c.name} < {c.minimum}")
        if c.maximum is not None:
            bad.append(f"{c.name} > {c.maximum}")
        if c.enum is not None:
            bad.append(f"{c.name} NOT IN ({', '.join(repr(v) for v in c.enum)})")
        if c.required and str(c.type) == "string":
            bad.append(f"trim({c.name}) = ''")
        assert one(con, f"SELECT count(*) FROM {table} WHERE {' OR '.join(bad)}") == 0, c.name
    for check in t.checks:
        assert check.op in OPS
        fails = f"NOT ({check.left} {check.op} {check.right})"
        assert one(con, f"SELECT count(*) FROM {table} WHERE {fails}") == 0, check.reason


def test_counts_and_enums(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "SELECT count(*) FROM work_daily WHERE completed_plays > plays") == 0
    assert {r[0] for r in con.execute("SELECT DISTINCT program FROM work_boost").fetchall()} <= set(PROGRAMS)
    assert (
        one(con, "SELECT count(*) FROM works WHERE NOT regexp_full_match(fingerprint, '[0-9a-f]{16}')") == 0
    )
    assert one(con, "SELECT count(*) FROM works WHERE kind = 'image' AND duration_s <> 0") == 0
    assert one(con, "SELECT count(*) FROM work_boost WHERE impressions < 1") == 0  # a boost row is support


TIMES = [(t, c.name) for t in OUTPUT_TABLES if t != "creators" for c in TABLES[t].columns
         if str(c.type) in ("date32[day]", "timestamp[us]")]  # fmt: skip


@pytest.mark.parametrize(("table", "col"), TIMES)
def test_times_inside_window_and_after_joining(
    con: duckdb.DuckDBPyConnection, small_cfg: SynthConfig, table: str, col: str
) -> None:
    window = small_cfg.window()
    lo, hi = f"DATE '{window[0].label}-01'", f"DATE '{small_cfg.end.isoformat()}'"
    assert one(con, f"SELECT count(*) FROM {table} WHERE CAST({col} AS DATE) NOT BETWEEN {lo} AND {hi}") == 0
    names = TABLES[table].names
    creator = next((c for c in ("creator_id", "merchant_id") if c in names), None)
    if creator is None and "product_id" in names:  # prices: on or after the product's listing day
        listed = f"SELECT count(*) FROM {table} JOIN products p USING (product_id) WHERE {col} < p.listed_on"
        assert one(con, listed) == 0
    elif creator is None:  # work-days: on or after the work's publication day
        published = f"SELECT count(*) FROM {table} JOIN works w USING (work_id) WHERE {col} < CAST(w.published_at AS DATE)"
        assert one(con, published) == 0
    else:
        joined = f"SELECT count(*) FROM {table} t JOIN creators c ON t.{creator} = c.creator_id WHERE {col} < joined_on"
        if table == "cash_grants":  # the week the creator joined counts from its Monday
            joined += " - 6"
        assert one(con, joined) == 0


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


def test_ad_revenue_only_where_ads_ran(con: duckdb.DuckDBPyConnection, small_cfg: SynthConfig) -> None:
    launch = small_cfg.market.ad_share_launch
    assert one(con, f"SELECT count(*) FROM ad_revenue WHERE date < DATE '{launch}-01'") == 0
    assert one(con, f"SELECT count(*) FROM ad_revenue WHERE date >= DATE '{launch}-01'") > 0
    on_plays = f"""SELECT count(*) FROM ad_revenue a LEFT JOIN work_daily d USING (work_id, date)
                   WHERE d.plays IS NULL OR d.plays < {small_cfg.market.ad_min_plays}
                   OR a.ad_impressions > d.plays OR a.ad_impressions < 1 OR a.gross_fen < 1"""
    assert one(con, on_plays) == 0


def test_orders_follow_their_creators_and_lifecycles(con: duckdb.DuckDBPyConnection) -> None:
    local_only = (
        "SELECT count(*) FROM local_life_orders JOIN creators USING (creator_id) WHERE NOT is_local_life"
    )
    assert one(con, local_only) == 0
    ecom = "SELECT avg(is_ecommerce::INT) FROM ecommerce_orders JOIN creators USING (creator_id)"
    assert one(con, ecom) > 0.5  # mostly e-commerce creators, a few others through product distribution
    for table in ("ecommerce_orders", "local_life_orders"):  # a refund amount exactly when a refund time
        assert (
            one(con, f"SELECT count(*) FROM {table} WHERE (refund_fen > 0) <> (refunded_at IS NOT NULL)") == 0
        )
    cancelled = """SELECT count(*) FROM ecommerce_orders WHERE delivered_at IS NULL AND refund_fen > 0
                   AND refund_fen <> amount_fen"""
    assert one(con, cancelled) == 0  # undelivered and refunded: cancelled in full
    unused = """SELECT count(*) FROM local_life_orders WHERE redeemed_at IS NULL AND refund_fen > 0
                AND refund_fen <> amount_fen"""
    assert one(con, unused) == 0
    after = "SELECT count(*) FROM local_life_orders WHERE refunded_at < redeemed_at"
    assert one(con, after) == 0  # a redeemed voucher is refunded only after its redemption


def test_cash_grants_are_weekly_installments_of_supporting_programs(
    con: duckdb.DuckDBPyConnection, small_cfg: SynthConfig
) -> None:
    assert one(con, "SELECT count(*) FROM cash_grants WHERE isodow(week_start) <> 1") == 0
    programs = ", ".join(repr(p) for p in small_cfg.market.cash_programs)
    assert one(con, f"SELECT count(*) FROM cash_grants WHERE program NOT IN ({programs})") == 0
    assert one(con, "SELECT count(DISTINCT program) FROM cash_grants") == len(small_cfg.market.cash_programs)
    supported = """
        SELECT count(*) FROM cash_grants g ANTI JOIN (
            SELECT DISTINCT w.creator_id, b.program, date_trunc('month', b.date) AS m
            FROM work_boost b JOIN works w USING (work_id)
        ) s ON s.creator_id = g.creator_id AND s.program = g.program AND s.m = date_trunc('month', g.week_start)
    """
    assert one(con, supported) == 0
    assert (
        one(con, "SELECT count(*) - count(DISTINCT (creator_id, program, week_start)) FROM cash_grants") == 0
    )


def test_mcn_contracts_agree_with_creators(con: duckdb.DuckDBPyConnection, small_cfg: SynthConfig) -> None:
    end = f"DATE '{small_cfg.end.isoformat()}'"
    open_at_end = f"SELECT * FROM mcn_contracts WHERE end_date IS NULL OR end_date >= {end}"
    current = f"""SELECT count(*) FROM creators c FULL JOIN ({open_at_end}) k USING (creator_id)
                  WHERE c.mcn_id IS DISTINCT FROM k.mcn_id"""
    assert one(con, current) == 0  # mcn_id = the agency of the one contract open at the end, and no other
    overlap = """SELECT count(*) FROM mcn_contracts a JOIN mcn_contracts b USING (creator_id)
                 WHERE a.contract_id < b.contract_id AND a.start_date <= coalesce(b.end_date, DATE '9999-12-31')
                 AND b.start_date <= coalesce(a.end_date, DATE '9999-12-31')"""
    assert one(con, overlap) == 0
    changed = "SELECT count(DISTINCT mcn_id) FROM (SELECT creator_id, mcn_id FROM mcn_contracts) GROUP BY creator_id"
    assert max(r[0] for r in con.execute(changed).fetchall()) == 2  # some creators changed agency
    assert one(con, "SELECT count(*) FROM mcn_contracts WHERE end_date IS NOT NULL") > 0
    assert (
        one(
            con, f"SELECT count(*) FROM mcn_contracts WHERE share_bps NOT IN {small_cfg.market.mcn_share_bps}"
        )
        == 0
    )


def test_truth_lines(con: duckdb.DuckDBPyConnection) -> None:
    assert one(con, "SELECT count(*) - count(DISTINCT (creator_id, channel, month, line)) FROM truth") == 0
    assert one(con, "SELECT count(*) FROM truth WHERE line = 'earning' AND amount_fen <= 0") == 0
    assert one(con, "SELECT count(*) FROM truth WHERE line = 'clawback' AND amount_fen >= 0") == 0
    assert one(con, "SELECT count(*) FROM truth WHERE amount_fen = 0") == 0
    assert one(con, "SELECT count(*) FROM truth t ANTI JOIN creators USING (creator_id)") == 0
