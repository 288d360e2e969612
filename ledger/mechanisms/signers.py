"""Who signs: the administrator's key and each department's, with the role pre-check.

Services that send transactions take a :class:`Signers` rather than the whole ledger.
"""

from __future__ import annotations

from ledger.chain.keystore import Keystore, Signer
from ledger.chain.tx import Transactor
from ledger.errors import ForbiddenError, NotFoundError
from ledger.mechanisms.directory import DirectoryContract

#: The keystore name of the ledger's administrator (the Directory's admin).
ADMIN_KEY = "admin"


def department_key(department_id: str) -> str:
    """The keystore name of a department's key."""
    return f"dept.{department_id}"


class Signers:
    """Signers from the keystore, checked against the Directory's roles."""

    def __init__(self, keystore: Keystore, directory: DirectoryContract, tx: Transactor) -> None:
        self.keystore = keystore
        self.directory = directory
        self.tx = tx

    def admin(self) -> Signer:
        return self.keystore.signer(ADMIN_KEY)

    def department(self, department_id: str) -> Signer:
        """The department's signer; :class:`NotFoundError` when this ledger holds no key."""
        name = department_key(department_id)
        if not self.keystore.has(name):
            raise NotFoundError("department key", department_id)
        return self.keystore.signer(name)

    def of(self, department_id: str, role: str) -> Signer:
        """The department's signer, if it holds ``role``; :class:`ForbiddenError` if not.

        In bulk mode (``tx.precheck`` off) the chain's own role check is relied on.
        """
        signer = self.department(department_id)
        if self.tx.precheck and not self.directory.has_role(role, signer.address):
            raise ForbiddenError(f"department {department_id!r} does not hold the {role} role")
        return signer
