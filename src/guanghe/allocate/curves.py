"""Per-creator response curves of follows gained to boosted impressions, with empirical-Bayes shrinkage.

Model (per boosted work-day j of creator i): follows_j = r_im * organic_j + e_j, E[e_j] = theta_i * g(x_j; s_i),
g(x; s) = s ln(1 + x / s): slope theta_i at 0, saturating on the scale s_i. r_im is the creator's organic
follow rate in month m (from its unboosted work-days, shrunk to its all-history rate). The extra follows
z_j = follows_j - r_im * organic_j are treated as quasi-Poisson with mean theta_i g(x_j; s_i).

Fitting: s on a log grid; for each creator the profile log-likelihood over the grid (theta at its MLE
Z_i / G_i(s)); the segment's (tier x category) distribution of s is learnt by EM over its creators and is each
creator's prior (a creator with one boosted work-day has a flat likelihood and keeps the segment's s). theta
is then the gamma-Poisson posterior mean: (Z_i + beta theta_seg) / (G_i + beta), i.e. the raw slope weighted
by the creator's boosted exposure G_i against the segment's prior exposure beta (method of moments).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from guanghe.allocate.curves_data import History

S_GRID = np.geomspace(200.0, 200_000.0, 41)
BASE_PRIOR = 2_000.0  # organic impressions of prior weight on the creator's all-history organic rate
SEGMENT_PRIOR = 20.0  # creators' worth of weight on the global prior when learning a segment's s prior
EM_ROUNDS = 60
QUALITY_BINS = 10
THETA_MIN = 1e-6


@dataclass(frozen=True)
class Curves:
    """Fitted per-work-day curves f_i(x) = theta_i s_i ln(1 + x / s_i), aligned with ``creator_id``."""

    creator_id: np.ndarray  # (n,) sorted
    theta: np.ndarray  # follows per boosted impression at x = 0 (posterior mean)
    s: np.ndarray  # saturation scale in impressions per work-day
    segment: np.ndarray  # (n,) segment label (tier/category)
    seg_theta: np.ndarray  # (n,) the segment's theta (prior mean)
    seg_s: np.ndarray  # (n,) the segment's typical s (exp of prior mean of ln s)
    raw_theta: np.ndarray  # Z / G (0 without boosted history)
    exposure: np.ndarray  # G_i(s_i): boosted evidence in impression units
    weight: np.ndarray  # G_i / (G_i + beta): how much of theta is the creator's own data
    boosted_days: np.ndarray  # boosted work-days in the history

    def index(self, creator_ids: np.ndarray) -> np.ndarray:
        pos = np.searchsorted(self.creator_id, creator_ids)
        if np.any(pos >= self.creator_id.size) or np.any(
            self.creator_id[np.minimum(pos, self.n - 1)] != creator_ids
        ):
            raise KeyError("creator ids without a fitted curve")
        return pos

    @property
    def n(self) -> int:
        return int(self.creator_id.size)


def g(x: np.ndarray, s: np.ndarray) -> np.ndarray:
    """s ln(1 + x / s): the curve's shape (slope 1 at 0)."""
    return s * np.log1p(x / s)


