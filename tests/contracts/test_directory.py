"""Directory: who is a department, bound to which account, holding which roles."""

from __future__ import annotations

from eth_account import Account
from eth_typing import ChecksumAddress
from web3.types import TxReceipt

from ledger.chain.keystore import Signer
from ledger.core import Ledger
from ledger.mechanisms.base import role_id
from tests.conftest import DEPARTMENTS
from tests.contracts.conftest import (
    CIVIL,
    ZERO,
    ZERO_ADDRESS,
    ZERO_ID,
    b32,
    call,
    event_names,
    events,
    reverts,
    send,
)

ADMIN_ROLE_HEX = "0x" + "00" * 32


def fresh_address() -> ChecksumAddress:
    """An address no department uses; registering it needs no key."""
    return ChecksumAddress(Account.create().address)


def register(
    ledger: Ledger, department_id: str | bytes, account: str, name: str = "New Bureau"
) -> TxReceipt:
    return send(
        ledger, ledger.admin, "Directory", "registerDepartment", b32(department_id), name, account
    )


def test_register_department_emits_event_and_grants_department_role(ledger: Ledger) -> None:
    account = fresh_address()
    receipt = register(ledger, "dcity.water", account, "Water Authority")

    assert events(ledger, "Directory", "DepartmentRegistered", receipt) == [
        {"departmentId": "dcity.water", "account": account, "name": "Water Authority"}
    ]
    assert events(ledger, "Directory", "RoleGranted", receipt) == [
        {
            "role": "0x" + role_id("DEPARTMENT").hex(),
            "account": account,
            "sender": ledger.admin.address,
        }
    ]
    assert event_names(ledger, receipt) == ["RoleGranted", "DepartmentRegistered"]

    assert ledger.directory.has_role("DEPARTMENT", account)
    assert not ledger.directory.has_role("ISSUER", account)
    assert not ledger.directory.has_role("ADMIN", account)
    assert ledger.directory.is_department("dcity.water")
    assert ledger.directory.account_of("dcity.water") == account
    assert ledger.directory.department_of(account) == "dcity.water"
    assert ledger.directory.name_of("dcity.water") == "Water Authority"


def test_roles_of_session_departments(ledger: Ledger) -> None:
    directory = ledger.directory
    for dep_id, (_name, roles) in DEPARTMENTS.items():
        account = directory.account_of(dep_id)
        assert directory.has_role("DEPARTMENT", account)
        assert directory.has_role("ISSUER", account) == ("ISSUER" in roles)
        assert not directory.has_role("ADMIN", account)
    assert directory.has_role("ADMIN", ledger.admin.address)
    assert not directory.has_role("DEPARTMENT", ledger.admin.address)


def test_department_ids_keep_registration_order(ledger: Ledger) -> None:
    before = ledger.directory.department_ids()
    assert before[: len(DEPARTMENTS)] == list(DEPARTMENTS)

    register(ledger, "dcity.zoo", fresh_address())
    register(ledger, "dcity.aqua", fresh_address())

    assert ledger.directory.department_ids() == [*before, "dcity.zoo", "dcity.aqua"]


def test_only_admin_registers(ledger: Ledger, civil: Signer, issuer: Signer) -> None:
    account = fresh_address()
    for signer in (civil, issuer):
        with reverts(
            ledger,
            "AccessControlUnauthorizedAccount",
            account=signer.address,
            neededRole=ADMIN_ROLE_HEX,
        ):
            send(ledger, signer, "Directory", "registerDepartment", b32("dcity.x"), "X", account)
    assert not ledger.directory.is_department("dcity.x")


def test_department_id_taken(ledger: Ledger) -> None:
    with reverts(ledger, "DepartmentExists", departmentId=CIVIL):
        register(ledger, CIVIL, fresh_address())


def test_account_bound_to_another_department(ledger: Ledger) -> None:
    civil_account = ledger.directory.account_of(CIVIL)
    with reverts(ledger, "AccountAlreadyBound", account=civil_account, departmentId=CIVIL):
        register(ledger, "dcity.twin", civil_account)
    assert not ledger.directory.is_department("dcity.twin")


def test_zero_id_or_zero_address_is_invalid(ledger: Ledger) -> None:
    account = fresh_address()
    with reverts(ledger, "InvalidDepartment", departmentId=ZERO_ID, account=account):
        register(ledger, ZERO, account)
    with reverts(ledger, "InvalidDepartment", departmentId="dcity.nobody", account=ZERO_ADDRESS):
        register(ledger, "dcity.nobody", ZERO_ADDRESS)
    with reverts(ledger, "InvalidDepartment", departmentId=ZERO_ID, account=ZERO_ADDRESS):
        register(ledger, ZERO, ZERO_ADDRESS)


def test_department_of_an_unbound_account(ledger: Ledger) -> None:
    account = fresh_address()
    with reverts(ledger, "NotADepartment", account=account):
        call(ledger, "Directory", "departmentOf", account)
    with reverts(ledger, "NotADepartment", account=ledger.admin.address):
        call(ledger, "Directory", "departmentOf", ledger.admin.address)


def test_account_of_an_unknown_department(ledger: Ledger) -> None:
    with reverts(ledger, "DepartmentUnknown", departmentId="dcity.nowhere"):
        call(ledger, "Directory", "accountOf", b32("dcity.nowhere"))
    with reverts(ledger, "DepartmentUnknown", departmentId=ZERO_ID):
        call(ledger, "Directory", "accountOf", ZERO)
    assert not ledger.directory.is_department("dcity.nowhere")
