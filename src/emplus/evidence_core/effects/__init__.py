"""Counterfactual effect estimation (ATT) on a table: PSM, IPW, AIPW, difference in differences.

Pure Python over Polars and NumPy; it must not import Django, so that the command line, the
web page's background task and the benchmarks run the same code.
"""

from emplus.evidence_core.effects.errors import EffectInputError
from emplus.evidence_core.effects.estimate import (
    DEFAULT_CALIPER,
    METHODS,
    MIN_TREATED,
    estimate_effect,
)
from emplus.evidence_core.effects.result import BalanceRow, Dropped, EffectResult
from emplus.evidence_core.effects.summary import plain_language_summary
from emplus.evidence_core.effects.table import read_table

__all__ = [
    "DEFAULT_CALIPER",
    "METHODS",
    "MIN_TREATED",
    "BalanceRow",
    "Dropped",
    "EffectInputError",
    "EffectResult",
    "estimate_effect",
    "plain_language_summary",
    "read_table",
]
