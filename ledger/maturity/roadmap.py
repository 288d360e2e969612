"""The roadmap (MATURITY.md "Series, trajectories and the roadmap", "Roadmap"): a pure
function of a spec and one score's indicator measurements.

For a scope below its expected level, the indicators are ordered by how much raising
each one's score to 1 would raise ``M``, all else equal (ties by indicator id). Where
the weakest element caps the level (an element not rated, or an element whose band is
below the band of ``M``), that element's indicators come first. For each, the raw value
that would lift the overall level by one band on its own, or "not enough alone".

Everything is recomputed with the engine's own :func:`~ledger.maturity.engine.assess`,
so the roadmap can never disagree with a score:

- *raising a score to 1* puts the indicator's raw value at its best goalpost. An
  indicator that is not rated is counted as rated at 1 for its gain (as if it had its
  ``n_min`` observations and the coverage its rule asks), since that is what raising it
  to 1 would take; no raw value is given for it (it must be rated first);
- *the raw value that lifts the level* is the smallest score change that takes the
  overall level one band up (the level never falls as one score rises, so it is found by
  bisection), turned back into a raw value by inverting the normalisation
  (:func:`~ledger.maturity.normalise.raw_for_score`; ``ln`` and ``nl1m`` included, and
  the goalposts' order giving the direction), rounded to the spec's decimal places
  toward the best goalpost, and checked once more with the engine. "At least" the value
  where higher is better, "at most" where lower is.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

from ledger.maturity.engine import RATED, Assessment, IndicatorInput, assess, rating_problem
from ledger.maturity.normalise import raw_for_score
from ledger.maturity.spec import IndicatorSpec, Spec

__all__ = ["NOT_ENOUGH_ALONE", "Roadmap", "Step", "capping_elements", "lifts", "roadmap"]

#: What a step says when even a perfect score of that indicator would not lift the level.
NOT_ENOUGH_ALONE = "not enough alone"
_BISECTIONS = 60


@dataclass(frozen=True)
class Step:
    """One indicator on the roadmap."""

    indicator: str
    element: str
    name: str
    status: str
    raw: float | None
    score: float | None
    #: ``M`` with this indicator's score at 1, all else equal, minus ``M`` now
    #: (``M`` not rated counts as 0).
    gain: float
    #: In an element that caps the level: these come first.
    caps: bool
    #: ``"at least"`` (higher is better) or ``"at most"`` (lower is better).
    direction: str
    #: The raw value that lifts the overall level by one band on its own; None when
    #: none does (see ``advice``).
    lift_raw: float | None
    #: ``"at least 0.912346"``, ``"not enough alone"``, ``"not rated: ..."`` or
    #: ``"already at the top level"``.
    advice: str


@dataclass(frozen=True)
class Roadmap:
    level: int
    target_level: int | None
    m: float | None
    capping: tuple[str, ...]
    steps: tuple[Step, ...]


def capping_elements(assessment: Assessment) -> tuple[str, ...]:
    """The elements that cap the overall level below the band of ``M``: those not rated,
    or else those whose band is the overall level when ``M``'s band is higher."""
    unrated = tuple(e.spec.id for e in assessment.elements if e.status != RATED)
    if unrated:
        return unrated
    if assessment.m is None or "capped" not in assessment.level_reason:
        return ()
    return tuple(
        e.spec.id
        for e in assessment.elements
        if e.band is not None and e.band.level == assessment.level.level
    )


def _with_raw(
    spec: Spec, ind: IndicatorSpec, inp: IndicatorInput | None, raw: float
) -> IndicatorInput:
    """``inp`` with raw value ``raw``; a not-rated input is filled in so that it rates."""
    base = inp if inp is not None else IndicatorInput(id=ind.id, raw=None)
    changed = replace(base, raw=raw)
    if rating_problem(spec, changed) is None:
        return changed
    rule = spec.coverage_rule(ind.id)
    denominator = max(float(base.denominator or 0), 1.0)
    return replace(
        changed,
        n=max(base.n, ind.n_min),
        not_rated_reason=None,
        numerator=denominator if rule is not None else base.numerator,
        denominator=denominator if rule is not None else base.denominator,
    )


