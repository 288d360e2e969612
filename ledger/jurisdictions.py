"""Jurisdictions: the Directory's tree of tiers (province to grid) and where departments sit.

It takes the one thing it uses, the Directory wrapper. Writes need the REGISTRAR role:
``by`` names the acting department (its key, checked for REGISTRAR first), and without it
the ledger administrator acts. Reads come from the contract's views, so they give the
state at the chain's head; the history (who was where at block b) is in the indexed
events ``JurisdictionCreated``, ``JurisdictionMoved``, ``DepartmentPlaced`` and
``MilestonesSet``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ledger.chain.types import TxRef
from ledger.mechanisms.base import Actor
from ledger.mechanisms.directory import (
    DirectoryContract,
    JurisdictionInfo,
    JurisdictionRename,
    Milestone,
    Tier,
    tier_of,
)
from ledger.mechanisms.fields import build
from ledger.times import format_timestamp

__all__ = [
    "JurisdictionDetail",
    "JurisdictionNode",
    "Jurisdictions",
    "Milestone",
    "Tier",
    "detail_row",
    "milestone_row",
    "node_rows",
    "tier_of",
]


@dataclass
class JurisdictionNode:
    """A jurisdiction in the tree, with its departments and its children."""

    id: str
    parent_id: str | None
    tier: Tier
    name: str
    departments: list[str] = field(default_factory=list)
    children: list[JurisdictionNode] = field(default_factory=list)


@dataclass(frozen=True)
class JurisdictionDetail:
    """One jurisdiction as ``show`` gives it: ``path`` runs from its root down to its
    parent; ``children`` and ``departments`` are the direct ones."""

    id: str
    parent_id: str | None
    tier: Tier
    name: str
    path: list[str]
    children: list[str]
    departments: list[str]
    milestones: list[Milestone]


def milestone_row(milestone: Milestone) -> dict[str, Any]:
    """A milestone as JSON: its UNIX time, that time written out, and the level."""
    return {"at": milestone.at, "time": format_timestamp(milestone.at), "level": milestone.level}


def _row(node: JurisdictionNode | JurisdictionDetail) -> dict[str, Any]:
    return {
        "id": node.id,
        "parentId": node.parent_id,
        "tier": int(node.tier),
        "tierName": node.tier.label,
        "name": node.name,
        "departments": list(node.departments),
    }


def node_rows(roots: Sequence[JurisdictionNode]) -> list[dict[str, Any]]:
    """The tree flattened depth first (each parent before its children) as JSON rows, each
    with its ``depth`` (0 for a root), direct ``children`` and ``departments``."""
    rows: list[dict[str, Any]] = []

    def walk(node: JurisdictionNode, depth: int) -> None:
        rows.append(_row(node) | {"depth": depth, "children": [c.id for c in node.children]})
        for child in node.children:
            walk(child, depth + 1)

    for root in roots:
        walk(root, 0)
    return rows


def detail_row(detail: JurisdictionDetail) -> dict[str, Any]:
    """What ``show`` gives, as JSON."""
    return _row(detail) | {
        "path": list(detail.path),
        "children": list(detail.children),
        "milestones": [milestone_row(m) for m in detail.milestones],
    }


def _name(name: str) -> str:
    """The name, if the request models accept it (not blank, at most 200 characters)."""
    return build(JurisdictionRename, name=name).name


class Jurisdictions:
    """Create, rename and move jurisdictions, place departments, set staged targets."""

    def __init__(self, directory: DirectoryContract) -> None:
        self.directory = directory

    # -- writes ------------------------------------------------------------------------

    def create(
        self,
        jurisdiction_id: str,
        parent_id: str | None,
        tier: int | str,
        name: str,
        *,
        by: Actor | None = None,
    ) -> TxRef:
        """Create ``jurisdiction_id`` of ``tier`` (1-6 or ``province`` ... ``grid``) under
        ``parent_id`` (None: a root)."""
        return self.directory.create_jurisdiction(
            jurisdiction_id, parent_id, tier_of(tier), _name(name), by=by
        )

    def rename(self, jurisdiction_id: str, name: str, *, by: Actor | None = None) -> TxRef:
        return self.directory.rename_jurisdiction(jurisdiction_id, _name(name), by=by)

    def move(
        self, jurisdiction_id: str, new_parent_id: str | None, *, by: Actor | None = None
    ) -> TxRef:
        """Move a jurisdiction with its subtree under ``new_parent_id`` (None: a root)."""
        return self.directory.move_jurisdiction(jurisdiction_id, new_parent_id, by=by)

    def place(self, department_id: str, jurisdiction_id: str, *, by: Actor | None = None) -> TxRef:
        """Put a department in a jurisdiction: its first placement, or a move from the one
        it belongs to now (a department belongs to exactly one)."""
        if self.directory.jurisdiction_of(department_id) is None:
            return self.directory.place_department(department_id, jurisdiction_id, by=by)
        return self.directory.move_department(department_id, jurisdiction_id, by=by)

    def set_milestones(
        self,
        jurisdiction_id: str,
        milestones: Sequence[tuple[int, int]],
        *,
        by: Actor | None = None,
    ) -> TxRef:
        """Set the staged targets, ``(UNIX time, level)`` pairs with strictly increasing
        times and non-decreasing levels 1-5; an empty list restores the default path."""
        pairs = [Milestone(int(at), int(level)) for at, level in milestones]
        return self.directory.set_milestones(
            jurisdiction_id, [m.at for m in pairs], [m.level for m in pairs], by=by
        )

    # -- reads -------------------------------------------------------------------------

    def tree(self) -> list[JurisdictionNode]:
        """The roots, each with its subtree and each node's departments; siblings and
        roots in creation order."""
        nodes = {
            j.id: JurisdictionNode(j.id, j.parent_id, j.tier, j.name)
            for j in self.directory.jurisdiction_tree()
        }
        for department_id, jurisdiction_id in self.directory.placements().items():
            if jurisdiction_id is not None:
                nodes[jurisdiction_id].departments.append(department_id)
        roots = []
        for node in nodes.values():
            if node.parent_id is None:
                roots.append(node)
            else:
                nodes[node.parent_id].children.append(node)
        return roots

    def show(self, jurisdiction_id: str) -> JurisdictionDetail:
        """One jurisdiction with its path, children, departments and milestones; the
        contract's ``JurisdictionUnknown`` if there is none."""
        info = self.directory.jurisdiction(jurisdiction_id)
        everything = {j.id: j for j in self.directory.jurisdiction_tree()}
        path: list[str] = []
        parent = info.parent_id
        while parent is not None:
            path.insert(0, parent)
            parent = everything[parent].parent_id
        return JurisdictionDetail(
            id=info.id,
            parent_id=info.parent_id,
            tier=info.tier,
            name=info.name,
            path=path,
            children=[j.id for j in everything.values() if j.parent_id == jurisdiction_id],
            departments=[d for d, j in self.directory.placements().items() if j == jurisdiction_id],
            milestones=self.directory.milestones_of(jurisdiction_id),
        )

    def milestones(self, jurisdiction_id: str) -> list[Milestone]:
        """The jurisdiction's staged targets: the default path unless set."""
        return self.directory.milestones_of(jurisdiction_id)

    def of(self, department_id: str) -> str | None:
        """The jurisdiction a department belongs to; None if it was never placed."""
        return self.directory.jurisdiction_of(department_id)

    # last: a method named ``list`` would shadow the type in the annotations above
    def list(self) -> list[JurisdictionInfo]:
        """Every jurisdiction, in creation order."""
        return self.directory.jurisdiction_tree()
