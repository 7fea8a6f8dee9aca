"""The four-panel storyboard PNG: layout, captions in a CJK font, errors that write nothing."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFont
from typer.testing import CliRunner

from guanghe.cli import app
from guanghe.studio import StudioError, save_comic
from guanghe.studio.comic import Layout
from guanghe.studio.fonts import cjk_font

EXAMPLES = Path(__file__).parents[2] / "examples" / "studio"


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_cli_comic_lays_out_four_captioned_panels(tmp_path: Path) -> None:
    out = tmp_path / "comic.png"
    result = CliRunner().invoke(app, ["studio", "comic", str(EXAMPLES / "panels.txt"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (
        out.stat().st_mode & 0o777 == 0o666 & ~current_umask()
    )  # an ordinary file, not the temporary's 0600
    layout = Layout()
    image = np.asarray(Image.open(out).convert("RGB"))
    assert image.shape == (layout.height, layout.width, 3)
    for i in range(4):
        left, top, right, bottom = layout.panel_box(i)
        mid = (left + right) // 2
        assert (image[top + 1, mid] < 50).all() and (image[bottom - 1, mid] < 50).all()  # black borders
        cl, ct, cr, cb = layout.caption_box(i)
        caption = image[ct:cb, cl:cr]
        assert (caption.max(axis=2) < 100).sum() > 200  # dark glyph pixels on the white caption band
    gutter = layout.panel_box(0)[3] + layout.gutter // 2
    assert (image[gutter, 50:-50] == 255).all()  # white between panels


def test_the_font_has_chinese_glyphs() -> None:
    file, family = cjk_font()
    font = ImageFont.truetype(str(file), 40)
    missing = np.asarray(font.getmask("\U0010fffd")).tobytes()  # a private-use code point: the "no glyph" box
    assert family
    for ch in "起承转合健身房":
        assert font.getmask(ch).getbbox() is not None
        assert np.asarray(font.getmask(ch)).tobytes() != missing


@pytest.mark.parametrize(
    ("lines", "message"),
    [(["一", "二", "三"], "expected exactly 4"), (["一", "二", "三", "四", "五"], "expected exactly 4")],
)
def test_wrong_panel_count_writes_nothing(tmp_path: Path, lines: list[str], message: str) -> None:
    panels = tmp_path / "p.txt"
    panels.write_text("\n".join(lines), encoding="utf-8")
    result = CliRunner().invoke(app, ["studio", "comic", str(panels), "--out", str(tmp_path / "c.png")])
    assert result.exit_code == 2 and message in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.txt"]


def test_too_long_a_caption_or_wrong_suffix(tmp_path: Path) -> None:
    with pytest.raises(StudioError, match="too long"):
        save_comic(["一", "二" * 200, "三", "四"], tmp_path / "c.png")
    with pytest.raises(StudioError, match="PNG"):
        save_comic(["一", "二", "三", "四"], tmp_path / "c.jpg")
    assert list(tmp_path.iterdir()) == []