def _m(assessment: Assessment) -> float:
    return 0.0 if assessment.m is None else assessment.m


def roadmap(spec: Spec, inputs: Mapping[str, IndicatorInput]) -> Roadmap:
    """The roadmap of one score's inputs (see the module doc). Every indicator of the
    spec is a step; the caller shows it for a scope below its expected level."""
    now = assess(spec, inputs)
    level = now.level.level
    top = max(b.level for b in spec.bands)
    target = level + 1 if level < top else None
    capping = capping_elements(now)
    outcomes = {o.spec.id: o for o in now.indicators}
    steps = []
    for ind in spec.indicators:
        outcome = outcomes[ind.id]
        inp = inputs.get(ind.id)
        perfect = dict(inputs) | {ind.id: _with_raw(spec, ind, inp, ind.best)}
        gain = _m(assess(spec, perfect)) - _m(now)
        direction = "at least" if ind.best > ind.worst else "at most"
        lift: float | None = None
        if target is None:
            advice = "already at the top level"
        elif outcome.status != RATED:
            advice = f"not rated: {outcome.reason}"
        else:
            lift = _lift(spec, ind, inputs, target, outcome.score or 0.0)
            advice = (
                NOT_ENOUGH_ALONE if lift is None else f"{direction} {lift:.{spec.decimal_places}f}"
            )
        steps.append(
            Step(
                indicator=ind.id,
                element=ind.element,
                name=ind.name,
                status=outcome.status,
                raw=None if inp is None else inp.raw,
                score=outcome.score,
                gain=gain,
                caps=ind.element in capping,
                direction=direction,
                lift_raw=lift,
                advice=advice,
            )
        )
    steps.sort(key=lambda s: (not s.caps, -s.gain, s.indicator))
    return Roadmap(level, target, now.m, capping, tuple(steps))


def lifts(
    spec: Spec, inputs: Mapping[str, IndicatorInput], indicator: str, raw: float, target: int
) -> bool:
    """Whether ``indicator`` at raw value ``raw``, all else equal, reaches level ``target``."""
    ind = spec.indicator(indicator)
    changed = dict(inputs) | {indicator: _with_raw(spec, ind, inputs.get(indicator), raw)}
    return assess(spec, changed).level.level >= target


def _lift(
    spec: Spec,
    ind: IndicatorSpec,
    inputs: Mapping[str, IndicatorInput],
    target: int,
    current: float,
) -> float | None:
    """The raw value nearest the current one that reaches ``target`` alone, or None."""

    def reaches(s: float) -> bool:
        return lifts(spec, inputs, ind.id, raw_for_score(s, ind.f, ind.worst, ind.best), target)

    if not reaches(1.0):
        return None
    low, high = current, 1.0
    for _ in range(_BISECTIONS):
        middle = (low + high) / 2
        if middle in (low, high):
            break
        if reaches(middle):
            high = middle
        else:
            low = middle
    raw = _toward_best(raw_for_score(high, ind.f, ind.worst, ind.best), ind, spec.decimal_places)
    step = 10.0**-spec.decimal_places * (1 if ind.best > ind.worst else -1)
    while not lifts(spec, inputs, ind.id, raw, target):
        # Rounding error only: at the best goalpost the level is reached (checked above).
        raw = round(raw + step, spec.decimal_places)
        raw = min(raw, ind.best) if ind.best > ind.worst else max(raw, ind.best)
    return raw


def _toward_best(raw: float, ind: IndicatorSpec, places: int) -> float:
    """``raw`` rounded to ``places`` decimals in the direction of the best goalpost, and
    never beyond it."""
    scale = 10**places
    rounded = (math.ceil if ind.best > ind.worst else math.floor)(raw * scale) / scale
    return min(rounded, ind.best) if ind.best > ind.worst else max(rounded, ind.best)
