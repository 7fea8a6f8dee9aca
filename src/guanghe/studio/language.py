"""Which language a text is in: Chinese or English are supported; anything else is refused by name."""

from __future__ import annotations

import re

from guanghe.studio.errors import StudioError

LANGUAGES = ("zh", "en")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_KANA_HANGUL = re.compile(r"[\u3040-\u30ff\uac00-\ud7af]")
_LETTER = re.compile(r"[^\W\d_]")


def detect_language(text: str, what: str = "text") -> str:
    """``zh`` when Han characters make up at least a fifth of the letters, ``en`` when Latin letters make up
    most of them; empty or other-language text is a ``StudioError``.

    >>> detect_language("这款耳机适合通勤 with ANC")
    'zh'
    >>> detect_language("Noise cancelling for the commute")
    'en'
    """
    if not text.strip():
        raise StudioError(f"{what} is empty: expected Chinese or English text")
    letters = len(_LETTER.findall(text))
    han, latin, other_cjk = (
        len(_HAN.findall(text)),
        len(_LATIN.findall(text)),
        len(_KANA_HANGUL.findall(text)),
    )
    if letters == 0:
        raise StudioError(f"{what} has no words (only digits or symbols): expected Chinese or English text")
    if other_cjk > han:
        raise StudioError(
            f"{what}: unsupported language (Japanese or Korean script); expected Chinese or English"
        )
    if han >= 0.2 * letters and han > 0:
        return "zh"
    if latin >= 0.6 * letters:
        return "en"
    raise StudioError(f"{what}: unsupported language; expected Chinese or English")
