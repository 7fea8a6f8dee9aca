"""Titles and captions: hooks filled from templates with the work's keywords, ranked by how close each one's
embedding is to the description's (multilingual-e5-small, bundled). Templates write; the model only ranks."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import permutations

from guanghe.studio.embed import MODEL, similarity
from guanghe.studio.errors import StudioError
from guanghe.studio.keywords import extract_keywords
from guanghe.studio.language import detect_language

# Hook templates: {a} and {b} are the work's two best keywords (in either order).
HOOKS = {
    "zh": (
        "{a}的正确打开方式，看完就会",
        "关于{a}，90%的人都不知道这一点",
        "一分钟看懂{a}",
        "{a}+{b}，真的绝了！",
        "实测{a}：{b}到底怎么样？",
        "别再乱买{a}了，先看这条",
        "我的{a}日常｜{b}篇",
        "新手必看：{a}避坑指南",
    ),
    "en": (
        "{A}: what nobody tells you",
        "I tried {a} for 30 days: here's what happened",
        "{A} vs {B}: which one wins?",
        "The only {a} guide you need",
        "Stop getting {a} wrong",
        "{A} and {b} in 60 seconds",
        "Beginner's guide to {a}",
        "My honest {a} review",
    ),
}
CAPTIONS = {
    "zh": "{title}\n{hashtags}",
    "en": "{title}\n{hashtags}",
}


@dataclass(frozen=True)
class Ranked:
    text: str
    score: float  # cosine similarity to the description


def rank_titles(description: str, candidates: list[str]) -> list[Ranked]:
    """``candidates`` ordered by semantic similarity to ``description``, best first."""
    detect_language(description, "the description")
    candidates = [c.strip() for c in candidates if c.strip()]
    if not candidates:
        raise StudioError("no title candidates: expected at least one non-empty line")
    scores = similarity(description, candidates)
    order = sorted(range(len(candidates)), key=lambda i: (-scores[i], i))
    return [Ranked(candidates[i], round(float(scores[i]), 4)) for i in order]


def hook_candidates(description: str, language: str | None = None) -> list[str]:
    """Every hook template filled with the description's two best keywords (both orders), deduplicated."""
    keywords = extract_keywords(description, top=3)
    language = language or keywords.language
    words = keywords.words
    if not words:
        raise StudioError("the description has no keywords to build titles from: give a longer description")
    pairs = list(permutations(words[:3], 2)) or [(words[0], words[0])]
    seen: dict[str, None] = {}
    for template in HOOKS[language]:
        for a, b in pairs[:2]:
            seen.setdefault(template.format(a=a, b=b, A=a[:1].upper() + a[1:], B=b[:1].upper() + b[1:]), None)
    return list(seen)


@dataclass(frozen=True)
class Titles:
    language: str
    titles: list[Ranked]
    captions: list[str]
    hashtags: list[str]
    source: str = "template"  # hooks written by templates
    ranked_by: str = MODEL


def suggest_titles(description: str, top: int = 5, candidates: list[str] | None = None) -> Titles:
    """The ``top`` titles for a work (template hooks, or the given ``candidates``), ranked semantically, with a
    caption (title + hashtags) for each."""
    language = detect_language(description, "the description")
    keywords = extract_keywords(description, top=5)
    ranked = rank_titles(description, candidates or hook_candidates(description, language))[:top]
    tags = " ".join(keywords.hashtags)
    captions = [CAPTIONS[language].format(title=r.text, hashtags=tags) for r in ranked]
    source = "given candidates" if candidates else "template"
    return Titles(language, ranked, captions, keywords.hashtags, source)
