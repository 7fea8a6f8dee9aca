"""An audio fingerprint in the manner of Haitsma & Kalker (2002): mono 8 kHz, 128 ms frames every 16 ms, 33
log-spaced bands from 300 to 2000 Hz; bit m of frame n is the sign of the band-energy difference's change,
(E[n,m] - E[n,m+1]) - (E[n-1,m] - E[n-1,m+1]). Two clips match when the bit error rate of their aligned
sub-fingerprints, at the best time offset, is low. A tempo change stretches the sequence: not handled."""

from __future__ import annotations

import numpy as np

RATE = 8000
FRAME, HOP = 1024, 128
BANDS = np.geomspace(300, 2000, 34)
MIN_FRAMES = 32  # shorter overlaps than ~0.5 s are not compared
SILENCE = 1e-4  # mean square below this: no sound


def audio_bits(pcm: np.ndarray) -> np.ndarray:
    """uint32 sub-fingerprints of mono RATE-Hz samples (empty for silence or under one frame)."""
    if len(pcm) < FRAME + HOP or float(np.mean(pcm**2)) < SILENCE:
        return np.zeros(0, np.uint32)
    n = 1 + (len(pcm) - FRAME) // HOP
    idx = np.arange(FRAME)[None, :] + HOP * np.arange(n)[:, None]
    spec = np.abs(np.fft.rfft(pcm[idx] * np.hanning(FRAME), axis=1)) ** 2
    freqs = np.fft.rfftfreq(FRAME, 1 / RATE)
    band = np.searchsorted(BANDS, freqs, side="right") - 1
    keep = (band >= 0) & (band < 33)
    energy = np.zeros((n, 33))
    np.add.at(energy.T, band[keep], spec[:, keep].T)
    d = energy[:, :-1] - energy[:, 1:]
    bits = (d[1:] - d[:-1]) > 0
    return (bits.astype(np.uint64) << np.arange(32, dtype=np.uint64)).sum(axis=1).astype(np.uint32)


def bit_error_rate(a: np.ndarray, b: np.ndarray, max_shift: int = 400) -> float:
    """The lowest bit error rate of ``a`` against ``b`` over time offsets of up to ``max_shift`` frames
    (about 6 s) either way, over at least MIN_FRAMES aligned frames; 1.0 when they cannot be compared."""
    best = 1.0
    if len(a) < MIN_FRAMES or len(b) < MIN_FRAMES:
        return best
    for shift in range(-min(max_shift, len(b) - MIN_FRAMES), min(max_shift, len(a) - MIN_FRAMES) + 1):
        x = a[max(shift, 0) :]
        y = b[max(-shift, 0) :]
        m = min(len(x), len(y))
        if m < MIN_FRAMES:
            continue
        ber = float(np.bitwise_count(x[:m] ^ y[:m]).sum()) / (32 * m)
        best = min(best, ber)
    return best
