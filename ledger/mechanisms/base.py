"""What every contract wrapper shares."""

from __future__ import annotations

from typing import Any

from eth_typing import ChecksumAddress
from eth_utils import keccak
from web3.contract import Contract
from web3.types import TxReceipt

from ledger.chain.abi import named
from ledger.chain.artifacts import load_artifact
from ledger.chain.keystore import Signer
from ledger.chain.tx import Transactor
from ledger.chain.types import TxRef
from ledger.errors import LedgerError, LedgerValueError
from ledger.mechanisms.signers import Signers

#: Role names and their on-chain ids (``keccak256("<NAME>_ROLE")``; ADMIN is AccessControl's 0x00).
ROLES: dict[str, bytes] = {"ADMIN": b"\x00" * 32} | {
    name: keccak(text=f"{name}_ROLE")
    for name in (
        "ISSUER",
        "DEPARTMENT",
        "LEADER",
        "OPERATOR",
        "STATISTICIAN",
        "SCORER",
        "AUDITOR",
        "REGISTRAR",
    )
}


def role_id(name: str) -> bytes:
    try:
        return ROLES[name.upper()]
    except KeyError:
        raise LedgerValueError(f"unknown role {name!r}; known roles: {', '.join(ROLES)}") from None


def role_name(role: bytes) -> str:
    for name, value in ROLES.items():
        if value == role:
            return name
    return "0x" + role.hex()


#: Who acts: a department id (its key, checked for the operation's role), or an explicit
#: signer (sent as is, for instance to show what the chain does with a stranger's call).
Actor = str | Signer


class ContractWrapper:
    """A deployed contract with its transactor and, to write, the ledger's signers.

    The signers (:class:`~ledger.mechanisms.signers.Signers`) are built once by
    ``Ledger.open`` and handed to every wrapper, as web3.py hands each module its
    ``w3``. Write methods take who acts (a department id) and return a :class:`TxRef`;
    a wrapper built without signers (an auditor's, reading a chain) can only read.
    """

    NAME = ""

    def __init__(
        self, tx: Transactor, address: ChecksumAddress, signers: Signers | None = None
    ) -> None:
        self.tx = tx
        self.address = address
        self._signers = signers
        self.contract: Contract = tx.w3.eth.contract(
            address=address, abi=load_artifact(self.NAME).abi
        )

    @property
    def signers(self) -> Signers:
        if self._signers is None:
            raise LedgerError(f"this {self.NAME} wrapper has no keys: it can only read")
        return self._signers

    def _signer(self, actor: Actor | None, role: str) -> Signer:
        """The signer for ``actor`` acting in ``role``; ``None`` is the admin, and an
        explicit signer is used as it is (no keys needed)."""
        if isinstance(actor, Signer):
            return actor
        if actor is None:
            return self.signers.admin()
        return self.signers.of(actor, role)

    def _send(self, signer: Signer, method: str, *args: Any) -> TxReceipt:
        return self.tx.send(signer, getattr(self.contract.functions, method)(*args), self.NAME)

    def _transact(self, actor: Actor | None, role: str, method: str, *args: Any) -> TxRef:
        """Send ``method(*args)`` as ``actor`` (checked for ``role``); where it landed."""
        return TxRef.of(self._send(self._signer(actor, role), method, *args))

    def _call(self, method: str, *args: Any) -> Any:
        return self.tx.call(getattr(self.contract.functions, method)(*args), self.NAME)

    def _call_record(self, method: str, *args: Any) -> dict[str, Any]:
        """A read-only call whose outputs come back keyed by their ABI names.

        A function returning one struct gives that struct's fields; one returning several
        values gives them by name, any struct among them as a nested dict.
        """
        outputs = next(
            item["outputs"]
            for item in self.contract.abi
            if item["type"] == "function" and item["name"] == method
        )
        value = self._call(method, *args)
        if len(outputs) == 1 and outputs[0]["type"] == "tuple":
            return named(outputs[0]["components"], value)
        return named(outputs, value)
