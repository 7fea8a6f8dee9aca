"""``guanghe studio …``: the creator studio (keywords, titles, scripts, comics, vlog edits; images through a
provider). Offline unless ``GUANGHE_STUDIO_PROVIDER`` is set; ``--offline`` forces the templates."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import typer
from rich.table import Table

from guanghe.cli.app import app, console, err_console, progress
from guanghe.studio import (
    EditRules,
    Encoding,
    Provider,
    Script,
    StudioError,
    comic_panels,
    commentary,
    configured_provider,
    edit_vlog,
    extract_keywords,
    live_script,
    photo_studio,
    product_script,
    save_comic,
    save_narration,
    text_to_image,
    titles,
)

EXIT_BAD_INPUT = 2
studio_app = typer.Typer(
    help="Creator studio (AIGC): keywords, titles, scripts, comics and vlog edits, offline by default.",
    no_args_is_help=True,
)
app.add_typer(studio_app, name="studio")

JSON = typer.Option(False, "--json", help="Print JSON.")
OFFLINE = typer.Option(False, "--offline", help="Use the templates even when a provider is configured.")
TEXT_HELP = "The text itself, or @FILE to read it from a UTF-8 file."


def _fail(e: Exception) -> typer.Exit:
    err_console.print(f"[red]error:[/] {e}", markup=True, highlight=False, soft_wrap=True)
    return typer.Exit(EXIT_BAD_INPUT)


def _text(value: str) -> str:
    if value.startswith("@"):
        from guanghe.studio.files import read_text

        return read_text(Path(value[1:]), "text file")
    return value


def _provider(offline: bool) -> Provider | None:
    return None if offline else configured_provider()


def _stream(piece: str) -> None:
    err_console.print(piece, end="", highlight=False, markup=False)


def _print_script(s: Script, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(s.as_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(s.as_text(), nl=False)


@studio_app.command("keywords")
def keywords_command(
    text: str = typer.Argument(..., help=TEXT_HELP),
    top: int = typer.Option(8, "--top", help="How many keywords."),
    method: str = typer.Option("tfidf", "--method", help="Chinese candidates: tfidf or textrank."),
    as_json: bool = JSON,
) -> None:
    """Keywords and hashtags of a Chinese or English title or description."""
    try:
        k = extract_keywords(_text(text), top, method)
    except StudioError as e:
        raise _fail(e) from e
    if as_json:
        out = {"language": k.language, "method": k.method, "keywords": [asdict(x) for x in k.keywords],
               "hashtags": k.hashtags}  # fmt: skip
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    t = Table(title=f"Keywords ({k.language}, {k.method})", title_justify="left")
    t.add_column("keyword")
    t.add_column("score", justify="right")
    for x in k.keywords:
        t.add_row(x.word, f"{x.weight:.3f}")
    console.print(t)
    console.print(" ".join(k.hashtags), highlight=False)


@studio_app.command("titles")
def titles_command(
    text: str = typer.Argument(..., help=TEXT_HELP + " (the work's description)"),
    top: int = typer.Option(5, "--top", help="How many titles."),
    offline: bool = OFFLINE,
    as_json: bool = JSON,
) -> None:
    """Titles and captions: hooks (templates, or the provider's) ranked by semantic similarity to the text."""
    try:
        provider = _provider(offline)
        result = titles(_text(text), top, provider, None if as_json else _stream)
    except StudioError as e:
        raise _fail(e) from e
    if as_json:
        typer.echo(json.dumps(asdict(result), ensure_ascii=False, indent=2))
        return
    t = Table(title=f"Titles ({result.source}; ranked by {result.ranked_by})", title_justify="left")
    t.add_column("#", justify="right")
    t.add_column("title")
    t.add_column("similarity", justify="right")
    for i, r in enumerate(result.titles, 1):
        t.add_row(str(i), r.text, f"{r.score:.3f}")
    console.print(t)
    console.print("caption: " + result.captions[0].replace("\n", "  "), highlight=False)


@studio_app.command("script")
def script_command(
    product: Path = typer.Argument(
        ..., help="Product file (TOML: name, selling_points, pain_points, proof, …)."
    ),
    offline: bool = OFFLINE,
    as_json: bool = JSON,
) -> None:
    """A product-introduction script: hook → pain point → three selling points → proof → call to action."""
    try:
        s = product_script(product, _provider(offline), None if as_json else _stream)
    except StudioError as e:
        raise _fail(e) from e
    _print_script(s, as_json)


@studio_app.command("commentary")
def commentary_command(
    synopsis: Path = typer.Argument(..., help="The film's synopsis (UTF-8 text, at least four sentences)."),
    title: str = typer.Option("", "--title", help="The film's title."),
    offline: bool = OFFLINE,
    as_json: bool = JSON,
) -> None:
    """A film-commentary outline (hook, 起承转合, comment, closing question) from a synopsis."""
    try:
        s = commentary(synopsis, title, _provider(offline), None if as_json else _stream)
    except StudioError as e:
        raise _fail(e) from e
    _print_script(s, as_json)


@studio_app.command("live-script")
def live_script_command(
    product: Path = typer.Argument(..., help="Product file (TOML)."),
    audio: Path | None = typer.Option(None, "--audio", help="Also narrate the script into this WAV file."),
    offline: bool = OFFLINE,
    as_json: bool = JSON,
) -> None:
    """A live host's run sheet for a product, optionally narrated (the digital-human host is out of reach)."""
    try:
        s = live_script(product, _provider(offline), None if as_json else _stream)
        seconds = save_narration(s.spoken(), s.language, audio) if audio else None
    except StudioError as e:
        raise _fail(e) from e
    _print_script(s, as_json)
    if audio and not as_json:
        err_console.print(f"narration: {audio} ({seconds:.1f} s)", highlight=False)


@studio_app.command("comic")
def comic_command(
    panels: Path | None = typer.Argument(None, help="Four panel texts, one per line (起, 承, 转, 合)."),
    out: Path = typer.Option(..., "--out", help="The storyboard PNG to write."),
    idea: str = typer.Option("", "--idea", help="Let the provider write the four panels from this idea."),
) -> None:
    """A four-panel comic storyboard (PNG, captions in a CJK font)."""
    try:
        texts = comic_panels(panels, idea, _provider(False) if panels is None else None, _stream)
        save_comic(texts, out)
    except StudioError as e:
        raise _fail(e) from e
    console.print(f"wrote {out}", highlight=False)


@studio_app.command("vlog")
def vlog_command(
    source: Path = typer.Argument(..., help="The video to edit."),
    out: Path = typer.Option(..., "--out", help="The edited MP4 to write."),
    script: Path | None = typer.Option(
        None, "--script", help="Subtitles: plain text (one line per kept segment) or an SRT transcript."
    ),
    subtitles: str = typer.Option(
        "burn", "--subtitles", help="burn (into the picture), srt (file beside), none."
    ),
    narrate: bool = typer.Option(False, "--narrate", help="Read the subtitle lines aloud (espeak-ng)."),
    max_length: float | None = typer.Option(None, "--max-length", help="Keep the liveliest shots up to N s."),
    silence_db: float = typer.Option(-40.0, "--silence-db", help="Quieter than this (dBFS) is silence."),
    min_silence: float = typer.Option(1.0, "--min-silence", help="Silence at least this long (s) is cut."),
    preset: str = typer.Option("superfast", "--preset", help="libx264 preset (slower: smaller file)."),
    as_json: bool = JSON,
) -> None:
    """One-click vlog edit: cut dead air, keep highlights, subtitles and optional narration."""
    rules = EditRules(silence_db=silence_db, min_silence=min_silence, max_length=max_length)
    try:
        with progress() as bar:
            tasks: dict[str, int] = {}

            def report(step: str, fraction: float) -> None:
                if step not in tasks:
                    tasks[step] = bar.add_task(step, total=100)
                bar.update(tasks[step], completed=round(fraction * 100))

            result = edit_vlog(
                source, out, script, subtitles, narrate, rules, Encoding(preset=preset), report
            )
    except StudioError as e:
        raise _fail(e) from e
    if as_json:
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        return
    plan = result.plan
    console.print(
        f"wrote {out}: {plan.duration:.1f} s → {plan.output_duration:.1f} s, {len(plan.segments)} segment(s) kept, "
        f"{len(plan.silences)} silence(s) cut, {len(plan.scene_changes)} scene change(s)"
        + (f", subtitles {result.subtitles_file}" if result.subtitles_file else "")
        + (", narrated" if result.narrated else ""),
        highlight=False,
    )


@studio_app.command("image")
def image_command(
    prompt: str = typer.Argument(..., help=TEXT_HELP),
    out: Path = typer.Option(..., "--out", help="The image file to write."),
    size: str = typer.Option("1024x1024", "--size"),
) -> None:
    """Text-to-image through the provider's images endpoint (no offline model)."""
    try:
        text_to_image(_text(prompt), out, configured_provider(), size)
    except StudioError as e:
        raise _fail(e) from e
    console.print(f"wrote {out}", highlight=False)


@studio_app.command("photo")
def photo_command(
    product: Path = typer.Argument(..., help="Product file (TOML)."),
    out: Path = typer.Option(..., "--out", help="The image file to write."),
    scene: str = typer.Option("", "--scene", help="The scene to stage the product in."),
    size: str = typer.Option("1024x1024", "--size"),
) -> None:
    """AI photo studio: a staged product photo through the provider's images endpoint."""
    try:
        photo_studio(product, out, configured_provider(), scene, size)
    except StudioError as e:
        raise _fail(e) from e
    console.print(f"wrote {out}", highlight=False)
