"""Progress along the staged path and the roadmap, as plain data (MATURITY.md "Series,
trajectories and the roadmap").

These are views: not part of a score result, but deterministic. The scorer
(:meth:`~ledger.maturity.service.Scorer.progress`, :meth:`~ledger.maturity.service.Scorer.roadmap`)
reads the events once, scores every node of the jurisdiction tree from that one read and
hands each node's pieces to the functions here, which shape them into JSON-ready dicts
(the CLI, the API and the dashboard print them as they are).

The trend arrow of a node compares its ``M`` at ``as_of`` with its ``M`` one window
earlier (the last two points of its series): ``↑`` higher, ``↓`` lower, ``→`` the same
(at the 6 published decimal places), ``·`` when either is not rated.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from ledger.jurisdictions import milestone_row
from ledger.maturity.engine import round_half_even
from ledger.maturity.roadmap import Roadmap, Step
from ledger.maturity.scopes import NATIONAL_PATH, Milestone
from ledger.maturity.spec import Spec
from ledger.maturity.trajectory import Baseline, Standing
from ledger.mechanisms.directory import Tier
from ledger.times import format_timestamp

__all__ = [
    "TREND",
    "node_row",
    "roadmap_view",
    "trend_arrow",
]

#: What the trend arrow follows.
TREND = "M at as_of against M one window earlier"


def _number(spec: Spec, value: float | None) -> float | None:
    return None if value is None else round_half_even(value, spec.decimal_places)


def trend_arrow(previous: float | None, current: float | None) -> str:
    """``↑``, ``↓`` or ``→`` from ``previous`` to ``current`` (published values); ``·``
    when either is not rated."""
    if previous is None or current is None:
        return "·"
    if current > previous:
        return "↑"
    return "↓" if current < previous else "→"


def _level_name(spec: Spec, level: int) -> str:
    return next(b.name for b in spec.bands if b.level == level)


def _standing_fields(spec: Spec, standing: Standing) -> dict[str, Any]:
    path = standing.expectation
    return {
        "expected_index": _number(spec, path.index),
        "expected_level": f"L{path.level}",
        "expected_level_name": _level_name(spec, path.level),
        "basis": path.basis,
        "gap": _number(spec, standing.gap),
        "on_track": standing.on_track,
        "status": "on track" if standing.on_track else "behind",
    }


def node_row(
    spec: Spec,
    *,
    jurisdiction_id: str,
    name: str,
    tier: int,
    parent: str | None,
    depth: int,
    departments: Sequence[str],
    milestones: Sequence[Milestone],
    result: Mapping[str, Any],
    previous: Mapping[str, Any] | None,
    baseline: Baseline | None,
    baseline_score: int | None,
    standing: Standing,
) -> dict[str, Any]:
    """One node of the progress tree."""
    m = result["M"]
    before = None if previous is None else previous["M"]
    return {
        "id": jurisdiction_id,
        "name": name,
        "tier": tier,
        "tier_name": Tier(tier).label,
        "parent": parent,
        "depth": depth,
        "departments": sorted(departments),
        "milestones": [milestone_row(m) for m in milestones],
        "milestones_default": tuple(milestones) == NATIONAL_PATH,
        "baseline": None
        if baseline is None
        else {
            "score_id": baseline_score,
            "time": baseline.time,
            "time_utc": format_timestamp(baseline.time),
            "M": baseline.m,
        },
        "level": result["level"],
        "level_name": result["level_name"],
        "M": m,
        **_standing_fields(spec, standing),
        "M_previous": before,
        "trend": trend_arrow(before, m),
        "result_hash": result["result_hash"],
    }


def _raw(spec: Spec, value: float | None) -> float | str | None:
    """A raw value as results write it: rounded, infinity as ``"inf"``."""
    if value is not None and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return _number(spec, value)


def _step_row(spec: Spec, step: Step) -> dict[str, Any]:
    return {
        "indicator": step.indicator,
        "element": step.element,
        "name": step.name,
        "status": step.status,
        "raw": _raw(spec, step.raw),
        "score": _number(spec, step.score),
        "gain": _number(spec, step.gain),
        "caps": step.caps,
        "direction": step.direction,
        "lift_raw": step.lift_raw,
        "advice": step.advice,
    }


def roadmap_view(
    spec: Spec,
    *,
    node: Mapping[str, Any],
    plan: Roadmap,
    result: Mapping[str, Any],
) -> dict[str, Any]:
    """The roadmap of one progress node: its steps when it is below its expected level,
    none (with a note saying why) when it is not."""
    level = int(str(result["level"]).removeprefix("L"))
    expected_level = int(str(node["expected_level"]).removeprefix("L"))
    behind = level < expected_level
    note = (
        f"{node['id']} is at {result['level']}, below its expected level"
        f" {node['expected_level']}: raise first the indicators listed first"
        if behind
        else f"{node['id']} is at {result['level']}, not below its expected level"
        f" {node['expected_level']}: no roadmap is needed"
    )
    return {
        "spec_version": spec.version,
        "spec_hash": spec.spec_hash,
        "scope": result["scope"],
        "jurisdiction": node["id"],
        "name": node["name"],
        "as_of": result["as_of"],
        "level": result["level"],
        "M": result["M"],
        "expected_index": node["expected_index"],
        "expected_level": node["expected_level"],
        "gap": node["gap"],
        "status": node["status"],
        "below_expected_level": behind,
        "target_level": None if plan.target_level is None else f"L{plan.target_level}",
        "capping_elements": list(plan.capping),
        "note": note,
        "steps": [_step_row(spec, s) for s in plan.steps] if behind else [],
        "result_hash": result["result_hash"],
    }
