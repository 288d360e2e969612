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
        return self._send(
            owner,
            "registerSystem",
            to_bytes32(system_id, "system id"),
            to_bytes32(kind, "system kind"),
            heartbeat_interval,
            feeds_data_center,
            reserved,
        )

    def fill_slot(self, owner: Signer, system_id: str) -> TxReceipt:
        return self._send(owner, "fillSlot", to_bytes32(system_id, "system id"))

    def connect(self, owner: Signer, system_id: str, policy_id: str, clause_id: str) -> TxReceipt:
        return self._send(owner, "connect", *self._cited(system_id, policy_id, clause_id))

    def disconnect(
        self, owner: Signer, system_id: str, policy_id: str, clause_id: str
    ) -> TxReceipt:
        return self._send(owner, "disconnect", *self._cited(system_id, policy_id, clause_id))

    def system_of(self, system_id: str) -> SystemInfo:
        owner, kind, interval, feeds, reserved, connected = self._call(
            "systemOf", to_bytes32(system_id, "system id")
        )
        return SystemInfo(
            system_id=system_id,
            owner_id=from_bytes32(owner),
            kind=from_bytes32(kind),
            heartbeat_interval=int(interval),
            feeds_data_center=bool(feeds),
            reserved=bool(reserved),
            connected=bool(connected),
        )

    @staticmethod
    def _cited(system_id: str, policy_id: str, clause_id: str) -> tuple[bytes, bytes, bytes]:
        return (
            to_bytes32(system_id, "system id"),
            to_bytes32(policy_id, "policy id"),
            to_bytes32(clause_id, "clause id"),
        )


__all__ = ["SystemInfo", "SystemsContract"]
