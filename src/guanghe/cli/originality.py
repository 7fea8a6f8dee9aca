"""``guanghe originality scan|run|decide|appeal|appeals|resolve``: re-upload detection on real files and on the
platform's works, operators' decisions and creators' appeals (docs/growth.md, Originality protection)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from guanghe.cli.app import app, console, err_console, open_or_exit, progress, warehouse_option, zone_or_exit
from guanghe.cli.db import DB, JSON, fail, print_json
from guanghe.cli.db import open_or_exit as open_db

originality_app = typer.Typer(
    name="originality",
    help="Originality protection: re-upload detection, decisions, appeals.",
    no_args_is_help=True,
)
app.add_typer(originality_app, name="originality")
WAREHOUSE = typer.Option(warehouse_option, "--warehouse", "-w", help="Warehouse URL.")
OPERATOR = typer.Option(None, "--operator", help="The operator principal's id (default: the first operator).")


def _principal(db, principal_id: int | None, kinds: tuple[str, ...] = ("operator",)):
    from guanghe.appdb import Principal, list_keys

    found = {k.principal_id: k for k in list_keys(db) if k.kind in kinds}
    if principal_id is None and found:
        principal_id = min(k for k, v in found.items() if v.kind == "operator") if any(
            v.kind == "operator" for v in found.values()) else None  # fmt: skip
    if principal_id not in found:
        fail(f"no {' or '.join(kinds)} principal {principal_id or ''}".rstrip()
             + " (create one: guanghe market keys create --role operator ...)")  # fmt: skip
    k = found[principal_id]
    return Principal(k.principal_id, k.kind, k.principal_name, k.external_id)


@originality_app.command("scan")
def scan_command(
    paths: list[Path] = typer.Argument(..., help="Media files, or folders searched for them."),
    as_json: bool = JSON,
) -> None:
    """Fingerprint real video files (ffmpeg) and print which re-upload which: the earlier file (by modification
    time) of a matching pair is the original."""
    from guanghe.growth.originality.files import media_files, scan
    from guanghe.growth.originality.video import MediaError

    missing = [p for p in paths if not p.exists()]
    if missing:
        fail(f"{missing[0]}: no such file or folder")
    files = media_files(paths)
    if not files:
        fail("no media files found (" + ", ".join(str(p) for p in paths) + ")")
    try:
        with progress() as bar:
            task = bar.add_task("fingerprint", total=len(files))
            clips, matches = scan(files, on_file=lambda _: bar.advance(task))
    except MediaError as e:
        fail(str(e))
    if as_json:
        print_json({"files": len(clips), "matches": [asdict(m) for m in matches]})
        return
    t = Table(
        title=f"re-uploads among {len(clips)} files ({len(matches)} matching pairs)", title_justify="left"
    )
    for col in ("re-upload", "original", "signal", "frames", "bits", "audio", "title"):
        t.add_column(col, justify="right" if col in ("frames", "bits", "title") else "left")
    for m in matches:
        audio = "" if m.audio_match is None else ("match" if m.audio_match else "differs")
        t.add_row(escape(m.reupload), escape(m.original), m.signal, f"{m.frame_share:.0%}", str(m.bits), audio,
                  f"{m.title_similarity:.2f}")  # fmt: skip
    console.print(t)


@originality_app.command("run")
def run_command(
    through: str | None = typer.Option(None, "--through", help="Scan works published through this day."),
    warehouse: str = WAREHOUSE,
    url: str = DB,
    timezone: str | None = typer.Option(
        None, "--timezone", help="Platform time zone (env GUANGHE_TIMEZONE)."
    ),
    as_json: bool = JSON,
) -> None:
    """Scan the platform's works and replace the table work_originality (operators' decisions applied)."""
    from guanghe.appdb import AppDbError, AppDbMissing, open_appdb
    from guanghe.config import SettingError
    from guanghe.data.warehouse import WarehouseError
    from guanghe.growth.originality.decisions import standing
    from guanghe.growth.originality.platform import run
    from guanghe.programs.features import last_activity_day

    zone = zone_or_exit(timezone)
    day = None
    if through is not None:
        try:
            day = date.fromisoformat(through)
        except ValueError:
            fail(f"--through: expected a date like 2023-06-30, got {through!r}")
    note = None
    try:
        with open_appdb(url) as db:
            decisions = standing(db)
    except AppDbMissing:
        decisions, note = {}, "no application database: no operator decisions applied"
    except SettingError as e:
        fail(f"--db: {e}")
    except AppDbError as e:
        fail(str(e))
    wh = open_or_exit(warehouse, need_data=True)
    try:
        day = day or last_activity_day(wh.tables(), zone)
        with err_console.status("scanning works"):
            result = run(wh, day, decisions, zone)
    except (WarehouseError, ValueError) as e:
        fail(str(e))
    finally:
        wh.close()
    if as_json:
        print_json({**asdict(result), "decisions": len(decisions), "note": note})
        return
    if note:
        err_console.print(f"[yellow]note:[/] {note}")
    console.print(f"through {result.through}: {result.works:,} works ({result.fingerprinted:,} fingerprinted), "
                  f"{result.candidates:,} candidate pairs verified, {result.flagged:,} flagged "
                  f"({', '.join(f'{k} {v:,}' for k, v in sorted(result.by_signal.items())) or 'none'}), "
                  f"{result.suppressed:,} kept unflagged by a not_duplicate decision", highlight=False)  # fmt: skip


@originality_app.command("decide")
def decide_command(
    work: int = typer.Argument(..., help="The later work."),
    original: int = typer.Argument(..., help="The work it may re-upload."),
    duplicate: bool = typer.Option(..., "--duplicate/--not-duplicate", help="The operator's decision."),
    reason: str = typer.Option(..., "--reason", help="Why (kept with the decision)."),
    operator: int | None = OPERATOR,
    url: str = DB,
    as_json: bool = JSON,
) -> None:
    """Record an operator's decision on a pair; a not-duplicate pair is never flagged again (next run)."""
    from guanghe.growth.originality.decisions import DecisionError, decide

    with open_db(url) as db:
        who = _principal(db, operator)
        try:
            d = decide(db, who, work, original, "duplicate" if duplicate else "not_duplicate", reason)
        except DecisionError as e:
            fail(str(e))
    if as_json:
        print_json(asdict(d))
        return
    console.print(f"decision {d.id}: work {d.work_id} vs {d.original_work_id}: {d.decision} "
                  f"(by principal {d.decided_by}); applied by the next `guanghe originality run`", highlight=False)  # fmt: skip


