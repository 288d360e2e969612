"""The maturity scoring engine (MATURITY.md): a pure function of spec and evidence.

- :mod:`ledger.maturity.spec` loads the versioned spec file and its ``spec_hash``;
- :mod:`ledger.maturity.normalise` maps raw values to 0-1 scores;
- :mod:`ledger.maturity.engine` rates, aggregates, renders the canonical result with
  its ``evidence_root`` and ``result_hash``, and reports robustness;
- :mod:`ledger.maturity.indicators` measures indicators from indexed events.
"""

from ledger.maturity.engine import (
    NOT_RATED,
    RATED,
    EvidenceKey,
    IndicatorInput,
    canonical_result_bytes,
    compute_result,
    robustness,
    verify_result_hash,
    weakest_element,
)
from ledger.maturity.spec import Spec, SpecError, load_spec

__all__ = [
    "NOT_RATED",
    "RATED",
    "EvidenceKey",
    "IndicatorInput",
    "Spec",
    "SpecError",
    "canonical_result_bytes",
    "compute_result",
    "load_spec",
    "robustness",
    "verify_result_hash",
    "weakest_element",
]
