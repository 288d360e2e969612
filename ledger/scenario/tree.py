"""A scenario's jurisdictions on the ledger: the tree, the departments' places, the targets.

The runner sets them up right after registering the departments and before anchoring any
policy, so that from its first event every department is scored in its jurisdiction
(MATURITY.md "Scope": membership is taken at each event's block). Like the departments'
registration, each write is made only when the chain does not show its effect yet: a
jurisdiction that does not exist, a department placed nowhere, milestones on a jurisdiction
that still follows the national path. A run stopped half-way and played again sends each
write exactly once; playing a finished scenario again sends nothing, and leaves alone what
was changed on the ledger since (a department moved, targets set anew).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ledger.core import Ledger
from ledger.mechanisms.directory import DEFAULT_MILESTONES
from ledger.scenario.model import TIERS, Jurisdiction, Milestone, Scenario


def set_up_tree(ledger: Ledger, scenario: Scenario, start: int) -> int:
    """Create, place and set what the chain lacks; the number of transactions sent.
    ``start`` is the scenario's start on the chain's clock (milestone offsets count from it)."""
    sent = 0
    directory = ledger.directory
    existing = set(directory.jurisdiction_ids()) if scenario.jurisdictions else set()
    for jur in tree_order(scenario.jurisdictions):
        if jur.id not in existing:
            ledger.jurisdictions.create(jur.id, jur.parent, TIERS[jur.tier], jur.name)
            sent += 1
    if scenario.jurisdictions:
        placed = directory.placements()
        for department, jurisdiction in placements(scenario).items():
            if placed.get(department) is None:
                ledger.jurisdictions.place(department, jurisdiction)
                sent += 1
    for jur in scenario.jurisdictions:
        if not jur.milestones:
            continue
        wanted = [(milestone_time(m, start), m.level) for m in jur.milestones]
        if tuple(directory.milestones_of(jur.id)) == DEFAULT_MILESTONES:  # none set yet
            ledger.jurisdictions.set_milestones(jur.id, wanted)
            sent += 1
    return sent


def tree_order(jurisdictions: Sequence[Jurisdiction]) -> list[Jurisdiction]:
    """The jurisdictions with every parent before its children (roots first, then by
    depth, in file order within a depth); those in a cycle or under an unknown parent are
    left out (the checks refuse such a file)."""
    placed: set[str] = set()
    ordered: list[Jurisdiction] = []
    level = [j for j in jurisdictions if j.parent is None]
    while level:
        ordered.extend(level)
        placed.update(j.id for j in level)
        level = [j for j in jurisdictions if j.parent in placed and j.id not in placed]
    return ordered


def placements(s: Scenario) -> dict[str, str]:
    """Department id -> jurisdiction id, from the departments' ``jurisdiction`` and the
    jurisdictions' ``departments`` (the first placement wins; the checks refuse a second)."""
    placed: dict[str, str] = {}
    for dep in s.departments:
        if dep.jurisdiction is not None:
            placed.setdefault(dep.id, dep.jurisdiction)
    for jur in s.jurisdictions:
        for member in jur.departments:
            placed.setdefault(member, jur.id)
    return placed


def milestone_time(milestone: Milestone, start: int) -> int:
    """A milestone's UTC time: an offset counts from ``start`` (the scenario's start)."""
    if isinstance(milestone.by, datetime):
        return int(milestone.by.timestamp())
    return start + milestone.by
