"""The synthetic short-video platform: creators, works, daily traffic, support boosts, followers and income.

``generate(SynthConfig(), "guanghe-data")`` writes ``data/<table>/<YYYY-MM>.parquet`` and ``truth/``.
"""

from guanghe.synth.config import SynthConfig
from guanghe.synth.generator import generate

__all__ = ["SynthConfig", "generate"]
