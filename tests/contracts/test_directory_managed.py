"""The access base every mechanism inherits (``contracts/access/DirectoryManaged.sol``).

One table per check, over every contract that inherits it: a caller without the role
reverts with ``Unauthorized(account, neededRole)``, a caller that acts for no department
with the Directory's ``NotADepartment(account)``, and a step citing a clause that is not
in force with ``ClauseNotInForce(policyId, clauseId)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest
from eth_utils import keccak
from web3.contract import Contract
from web3.types import TxReceipt

from ledger.chain.artifacts import CONTRACT_NAMES, load_artifact
from ledger.chain.keystore import Signer
from ledger.chain.types import TxRef
from ledger.core import Ledger
from ledger.errors import ContractRevert
from ledger.mechanisms.attestations import StatisticCreate
from ledger.mechanisms.base import role_id
from ledger.mechanisms.drills import DrillPlanCreate
from ledger.mechanisms.effectlog import EffectLogContract
from ledger.mechanisms.sharing import AgreementCreate, CatalogItemCreate
from ledger.mechanisms.systems import SystemConnection, SystemCreate
from ledger.mechanisms.workorders import CategorySet, OrderAccept
from tests.contracts.conftest import CIVIL, SECURITY, new_signer, reverts

POLICY = "test.sharing"  # anchored in the session ledger, clauses c1..c4
LAPSED = "c9"  # no version of POLICY holds this clause
DAY = 86_400

#: Every contract that consults the Directory through the base.
MANAGED = tuple(name for name in CONTRACT_NAMES if name != "Directory")

#: (contract, function, role it needs, the error its own checks give a zero call). The
#: role check comes before any other, so each is sent with zero values: without the role
#: it reverts Unauthorized, with it the function's first check of its arguments.
ROLE_GUARDED: tuple[tuple[str, str, str, str], ...] = (
    ("PolicyRegistry", "anchorPolicy", "ISSUER", "InvalidDigest"),
    ("PolicyRegistry", "proposeCityPolicy", "ISSUER", "InvalidDigest"),
    ("PolicyRegistry", "approvePolicy", "LEADER", "NoSuchProposal"),
    ("PolicyRegistry", "revokePolicy", "ISSUER", "PolicyUnknown"),
    ("WorkOrders", "setCategory", "OPERATOR", "InvalidCategory"),  # or ADMIN
    ("WorkOrders", "accept", "OPERATOR", "InvalidOrder"),
    ("WorkOrders", "transfer", "OPERATOR", "OrderUnknown"),
    ("WorkOrders", "complete", "OPERATOR", "OrderUnknown"),
    ("WorkOrders", "evaluate", "OPERATOR", "OrderUnknown"),
    ("Attestations", "attest", "STATISTICIAN", "InvalidStatistic"),
    ("ScoreBoard", "publish", "SCORER", "InvalidScore"),
    ("Findings", "raiseFinding", "AUDITOR", "InvalidFinding"),
    ("Findings", "review", "AUDITOR", "FindingUnknown"),
)

#: (contract, function) that act for the caller's department, asked of the Directory first.
DEPARTMENT_GUARDED: tuple[tuple[str, str], ...] = (
    ("DataSharing", "registerItem"),
    ("Drills", "planDrills"),
    ("Systems", "registerSystem"),
    ("EffectLog", "openLog"),
)


def contract(ledger: Ledger, name: str) -> Contract:
    return ledger.w3.eth.contract(
        address=ledger.deployment.address(name), abi=load_artifact(name).abi
    )


def zero(param: Mapping[str, Any]) -> Any:
    """The zero value of one ABI parameter (structs field by field)."""
    abi_type = str(param["type"])
    if abi_type.endswith("[]"):
        return []
    if abi_type == "tuple":
        return tuple(zero(c) for c in param["components"])
    if abi_type.startswith("bytes"):
        return b"\x00" * int(abi_type[5:] or 32)
    if abi_type == "address":
        return "0x" + "00" * 20
    if abi_type == "bool":
        return False
    return 0


def send_zeros(ledger: Ledger, signer: Signer, name: str, method: str) -> TxReceipt:
    c = contract(ledger, name)
    [abi] = [i for i in c.abi if i["type"] == "function" and i["name"] == method]
    fn = getattr(c.functions, method)(*(zero(p) for p in abi["inputs"]))
    return ledger.tx.send(signer, fn, name)


def role_hex(name: str) -> str:
    return "0x" + role_id(name).hex()


# -- the base's views -----------------------------------------------------------------


@pytest.mark.parametrize("name", MANAGED)
def test_every_mechanism_names_the_directory_and_registry_it_consults(
    ledger: Ledger, name: str
) -> None:
    c = contract(ledger, name)
    assert c.functions.directory().call() == ledger.deployment.address("Directory")
    assert c.functions.registry().call() == ledger.deployment.address("PolicyRegistry")


def test_the_base_errors_are_in_every_managed_abi() -> None:
    for name in MANAGED:
        errors = {
            item["name"]: [(i["type"], i["name"]) for i in item["inputs"]]
            for item in load_artifact(name).abi
            if item["type"] == "error"
        }
        assert errors["Unauthorized"] == [("address", "account"), ("bytes32", "neededRole")], name
        assert errors["ClauseNotInForce"] == [("bytes32", "policyId"), ("bytes32", "clauseId")]
        assert errors["NotOwner"] == [
            ("bytes32", "subject"),
            ("bytes32", "subjectId"),
            ("bytes32", "ownerDepartment"),
            ("bytes32", "callerDepartment"),
        ]


def test_common_role_ids_are_the_ledgers() -> None:
    """Common.sol's role constants are keccak256 of their names, as the wrappers assume."""
    assert role_id("ADMIN") == b"\x00" * 32
    roles = ("ISSUER", "DEPARTMENT", "LEADER", "OPERATOR", "STATISTICIAN", "SCORER", "AUDITOR")
    for name in (*roles, "REGISTRAR"):
        assert role_id(name) == keccak(text=f"{name}_ROLE")


