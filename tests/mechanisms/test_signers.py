"""The signer resolver: who acts, resolved once to the key that signs."""

from __future__ import annotations

import pytest

from ledger.core import Ledger
from ledger.errors import ContractRevert, ForbiddenError, LedgerError, NotFoundError
from ledger.mechanisms.base import role_id
from ledger.mechanisms.sharing import CatalogItemCreate, DataSharingContract
from ledger.mechanisms.signers import department_key
from ledger.mechanisms.workorders import CategorySet, OrderAccept

ORDER = OrderAccept(
    order_id="o.signers",
    category="complaint",
    policy_id="test.sharing",
    clause_id="c1",
    case_digest="0x" + "ab" * 32,
)
ITEM = CatalogItemCreate(
    item_id="item.signers", data_type="household", permission="open", disclosure="api"
)


def test_a_department_with_the_role_signs_with_its_own_key(ledger: Ledger) -> None:
    signer = ledger.signers.of("dcity.govoffice", "ISSUER")

    assert signer.name == department_key("dcity.govoffice")
    assert signer.address == ledger.directory.account_of("dcity.govoffice")


def test_an_unknown_department_is_not_found(ledger: Ledger) -> None:
    with pytest.raises(NotFoundError) as err:
        ledger.signers.of("dcity.nobody", "DEPARTMENT")

    assert (err.value.kind, err.value.ident) == ("department key", "dcity.nobody")


def test_a_department_without_the_role_is_forbidden_with_the_role_named(ledger: Ledger) -> None:
    with pytest.raises(ForbiddenError) as err:
        ledger.signers.of("dcity.security", "ISSUER")

    assert str(err.value) == "department 'dcity.security' does not hold the ISSUER role"


def test_a_wrapper_write_resolves_the_acting_department(ledger: Ledger) -> None:
    before = ledger.w3.eth.block_number

    with pytest.raises(ForbiddenError) as err:
        ledger.orders.accept("dcity.security", ORDER)
    ref = ledger.sharing.register_item("dcity.security", ITEM)

    assert str(err.value) == "department 'dcity.security' does not hold the OPERATOR role"
    assert ref.block_number == ledger.w3.eth.block_number == before + 1
    receipt = ledger.w3.eth.get_transaction_receipt(ref.tx_hash)  # type: ignore[arg-type]
    assert receipt["from"] == ledger.directory.account_of("dcity.security")


def test_bulk_mode_skips_the_role_check_and_leaves_it_to_the_chain(bulk: Ledger) -> None:
    account = bulk.directory.account_of("dcity.security")

    # no ForbiddenError: the key is resolved without asking the Directory ...
    assert bulk.signers.of("dcity.security", "OPERATOR").address == account
    with pytest.raises(NotFoundError):  # ... and an unknown department still has no key
        bulk.signers.of("dcity.nobody", "OPERATOR")
    # the chain refuses instead
    with pytest.raises(ContractRevert) as err:
        bulk.orders.accept("dcity.security", ORDER)

    assert err.value.name == "Unauthorized"
    operator_role = "0x" + role_id("OPERATOR").hex()
    assert err.value.arguments == {"account": account, "neededRole": operator_role}


def test_admin_is_the_directory_admin(ledger: Ledger) -> None:
    assert ledger.directory.has_role("ADMIN", ledger.signers.admin().address)


def test_a_wrapper_without_signers_only_reads(ledger: Ledger) -> None:
    auditors = DataSharingContract(ledger.tx, ledger.deployment.address("DataSharing"))
    before = ledger.w3.eth.block_number

    with pytest.raises(LedgerError, match="this DataSharing wrapper has no keys: it can only read"):
        auditors.register_item("dcity.security", ITEM)
    assert ledger.w3.eth.block_number == before


def test_an_operation_without_a_department_is_signed_by_the_admin(ledger: Ledger) -> None:
    ref = ledger.orders.set_category(CategorySet(category="signers", sla_seconds=3_600))

    receipt = ledger.w3.eth.get_transaction_receipt(ref.tx_hash)  # type: ignore[arg-type]
    assert receipt["from"] == ledger.signers.admin().address
    assert ledger.orders.sla_of("signers") == 3_600
