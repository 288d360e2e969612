"""The Directory contract: departments and roles."""

from __future__ import annotations

from typing import Any

from eth_typing import ChecksumAddress
from web3.types import TxReceipt

from ledger.chain.keystore import Signer
from ledger.ids import from_bytes32, to_bytes32
from ledger.mechanisms.base import ContractWrapper, role_id


class DirectoryContract(ContractWrapper):
    NAME = "Directory"

    def register_department(
        self, admin: Signer, department_id: str, name: str, account: ChecksumAddress
    ) -> TxReceipt:
        return self._send(
            admin, "registerDepartment", to_bytes32(department_id, "department id"), name, account
        )

    def grant_role(self, admin: Signer, role: str, account: ChecksumAddress) -> TxReceipt:
        return self._send(admin, "grantRole", role_id(role), account)

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