# -- onlyRole -------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "method", "role", "_"), ROLE_GUARDED)
def test_a_caller_without_the_role_is_unauthorized(
    ledger: Ledger, stranger: Signer, security: Signer, name: str, method: str, role: str, _: str
) -> None:
    """Neither an account outside the Directory nor a department without the role acts."""
    for signer in (stranger, security):
        with reverts(ledger, "Unauthorized", account=signer.address, neededRole=role_hex(role)):
            send_zeros(ledger, signer, name, method)


@pytest.mark.parametrize(("name", "method", "role", "error"), ROLE_GUARDED)
def test_the_role_check_passes_once_the_role_is_granted(
    ledger: Ledger, name: str, method: str, role: str, error: str
) -> None:
    """Granted the role, the same zero call gets past the base to the function's own checks."""
    signer = new_signer(ledger)
    ledger.directory.grant_role(role, signer.address)
    with pytest.raises(ContractRevert) as err:
        send_zeros(ledger, signer, name, method)
    assert err.value.name == error, str(err.value)


@pytest.mark.parametrize(("name", "method"), DEPARTMENT_GUARDED)
def test_only_a_department_acts(ledger: Ledger, stranger: Signer, name: str, method: str) -> None:
    with reverts(ledger, "NotADepartment", account=stranger.address):
        send_zeros(ledger, stranger, name, method)


# -- the clause in force ----------------------------------------------------------------


#: A step citing a clause, ready to send once its setup is done.
Step = Callable[[str], TxReceipt | TxRef]


def _sharing(ledger: Ledger) -> Step:
    signer = ledger.signers.department(SECURITY)
    ledger.sharing.register_item(
        signer,
        CatalogItemCreate(
            item_id="item.base", data_type="licenses", permission="restricted", disclosure="api"
        ),
    )
    return lambda clause: ledger.sharing.commit_agreement(
        signer,
        AgreementCreate(
            agreement_id="agr.base",
            item_id="item.base",
            consumer_id=CIVIL,
            policy_id=POLICY,
            clause_id=clause,
            permission="open",
            first_due_at=ledger.clock.now() + DAY,
            period_seconds=DAY,
            periods=3,
            calls_per_period=10,
        ),
    )