def period_curve(theta: np.ndarray, s: np.ndarray, work_days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(a, S) of F(X) = a ln(1 + X / S): X impressions spread evenly over ``work_days`` boosted work-days
    gives work_days * theta s ln(1 + X / (work_days s))."""
    return work_days * theta * s, work_days * s


def _organic_rates(h: History) -> np.ndarray:
    """r_im for each boosted work-day: the (creator, month) organic rate shrunk to the creator's rate."""
    total_o, total_f = h.base_organic.sum(), h.base_follows.sum()
    r_global = total_f / total_o if total_o > 0 else 0.0
    ids, inv = np.unique(h.base_creator, return_inverse=True)
    co = np.bincount(inv, h.base_organic, ids.size)
    cf = np.bincount(inv, h.base_follows, ids.size)
    r_c = (cf + BASE_PRIOR * r_global) / (co + BASE_PRIOR)
    r_cm = (h.base_follows + BASE_PRIOR * r_c[inv]) / (h.base_organic + BASE_PRIOR)
    # Look up each boosted row's (creator, month), else its creator, else the global rate.
    key = h.base_creator * 100_000 + h.base_month.astype(np.int64)  # sorted: bases are ordered by it
    want = h.creator * 100_000 + h.month.astype(np.int64)
    pos = np.minimum(np.searchsorted(key, want), max(key.size - 1, 0))
    rate = np.full(h.rows, r_global)
    if ids.size:
        cpos = np.minimum(np.searchsorted(ids, h.creator), ids.size - 1)
        has_c = ids[cpos] == h.creator
        rate[has_c] = r_c[cpos[has_c]]
        has_m = key[pos] == want
        rate[has_m] = r_cm[pos[has_m]]
    return rate


def _em_prior(ll: np.ndarray, groups: np.ndarray, n_groups: int, informative: np.ndarray) -> np.ndarray:
    """Per-segment prior over S_GRID (n_groups, G), learnt by EM from the creators' likelihoods."""
    like = np.exp(ll - ll.max(axis=1, keepdims=True))
    glob = np.full(S_GRID.size, 1.0 / S_GRID.size)
    prior = np.tile(glob, (n_groups, 1))
    m = informative
    count = np.bincount(groups[m], minlength=n_groups)[:, None]
    for _ in range(EM_ROUNDS):
        post = prior[groups[m]] * like[m]
        post /= post.sum(axis=1, keepdims=True)
        glob = post.mean(axis=0) if post.size else glob
        sums = np.stack([np.bincount(groups[m], post[:, j], n_groups) for j in range(S_GRID.size)], axis=1)
        prior = (sums + SEGMENT_PRIOR * glob) / (count + SEGMENT_PRIOR)
    return prior


def _covariate_factor(big_z, big_g, theta_seg, covariate: np.ndarray | None) -> np.ndarray:
    """Prior-mean multiplier by covariate decile: pooled Z / (G theta_seg) within the decile (shrunk to 1)."""
    if covariate is None:
        return np.ones(big_z.size)
    edges = np.quantile(covariate, np.linspace(0, 1, QUALITY_BINS + 1)[1:-1])
    b = np.searchsorted(edges, covariate)
    zs = np.bincount(b, big_z, QUALITY_BINS)
    es = np.bincount(b, big_g * theta_seg, QUALITY_BINS)
    prior = float(np.median(es[es > 0])) if np.any(es > 0) else 1.0
    return ((zs + 0.1 * prior) / (es + 0.1 * prior))[b]


def fit_curves(
    h: History, creator_ids: np.ndarray, segments: np.ndarray, covariate: np.ndarray | None = None
) -> Curves:
    """Fit every creator in ``creator_ids`` (sorted, unique); ``segments`` labels each one (tier/category);
    ``covariate`` (e.g. a quality score) refines the prior mean by its deciles."""
    creator_ids = np.asarray(creator_ids, dtype=np.int64)
    if creator_ids.size and np.any(np.diff(creator_ids) <= 0):
        raise ValueError("creator_ids must be sorted and unique")
    n = creator_ids.size
    seg_names, seg = np.unique(np.asarray(segments, dtype=str), return_inverse=True)
    pos = np.minimum(np.searchsorted(creator_ids, h.creator), max(n - 1, 0))
    keep = (creator_ids[pos] == h.creator) if n else np.zeros(h.rows, bool)
    idx, x = pos[keep], h.boosted[keep]
    z = (h.follows - _organic_rates(h) * h.organic)[keep]
    days = np.bincount(idx, minlength=n)
    big_z = np.bincount(idx, z, n)
    informative = (days >= 2) & (big_z > 0)
    # Profile log-likelihood of s on the grid (theta at its MLE).
    ll = np.zeros((n, S_GRID.size))
    for j, s in enumerate(S_GRID):
        gj = g(x, s)
        ll[:, j] = np.bincount(idx, z * np.log(gj), n) - np.maximum(big_z, 0) * np.log(
            np.maximum(np.bincount(idx, gj, n), 1e-300)
        )
    ll[~informative] = 0.0
    prior = _em_prior(ll, seg, seg_names.size, informative)
    post = prior[seg] * np.exp(ll - ll.max(axis=1, keepdims=True))
    post /= post.sum(axis=1, keepdims=True)
    # einsum, not BLAS: a threaded BLAS may sum in an order that depends on its thread count.
    s_hat = np.exp(np.einsum("ij,j->i", post, np.log(S_GRID)))
    seg_s = np.exp(np.einsum("ij,j->i", prior, np.log(S_GRID)))[seg]
    # theta: gamma-Poisson shrinkage to the segment, prior exposure beta by the method of moments.
    big_g = np.bincount(idx, g(x, s_hat[idx]), n)
    raw = np.where(big_g > 0, big_z / np.where(big_g > 0, big_g, 1.0), 0.0)
    theta_glob = max(big_z.sum() / max(big_g.sum(), 1e-300), THETA_MIN)
    zs, gs = np.bincount(seg, big_z, seg_names.size), np.bincount(seg, big_g, seg_names.size)
    kappa = float(np.median(big_g[big_g > 0])) * SEGMENT_PRIOR if np.any(big_g > 0) else 1.0
    theta_seg = np.maximum((zs + kappa * theta_glob) / (gs + kappa), THETA_MIN)
    mean = theta_seg[seg] * _covariate_factor(big_z, big_g, theta_seg[seg], covariate)
    beta = _prior_exposure(raw, big_g, seg, mean)
    theta = np.maximum((big_z + beta[seg] * mean) / (big_g + beta[seg]), THETA_MIN)
    return Curves(
        creator_id=creator_ids, theta=theta, s=s_hat, segment=seg_names[seg], seg_theta=mean,
        seg_s=seg_s, raw_theta=raw, exposure=big_g, weight=big_g / (big_g + beta[seg]), boosted_days=days,
    )  # fmt: skip


def _prior_exposure(raw: np.ndarray, big_g: np.ndarray, seg: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """beta = theta / tau^2 per segment, tau^2 the between-creator variance of theta around its prior mean
    (moments): the G-weighted spread of raw slopes minus its Poisson part (theta / G per creator)."""
    has = big_g > 0
    k = int(seg.max()) + 1 if seg.size else 0
    theta_seg = np.bincount(seg, mean, k) / np.maximum(np.bincount(seg, minlength=k), 1)
    w = np.bincount(seg[has], big_g[has], k)
    spread = np.bincount(seg[has], big_g[has] * (raw[has] - mean[has]) ** 2, k)
    count = np.bincount(seg[has], minlength=k)
    tau2_all = (np.sum(big_g[has] * (raw[has] - mean[has]) ** 2) - np.sum(mean[has])) / max(
        big_g[has].sum(), 1e-300
    )
    tau2_glob = max(tau2_all, 1e-4 * float(np.mean(theta_seg)) ** 2)
    tau2 = np.where(w > 0, (spread - count * theta_seg) / np.where(w > 0, w, 1.0), tau2_glob)
    # Few creators: blend towards the platform-wide variance.
    tau2 = (count * np.maximum(tau2, 0) + SEGMENT_PRIOR * tau2_glob) / (count + SEGMENT_PRIOR)
    return theta_seg / np.maximum(tau2, 1e-300)
