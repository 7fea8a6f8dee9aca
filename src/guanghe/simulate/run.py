"""The closed loop: months of support planned, delivered, answered and re-fitted, for each policy.

``history`` months of the generator's own random support come first (the data every policy starts from);
then for each policy, month by month: fit the curves on the history so far → plan → deliver through the
serving engine (``deliver.py``) → the creators respond (``world.py``) → the month joins the history →
metrics. Every policy starts from the same history, sees the same seed (common random numbers) and the same
budget.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from guanghe.allocate import outcomes
from guanghe.allocate.curves_data import History, load_history
from guanghe.allocate.plan import work_days
from guanghe.allocate.score import curve_errors
from guanghe.data.ingest import ingest
from guanghe.data.schema import CATEGORIES
from guanghe.data.tiers import TIERS
from guanghe.data.warehouse import open_warehouse
from guanghe.simulate import plan as planner
from guanghe.simulate.deliver import Feed, deliver, month_day
from guanghe.simulate.world import TEN_K, MonthOutcome, World
from guanghe.synth import population, traffic
from guanghe.synth.config import EPOCH, Month, SynthConfig


@dataclass(frozen=True)
class SimConfig:
    creators: int = 2_000
    months: int = 6
    history: int = 6  # months of the generator's own support before the policies take over
    seed: int = 11
    budget: float | None = None  # boosted impressions a month; None: the history's monthly mean
    cap_per_day: float = 30_000.0  # impressions per expected boosted work-day of a creator
    explore: float = 0.05  # the explore policy's share of each budget
    feed: Feed = field(default_factory=Feed)
    policies: tuple[str, ...] = planner.POLICIES

    def __post_init__(self) -> None:
        if self.creators < 50 or self.months < 1 or self.history < 1:
            raise ValueError("--creators must be >= 50, --months and --history >= 1")
        if not 0.0 <= self.explore < 1.0:
            raise ValueError(f"--explore must be in [0, 1), got {self.explore}")
        bad = [p for p in self.policies if p not in planner.POLICIES]
        if bad:
            raise ValueError(
                f"unknown policy {bad[0]!r}; expected one of {', '.join(planner.POLICIES)} or all"
            )


class Memory:
    """The history a planner has: every month's work-day rows so far. Each month is also written as the
    platform exports it (``works``, ``work_daily`` Parquet files) and ingested (``guanghe.data.ingest``) into
    a DuckDB warehouse of the policy's own; the follower curves are fitted on what
    ``allocate.curves_data.load_history`` reads back from it, as ``guanghe allocate`` does."""

    def __init__(self, pop: population.Population, folder: Path, name: str = "history") -> None:
        self.pop, self.folder, self.name, self.months = pop, folder, name, []  # months: (index, rows)
        self.as_of: date | None = None
        self.url = f"duckdb:///{folder / (name + '.duckdb')}"
        if not (folder / f"{name}.duckdb").exists():
            src = folder / name / "creators"
            src.mkdir(parents=True, exist_ok=True)
            pq.write_table(population.creators_table(pop), src / "creators.parquet")
            _ingest(src.parent, self.url)

    def copy(self, name: str) -> Memory:
        """The same history in a warehouse of its own (a copy of the file)."""
        shutil.copyfile(self.folder / f"{self.name}.duckdb", self.folder / f"{name}.duckdb")
        m = Memory(self.pop, self.folder, name)
        m.months, m.as_of = list(self.months), self.as_of
        return m

    def add(self, month: Month, out: MonthOutcome) -> None:
        self.months.append((month.index, out.rows))
        self.as_of = EPOCH + timedelta(days=month.last_day)
        src = self.folder / self.name / month.label
        for table, rows in out.tables.items():
            (src / table).mkdir(parents=True, exist_ok=True)
            pq.write_table(rows, src / table / f"{month.label}.parquet")
        _ingest(src, self.url)

    def history(self, outcome: str = "follows") -> History:
        """The ``History`` of the boosted work-days up to the last month's end: ``follows`` from the warehouse
        (``load_history``); ``orders`` (not a warehouse table) from the rows in memory."""
        if outcome == "follows":
            with open_warehouse(self.url, read_only=True) as wh:
                return load_history(wh.tables(), self.as_of)
        return self.rows_history(outcome)

    def rows_history(self, outcome: str = "follows") -> History:
        """The ``allocate.curves_data.History`` of the rows in memory (boosted work-days; unboosted per
        creator-month); ``outcome``: the response counted, ``follows`` or ``orders``."""
        cat = lambda f: np.concatenate([f(m, r) for m, r in self.months])  # noqa: E731
        cid = cat(lambda m, r: self.pop.creator_id[r.creator])
        month = cat(lambda m, r: np.full(r.creator.size, m, np.int64))
        org, bst = cat(lambda m, r: r.organic), cat(lambda m, r: r.boosted)
        fol = cat(lambda m, r: getattr(r, outcome))
        b = bst > 0
        ob = np.lexsort((month[b], cid[b]))
        u = ~b
        key = cid[u] * 100_000 + month[u]
        keys, inv = np.unique(key, return_inverse=True)
        f = lambda a: a.astype(np.float64)  # noqa: E731
        return History(
            creator=cid[b][ob], month=f(month[b][ob]), organic=f(org[b][ob]), boosted=f(bst[b][ob]),
            follows=f(fol[b][ob]), base_creator=keys // 100_000, base_month=f(keys % 100_000),
            base_organic=np.bincount(inv, org[u], keys.size), base_follows=np.bincount(inv, fol[u], keys.size),
        )  # fmt: skip

    def sales_and_impressions(self, months: int) -> tuple[np.ndarray, np.ndarray]:
        """Per creator: sales (fen) and impressions (organic + boosted) of the last ``months`` months."""
        n = self.pop.size
        last = self.months[-months:]
        sales = sum(np.bincount(r.creator, r.gmv, n) for _, r in last)
        imp = sum(np.bincount(r.creator, r.organic + r.boosted, n) for _, r in last)
        return np.asarray(sales, float), np.asarray(imp, float)

    def order_value(self) -> np.ndarray:
        """Observed fen per order per creator (its sales / its orders; the sellers' mean without orders)."""
        n = self.pop.size
        gmv = sum(np.bincount(r.creator, r.gmv, n) for _, r in self.months)
        orders = sum(np.bincount(r.creator, r.orders, n) for _, r in self.months)
        mean = gmv.sum() / max(orders.sum(), 1)
        return np.where(orders > 0, gmv / np.maximum(orders, 1), mean)

    def quality(self) -> np.ndarray:
        """Observed completion rate per creator (completed plays / plays over the history; 0 without plays)."""
        n = self.pop.size
        comp = sum(np.bincount(r.creator, r.completed, n) for _, r in self.months)
        plays = sum(np.bincount(r.creator, r.plays, n) for _, r in self.months)
        return np.where(plays > 0, comp / np.maximum(plays, 1), 0.0)


@dataclass
class Result:
    config: dict
    budget: float
    labels: list[str]  # the simulated months
    months: dict[str, list[dict]]  # policy -> one row per month
    totals: dict[str, dict]  # policy -> six-month totals
    targets: dict
    seconds: float

    def to_dict(self) -> dict:
        return asdict(self)


def _ingest(folder: Path, url: str) -> None:
    report = ingest([folder], url)
    bad = report.total("quarantined")
    if bad:
        note = report.quarantine_sample[0] if report.quarantine_sample else ""
        raise RuntimeError(f"{bad} simulated rows were quarantined by the ingestion ({folder}): {note}")


def _tier(followers: np.ndarray) -> np.ndarray:
    return np.select([followers >= low for _, low in TIERS[:2]], [0, 1], 2)


def simulate(
    cfg: SimConfig, progress: Callable[[str, int], None] | None = None, keep: Path | None = None
) -> Result:
    """Run every policy; ``keep``: a folder to keep the policies' warehouses (``<policy>.duckdb``) and the
    ingested Parquet files in (default: a temporary folder, removed)."""
    if keep is not None:
        if Path(keep).exists() and any(Path(keep).iterdir()):
            raise ValueError(f"--keep: {keep} is not empty (the run writes fresh warehouses there)")
        Path(keep).mkdir(parents=True, exist_ok=True)
        return _simulate(cfg, progress, Path(keep))
    with tempfile.TemporaryDirectory(prefix="guanghe-simulate-") as tmp:
        return _simulate(cfg, progress, Path(tmp))


def _simulate(cfg: SimConfig, progress: Callable[[str, int], None] | None, folder: Path) -> Result:
    t0 = time.perf_counter()
    total_months = cfg.history + cfg.months
    scfg = SynthConfig(creators=cfg.creators, months=total_months, seed=cfg.seed)
    pop = population.build(scfg, scfg.seeds()[0])
    window = scfg.window()
    world, memory, past = World(scfg, pop), Memory(pop, folder), []
    for m in range(cfg.history):
        out = world.step(m, None, (cfg.seed, m, 0), generator_support=True)
        memory.add(window[m], out)
        past.append(out)
    budget = float(
        cfg.budget if cfg.budget is not None else round(np.mean([o.delivered.sum() for o in past]))
    )
    months: dict[str, list[dict]] = {}
    for policy in cfg.policies:
        w, mem, outs = world.copy(), memory.copy(policy), list(past)
        rows = []
        for m in range(cfg.history, total_months):
            month = window[m]
            inp = _inputs(pop, w, mem, outs, month.index, month.days, budget, cfg.cap_per_day)
            curves = planner.fit(mem.history(), inp)
            today = None
            if policy == "today":
                rng = np.random.default_rng(np.random.SeedSequence([cfg.seed, m, 7]))
                today = traffic.supported(scfg, pop, w.followers, inp.eligible, month, rng, pop.mcn_id > 0)[2]
            gmv = None
            if policy == "gmv":
                seller = np.where(pop.is_ecommerce | pop.is_local_life, "seller", "other")
                seg = np.char.add(np.char.add(seller, "/"), inp.segment.astype(str))
                oc = planner.fit_curves(mem.history("orders"), pop.creator_id, seg, inp.quality)
                gmv = (oc.theta * mem.order_value(), oc.s)
            elif policy == "gmv_rate":  # allocate's rule for [outcome] gmv = 1 (allocate.outcomes)
                rate = outcomes.per_impression(*mem.sales_and_impressions(3))
                on = inp.eligible
                v = rate / max(float(rate[on].mean()), 1e-300)
                gmv = (float(curves.theta[on].mean()) * np.maximum(v, outcomes.VALUE_FLOOR), curves.s)
            x = planner.plan_month(policy, inp, curves, (pop.theta, pop.s), cfg.explore, today, gmv)
            last = outs[-1]
            dl = deliver(x, pop.creator_id, (last.work_ids, last.work_creator, last.work_category),
                         month_day(month.first_day), month.days, cfg.feed, seed=cfg.seed * 1_000 + m)  # fmt: skip
            out = w.step(m, x, (cfg.seed, m, 1), attainment=dl.attainment)
            mem.add(month, out)
            rows.append(_month_row(pop, inp, curves, x, dl, out, outs[-1]))
            outs.append(out)
            if progress is not None:
                progress(policy, m - cfg.history + 1)
        months[policy] = rows
    totals = {p: _totals(r) for p, r in months.items()}
    labels = [window[m].label for m in range(cfg.history, total_months)]
    conf = asdict(cfg)
    return Result(conf, budget, labels, months, totals, _targets(totals), round(time.perf_counter() - t0, 2))


def _inputs(pop, w: World, mem: Memory, outs: list[MonthOutcome], m: int, days: int, budget: float,
            cap: float) -> planner.Inputs:  # fmt: skip
    tier = _tier(w.followers)
    names = np.array([n for n, _ in TIERS])[tier]
    seg = np.char.add(np.char.add(names.astype(str), "/"), np.array(CATEGORIES)[pop.category].astype(str))
    works_90d = sum(o.works for o in outs[-3:]).astype(float)
    eligible = w.active & (pop.join_month < m)
    return planner.Inputs(
        creator_id=pop.creator_id, eligible=eligible, tier=tier, followers=w.followers.astype(float),
        quality=mem.quality(), segment=seg, works_90d=works_90d, days=days, budget=budget, cap_per_day=cap,
    )  # fmt: skip


def _month_row(pop, inp: planner.Inputs, curves, x: np.ndarray, dl, out: MonthOutcome,
               prev: MonthOutcome) -> dict:  # fmt: skip
    sup = out.delivered > 0
    d = work_days(inp.works_90d, inp.days)
    rows = np.flatnonzero(inp.eligible)
    true_a, true_s = planner.curves_of(inp, pop.theta, pop.s, rows)
    planned_value = float(np.sum(true_a * np.log1p(x[rows] / true_s)))
    err = curve_errors(curves, pop.theta, pop.s, np.maximum(x, 0.0), d)
    return {
        "planned": int(x.sum()),
        "delivered": int(out.delivered.sum()),
        "delivered_share": float(out.delivered.sum() / max(x.sum(), 1.0)),
        "feed_attainment": dl.day_attainment,
        "viewer_cost": dl.viewer_cost,
        "supported": int(sup.sum()),
        "planned_creators": int((x > 0).sum()),
        "boost_follows": int(out.boost_follows.sum()),
        "boost_follows_expected": float(out.boost_expected.sum()),
        "planned_true_value": planned_value,
        "supported_follower_growth": int((out.followers_end - out.followers_start)[sup].sum()),
        "active": int(out.active.sum()),
        "retained": int((out.active & prev.active).sum()),
        "retained_supported": int((out.active & (prev.delivered > 0)).sum()),
        "income_fen": int(out.income_fen.sum()),
        "income_supported_fen": int(out.income_fen[sup].sum()),
        "gmv_fen": int(out.gmv_fen.sum()),
        "gmv_boost_expected_fen": float(out.gmv_boost_expected.sum()),
        "works": int(out.works.sum()),
        "follows_gained": int(out.gained.sum()),
        "creators_10k": int((out.followers_end >= TEN_K).sum()),
        "followers_total": int(out.followers_end.sum()),
        "slope_error_median": err.slope_median,
        "slope_error_boosted": err.slope_boosted_median,
        "slope_error_unboosted": err.slope_unboosted_median,
        "value_error_weighted": err.value_weighted,
        "boosted_creators_known": int((curves.boosted_days > 0).sum()),
    }


SUMMED = ("planned", "delivered", "boost_follows", "boost_follows_expected", "planned_true_value",
          "supported_follower_growth", "income_fen", "income_supported_fen", "follows_gained", "works", "gmv_fen",
          "gmv_boost_expected_fen")  # fmt: skip


def _totals(rows: list[dict]) -> dict:
    t = {k: sum(r[k] for r in rows) for k in SUMMED}
    t["delivered_share"] = t["delivered"] / max(t["planned"], 1)
    t["viewer_cost"] = float(np.mean([r["viewer_cost"] for r in rows]))
    t["active_last"] = rows[-1]["active"]
    t["creators_10k_last"] = rows[-1]["creators_10k"]
    t["slope_error_last"] = rows[-1]["slope_error_median"]
    return t


def _targets(totals: dict[str, dict]) -> dict:
    """The issue's ratios, on the expected follows from boosts (the true curve at what was delivered) and on
    the realised (Poisson) ones."""
    out: dict = {}
    simple = [p for p in planner.SIMPLE if p in totals]
    for key in ("boost_follows_expected", "boost_follows"):
        r: dict = {}
        if "optimal" in totals and simple:
            best = max(simple, key=lambda p: totals[p][key])
            r["best_simple"] = best
            r["optimal_vs_best_simple"] = totals["optimal"][key] / max(totals[best][key], 1e-12)
        if "optimal" in totals and "oracle" in totals:
            r["optimal_vs_oracle"] = totals["optimal"][key] / max(totals["oracle"][key], 1e-12)
        if "explore" in totals and "optimal" in totals:
            r["explore_vs_optimal"] = totals["explore"][key] / max(totals["optimal"][key], 1e-12)
        if "optimal" in totals and "today" in totals:
            r["optimal_vs_today"] = totals["optimal"][key] / max(totals["today"][key], 1e-12)
        out[key] = r
    for name in ("gmv", "gmv_rate"):
        if name in totals and "optimal" in totals:
            g, o = totals[name], totals["optimal"]
            out[name] = {
                f"gmv_planned_vs_follower_planned_{what}": g[key] / max(o[key], 1e-12)
                for what, key in (("boost_gmv", "gmv_boost_expected_fen"), ("gmv", "gmv_fen"),
                                  ("follows", "boost_follows_expected"))
            }  # fmt: skip
    return out