def _order(ledger: Ledger) -> Step:
    ledger.departments.register("base.hotline", "Hotline", ("OPERATOR",))
    ledger.orders.set_category(CategorySet(category="noise", sla_seconds=DAY))
    return lambda clause: ledger.orders.accept(
        ledger.signers.department("base.hotline"),
        OrderAccept(
            order_id="order.base",
            category="noise",
            policy_id=POLICY,
            clause_id=clause,
            case_digest="0x" + keccak(text="case").hex(),
        ),
    )


def _drills(ledger: Ledger) -> Step:
    return lambda clause: ledger.drills.plan_drills(
        ledger.signers.department(SECURITY),
        DrillPlanCreate(
            plan_id="plan.base",
            policy_id=POLICY,
            clause_id=clause,
            kind="full",
            first_due_at=ledger.clock.now() + DAY,
            interval_seconds=DAY,
            count=2,
            total_seats=69,
            required_seats=69,
        ),
    )


def _systems(ledger: Ledger) -> Step:
    signer = ledger.signers.department(SECURITY)
    ledger.systems.register_system(
        signer,
        SystemCreate(
            system_id="sys.base", kind="dispatch", heartbeat_seconds=300, feeds_data_center=True
        ),
    )
    return lambda clause: ledger.systems.connect(
        signer, "sys.base", SystemConnection(policy_id=POLICY, clause_id=clause)
    )


def _attestations(ledger: Ledger) -> Step:
    ledger.departments.register("base.stats", "Statistics", ("STATISTICIAN",))
    return lambda clause: ledger.attestations.attest(
        ledger.signers.department("base.stats"),
        StatisticCreate(
            key="e-payment",
            value=0.9,
            period="2024",
            source_digest="0x" + keccak(text="source").hex(),
            policy_id=POLICY,
            clause_id=clause,
        ),
    )


def _findings(ledger: Ledger) -> Step:
    ledger.departments.register("base.audit", "Audit", ("SCORER", "AUDITOR"))
    auditor = ledger.signers.department("base.audit")
    ledger.scoreboard.publish(
        auditor,
        scope="city",
        spec_hash="11" * 32,
        as_of_block=ledger.w3.eth.block_number,
        evidence_root="22" * 32,
        result_hash="33" * 32,
        window_start=0,
        window_end=0,
    )
    return lambda clause: ledger.findings.raise_finding(
        auditor,
        finding_id="finding.base",
        score_id=ledger.scoreboard.count(),
        policy_id=POLICY,
        clause_id=clause,
        metric="M3",
        department_id=SECURITY,
        deadline=ledger.clock.now() + 30 * DAY,
        detail_digest=keccak(text="detail"),
    )


def _effect_log(ledger: Ledger) -> Step:
    log = EffectLogContract(ledger.tx, ledger.deployment.address("EffectLog"))
    return lambda clause: log.open_log(
        ledger.signers.department(SECURITY), "log.base", POLICY, clause
    )


#: Each mechanism's step that cites a clause, after the setup it needs.
CITING: dict[str, Callable[[Ledger], Step]] = {
    "DataSharing": _sharing,
    "WorkOrders": _order,
    "Drills": _drills,
    "Systems": _systems,
    "Attestations": _attestations,
    "Findings": _findings,
    "EffectLog": _effect_log,
}


def test_every_mechanism_that_cites_a_clause_is_covered() -> None:
    assert set(CITING) == set(MANAGED) - {"PolicyRegistry", "ScoreBoard"}


@pytest.mark.parametrize("name", sorted(CITING))
def test_a_clause_not_in_force_is_refused_and_one_in_force_accepted(
    ledger: Ledger, name: str
) -> None:
    step = CITING[name](ledger)
    with reverts(ledger, "ClauseNotInForce", policyId=POLICY, clauseId=LAPSED):
        step(LAPSED)
    done = step("c1")
    receipt = (
        done if isinstance(done, Mapping) else ledger.w3.eth.get_transaction_receipt(done.tx_hash)
    )
    assert receipt["status"] == 1
