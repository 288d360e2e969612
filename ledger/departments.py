"""Departments: their keys, their entry in the Directory and their roles.

It takes the narrow things it uses: the Directory wrapper (which signs as the
admin), the keystore that holds department keys and the transactor that funds them.
"""

from __future__ import annotations

from typing import Any

from eth_typing import ChecksumAddress

from ledger.chain.keystore import Keystore
from ledger.chain.tx import Transactor
from ledger.mechanisms.directory import DirectoryContract
from ledger.mechanisms.signers import department_key


class Departments:
    """Register departments and list them."""

    def __init__(self, directory: DirectoryContract, keystore: Keystore, tx: Transactor) -> None:
        self.directory = directory
        self.keystore = keystore
        self.tx = tx

    def register(
        self, department_id: str, name: str, roles: tuple[str, ...] = ()
    ) -> ChecksumAddress:
        """Create the department's key, fund it, register it and grant its roles.

        Registering an existing department again only adds missing roles.
        """
        key = department_key(department_id)
        if self.directory.is_department(department_id):
            account = self.directory.account_of(department_id)
        else:
            address = self.keystore.address(key) if self.keystore.has(key) else None
            account = address or self.keystore.create(key)
            self.tx.fund(account)
            self.directory.register_department(department_id, name, account)
        for role in roles:
            if not self.directory.has_role(role, account):
                self.directory.grant_role(role, account)
        return account

    def list(self) -> list[dict[str, Any]]:
        """Every registered department: id, name and account."""
        out = []
        for dep_id in self.directory.department_ids():
            account = self.directory.account_of(dep_id)
            out.append({"id": dep_id, "name": self.directory.name_of(dep_id), "account": account})
        return out
