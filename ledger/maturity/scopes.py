"""Scopes by jurisdiction (MATURITY.md "Inputs", "Scope" and "Jurisdictions").

A jurisdiction's score counts the events of every department in it or in any
jurisdiction below it, *with membership taken at each event's block*: a department
moved elsewhere takes its later events with it, not its earlier ones.

:class:`JurisdictionHistory` is built once from the indexed Directory events
(``JurisdictionCreated``, ``JurisdictionRenamed``, ``JurisdictionMoved``,
``DepartmentPlaced``, ``MilestonesSet``) and answers, for any block (or block time),
which jurisdiction a department was in, each jurisdiction's parent, its subtree's
departments and its milestones. An event at block ``b`` sees the tree as it stood after
every Directory event of blocks up to and including ``b``. Before a department's first
placement it counts where it was first placed, and before a jurisdiction is created it
sits where it was created: a tree registered after the fact takes the history before it
(the chain has no earlier answer), and only a later move splits a department's (or a
jurisdiction's) history between two places.

:class:`JurisdictionScope` is the scope an :class:`~ledger.maturity.indicators.Evidence`
carries for one jurisdiction: ``counts(department, block_number)`` says whether the
department belonged to the jurisdiction's subtree at that block. Where an observation is
recorded by no event of its own (a due date nobody acted on, a state at the window's
end) the indicators ask ``counts_at_time`` at the time it falls (see
:mod:`ledger.maturity.indicators`).

A published score names its scope in 32 bytes: ``"city"``, a department id, or a
jurisdiction's id after :data:`JURISDICTION_PREFIX` (``"@dcity.d1"``). A department id
cannot start with ``@`` (:func:`ledger.ids.check_id`), so the label is unambiguous and
a jurisdiction score round-trips through the ScoreBoard: recomputing it rebuilds the
membership from the chain's events up to its ``as_of`` block.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from ledger.errors import NotFoundError
from ledger.ids import check_id
from ledger.mechanisms.directory import DEFAULT_MILESTONES, Milestone
from ledger.store.records import EventRecord

T = TypeVar("T")

__all__ = [
    "DIRECTORY_TREE_EVENTS",
    "JURISDICTION_PREFIX",
    "NATIONAL_PATH",
    "JurisdictionHistory",
    "JurisdictionScope",
    "Milestone",
    "jurisdiction_label",
    "jurisdiction_of_label",
    "resolve_scope",
]

#: A published score's scope label for a jurisdiction: ``"@" + jurisdiction id``.
JURISDICTION_PREFIX = "@"

#: The Directory events the history is built from.
DIRECTORY_TREE_EVENTS = (
    "JurisdictionCreated",
    "JurisdictionRenamed",
    "JurisdictionMoved",
    "DepartmentPlaced",
    "MilestonesSet",
)


#: The paper's national path, every jurisdiction's default (the Directory's own):
#: L4 (quantitatively managed) by 2025-12-31 23:59:59 UTC, L5 (optimizing) by
#: 2035-12-31 23:59:59 UTC. A :class:`Milestone` is ``(at, level)``.
NATIONAL_PATH: tuple[Milestone, ...] = DEFAULT_MILESTONES


def jurisdiction_label(jurisdiction_id: str) -> str:
    """The scope label of a jurisdiction's score (``"@" + id``)."""
    check_id(jurisdiction_id, "jurisdiction id")
    return JURISDICTION_PREFIX + jurisdiction_id


def jurisdiction_of_label(scope: str | None) -> str | None:
    """The jurisdiction id a scope label names, or None for the city or a department."""
    if scope is not None and scope.startswith(JURISDICTION_PREFIX):
        return scope[len(JURISDICTION_PREFIX) :]
    return None


def resolve_scope(
    scope: str | None, events: Iterable[EventRecord]
) -> str | JurisdictionScope | None:
    """A scope label as the indicators take it: a jurisdiction label (``"@id"``) becomes
    that jurisdiction's scope over the history ``events`` tell (NotFoundError if they
    create no such jurisdiction); the city (None) and a department id stay as they are."""
    jurisdiction = jurisdiction_of_label(scope)
    if jurisdiction is None:
        return scope
    return JurisdictionHistory.from_events(events).scope(jurisdiction)


def _id_or_none(value: object) -> str | None:
    """A decoded ``bytes32`` id, None for ``bytes32(0)`` (decoded as ``""`` or 0x00..)."""
    text = str(value or "")
    if not text or (text.startswith("0x") and set(text[2:]) <= {"0"}):
        return None
    return text


