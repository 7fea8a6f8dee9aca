"""A product file (TOML): the fields the product-introduction and live scripts are written from."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from guanghe.studio.errors import StudioError
from guanghe.studio.files import read_text
from guanghe.studio.language import LANGUAGES, detect_language

EXAMPLE = """name = "轻羽降噪耳机"
selling_points = ["40dB 深度降噪", "30 小时续航", "单耳 4.5 克"]"""


@dataclass(frozen=True)
class Product:
    name: str
    selling_points: list[str]
    language: str
    category: str = ""
    price: float | None = None  # yuan (or the buyer's currency), as the seller writes it
    audience: str = ""
    pain_points: tuple[str, ...] = ()
    proof: tuple[str, ...] = ()
    offer: str = ""
    source: str = ""


def _line(text: str, key: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if re.match(rf"\s*{re.escape(key)}\s*=", line):
            return number
    return 0


def load_product(path: Path) -> Product:
    """Read and check a product file; every problem is one line naming file:line:field and what was expected."""
    text = read_text(path, "product file")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise StudioError(f"{path}: not valid TOML ({e})") from e

    def where(key: str) -> str:
        line = _line(text, key)
        return f"{path}:{line}: {key}" if line else f"{path}: {key}"

    def string(key: str, required: bool = False) -> str:
        value = data.get(key, "")
        if not isinstance(value, str) or (required and not value.strip()):
            missing = key not in data
            raise StudioError(f"{where(key)}: {'missing; ' if missing else ''}expected a non-empty string")
        return value.strip()

    def strings(key: str, least: int = 0) -> tuple[str, ...]:
        value = data.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise StudioError(f"{where(key)}: expected a list of non-empty strings")
        if len(value) < least:
            got = f"got {len(value)}" if key in data else "missing"
            raise StudioError(f"{where(key)}: expected at least {least} entries ({got}), e.g.\n{EXAMPLE}")
        return tuple(v.strip() for v in value)

    name = string("name", required=True)
    points = strings("selling_points", least=3)
    price = data.get("price")
    if price is not None and (isinstance(price, bool) or not isinstance(price, int | float) or price < 0):
        raise StudioError(f"{where('price')}: expected a number ≥ 0")
    language = data.get("language") or detect_language(
        " ".join([name, *points]), f"{path}: name and selling_points"
    )
    if language not in LANGUAGES:
        raise StudioError(
            f"{where('language')}: unsupported language {language!r}; expected one of {', '.join(LANGUAGES)}"
        )
    return Product(
        name=name,
        selling_points=list(points),
        language=language,
        category=string("category"),
        price=None if price is None else float(price),
        audience=string("audience"),
        pain_points=strings("pain_points"),
        proof=strings("proof"),
        offer=string("offer"),
        source=str(path),
    )
