"""Four-panel comic storyboard (四格漫画): 起承转合 panels stacked vertically, each with its beat's badge and
its caption set in a CJK font, written as a PNG. The layout is the storyboard; the drawing is left to the artist
(or to a configured image model)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from guanghe.studio.errors import StudioError
from guanghe.studio.files import atomic_path, read_text
from guanghe.studio.fonts import cjk_font

BEATS = ("起", "承", "转", "合")
TINTS = ("#fdf2e9", "#eaf2f8", "#fef9e7", "#e9f7ef")


@dataclass(frozen=True)
class Layout:
    width: int = 720
    panel_height: int = 400
    margin: int = 24
    gutter: int = 18
    border: int = 4
    caption_size: int = 30
    badge_size: int = 34

    @property
    def height(self) -> int:
        return 2 * self.margin + 4 * self.panel_height + 3 * self.gutter

    def panel_box(self, i: int) -> tuple[int, int, int, int]:
        top = self.margin + i * (self.panel_height + self.gutter)
        return (self.margin, top, self.width - self.margin, top + self.panel_height)

    def caption_box(self, i: int) -> tuple[int, int, int, int]:
        """The band at the bottom of panel ``i`` where its caption is set."""
        left, _, right, bottom = self.panel_box(i)
        pad = self.border + 10
        return (left + pad, bottom - pad - 3 * (self.caption_size + 8), right - pad, bottom - pad)


def read_panels(path: Path) -> list[str]:
    """Four panel texts: one per non-empty line."""
    lines = [line.strip() for line in read_text(path, "panel file").splitlines() if line.strip()]
    if len(lines) != 4:
        raise StudioError(
            f"{path}: {len(lines)} panel line(s); expected exactly 4 (起, 承, 转, 合), one per line"
        )
    return lines


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` (character by character: CJK has no spaces)."""
    lines, line = [], ""
    for ch in text:
        if draw.textlength(line + ch, font=font) > width and line:
            lines.append(line)
            line = ch.lstrip()
        else:
            line += ch
    return [*lines, line] if line else lines


def render_comic(panels: list[str], layout: Layout | None = None) -> Image.Image:
    """The storyboard image for four panel texts."""
    layout = layout or Layout()
    if len(panels) != 4 or not all(p.strip() for p in panels):
        raise StudioError("a four-panel comic needs exactly 4 non-empty panel texts")
    file, _ = cjk_font()
    caption = ImageFont.truetype(str(file), layout.caption_size)
    badge = ImageFont.truetype(str(file), layout.badge_size)
    image = Image.new("RGB", (layout.width, layout.height), "white")
    draw = ImageDraw.Draw(image)
    for i, (beat, text) in enumerate(zip(BEATS, panels, strict=True)):
        box = layout.panel_box(i)
        draw.rectangle(box, fill=TINTS[i], outline="black", width=layout.border)
        bx, by = box[0] + layout.border + 8, box[1] + layout.border + 8
        side = layout.badge_size + 16
        draw.ellipse((bx, by, bx + side, by + side), fill="black")
        draw.text((bx + side / 2, by + side / 2), beat, font=badge, fill="white", anchor="mm")
        left, top, right, bottom = layout.caption_box(i)
        lines = _wrap(draw, text.strip(), caption, right - left)
        if len(lines) > 3:
            raise StudioError(f"panel {i + 1} ({beat}) is too long for three caption lines: shorten it")
        draw.rectangle((left - 6, top - 6, right + 6, bottom + 2), fill="white", outline="black", width=2)
        for n, line in enumerate(lines):
            draw.text((left, top + n * (layout.caption_size + 8)), line, font=caption, fill="black")
    return image


def save_comic(panels: list[str], out: Path, layout: Layout | None = None) -> Path:
    """Render and write the PNG (whole or not at all)."""
    if out.suffix.lower() != ".png":
        raise StudioError(f"{out}: the comic is written as PNG: give a .png file")
    image = render_comic(panels, layout)
    with atomic_path(out) as tmp:
        image.save(tmp, format="PNG")
    return out
