"""The Systems contract: business systems, reserved slots and their connection."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from pydantic import Field

from ledger.chain.types import TxRef
from ledger.ids import from_bytes32, to_bytes32
from ledger.mechanisms.base import Actor, ContractWrapper
from ledger.mechanisms.fields import UINT64_MAX, Id, Request


@dataclass(frozen=True)
class SystemInfo:
    """A registered system; ``reserved`` while it is a slot not yet filled."""

    system_id: str
    owner_id: str
    kind: str
    heartbeat_interval: int
    feeds_data_center: bool
    reserved: bool
    connected: bool


class SystemCreate(Request):
    """A business system owned by the acting department, or a reserved slot for one."""

    system_id: Id
    kind: Id = Field(description="The kind of system, e.g. `video` or `customs`.")
    heartbeat_seconds: Annotated[
        int, Field(ge=1, le=UINT64_MAX, description="Heartbeat interval once connected.")
    ]
    feeds_data_center: bool = False
    reserved: bool = Field(
        default=False,
        description="A slot for a system that cannot be had yet: visible, not connectable.",
    )


class SystemConnection(Request):
    """The policy clause under which a system is connected or disconnected."""

    policy_id: Id
    clause_id: Id


class SystemsContract(ContractWrapper):
    NAME = "Systems"

    def register_system(self, owner: Actor, system: SystemCreate) -> TxRef:
        """Register a system owned by ``owner`` (DEPARTMENT); ``reserved`` for a slot
        whose system cannot be had yet."""
        request = {
            "systemId": to_bytes32(system.system_id, "system id"),
            "kind": to_bytes32(system.kind, "system kind"),
            "heartbeatInterval": system.heartbeat_seconds,
            "feedsDataCenter": system.feeds_data_center,
            "reserved": system.reserved,
        }
        return self._transact(owner, "DEPARTMENT", "registerSystem", request)

    def fill_slot(self, owner: Actor, system_id: str) -> TxRef:
        return self._transact(owner, "DEPARTMENT", "fillSlot", to_bytes32(system_id, "system id"))

    def connect(self, owner: Actor, system_id: str, under: SystemConnection) -> TxRef:
        return self._transact(owner, "DEPARTMENT", "connect", *self._cited(system_id, under))

    def disconnect(self, owner: Actor, system_id: str, under: SystemConnection) -> TxRef:
        return self._transact(owner, "DEPARTMENT", "disconnect", *self._cited(system_id, under))

    def system_of(self, system_id: str) -> SystemInfo:
        s = self._call_record("systemOf", to_bytes32(system_id, "system id"))
        return SystemInfo(
            system_id=system_id,
            owner_id=from_bytes32(s["ownerId"]),
            kind=from_bytes32(s["kind"]),
            heartbeat_interval=int(s["heartbeatInterval"]),
            feeds_data_center=bool(s["feedsDataCenter"]),
            reserved=bool(s["reserved"]),
            connected=bool(s["connected"]),
        )

    @staticmethod
    def _cited(system_id: str, under: SystemConnection) -> tuple[bytes, bytes, bytes]:
        return (
            to_bytes32(system_id, "system id"),
            to_bytes32(under.policy_id, "policy id"),
            to_bytes32(under.clause_id, "clause id"),
        )


__all__ = ["SystemConnection", "SystemCreate", "SystemInfo", "SystemsContract"]
