"""Keywords and hashtags for a title or description. Candidates: jieba's TF-IDF or TextRank for Chinese (its
dictionary and IDF table ship in the package) with a part-of-speech filter, TextRank of our own for English;
then re-ranked KeyBERT-style by how close each candidate's embedding is to the whole text's (``embed``)."""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field
from functools import cache
from types import ModuleType

import numpy as np

from guanghe.studio import english
from guanghe.studio.embed import similarity, zscore
from guanghe.studio.errors import StudioError
from guanghe.studio.language import detect_language

# jieba's part-of-speech tags a keyword may have: nouns (common, person, place, organisation, other proper),
# verbal and adjectival nouns, English words, idioms and abbreviations, distinguishing words (单反) and verbs
# (露营, 降噪: creators' topics are often activities); jieba's dictionary mis-tags some nouns as adverbs (相机,
# 快门), hence "d": the IDF weight and the semantic re-rank push real adverbs down. Numerals, measure words,
# pronouns, conjunctions, prepositions and particles never are keywords.
ZH_POS = ("n", "nr", "ns", "nt", "nz", "vn", "an", "eng", "l", "j", "b", "v", "d")
METHODS = ("tfidf", "textrank")
CANDIDATES = 15  # candidates re-ranked semantically
SEMANTIC_SHARE = 0.5  # score = share × z(similarity to the text) + (1 − share) × z(statistical weight)


@dataclass(frozen=True)
class Keyword:
    word: str
    weight: float


@dataclass(frozen=True)
class Keywords:
    language: str
    method: str
    keywords: list[Keyword] = field(default_factory=list)

    @property
    def words(self) -> list[str]:
        return [k.word for k in self.keywords]

    @property
    def hashtags(self) -> list[str]:
        """``#降噪耳机`` in Chinese; ``#noisecancelling`` (no spaces or hyphens) in English."""
        return ["#" + k.word.replace(" ", "").replace("-", "") for k in self.keywords]


@cache
def _jieba() -> ModuleType:
    """jieba's analysers, imported once and quietly (it logs its dictionary load and imports pkg_resources)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import jieba
            import jieba.analyse
        except ImportError as e:
            raise StudioError(f"{e.name} is not installed: pip install 'guanghe[studio]'") from e

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        jieba.analyse.extract_tags("初始化", topK=1)  # loads the IDF table inside the warning filter
    return jieba.analyse


def extract_keywords(text: str, top: int = 8, method: str = "tfidf", semantic: bool = True) -> Keywords:
    """The ``top`` keywords of ``text``, best first, with their combined score (``semantic=False``: the
    statistical weight alone)."""
    if method not in METHODS:
        raise StudioError(f"method {method!r}: expected one of {', '.join(METHODS)}")
    if top < 1:
        raise StudioError(f"top {top}: expected at least 1")
    language = detect_language(text)
    if language == "zh":
        analyse = _jieba()
        extract = analyse.extract_tags if method == "tfidf" else analyse.textrank
        pairs = extract(text, topK=CANDIDATES, withWeight=True, allowPOS=ZH_POS)
    else:
        pairs = english.textrank(
            text, CANDIDATES
        )  # no IDF table ships offline for English: TextRank for both
        method = "textrank"
    if semantic and len(pairs) > 1:
        words = [w for w, _ in pairs]
        score = SEMANTIC_SHARE * zscore(similarity(text, words)) + (1 - SEMANTIC_SHARE) * zscore(
            np.array([w for _, w in pairs])
        )
        pairs = sorted(zip(words, score.tolist(), strict=True), key=lambda p: -p[1])
        method += "+semantic"
    return Keywords(language, method, [Keyword(w, round(float(s), 4)) for w, s in pairs[:top]])


def baseline_keywords(text: str, top: int = 8) -> list[str]:
    """The naive baseline the tests compare against: most frequent words (jieba's plain cut for Chinese)."""
    if detect_language(text) == "en":
        return [w for w, _ in english.term_frequency(text, top)]
    _jieba()
    import jieba

    counts: dict[str, int] = {}
    for w in jieba.cut(text):
        if len(w.strip()) >= 2:
            counts[w] = counts.get(w, 0) + 1
    return [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]
