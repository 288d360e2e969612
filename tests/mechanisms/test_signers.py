"""Signers: the administrator's key and each department's, with the role pre-check."""

from __future__ import annotations

import pytest

from ledger.core import Ledger
from ledger.errors import ForbiddenError, NotFoundError
from ledger.mechanisms.signers import ADMIN_KEY, department_key


def test_the_admin_signs_with_the_directory_admin_key(ledger: Ledger) -> None:
    admin = ledger.signers.admin()
    assert admin.address == ledger.keystore.address(ADMIN_KEY)
    assert ledger.directory.has_role("ADMIN", admin.address)


def test_a_department_signs_with_its_own_key(ledger: Ledger) -> None:
    signer = ledger.signers.department("dcity.govoffice")
    assert signer.address == ledger.keystore.address(department_key("dcity.govoffice"))
    assert signer.address == ledger.directory.account_of("dcity.govoffice")


def test_a_department_holding_the_role_gets_its_signer(ledger: Ledger) -> None:
    signer = ledger.signers.of("dcity.govoffice", "ISSUER")
    assert signer.address == ledger.directory.account_of("dcity.govoffice")


def test_an_unknown_department_is_not_found(ledger: Ledger) -> None:
    with pytest.raises(NotFoundError) as checked:
        ledger.signers.of("dcity.nobody", "DEPARTMENT")
    with pytest.raises(NotFoundError) as plain:
        ledger.signers.department("dcity.nobody")
    for err in (checked.value, plain.value):
        assert (err.kind, err.ident) == ("department key", "dcity.nobody")
        assert str(err) == "department key 'dcity.nobody' not found"


def test_a_department_lacking_the_role_is_forbidden_naming_it(ledger: Ledger) -> None:
    with pytest.raises(ForbiddenError) as err:
        ledger.signers.of("dcity.security", "ISSUER")
    assert str(err.value) == "department 'dcity.security' does not hold the ISSUER role"


def test_in_bulk_mode_the_chain_checks_the_role_instead(ledger: Ledger) -> None:
    ledger.tx.precheck = False
    try:
        signer = ledger.signers.of("dcity.security", "ISSUER")
    finally:
        ledger.tx.precheck = True
    assert signer.address == ledger.directory.account_of("dcity.security")
