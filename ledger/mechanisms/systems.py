"""The Systems contract: business systems, reserved slots and their connection."""

from __future__ import annotations

from dataclasses import dataclass

from web3.types import TxReceipt

from ledger.chain.keystore import Signer
from ledger.ids import from_bytes32, to_bytes32
from ledger.mechanisms.base import ContractWrapper


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


class SystemsContract(ContractWrapper):
    NAME = "Systems"

    def register_system(
        self,
        owner: Signer,
        system_id: str,
        kind: str,
        heartbeat_interval: int,
        *,
        feeds_data_center: bool,
        reserved: bool = False,
    ) -> TxReceipt:
        """Register a system owned by ``owner``'s department; ``reserved`` for a slot
        whose system cannot be had yet."""
        request = {
            "systemId": to_bytes32(system_id, "system id"),
            "kind": to_bytes32(kind, "system kind"),
            "heartbeatInterval": heartbeat_interval,
            "feedsDataCenter": feeds_data_center,
            "reserved": reserved,
        }
        return self._send(owner, "registerSystem", request)

    def fill_slot(self, owner: Signer, system_id: str) -> TxReceipt:
        return self._send(owner, "fillSlot", to_bytes32(system_id, "system id"))

    def connect(self, owner: Signer, system_id: str, policy_id: str, clause_id: str) -> TxReceipt:
        return self._send(owner, "connect", *self._cited(system_id, policy_id, clause_id))

    def disconnect(
        self, owner: Signer, system_id: str, policy_id: str, clause_id: str
    ) -> TxReceipt:
        return self._send(owner, "disconnect", *self._cited(system_id, policy_id, clause_id))

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
    def _cited(system_id: str, policy_id: str, clause_id: str) -> tuple[bytes, bytes, bytes]:
        return (
            to_bytes32(system_id, "system id"),
            to_bytes32(policy_id, "policy id"),
            to_bytes32(clause_id, "clause id"),
        )


__all__ = ["SystemInfo", "SystemsContract"]