@dataclass
class _Timeline(Generic[T]):
    """A value that changes at some blocks: ``at(block=...)`` or ``at(time=...)``.

    Before its first change the value is None, or with ``backdated`` the first value:
    where a department is first placed, or a jurisdiction first put, it has been since
    the chain began (only a later move splits its history).
    """

    backdated: bool = False
    blocks: list[int] = field(default_factory=list)
    times: list[int] = field(default_factory=list)
    values: list[T] = field(default_factory=list)

    def set(self, block: int, time: int, value: T) -> None:
        self.blocks.append(block)
        self.times.append(time)
        self.values.append(value)

    def at(self, *, block: int | None = None, time: int | None = None) -> T | None:
        """The value after every change at or before ``block`` (or ``time``)."""
        if block is not None:
            i = bisect.bisect_right(self.blocks, block)
        else:
            i = bisect.bisect_right(self.times, time if time is not None else 2**63)
        if i:
            return self.values[i - 1]
        return self.values[0] if self.backdated and self.values else None


class JurisdictionHistory:
    """The jurisdiction tree and department placements at every block (see the module doc)."""

    def __init__(self) -> None:
        self._created: dict[str, tuple[int, int]] = {}
        self._tier: dict[str, int] = {}
        self._name: dict[str, _Timeline[str]] = {}
        self._parent: dict[str, _Timeline[str | None]] = {}
        self._placed: dict[str, _Timeline[str | None]] = {}
        self._milestones: dict[str, _Timeline[tuple[Milestone, ...]]] = {}
        #: The blocks at which the tree or a placement changed, in order.
        self._changes: list[int] = []
        #: Memberships asked for, shared by every scope over this history.
        self._within: dict[tuple[str, int | None, int | None], frozenset[str]] = {}

    @classmethod
    def from_events(cls, events: Iterable[EventRecord]) -> JurisdictionHistory:
        """The history told by ``events`` (any events; the Directory's tree events are
        read, in chain order)."""
        history = cls()
        tree = sorted((e for e in events if e.event in DIRECTORY_TREE_EVENTS), key=_order)
        for e in tree:
            history._apply(e)
        return history

    def _apply(self, e: EventRecord) -> None:
        at = (e.block_number, e.block_time)
        if e.event != "MilestonesSet" and (not self._changes or self._changes[-1] != at[0]):
            self._changes.append(at[0])
        jid = str(e.args.get("jurisdictionId", ""))
        if e.event == "JurisdictionCreated":
            self._created.setdefault(jid, at)
            self._tier[jid] = int(e.args["tier"])
            self._name.setdefault(jid, _Timeline()).set(*at, str(e.args["name"]))
            self._parent.setdefault(jid, _Timeline(True)).set(*at, _id_or_none(e.args["parentId"]))
        elif e.event == "JurisdictionRenamed":
            self._name.setdefault(jid, _Timeline()).set(*at, str(e.args["name"]))
        elif e.event == "JurisdictionMoved":
            self._parent.setdefault(jid, _Timeline(True)).set(
                *at, _id_or_none(e.args["toParentId"])
            )
        elif e.event == "DepartmentPlaced":
            department = str(e.args["departmentId"])
            target = _id_or_none(e.args["toJurisdictionId"])
            self._placed.setdefault(department, _Timeline(True)).set(*at, target)
        elif e.event == "MilestonesSet":
            stones = tuple(
                Milestone(int(t), int(level))
                for t, level in zip(e.args["times"], e.args["levels"], strict=True)
            )
            self._milestones.setdefault(jid, _Timeline()).set(*at, stones)

    # -- the tree at a block ---------------------------------------------------------------

    def exists(self, jurisdiction_id: str, *, block: int | None = None) -> bool:
        """Whether the jurisdiction was created by ``block`` (default: ever)."""
        created = self._created.get(jurisdiction_id)
        return created is not None and (block is None or created[0] <= block)

    def require(self, jurisdiction_id: str, *, block: int | None = None) -> None:
        """Raise NotFoundError unless the jurisdiction exists at ``block``."""
        if not self.exists(jurisdiction_id, block=block):
            raise NotFoundError("jurisdiction", jurisdiction_id)

    def jurisdictions(self, *, block: int | None = None) -> list[str]:
        """Every jurisdiction created by ``block`` (default: ever), in creation order."""
        return [j for j, at in self._created.items() if block is None or at[0] <= block]

    def tier(self, jurisdiction_id: str) -> int:
        return self._tier[jurisdiction_id]

    def name(self, jurisdiction_id: str, *, block: int | None = None) -> str:
        return self._name[jurisdiction_id].at(block=block) or jurisdiction_id

    def parent(
        self, jurisdiction_id: str, *, block: int | None = None, time: int | None = None
    ) -> str | None:
        timeline = self._parent.get(jurisdiction_id)
        return None if timeline is None else timeline.at(block=block, time=time)

    def children(self, jurisdiction_id: str | None, *, block: int | None = None) -> list[str]:
        """The jurisdictions directly below one (None: the roots), in creation order."""
        return [
            j
            for j in self.jurisdictions(block=block)
            if self.parent(j, block=block) == jurisdiction_id
        ]

    def jurisdiction_of(
        self, department_id: str, *, block: int | None = None, time: int | None = None
    ) -> str | None:
        """The jurisdiction a department was placed in at ``block`` (or ``time``)."""
        timeline = self._placed.get(department_id)
        return None if timeline is None else timeline.at(block=block, time=time)

    def path(
        self, jurisdiction_id: str | None, *, block: int | None = None, time: int | None = None
    ) -> list[str]:
        """The jurisdiction and its ancestors at ``block`` (or ``time``), nearest first."""
        out: list[str] = []
        node = jurisdiction_id
        while node is not None and node not in out and len(out) <= len(self._created):
            out.append(node)
            node = self.parent(node, block=block, time=time)
        return out

    def within(
        self, department_id: str, *, block: int | None = None, time: int | None = None
    ) -> frozenset[str]:
        """Every jurisdiction the department was in at ``block`` (or ``time``): the one
        it was placed in and all above it. Kept for every scope of this history."""
        key = (department_id, block, time)
        found = self._within.get(key)
        if found is None:
            where = self.jurisdiction_of(department_id, block=block, time=time)
            found = self._within[key] = frozenset(self.path(where, block=block, time=time))
        return found

    def ever_in(self, jurisdiction_id: str) -> frozenset[str]:
        """The departments in the jurisdiction's subtree at some block: membership only
        changes at the blocks of the Directory's tree events, so these are the ones in it
        before the first of them or just after one of them."""
        return frozenset(
            d
            for d in self._placed
            if any(jurisdiction_id in self.within(d, block=b) for b in [-1, *self._changes])
        )

    def departments(self, jurisdiction_id: str, *, block: int | None = None) -> set[str]:
        """The departments in the jurisdiction's subtree at ``block`` (default: the end)."""
        return {
            d
            for d in self._placed
            if jurisdiction_id in self.path(self.jurisdiction_of(d, block=block), block=block)
        }

    def milestones(
        self, jurisdiction_id: str, *, block: int | None = None
    ) -> tuple[Milestone, ...]:
        """The jurisdiction's staged targets at ``block``: the last ``MilestonesSet``,
        or the national path when none was set or the last one was empty."""
        timeline = self._milestones.get(jurisdiction_id)
        stones = None if timeline is None else timeline.at(block=block)
        return stones or NATIONAL_PATH

    def ever_placed(self) -> set[str]:
        """Every department placed at some time."""
        return set(self._placed)

    def scope(self, jurisdiction_id: str) -> JurisdictionScope:
        """The scope that counts ``jurisdiction_id``'s subtree (it must exist)."""
        self.require(jurisdiction_id)
        return JurisdictionScope(self, jurisdiction_id)


def _order(e: EventRecord) -> tuple[int, int]:
    return (e.block_number, e.log_index)


@dataclass
class JurisdictionScope:
    """One jurisdiction's subtree, with membership at each block (see the module doc)."""

    history: JurisdictionHistory
    jurisdiction_id: str
    _ever: frozenset[str] | None = field(default=None, repr=False)

    @property
    def label(self) -> str:
        """The scope label a result and a published score carry (``"@" + id``)."""
        return JURISDICTION_PREFIX + self.jurisdiction_id

    @property
    def ever(self) -> frozenset[str]:
        """The departments in the subtree at some block (a quick first filter)."""
        if self._ever is None:
            self._ever = self.history.ever_in(self.jurisdiction_id)
        return self._ever

    def counts(self, department: str, block_number: int) -> bool:
        """Whether ``department`` was in the subtree at ``block_number``."""
        return self.jurisdiction_id in self.history.within(department, block=block_number)

    def counts_at_time(self, department: str, time: int) -> bool:
        """Whether ``department`` was in the subtree at block time ``time``."""
        return self.jurisdiction_id in self.history.within(department, time=time)