def _flag(warehouse: str, work: int) -> dict:
    """The work's row of work_originality (exit 2 if it is not flagged)."""
    from guanghe.data.growth_schema import WORK_ORIGINALITY

    wh = open_or_exit(warehouse)
    try:
        if not wh.has(WORK_ORIGINALITY):
            fail("no originality scan yet: run `guanghe originality run`")
        t = wh.table(WORK_ORIGINALITY)
        rows = wh.fetch(t.filter((t.work_id == work) & t.flagged)).to_pylist()
    finally:
        wh.close()
    if not rows:
        fail(f"work {work} is not flagged")
    return rows[0]


@originality_app.command("appeal")
def appeal_command(
    work: int = typer.Argument(..., help="The flagged work."),
    reason: str = typer.Option(..., "--reason", help="Why the work is original."),
    by: int | None = typer.Option(
        None,
        "--by",
        help="The filing principal: the work's creator or an operator (default: the first operator).",
    ),
    warehouse: str = WAREHOUSE,
    url: str = DB,
    as_json: bool = JSON,
) -> None:
    """File an appeal against a work's flag (it stays flagged until an operator upholds it)."""
    from guanghe.growth.originality.decisions import DecisionError, appeal

    flag = _flag(warehouse, work)
    with open_db(url) as db:
        who = _principal(db, by, ("operator", "creator"))
        try:
            a = appeal(db, who, work, flag["creator_id"], reason)
        except DecisionError as e:
            fail(str(e))
    if as_json:
        print_json(asdict(a))
        return
    console.print(f"appeal {a.id} filed on work {a.work_id} (creator {a.creator_id})", highlight=False)


@originality_app.command("appeals")
def appeals_command(
    state: str | None = typer.Option(
        None, "--state", help="Only appeals in this state (open, upheld, rejected)."
    ),
    url: str = DB,
    as_json: bool = JSON,
) -> None:
    """Every appeal, oldest first."""
    from guanghe.appdb.growth_models import APPEAL_STATES
    from guanghe.growth.originality.decisions import appeals

    if state is not None and state not in APPEAL_STATES:
        fail(f"--state {state!r}: expected one of {', '.join(APPEAL_STATES)}")
    with open_db(url) as db:
        items = appeals(db, state)
    if as_json:
        print_json([asdict(a) for a in items])
        return
    t = Table(title=f"appeals ({len(items)})", title_justify="left")
    for col in ("id", "work", "creator", "state", "reason", "filed", "note"):
        t.add_column(col)
    for a in items:
        t.add_row(str(a.id), str(a.work_id), str(a.creator_id), a.state, escape(a.reason),
                  a.filed_at.strftime("%Y-%m-%d %H:%M"), escape(a.note or ""))  # fmt: skip
    console.print(t)


@originality_app.command("resolve")
def resolve_command(
    appeal_id: int = typer.Argument(..., help="The open appeal."),
    uphold: bool = typer.Option(..., "--uphold/--reject", help="Uphold (not a duplicate) or reject."),
    note: str | None = typer.Option(None, "--note", help="The operator's note."),
    operator: int | None = OPERATOR,
    warehouse: str = WAREHOUSE,
    url: str = DB,
    as_json: bool = JSON,
) -> None:
    """Answer an appeal; upholding records a not_duplicate decision on the flagged pair (applied next run)."""
    from guanghe.growth.originality.decisions import DecisionError, appeals, resolve_appeal

    with open_db(url) as db:
        who = _principal(db, operator)
        found = [a for a in appeals(db) if a.id == appeal_id]
        if not found:
            fail(f"no appeal {appeal_id}")
        original = _flag(warehouse, found[0].work_id)["original_work_id"]
        try:
            a, d = resolve_appeal(db, who, appeal_id, uphold, original, note)
        except DecisionError as e:
            fail(str(e))
    if as_json:
        print_json({"appeal": asdict(a), "decision": asdict(d) if d else None})
        return
    console.print(f"appeal {a.id} {a.state}" + (f"; decision {d.id}: work {d.work_id} vs {d.original_work_id} "
                  f"{d.decision} (applied by the next run)" if d else ""), highlight=False)  # fmt: skip
