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
from ledger.errors import LedgerValueError

#: Role names and their on-chain ids (``keccak256("<NAME>_ROLE")``; ADMIN is AccessControl's 0x00).
ROLES: dict[str, bytes] = {"ADMIN": b"\x00" * 32} | {
    name: keccak(text=f"{name}_ROLE")
    for name in ("ISSUER", "DEPARTMENT", "LEADER", "OPERATOR", "STATISTICIAN", "SCORER", "AUDITOR")
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


class ContractWrapper:
    """A deployed contract with its transactor."""

    NAME = ""

    def __init__(self, tx: Transactor, address: ChecksumAddress) -> None:
        self.tx = tx
        self.address = address
        self.contract: Contract = tx.w3.eth.contract(
            address=address, abi=load_artifact(self.NAME).abi
        )

    def _send(self, signer: Signer, method: str, *args: Any) -> TxReceipt:
        return self.tx.send(signer, getattr(self.contract.functions, method)(*args), self.NAME)

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
