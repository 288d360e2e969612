"""The maturity scoring engine (MATURITY.md): a pure function of spec and evidence.

- :mod:`ledger.maturity.spec` loads the versioned spec file and its ``spec_hash``;
- :mod:`ledger.maturity.normalise` maps raw values to 0-1 scores;
- :mod:`ledger.maturity.engine` rates, aggregates, renders the canonical result with
  its ``evidence_root`` and ``result_hash``, and reports robustness;
- :mod:`ledger.maturity.indicators` measures indicators from indexed events, following
  the definitions of the spec version it is given;
- :mod:`ledger.maturity.scopes` reads the jurisdiction tree's history from the
  Directory's events: a jurisdiction's scope, membership at each event's block;
- :mod:`ledger.maturity.trajectory` (staged targets, the expected index, the gap) and
  :mod:`ledger.maturity.roadmap` (what to raise first, and to what raw value) are pure
  functions; :mod:`ledger.maturity.progress` shapes them into plain data;
- :mod:`ledger.maturity.service` scores a ledger (:class:`~ledger.maturity.service.Scorer`
  over narrow sources), and gives the clause cycles, series of scores, the progress of a
  jurisdiction tree (every node from one read) and a jurisdiction's roadmap.

Every spec version stays in the package (``spec_v1.json``, ``spec_v2.json``);
:func:`load_spec` gives the latest unless asked for another, and
:func:`~ledger.maturity.spec.spec_for_hash` the one a published score names.
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
from ledger.maturity.spec import (
    Definitions,
    Spec,
    SpecError,
    UnknownSpecVersion,
    load_spec,
    spec_for_hash,
)

__all__ = [
    "NOT_RATED",
    "RATED",
    "Definitions",
    "EvidenceKey",
    "IndicatorInput",
    "Spec",
    "SpecError",
    "UnknownSpecVersion",
    "canonical_result_bytes",
    "compute_result",
    "load_spec",
    "robustness",
    "spec_for_hash",
    "verify_result_hash",
    "weakest_element",
]
