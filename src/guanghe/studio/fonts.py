"""A font that has Chinese glyphs (for the comic and burned-in subtitles), found through fontconfig."""

from __future__ import annotations

import shutil
import subprocess
from functools import cache
from pathlib import Path

from guanghe.studio.errors import StudioError

KNOWN = (  # Debian's fonts-noto-cjk and fonts-wqy-microhei
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", "Noto Sans CJK SC"),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "WenQuanYi Micro Hei"),
)


@cache
def cjk_font() -> tuple[Path, str]:
    """(file, family) of a font covering Simplified Chinese."""
    if shutil.which("fc-match"):
        done = subprocess.run(
            ["fc-match", "-f", "%{file}\n%{family[0]}\n%{lang}", "sans-serif:lang=zh-cn"],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        parts = done.stdout.split("\n")
        if (
            done.returncode == 0
            and len(parts) >= 3
            and "zh-cn" in parts[2].split("|")
            and Path(parts[0]).is_file()
        ):
            return Path(parts[0]), parts[1]
    for file, family in KNOWN:
        if Path(file).is_file():
            return Path(file), family
    raise StudioError("no font with Chinese glyphs: install one (Debian: apt-get install fonts-noto-cjk)")
