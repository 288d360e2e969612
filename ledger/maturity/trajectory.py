"""Staged targets and the gap (MATURITY.md "Series, trajectories and the roadmap",
"Trajectory"): pure functions of milestones, a time and a score.

- The target index of a level is the lower bound of its band: L4 -> 0.6, L5 -> 0.8.
- The expected index at time ``t`` interpolates linearly between the milestones around
  ``t``. Before the first milestone it runs from the jurisdiction's baseline (its first
  published score: the time of its ``as_of`` block and its ``M``) to that milestone. At
  or after the last milestone it stays at the last target.
- The expected level is the band of the expected index; the gap is the expected index
  minus ``M``; a jurisdiction is on track when ``M`` is at least the expected index and
  its level at least the expected level.

Choices the spec leaves open, made here:

- **No baseline** (no score of the jurisdiction was ever published): before the first
  milestone there is nothing to run from, so the jurisdiction is held to the first
  milestone's target already (``basis`` says ``"no baseline"``). Publishing a score
  sets the baseline.
- **Before the baseline** (a time earlier than the first published score): the
  expected index is the baseline's ``M``.
- A baseline whose ``M`` is ``null`` (an element not rated) runs from 0.
- A baseline above the first milestone's target runs *down* to it: the path is the
  straight line between the two points, as the spec says.
- ``M`` ``null``: the gap is ``null`` and the jurisdiction is behind unless nothing
  is expected (expected index 0).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ledger.errors import LedgerValueError
from ledger.maturity.engine import round_half_even
from ledger.maturity.scopes import Milestone
from ledger.maturity.spec import Spec

__all__ = [
    "Baseline",
    "Expectation",
    "Standing",
    "check_milestones",
    "expected",
    "standing",
    "target_index",
]


@dataclass(frozen=True)
class Baseline:
    """A jurisdiction's first published score: its ``as_of`` time and ``M`` (None if
    not rated)."""

    time: int
    m: float | None


@dataclass(frozen=True)
class Expectation:
    """Where the path says a jurisdiction should be at ``time``."""

    time: int
    index: float
    level: int
    #: How the index was found: ``"after the last milestone"``, ``"between milestones"``,
    #: ``"from the baseline"``, ``"before the baseline"`` or ``"no baseline"``.
    basis: str
    #: The milestones on either side of ``time`` (None beyond the ends).
    previous: Milestone | None
    next: Milestone | None


@dataclass(frozen=True)
class Standing:
    """A score against its path: the gap and whether it is on track."""

    expectation: Expectation
    m: float | None
    level: int
    gap: float | None
    on_track: bool


def check_milestones(milestones: Sequence[Milestone]) -> None:
    """Raise LedgerValueError unless there is at least one milestone, times strictly
    increase and levels lie in 1..5 and never fall (as the Directory enforces)."""
    if not milestones:
        raise LedgerValueError("a path needs at least one milestone")
    for i, stone in enumerate(milestones):
        if not 1 <= stone.level <= 5:
            raise LedgerValueError(f"a milestone's level is 1..5, got {stone.level}")
        if i and stone.at <= milestones[i - 1].at:
            raise LedgerValueError("milestone times must strictly increase")
        if i and stone.level < milestones[i - 1].level:
            raise LedgerValueError("milestone levels must never fall")


def target_index(spec: Spec, level: int) -> float:
    """The lower bound of ``level``'s band (L4 -> 0.6, L5 -> 0.8)."""
    for band in spec.bands:
        if band.level == level:
            return band.lower
    raise LedgerValueError(f"no level L{level} in spec v{spec.version}")


def _line(t: int, t0: int, y0: float, t1: int, y1: float) -> float:
    return y0 + (y1 - y0) * (t - t0) / (t1 - t0)


def expected(
    spec: Spec, milestones: Sequence[Milestone], time: int, baseline: Baseline | None = None
) -> Expectation:
    """The expected index and level at ``time`` on the path (see the module doc)."""
    check_milestones(milestones)
    first, last = milestones[0], milestones[-1]
    if time >= last.at:
        index, basis = target_index(spec, last.level), "after the last milestone"
        previous, upcoming = last, None
    elif time >= first.at:
        i = max(k for k, m in enumerate(milestones) if m.at <= time)
        previous, upcoming = milestones[i], milestones[i + 1]
        index = _line(
            time,
            previous.at,
            target_index(spec, previous.level),
            upcoming.at,
            target_index(spec, upcoming.level),
        )
        basis = "between milestones"
    else:
        previous, upcoming = None, first
        goal = target_index(spec, first.level)
        if baseline is None:
            index, basis = goal, "no baseline"
        else:
            start = 0.0 if baseline.m is None else baseline.m
            if time <= baseline.time:
                index, basis = start, "before the baseline"
            else:
                index = _line(time, baseline.time, start, first.at, goal)
                basis = "from the baseline"
    index = min(1.0, max(0.0, index))
    level = spec.band(round_half_even(index, spec.decimal_places)).level
    return Expectation(time, index, level, basis, previous, upcoming)


def standing(
    spec: Spec,
    milestones: Sequence[Milestone],
    time: int,
    m: float | None,
    level: int,
    baseline: Baseline | None = None,
) -> Standing:
    """Score ``m`` at level ``level`` against the path at ``time``: gap and on track."""
    if m is not None and not (math.isfinite(m) and 0.0 <= m <= 1.0):
        raise LedgerValueError(f"M must lie in [0, 1], got {m!r}")
    path = expected(spec, milestones, time, baseline)
    gap = None if m is None else path.index - m
    reached = (0.0 if m is None else m) >= path.index
    return Standing(path, m, level, gap, reached and level >= path.level)
