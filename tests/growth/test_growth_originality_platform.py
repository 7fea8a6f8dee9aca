"""The platform scan on a generated platform (a seed not used to set the thresholds), against its truth:
precision and recall beside naive baselines; operators' decisions remembered; appeals; the health feature;
idempotent reruns; a failed run writes nothing."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from guanghe.appdb import create_key, open_appdb
from guanghe.data.growth_schema import WORK_FINGERPRINTS, WORK_ORIGINALITY
from guanghe.data.ingest import ingest
from guanghe.data.warehouse import open_warehouse
from guanghe.growth.originality import decisions as d
from guanghe.growth.originality.baselines import exact_fingerprint, score, title_equality
from guanghe.growth.originality.platform import load_works, run
from guanghe.programs import creator_features
from guanghe.synth import SynthConfig, generate

pytestmark = pytest.mark.slow

THROUGH = date(2023, 6, 30)


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, set[int]]:
    out = tmp_path_factory.mktemp("orig-platform")
    generate(SynthConfig(creators=2_500, months=6, seed=11), out / "synth")
    url = f"duckdb:///{out / 'wh.duckdb'}"
    ingest([out / "synth" / "data"], url)
    truth = {r["work_id"] for r in pq.read_table(out / "synth" / "truth" / "reuploads.parquet").to_pylist()}
    return out, url, truth


def _flags(url: str) -> dict[int, dict]:
    wh = open_warehouse(url)
    try:
        return {r["work_id"]: r for r in wh.fetch(wh.table(WORK_ORIGINALITY)).to_pylist()}
    finally:
        wh.close()


def test_precision_and_recall_beat_the_naive_baselines(platform) -> None:
    out, url, truth = platform
    assert len(truth) > 200
    wh = open_warehouse(url)
    try:
        result = run(wh, THROUGH, {})
        works = load_works(wh, THROUGH)
    finally:
        wh.close()
    flags = _flags(url)
    found = score({w for w, r in flags.items() if r["flagged"]}, truth)
    assert found.precision >= 0.99 and found.recall >= 0.95, found
    assert result.flagged == found.flagged and set(result.by_signal) >= {"frames", "mirror"}
    exact, title = score(exact_fingerprint(works), truth), score(title_equality(works), truth)
    assert exact.recall < 0.3  # only the re-encodes that flipped no bit of the first frame
    assert title.precision < 0.2  # thousands of works share 'food vlog #123'
    # Each flag names the work it copies, as the truth does (or the first upload of a chain of copies).
    pairs = {
        r["work_id"]: r["original_work_id"]
        for r in pq.read_table(out / "synth" / "truth" / "reuploads.parquet").to_pylist()
    }
    right = sum(flags[w]["original_work_id"] == o for w, o in pairs.items() if w in flags)
    assert right >= 0.95 * sum(w in flags for w in pairs)


def test_rerun_is_idempotent_and_a_failed_run_writes_nothing(platform, tmp_path: Path) -> None:
    _, url, _ = platform
    wh = open_warehouse(url)
    try:
        run(wh, THROUGH, {})
        first = wh.fetch(wh.table(WORK_ORIGINALITY).order_by("work_id"))
        run(wh, THROUGH, {})
        assert wh.fetch(wh.table(WORK_ORIGINALITY).order_by("work_id")).equals(first)
    finally:
        wh.close()
    broken = tmp_path / "broken.duckdb"
    shutil.copy(url.removeprefix("duckdb:///"), broken)
    wh = open_warehouse(f"duckdb:///{broken}")
    try:
        with wh.writer() as w:
            w.delete(WORK_FINGERPRINTS, work_id=5)
            bad = {"work_id": [5], "frames": ["0123456789abcdeX"], "audio": [None]}
            w.insert(WORK_FINGERPRINTS, pa.table(bad, schema=WORK_FINGERPRINTS.arrow_schema()))
        with pytest.raises(ValueError, match=r"work_fingerprints\.frames of work 5: not a hexadecimal"):
            run(wh, THROUGH, {})
        assert wh.fetch(wh.table(WORK_ORIGINALITY).order_by("work_id")).equals(first)
    finally:
        wh.close()


def test_decisions_are_remembered_and_appeals_recorded(platform, tmp_path: Path) -> None:
    _, url, _ = platform
    wh = open_warehouse(url)
    try:
        run(wh, THROUGH, {})
    finally:
        wh.close()
    flagged = sorted((w, r) for w, r in _flags(url).items() if r["flagged"])
    (w1, r1), (w2, r2) = flagged[0], flagged[1]
    with open_appdb(f"sqlite:///{tmp_path / 'app.sqlite3'}", create=True) as db:
        op, _ = create_key(db, "operator", "ops")
        creator, _ = create_key(db, "creator", "c", external_id=r2["creator_id"])
        d.decide(db, op, w1, r1["original_work_id"], "not_duplicate", "licensed re-post")
        appeal = d.appeal(db, creator, w2, r2["creator_id"], "my own footage")
        with pytest.raises(d.DecisionError, match="open appeal"):
            d.appeal(db, creator, w2, r2["creator_id"], "again")
        with pytest.raises(d.DecisionError, match="only an operator"):
            d.resolve_appeal(db, creator, appeal.id, True, r2["original_work_id"])
        upheld, made = d.resolve_appeal(db, op, appeal.id, True, r2["original_work_id"], "checked")
        assert upheld.state == "upheld" and made is not None and made.decision == "not_duplicate"
        standing = d.standing(db)
        assert standing == {
            (w1, r1["original_work_id"]): "not_duplicate",
            (w2, r2["original_work_id"]): "not_duplicate",
        }
    for _ in range(2):  # every later scan keeps the pairs unflagged
        wh = open_warehouse(url)
        try:
            run(wh, THROUGH, standing)
        finally:
            wh.close()
        after = _flags(url)
        for w in (w1, w2):
            assert not after[w]["flagged"] and after[w]["decision"] == "not_duplicate"
        assert sum(r["flagged"] for r in after.values()) == len(flagged) - 2


def test_health_is_the_share_of_recent_works_not_flagged(platform) -> None:
    _, url, _ = platform
    wh = open_warehouse(url)
    try:
        run(wh, THROUGH, {})
        tables = wh.tables()
        feats = {r["creator_id"]: r for r in wh.fetch(creator_features(tables, THROUGH)).to_pylist()}
        works = wh.fetch(tables["works"].select("work_id", "creator_id", "published_at")).to_pylist()
        flags = {w for w, r in _flags(url).items() if r["flagged"]}
    finally:
        wh.close()
    recent: dict[int, list[int]] = {}
    for r in works:
        if r["published_at"].date() > date(2023, 4, 1):  # the last 90 days through June 30 start April 2
            recent.setdefault(r["creator_id"], []).append(r["work_id"])
    hit = 0
    for c, f in feats.items():
        ws = recent.get(c, [])
        expected = 1.0 - sum(w in flags for w in ws) / len(ws) if ws else 1.0
        assert f["health"] == pytest.approx(expected), c
        hit += expected < 1
    assert hit > 50


def test_cli_run_decide_appeal_resolve(platform, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from guanghe.cli import app

    _, url, _ = platform
    db = f"sqlite:///{tmp_path / 'app.sqlite3'}"
    runner = CliRunner()
    out = runner.invoke(
        app, ["originality", "run", "-w", url, "--db", db, "--through", "2023-06-30", "--json"]
    )
    assert out.exit_code == 0, out.output
    first = json.loads(out.stdout)
    assert (
        first["note"] == "no application database: no operator decisions applied" and first["flagged"] > 200
    )
    work, row = min((w, r) for w, r in _flags(url).items() if r["flagged"])
    with open_appdb(db, create=True) as app_db:
        create_key(app_db, "operator", "ops")
    out = runner.invoke(
        app, ["originality", "appeal", str(work), "--reason", "mine", "-w", url, "--db", db, "--json"]
    )
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["creator_id"] == row["creator_id"]
    out = runner.invoke(app, ["originality", "resolve", "1", "--uphold", "-w", url, "--db", db, "--json"])
    assert json.loads(out.stdout)["decision"]["original_work_id"] == row["original_work_id"]
    out = runner.invoke(app, ["originality", "appeals", "--db", db, "--json"])
    assert [a["state"] for a in json.loads(out.stdout)] == ["upheld"]
    out = runner.invoke(
        app, ["originality", "run", "-w", url, "--db", db, "--through", "2023-06-30", "--json"]
    )
    again = json.loads(out.stdout)
    assert (again["flagged"], again["suppressed"], again["decisions"]) == (first["flagged"] - 1, 1, 1)
    out = runner.invoke(app, ["originality", "appeal", str(work), "--reason", "x", "-w", url, "--db", db])
    assert out.exit_code == 2 and f"work {work} is not flagged" in out.stderr
    out = runner.invoke(app, ["originality", "run", "-w", url, "--through", "June"])
    assert out.exit_code == 2 and "--through: expected a date" in out.stderr
