"""A day of feed requests through the service, in-process: pacing targets met, no overspend."""

from __future__ import annotations

from serve_helpers import DAY, small_platform, url_of
from typer.testing import CliRunner

from guanghe.cli import app
from guanghe.serve import replay
from guanghe.serve.pacing import Curve
from guanghe.serve.server import ServeSettings, build


def test_replay_meets_the_pacing_targets(tmp_path) -> None:
    path = str(tmp_path / "wh.duckdb")
    quotas = small_platform(path)
    served = build(
        ServeSettings(warehouse=url_of(path), day=DAY.isoformat(), write_warehouse=False, seed=0, replay=True)
    )
    eng = served.engine
    catalog = replay.Catalog.load(url_of(path), DAY)
    assert len(catalog.work_id) == 650
    r = replay.run(
        eng.handle, lambda at: eng.pool(None, 300, at), eng.source.snapshot, catalog, requests=3_000
    )
    assert r.quotas == quotas
    c = r.creators
    assert c["creators"] == 30
    assert abs(c["median_dev"]) <= 0.02 and c["p95_abs_dev"] <= 0.10 and r.overspend <= 0.005
    assert r.programs["a"][1] == sum(5 + 2 * c for c in range(1, 31))
    assert replay.tracking(r.hourly, Curve()) < 0.10  # cumulative delivery follows the curve through the day
    assert 0 < r.relative_loss < 0.05  # the viewer pays a little
    # the service's own counters agree with what the responses carried
    assert {k: v for k, v in eng.counters.totals(DAY.isoformat()).items() if v} == {
        k: v for k, v in r.delivered.items() if v
    }


def test_replay_command(tmp_path) -> None:
    path = str(tmp_path / "wh.duckdb")
    small_platform(path)
    out = CliRunner().invoke(app, ["replay", "--date", DAY.isoformat(), "-w", f"duckdb:///{path}",
                                   "--requests", "800"])  # fmt: skip
    assert out.exit_code == 0, out.output
    assert "replayed 800 requests (in-process)" in out.output and "overspend 0.000%" in out.output
    bad = CliRunner().invoke(app, ["replay", "--date", "2023-07-02", "-w", f"duckdb:///{path}"])
    assert bad.exit_code == 2 and "no quotas for 2023-07-02" in bad.output


def test_the_default_replay_is_sized_to_the_plan_and_a_short_one_says_what_limits_it(tmp_path) -> None:
    path = str(tmp_path / "wh.duckdb")
    small_platform(path)  # 1,180 impressions: ~984 requests at K=2 (0.6 K boosts per request)
    run = CliRunner().invoke
    default = run(app, ["replay", "--date", DAY.isoformat(), "-w", f"duckdb:///{path}"])
    assert default.exit_code == 0, default.output
    assert "need ~984 requests at K=2; replaying 1,000 requests against quotas x 1" in default.output
    assert "total attainment 100.00%" in default.output and "hint" not in default.output
    fitted = run(app, ["replay", "--date", DAY.isoformat(), "-w", f"duckdb:///{path}", "--requests", "300"])
    assert "replaying 300 requests against quotas x 0.305" in fitted.output  # 300 / 984, scaled to fit
    assert "hint" not in fitted.output
    short = run(app, ["replay", "--date", DAY.isoformat(), "-w", f"duckdb:///{path}", "--requests", "200",
                      "--quota-scale", "1"])  # fmt: skip
    assert short.exit_code == 0, short.output
    assert ("attainment 33.73% is limited by the number of requests: the quotas (1,180 impressions) need ~984 "
            "requests at K=2; raise --requests to 984, or set --quota-scale to 0.203") in short.output  # fmt: skip
