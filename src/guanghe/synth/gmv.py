"""Ground truth of how traffic moves sales: each selling creator's orders per organic impression and its true
response curve of orders to boosted impressions (for the closed-loop simulation, ``guanghe simulate``).

Sellers are the e-commerce and local-life creators. Per work-day: organic orders ~ Poisson(conv_i x organic
impressions); boosted orders ~ Poisson(phi_i sigma_i ln(1 + x / sigma_i)) for x boosted impressions — concave,
slope phi_i at 0, saturating on sigma_i (a scale of its own, unrelated to the follower curve's s_i); each order
is worth price_i fen. conv_i = CONV_MEDIAN x monetisation_i x lognormal(CONV_SIGMA) (the creator's propensity
to earn drives its sales), phi_i = BOOST_LIFT x conv_i x lognormal(PHI_SIGMA), price_i = the market's median
order (e-commerce) or voucher (local life) amount x lognormal(PRICE_SIGMA). Non-sellers sell nothing.

Drawn from a seed stream of its own (``SeedSequence(seed, spawn_key=(2000,))``): the generator's tables do
not change with it, and ``guanghe synth`` does not write it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from guanghe.synth.config import SynthConfig
from guanghe.synth.population import Population

CONV_MEDIAN = 2e-4  # orders per organic impression of a seller with monetisation 1
CONV_SIGMA = 0.5
BOOST_LIFT = 1.5  # boosted impressions convert better at small x (targeted to likely buyers)
PHI_SIGMA = 0.4
SIGMA_MEDIAN = 4_000.0
SIGMA_SIGMA = 0.6
PRICE_SIGMA = 0.5


@dataclass(frozen=True)
class GmvTruth:
    conv: np.ndarray  # orders per organic impression (0: not a seller)
    phi: np.ndarray  # orders per boosted impression at x = 0
    sigma: np.ndarray  # saturation scale (boosted impressions per work-day)
    price: np.ndarray  # fen per order

    def boosted_orders(self, cidx: np.ndarray, x: np.ndarray) -> np.ndarray:
        """Expected extra orders of work-days of creators ``cidx`` boosted by x impressions."""
        s = self.sigma[cidx]
        return self.phi[cidx] * s * np.log1p(x / s)


def gmv_truth(cfg: SynthConfig, pop: Population) -> GmvTruth:
    rng = np.random.default_rng(np.random.SeedSequence(cfg.seed, spawn_key=(2_000,)))
    n = pop.size
    seller = pop.is_ecommerce | pop.is_local_life
    conv = np.where(seller, CONV_MEDIAN * pop.monetisation * np.exp(CONV_SIGMA * rng.standard_normal(n)), 0.0)
    phi = BOOST_LIFT * conv * np.exp(PHI_SIGMA * rng.standard_normal(n))
    sigma = SIGMA_MEDIAN * np.exp(SIGMA_SIGMA * rng.standard_normal(n))
    base = np.where(pop.is_local_life, cfg.market.voucher_fen, cfg.market.order_fen)
    price = np.round(base * np.exp(PRICE_SIGMA * rng.standard_normal(n)))
    return GmvTruth(conv, phi, sigma, price)
