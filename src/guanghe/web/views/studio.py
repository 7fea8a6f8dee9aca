"""The creator studio's text tools for the web (the studio room's use cases, in-process, offline path):
keywords and hashtags, ranked titles, a product-introduction script from the form's fields."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from guanghe.studio import Keywords, Script, Titles, extract_keywords, product_script, titles
from guanghe.studio.errors import StudioError

# the studio's CLI-only tools: video and images are files on the creator's machine, not uploads
CLI_TOOLS = (
    ("vlog", "guanghe studio vlog IN.mp4 --out OUT.mp4 --subtitles burn"),
    ("comic", "guanghe studio comic PANELS.txt --out FILE.png"),
)


def keywords(text: str, top: int = 8) -> Keywords:
    return extract_keywords(text, top=top)


def ranked_titles(text: str, top: int = 5) -> Titles:
    return titles(text, top)  # no provider: template hooks ranked by the embedding model


def _lines(text: str) -> list[str]:
    return [x.strip() for x in text.replace("；", "\n").replace(";", "\n").splitlines() if x.strip()]


def script(
    name: str, selling_points: str, audience: str = "", pain_points: str = "", offer: str = ""
) -> Script:
    """A product script from form fields (one selling point a line): the fields become a product file, read by
    the studio's own loader (its checks and messages), then ``product_script`` offline."""
    doc = {"name": name, "selling_points": _lines(selling_points), "audience": audience,
           "pain_points": _lines(pain_points), "offer": offer}  # fmt: skip
    toml = "\n".join(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in doc.items()) + "\n"
    with tempfile.TemporaryDirectory(prefix="guanghe-studio-") as folder:
        path = Path(folder) / "product.toml"
        path.write_text(toml, encoding="utf-8")
        try:
            return product_script(path)
        except StudioError as e:
            raise StudioError(str(e).replace(f"{path}:", "form:").replace(str(path), "form")) from e


# each tool: its form fields (keyword arguments of its function) and the function
TOOLS = {
    "keywords": (("text",), keywords),
    "titles": (("text",), ranked_titles),
    "script": (("name", "selling_points", "audience", "pain_points", "offer"), script),
}
