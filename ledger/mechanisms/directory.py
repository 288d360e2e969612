"""The Directory contract: departments, roles and the jurisdiction tree."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Annotated, Any, Literal, NamedTuple

from eth_typing import ChecksumAddress
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from ledger.chain.keystore import Signer
from ledger.chain.types import TxRef
from ledger.errors import LedgerValueError
from ledger.ids import from_bytes32, to_bytes32
from ledger.mechanisms.base import Actor, ContractWrapper, role_id
from ledger.mechanisms.fields import UINT64_MAX, Id, Request

ZERO32 = b"\x00" * 32


class Tier(IntEnum):
    """A jurisdiction's tier, as the Directory stores it (``uint8``): a child's tier is
    strictly greater than its parent's."""

    PROVINCE = 1
    CITY = 2
    DISTRICT = 3
    STREET = 4  # 街道
    COMMUNITY = 5  # 社区
    GRID = 6  # 网格

    @property
    def label(self) -> str:
        """The tier's lower-case name (``province`` ... ``grid``)."""
        return self.name.lower()


#: The longest path from a jurisdiction up to its root, itself included: tiers strictly
#: increase down the tree, so no path holds more nodes than there are tiers.
MAX_DEPTH = len(Tier)


def tier_of(value: int | str) -> Tier:
    """A tier from its number (1-6) or its name (``province`` ... ``grid``, any case)."""
    if isinstance(value, str) and not value.strip().isdigit():
        try:
            return Tier[value.strip().upper()]
        except KeyError:
            pass
    else:
        try:
            return Tier(int(value))
        except ValueError:
            pass
    names = ", ".join(f"{t.value} {t.label}" for t in Tier)
    raise LedgerValueError(f"unknown tier {value!r}; the tiers are {names}")


class Milestone(NamedTuple):
    """A staged target: maturity level ``level`` (1-5) by UNIX time ``at`` (UTC)."""

    at: int
    level: int


#: The national path, every jurisdiction's milestones until set (``Directory.DEFAULT_L4_BY``
#: and ``DEFAULT_L5_BY``): level 4 by 2025-12-31 23:59:59 UTC, level 5 by 2035-12-31 23:59:59.
DEFAULT_MILESTONES: tuple[Milestone, ...] = (Milestone(1767225599, 4), Milestone(2082758399, 5))


TierName = Literal["province", "city", "district", "street", "community", "grid"]

#: A tier in a request: its number or its name.
TierIn = Annotated[int, Field(ge=1, le=6)] | TierName


def _not_blank(name: str) -> str:
    if not name.strip():
        raise PydanticCustomError("blank_name", "a jurisdiction's name must not be empty")
    return name


#: A jurisdiction's display name.
JurisdictionName = Annotated[str, Field(max_length=200), AfterValidator(_not_blank)]


class JurisdictionCreate(Request):
    """A new jurisdiction: a root, or a child whose tier is below its parent's."""

    jurisdiction_id: Id
    parent_id: Id | None = Field(default=None, description="None (or absent) for a root.")
    tier: TierIn = Field(
        description="1 province, 2 city, 3 district, 4 street, 5 community, 6 grid (number or"
        " name)."
    )
    name: JurisdictionName


class JurisdictionRename(Request):
    name: JurisdictionName


class JurisdictionMove(Request):
    """Where a jurisdiction moves, with its whole subtree."""

    parent_id: Id | None = Field(description="The new parent; null to make it a root.")


class DepartmentPlacement(Request):
    """A department to put in the jurisdiction (moved from the one it is in, if any)."""

    department_id: Id


class MilestoneIn(Request):
    at: Annotated[int, Field(ge=0, le=UINT64_MAX, description="UNIX time (UTC).")]
    level: Annotated[int, Field(ge=1, le=5, description="Maturity level 1-5.")]


class MilestonesUpdate(Request):
    """A jurisdiction's staged targets, in time order (strictly increasing times,
    non-decreasing levels); an empty list restores the default path."""

    milestones: list[MilestoneIn] = Field(max_length=64)


@dataclass(frozen=True)
class JurisdictionInfo:
    """One node of the tree: ``parent_id`` is None for a root."""

    id: str
    parent_id: str | None
    tier: Tier
    name: str


def _optional_id(raw: bytes) -> str | None:
    return None if bytes(raw) == ZERO32 else from_bytes32(bytes(raw))


def _parent_bytes(parent_id: str | None) -> bytes:
    return ZERO32 if not parent_id else to_bytes32(parent_id, "parent jurisdiction id")


def _jurisdiction_id(value: str) -> bytes:
    return to_bytes32(value, "jurisdiction id")


