"""English keywords without a corpus: a tokenizer, a stopword list and TextRank over a co-occurrence graph."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

# Function words plus the filler of creators' captions ("really", "video", "today", "easy"): never keywords.
_STOPWORDS_TEXT = """
a about above after again against all almost also am an and any are aren't as at be because been before being
below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during
each either even ever every few for from further get gets getting got had hadn't has hasn't have haven't having
he her here hers herself him himself his how i i'm i've if in into is isn't it it's its itself just let's like
made make makes making many may me might more most much must my myself need needs never new no nor not now of
off often on once one only or other others our ours ourselves out over own per quite rather really same say
says she should shouldn't so some still such than that that's the their theirs them themselves then there
there's these they they're this those through to too under until up us use used uses using very via was wasn't
way we we're well were weren't what what's when where which while who whom whose why will with within without
won't would wouldn't yet you you'll you're your yours yourself yourselves today day days time times thing
things lot lots best better good great easy easier hard harder quick fast simple cheap big small little
video videos watch let know want go going come comes back first last next everything anything something
nothing everyone someone around always usually actually simply literally finally two three four five ten
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9'+\-]*[A-Za-z0-9+]|[A-Za-z]")
WINDOW = 4
DAMPING = 0.85


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens (apostrophes and inner hyphens kept: "noise-cancelling", "don't")."""
    return [t.lower() for t in _TOKEN.findall(text)]


def normalize(word: str) -> str:
    """A light plural fold so "headphones" and "headphone" count as one word."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def candidates(text: str) -> list[str]:
    """Content words in order: no stopwords, no numbers, at least three letters."""
    return [w for w in tokens(text) if w not in STOPWORDS and len(w) >= 3 and not w.isdigit()]


def textrank(text: str, top: int) -> list[tuple[str, float]]:
    """TextRank (Mihalcea & Tarau 2004): PageRank over words co-occurring within ``WINDOW`` content words;
    each folded word is shown in its most frequent surface form; weights scaled so the best is 1."""
    words = candidates(text)
    if not words:
        return []
    folded = [normalize(w) for w in words]
    stems = set(folded)
    folded = [w[:-3] if w.endswith("ing") and w[:-3] in stems else w for w in folded]  # watering → water
    vocab = sorted(set(folded))
    index = {w: i for i, w in enumerate(vocab)}
    n = len(vocab)
    graph = np.zeros((n, n))
    for i, w in enumerate(folded):
        for v in folded[i + 1 : i + WINDOW]:
            if v != w:
                graph[index[w], index[v]] += 1
                graph[index[v], index[w]] += 1
    out = graph.sum(axis=1)
    transition = np.divide(graph, out[:, None], out=np.zeros_like(graph), where=out[:, None] > 0)
    rank = np.full(n, 1.0 / n)
    for _ in range(100):
        new = (1 - DAMPING) / n + DAMPING * transition.T @ rank
        if np.abs(new - rank).sum() < 1e-9:
            rank = new
            break
        rank = new
    counts = Counter(folded)
    rank = rank * (1 + np.log([counts[w] for w in vocab]))  # a word said often is a topic even when isolated
    surface: dict[str, Counter[str]] = {}
    for w, f in zip(words, folded, strict=True):
        surface.setdefault(f, Counter())[w] += 1
    order = sorted(range(n), key=lambda i: (-rank[i], vocab[i]))[:top]
    best = rank[order[0]]
    return [(surface[vocab[i]].most_common(1)[0][0], float(rank[i] / best)) for i in order]


def term_frequency(text: str, top: int) -> list[tuple[str, float]]:
    """The naive baseline: the most frequent content words."""
    counts = Counter(normalize(w) for w in candidates(text))
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    return [(w, c / ranked[0][1]) for w, c in ranked] if ranked else []