class DirectoryContract(ContractWrapper):
    NAME = "Directory"

    def register_department(
        self, department_id: str, name: str, account: ChecksumAddress, *, by: Signer | None = None
    ) -> TxRef:
        """Register a department and its account (the directory admin's key unless ``by``)."""
        return self._transact(
            by,
            "ADMIN",
            "registerDepartment",
            to_bytes32(department_id, "department id"),
            name,
            account,
        )

    def grant_role(self, role: str, account: ChecksumAddress, *, by: Signer | None = None) -> TxRef:
        """Grant ``role`` to ``account`` (the directory admin's key unless ``by``)."""
        return self._transact(by, "ADMIN", "grantRole", role_id(role), account)

    def has_role(self, role: str, account: ChecksumAddress) -> bool:
        return bool(self._call("hasRole", role_id(role), account))

    def is_department(self, department_id: str) -> bool:
        return bool(self._call("isDepartment", to_bytes32(department_id, "department id")))

    def account_of(self, department_id: str) -> ChecksumAddress:
        return ChecksumAddress(self._call("accountOf", to_bytes32(department_id, "department id")))

    def department_of(self, account: ChecksumAddress) -> str | None:
        if not self.has_role("DEPARTMENT", account):
            return None
        return from_bytes32(self._call("departmentOf", account))

    def department_ids(self) -> list[str]:
        return [from_bytes32(raw) for raw in self._call("departmentIds")]

    def name_of(self, department_id: str) -> str:
        return str(self._call("nameOf", to_bytes32(department_id, "department id")))

    def departments(self) -> list[dict[str, Any]]:
        """Every registered department: its id, name and account."""
        return [
            {"id": dep_id, "name": self.name_of(dep_id), "account": self.account_of(dep_id)}
            for dep_id in self.department_ids()
        ]

    # -- jurisdictions: writes (REGISTRAR; ``by`` a department id or a signer, else the admin)

    def create_jurisdiction(
        self,
        jurisdiction_id: str,
        parent_id: str | None,
        tier: int | str,
        name: str,
        *,
        by: Actor | None = None,
    ) -> TxRef:
        """Create ``jurisdiction_id`` of ``tier`` (a number or a name) under ``parent_id``
        (None: a root)."""
        return self._transact(
            by,
            "REGISTRAR",
            "createJurisdiction",
            _jurisdiction_id(jurisdiction_id),
            _parent_bytes(parent_id),
            int(tier_of(tier)),
            name,
        )

    def rename_jurisdiction(
        self, jurisdiction_id: str, name: str, *, by: Actor | None = None
    ) -> TxRef:
        return self._transact(
            by, "REGISTRAR", "renameJurisdiction", _jurisdiction_id(jurisdiction_id), name
        )

    def move_jurisdiction(
        self, jurisdiction_id: str, new_parent_id: str | None, *, by: Actor | None = None
    ) -> TxRef:
        """Move ``jurisdiction_id`` and its subtree under ``new_parent_id`` (None: a root)."""
        return self._transact(
            by,
            "REGISTRAR",
            "moveJurisdiction",
            _jurisdiction_id(jurisdiction_id),
            _parent_bytes(new_parent_id),
        )

    def place_department(
        self, department_id: str, jurisdiction_id: str, *, by: Actor | None = None
    ) -> TxRef:
        """Place a department that belongs to no jurisdiction yet."""
        return self._placement("placeDepartment", department_id, jurisdiction_id, by)

    def move_department(
        self, department_id: str, jurisdiction_id: str, *, by: Actor | None = None
    ) -> TxRef:
        """Move a placed department to another jurisdiction."""
        return self._placement("moveDepartment", department_id, jurisdiction_id, by)

    def set_milestones(
        self,
        jurisdiction_id: str,
        times: Sequence[int],
        levels: Sequence[int],
        *,
        by: Actor | None = None,
    ) -> TxRef:
        """Set the staged targets: level ``levels[i]`` by UNIX time ``times[i]``; empty
        lists restore the default path. The contract judges order and levels
        (``InvalidMilestones``); only values that do not fit its types are refused here."""
        if any(not 0 <= int(t) <= UINT64_MAX for t in times):
            raise LedgerValueError(f"a milestone time must be 0..{UINT64_MAX} (UNIX seconds)")
        if any(not 0 <= int(level) <= 255 for level in levels):
            raise LedgerValueError("a milestone level must be 1..5")
        return self._transact(
            by,
            "REGISTRAR",
            "setMilestones",
            _jurisdiction_id(jurisdiction_id),
            [int(t) for t in times],
            [int(level) for level in levels],
        )

    def _placement(
        self, method: str, department_id: str, jurisdiction_id: str, by: Actor | None
    ) -> TxRef:
        return self._transact(
            by,
            "REGISTRAR",
            method,
            to_bytes32(department_id, "department id"),
            _jurisdiction_id(jurisdiction_id),
        )

    # -- jurisdictions: reads --------------------------------------------------------

    def jurisdiction_of(self, department_id: str) -> str | None:
        """The jurisdiction a department belongs to; None if it was never placed."""
        return _optional_id(
            self._call("jurisdictionOf", to_bytes32(department_id, "department id"))
        )

    def jurisdiction(self, jurisdiction_id: str) -> JurisdictionInfo:
        """One jurisdiction; the contract reverts with ``JurisdictionUnknown`` if none."""
        parent, tier, name = self._call("jurisdiction", _jurisdiction_id(jurisdiction_id))
        return JurisdictionInfo(jurisdiction_id, _optional_id(parent), Tier(tier), str(name))

    def jurisdiction_ids(self) -> list[str]:
        """Every jurisdiction id, in creation order."""
        return [from_bytes32(raw) for raw in self._call("jurisdictionIds")]

    def jurisdiction_tree(self) -> list[JurisdictionInfo]:
        """Every jurisdiction in creation order, read in one call."""
        ids, parents, tiers, names = self._call("jurisdictionTree")
        return [
            JurisdictionInfo(from_bytes32(i), _optional_id(p), Tier(t), str(n))
            for i, p, t, n in zip(ids, parents, tiers, names, strict=True)
        ]

    def placements(self) -> dict[str, str | None]:
        """Every department (registration order) -> its jurisdiction, None if unplaced."""
        departments, jurisdictions = self._call("placements")
        return {
            from_bytes32(d): _optional_id(j)
            for d, j in zip(departments, jurisdictions, strict=True)
        }

    def milestones_of(self, jurisdiction_id: str) -> list[Milestone]:
        """The jurisdiction's milestones: the default path unless set."""
        times, levels = self._call("milestonesOf", _jurisdiction_id(jurisdiction_id))
        return [Milestone(int(t), int(level)) for t, level in zip(times, levels, strict=True)]
