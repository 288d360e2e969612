"""WorkOrders: the 12345 hotline's six stages, who may take each, in what order, and by when."""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass
from typing import Any

import pytest
from eth_utils import keccak
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web3.logs import DISCARD
from web3.types import TxReceipt

from ledger.chain.abi import plain
from ledger.chain.keystore import Signer
from ledger.chain.types import TxRef
from ledger.core import Ledger
from ledger.mechanisms.base import role_id
from ledger.mechanisms.workorders import (
    MIN_SALT_BYTES,
    CategorySet,
    OrderAccept,
    Stage,
    WorkOrder,
    WorkOrdersContract,
    case_digest,
)
from tests.contracts.conftest import (
    CIVIL,
    HEALTH,
    SECURITY,
    ZERO,
    ZERO_ID,
    b32,
    event_names,
    keyless,
    receipt_of,
    reverts,
    send,
)

POLICY = "test.sharing"
CLAUSE = "c4"
CATEGORY = "complaint"
ORDER = "wo.0001"
DAY = 86_400
SLA = 3 * DAY
ADMIN_ROLE = "0x" + role_id("ADMIN").hex()
OPERATOR_ROLE = "0x" + role_id("OPERATOR").hex()
CASE = keccak(text="case file 0001")
FEEDBACK = keccak(text="feedback 0001")


def hex_(digest: bytes) -> str:
    return "0x" + digest.hex()


# -- helpers -----------------------------------------------------------------------


def contract(ledger: Ledger) -> WorkOrdersContract:
    return keyless(ledger, WorkOrdersContract)


def raw(ledger: Ledger, signer: Signer, method: str, *args: Any) -> TxReceipt:
    """Send ``WorkOrders.method(*args)`` with no client-side checks (zero ids, bad digests)."""
    fn = getattr(contract(ledger).contract.functions, method)(*args)
    return ledger.tx.send(signer, fn, "WorkOrders")


def events(ledger: Ledger, name: str, receipt: TxReceipt | TxRef) -> list[dict[str, Any]]:
    """The ``name`` events of WorkOrders in ``receipt``, in the forms a decoded revert uses."""
    event = getattr(contract(ledger).contract.events, name)()
    types = {i["name"]: i["type"] for i in event.abi["inputs"]}
    return [
        {k: plain(k, types[k], v) for k, v in log["args"].items()}
        for log in event.process_receipt(receipt_of(ledger.w3, receipt), errors=DISCARD)
    ]


def accept(
    ledger: Ledger,
    operator: Signer,
    order_id: str | bytes = ORDER,
    category: str | bytes = CATEGORY,
    policy_id: str | bytes = POLICY,
    clause_id: str | bytes = CLAUSE,
    digest: bytes = CASE,
) -> TxReceipt:
    return raw(
        ledger,
        operator,
        "accept",
        {
            "orderId": b32(order_id),
            "category": b32(category),
            "policyId": b32(policy_id),
            "clauseId": b32(clause_id),
            "caseDigest": digest,
        },
    )


def advance_past(ledger: Ledger, timestamp: int) -> None:
    """Move the chain's clock past ``timestamp`` (with a margin for the embedded chain)."""
    ledger.clock.advance_time(max(0, timestamp - ledger.clock.now()) + 2)
    assert ledger.clock.now() > timestamp


def block_time(ledger: Ledger, receipt: TxReceipt | TxRef) -> int:
    return int(ledger.w3.eth.get_block(receipt_of(ledger.w3, receipt)["blockNumber"])["timestamp"])


def suspend(ledger: Ledger, account: str) -> None:
    send(ledger, ledger.admin, "Directory", "revokeRole", role_id("DEPARTMENT"), account)


# -- fixtures ------------------------------------------------------------------------


@pytest.fixture
def works(ledger: Ledger) -> WorkOrdersContract:
    return contract(ledger)


HOTLINE = "test.hotline"
OTHER_HOTLINE = "test.hotline2"


@pytest.fixture
def operator(ledger: Ledger) -> Signer:
    """The 12345 hotline: a department with the OPERATOR role (it owns what it accepts)."""
    ledger.departments.register(HOTLINE, "Hotline", ("OPERATOR",))
    return ledger.signers.department(HOTLINE)


@pytest.fixture
def other_operator(ledger: Ledger) -> Signer:
    """Another operator department, which owns none of ``operator``'s orders."""
    ledger.departments.register(OTHER_HOTLINE, "Other hotline", ("OPERATOR",))
    return ledger.signers.department(OTHER_HOTLINE)


@pytest.fixture
def health(ledger: Ledger) -> Signer:
    return ledger.signers.department(HEALTH)


@pytest.fixture
def category(ledger: Ledger, works: WorkOrdersContract) -> str:
    works.set_category(CategorySet(category=CATEGORY, sla_seconds=SLA), by=ledger.admin)
    return CATEGORY


@pytest.fixture
def accepted(
    ledger: Ledger, works: WorkOrdersContract, operator: Signer, category: str
) -> WorkOrder:
    """Order ORDER, accepted under test.sharing/c4 with a three-day SLA."""
    accept(ledger, operator)
    return works.order(ORDER)


@pytest.fixture
def transferred(
    ledger: Ledger, works: WorkOrdersContract, operator: Signer, accepted: WorkOrder
) -> WorkOrder:
    """ORDER, transferred to the civil affairs bureau."""
    works.transfer(operator, ORDER, CIVIL)
    return works.order(ORDER)


@pytest.fixture
def fed_back(works: WorkOrdersContract, civil: Signer, transferred: WorkOrder) -> WorkOrder:
    """ORDER, handled by the civil affairs bureau, which gave its feedback."""
    works.handle(civil, ORDER)
    works.feedback(civil, ORDER, FEEDBACK)
    return works.order(ORDER)


@pytest.fixture
def completed(works: WorkOrdersContract, operator: Signer, fed_back: WorkOrder) -> WorkOrder:
    works.complete(operator, ORDER)
    return works.order(ORDER)


# -- categories ----------------------------------------------------------------------


def just_accepted(deadline: int) -> WorkOrder:
    """ORDER as accepted under CLAUSE with ``deadline``: no handler yet, on time, no score."""
    return WorkOrder(
        order_id=ORDER,
        policy_id=POLICY,
        clause_id=CLAUSE,
        category=CATEGORY,
        handler_id=None,
        sla_deadline=deadline,
        stage=Stage.ACCEPTED,
        overdue=False,
        late=False,
        score=None,
    )


def test_set_category_emits_category_set(ledger: Ledger, works: WorkOrdersContract) -> None:
    receipt = works.set_category(CategorySet(category=CATEGORY, sla_seconds=SLA), by=ledger.admin)

    assert events(ledger, "CategorySet", receipt) == [{"category": CATEGORY, "slaSeconds": SLA}]
    assert event_names(ledger, receipt) == ["CategorySet"]
    assert works.sla_of(CATEGORY) == SLA

    changed = works.set_category(CategorySet(category=CATEGORY, sla_seconds=DAY), by=ledger.admin)
    assert events(ledger, "CategorySet", changed) == [{"category": CATEGORY, "slaSeconds": DAY}]
    assert works.sla_of(CATEGORY) == DAY


def test_only_the_admin_or_an_operator_sets_categories(
    ledger: Ledger, works: WorkOrdersContract, civil: Signer, stranger: Signer
) -> None:
    for signer in (civil, stranger):
        with reverts(ledger, "Unauthorized", account=signer.address, neededRole=OPERATOR_ROLE):
            works.set_category(CategorySet(category=CATEGORY, sla_seconds=SLA), by=signer)


def category_owner(works: WorkOrdersContract, category: str) -> bytes:
    return bytes(works.contract.functions.categoryOwnerOf(b32(category)).call())


def test_a_category_belongs_to_the_department_that_set_it_first(
    ledger: Ledger, works: WorkOrdersContract, operator: Signer, other_operator: Signer
) -> None:
    works.set_category(CategorySet(category="noise", sla_seconds=SLA), by=operator)
    assert category_owner(works, "noise") == b32(HOTLINE)

    with reverts(
        ledger,
        "NotOwner",
        subject="category",
        subjectId="noise",
        ownerDepartment=HOTLINE,
        callerDepartment=OTHER_HOTLINE,
    ):
        works.set_category(CategorySet(category="noise", sla_seconds=1), by=other_operator)
    assert works.sla_of("noise") == SLA

    changed = works.set_category(CategorySet(category="noise", sla_seconds=DAY), by=operator)
    assert events(ledger, "CategorySet", changed) == [{"category": "noise", "slaSeconds": DAY}]
    by_admin = works.set_category(CategorySet(category="noise", sla_seconds=SLA), by=ledger.admin)
    assert events(ledger, "CategorySet", by_admin) == [{"category": "noise", "slaSeconds": SLA}]
    assert category_owner(works, "noise") == b32(HOTLINE)  # the admin's change keeps the owner


def test_a_category_the_admin_set_first_is_no_departments(
    ledger: Ledger, works: WorkOrdersContract, operator: Signer, category: str
) -> None:
    assert category_owner(works, CATEGORY) == ZERO
    with reverts(
        ledger,
        "NotOwner",
        subject="category",
        subjectId=CATEGORY,
        ownerDepartment=ZERO_ID,
        callerDepartment=HOTLINE,
    ):
        works.set_category(CategorySet(category=CATEGORY, sla_seconds=1), by=operator)
    with reverts(ledger, "CategoryUnknown", category="unset"):
        ledger.tx.call(works.contract.functions.categoryOwnerOf(b32("unset")), "WorkOrders")


def test_invalid_categories(ledger: Ledger, works: WorkOrdersContract) -> None:
    with reverts(ledger, "InvalidCategory", category=ZERO_ID, slaSeconds=SLA):
        raw(ledger, ledger.admin, "setCategory", ZERO, SLA)
    for sla in (0, 2**32, 2**64 - 1):  # CategorySet refuses these; the contract too
        with reverts(ledger, "InvalidCategory", category=CATEGORY, slaSeconds=sla):
            raw(ledger, ledger.admin, "setCategory", b32(CATEGORY), sla)
    with reverts(ledger, "CategoryUnknown", category=CATEGORY):
        works.sla_of(CATEGORY)

    works.set_category(
        CategorySet(category=CATEGORY, sla_seconds=2**32 - 1), by=ledger.admin
    )  # the longest SLA
    assert works.sla_of(CATEGORY) == 2**32 - 1


# -- accept --------------------------------------------------------------------------


def test_accept_emits_order_accepted(
    ledger: Ledger, works: WorkOrdersContract, operator: Signer, category: str
) -> None:
    salt = b"s" * MIN_SALT_BYTES
    digest = case_digest(b"Citizen reports a broken street light", salt)
    receipt = works.accept(
        operator,
        OrderAccept(
            order_id=ORDER,
            category=category,
            policy_id=POLICY,
            clause_id=CLAUSE,
            case_digest=hex_(digest),
        ),
    )

    deadline = block_time(ledger, receipt) + SLA
    assert events(ledger, "OrderAccepted", receipt) == [
        {
            "orderId": ORDER,
            "policyId": POLICY,
            "category": CATEGORY,
            "clauseId": CLAUSE,
            "caseDigest": hex_(digest),
            "slaDeadline": deadline,
            "operator": operator.address,
        }
    ]
    assert event_names(ledger, receipt) == ["OrderAccepted"]
    assert works.order(ORDER) == just_accepted(deadline)


def test_only_operators_accept(
    ledger: Ledger, operator: Signer, civil: Signer, stranger: Signer, category: str
) -> None:
    for signer in (ledger.admin, civil, stranger):
        with reverts(ledger, "Unauthorized", account=signer.address, neededRole=OPERATOR_ROLE):
            accept(ledger, signer)


def test_invalid_orders(ledger: Ledger, operator: Signer, category: str) -> None:
    with reverts(ledger, "InvalidOrder", orderId=ZERO_ID):
        accept(ledger, operator, order_id=ZERO)
    with reverts(ledger, "InvalidOrder", orderId=ORDER):
        accept(ledger, operator, digest=ZERO)


def test_order_id_taken(ledger: Ledger, operator: Signer, accepted: WorkOrder) -> None:
    with reverts(ledger, "OrderExists", orderId=ORDER):
        accept(ledger, operator, digest=keccak(text="another case"))


def test_accept_unknown_category(ledger: Ledger, operator: Signer, category: str) -> None:
    with reverts(ledger, "CategoryUnknown", category="noise"):
        accept(ledger, operator, category="noise")
    with reverts(ledger, "CategoryUnknown", category=ZERO_ID):
        accept(ledger, operator, category=ZERO)


def test_accept_needs_a_clause_in_force(
    ledger: Ledger, operator: Signer, issuer: Signer, category: str
) -> None:
    with reverts(ledger, "ClauseNotInForce", policyId=POLICY, clauseId="c9"):
        accept(ledger, operator, clause_id="c9")
    with reverts(ledger, "ClauseNotInForce", policyId="p.none", clauseId=CLAUSE):
        accept(ledger, operator, policy_id="p.none")

    ledger.policies.revoke(issuer, POLICY)

    with reverts(ledger, "ClauseNotInForce", policyId=POLICY, clauseId=CLAUSE):
        accept(ledger, operator)


# -- the six stages ------------------------------------------------------------------


def test_the_six_stages_in_order(
    ledger: Ledger,
    works: WorkOrdersContract,
    operator: Signer,
    civil: Signer,
    category: str,
) -> None:
    """accept -> transfer -> handle -> feedback -> complete -> evaluate, each one event."""
    accepted = accept(ledger, operator)
    deadline = block_time(ledger, accepted) + SLA
    assert event_names(ledger, accepted) == ["OrderAccepted"]
    scope = {"orderId": ORDER, "policyId": POLICY}

    receipt = works.transfer(operator, ORDER, CIVIL)
    assert events(ledger, "OrderTransferred", receipt) == [
        scope | {"handlerId": CIVIL, "clauseId": CLAUSE, "previousHandlerId": ZERO_ID}
    ]
    assert event_names(ledger, receipt) == ["OrderTransferred"]
    assert works.order(ORDER).stage == Stage.TRANSFERRED
    assert works.order(ORDER).handler_id == CIVIL

    receipt = works.handle(civil, ORDER)
    assert events(ledger, "OrderHandled", receipt) == [
        scope | {"handlerId": CIVIL, "clauseId": CLAUSE}
    ]
    assert event_names(ledger, receipt) == ["OrderHandled"]
    assert works.order(ORDER).stage == Stage.HANDLED

    receipt = works.feedback(civil, ORDER, FEEDBACK)
    assert events(ledger, "OrderFeedbackGiven", receipt) == [
        scope | {"handlerId": CIVIL, "clauseId": CLAUSE, "feedbackDigest": hex_(FEEDBACK)}
    ]
    assert event_names(ledger, receipt) == ["OrderFeedbackGiven"]
    assert works.order(ORDER).stage == Stage.FEEDBACK_GIVEN

    receipt = works.complete(operator, ORDER)
    assert events(ledger, "OrderCompleted", receipt) == [
        scope | {"handlerId": CIVIL, "clauseId": CLAUSE, "slaDeadline": deadline, "late": False}
    ]
    assert event_names(ledger, receipt) == ["OrderCompleted"]  # no OrderOverdue
    assert works.order(ORDER).stage == Stage.COMPLETED

    receipt = works.evaluate(operator, ORDER, 5)
    assert events(ledger, "OrderEvaluated", receipt) == [
        scope | {"handlerId": CIVIL, "clauseId": CLAUSE, "score": 5}
    ]
    assert event_names(ledger, receipt) == ["OrderEvaluated"]
    assert works.order(ORDER) == dataclasses.replace(
        just_accepted(deadline), handler_id=CIVIL, stage=Stage.EVALUATED, score=5
    )


def test_retransfer_before_handling(
    ledger: Ledger,
    works: WorkOrdersContract,
    operator: Signer,
    civil: Signer,
    health: Signer,
    transferred: WorkOrder,
) -> None:
    receipt = works.transfer(operator, ORDER, HEALTH)

    assert events(ledger, "OrderTransferred", receipt) == [
        {
            "orderId": ORDER,
            "policyId": POLICY,
            "handlerId": HEALTH,
            "clauseId": CLAUSE,
            "previousHandlerId": CIVIL,
        }
    ]
    assert works.order(ORDER).handler_id == HEALTH
    with reverts(ledger, "WrongHandler", orderId=ORDER, expected=HEALTH, caller=CIVIL):
        works.handle(civil, ORDER)

    works.handle(health, ORDER)

    with reverts(
        ledger,
        "StageOutOfOrder",
        orderId=ORDER,
        current=Stage.HANDLED,
        attempted=Stage.TRANSFERRED,
    ):
        works.transfer(operator, ORDER, CIVIL)


def test_transfer_needs_another_active_department(
    ledger: Ledger,
    works: WorkOrdersContract,
    operator: Signer,
    health: Signer,
    transferred: WorkOrder,
) -> None:
    for handler in ("dcity.nowhere", CIVIL):  # unknown; already holds the order
        with reverts(ledger, "InvalidHandler", orderId=ORDER, handlerId=handler):
            works.transfer(operator, ORDER, handler)
    with reverts(ledger, "InvalidHandler", orderId=ORDER, handlerId=ZERO_ID):
        raw(ledger, operator, "transfer", b32(ORDER), ZERO)

    suspend(ledger, health.address)

    with reverts(ledger, "InvalidHandler", orderId=ORDER, handlerId=HEALTH):
        works.transfer(operator, ORDER, HEALTH)


def test_only_operators_transfer_complete_and_evaluate(
    ledger: Ledger, works: WorkOrdersContract, civil: Signer, completed: WorkOrder
) -> None:
    for signer in (civil, ledger.admin):
        needed = {"account": signer.address, "neededRole": OPERATOR_ROLE}
        with reverts(ledger, "Unauthorized", **needed):
            works.transfer(signer, ORDER, HEALTH)
        with reverts(ledger, "Unauthorized", **needed):
            works.complete(signer, ORDER)
        with reverts(ledger, "Unauthorized", **needed):
            works.evaluate(signer, ORDER, 4)


def test_only_the_handler_handles(
    ledger: Ledger,
    works: WorkOrdersContract,
    operator: Signer,
    security: Signer,
    transferred: WorkOrder,
) -> None:
    for signer, department in ((security, SECURITY), (operator, HOTLINE)):
        with reverts(ledger, "WrongHandler", orderId=ORDER, expected=CIVIL, caller=department):
            works.handle(signer, ORDER)
    with reverts(ledger, "NotADepartment", account=ledger.admin.address):
        works.handle(ledger.admin, ORDER)
    assert works.order(ORDER).stage == Stage.TRANSFERRED


def test_only_the_handler_gives_feedback(
    ledger: Ledger,
    works: WorkOrdersContract,
    operator: Signer,
    civil: Signer,
    security: Signer,
    transferred: WorkOrder,
) -> None:
    works.handle(civil, ORDER)

    with reverts(ledger, "WrongHandler", orderId=ORDER, expected=CIVIL, caller=SECURITY):
        works.feedback(security, ORDER, FEEDBACK)
    with reverts(ledger, "WrongHandler", orderId=ORDER, expected=CIVIL, caller=HOTLINE):
        works.feedback(operator, ORDER, FEEDBACK)
    with reverts(ledger, "NotADepartment", account=ledger.admin.address):
        works.feedback(ledger.admin, ORDER, FEEDBACK)
    with reverts(ledger, "InvalidFeedback", orderId=ORDER):
        works.feedback(civil, ORDER, ZERO)
    assert works.order(ORDER).stage == Stage.HANDLED


def test_a_suspended_department_no_longer_handles(
    ledger: Ledger, works: WorkOrdersContract, civil: Signer, transferred: WorkOrder
) -> None:
    suspend(ledger, civil.address)
    with reverts(ledger, "NotADepartment", account=civil.address):
        works.handle(civil, ORDER)


def test_evaluation_scores_once_from_one_to_five(
    ledger: Ledger, works: WorkOrdersContract, operator: Signer, completed: WorkOrder
) -> None:
    for score in (0, 6, 255):
        with reverts(ledger, "InvalidScore", orderId=ORDER, score=score):
            works.evaluate(operator, ORDER, score)

    receipt = works.evaluate(operator, ORDER, 1)
    assert [e["score"] for e in events(ledger, "OrderEvaluated", receipt)] == [1]

    for score in (1, 5, 0):
        with reverts(ledger, "AlreadyEvaluated", orderId=ORDER):
            works.evaluate(operator, ORDER, score)
    assert works.order(ORDER).score == 1


def test_no_evaluation_before_completion(
    ledger: Ledger, works: WorkOrdersContract, operator: Signer, fed_back: WorkOrder
) -> None:
    with reverts(
        ledger,
        "StageOutOfOrder",
        orderId=ORDER,
        current=Stage.FEEDBACK_GIVEN,
        attempted=Stage.EVALUATED,
    ):
        works.evaluate(operator, ORDER, 6)  # the stage is checked before the score


def test_unknown_orders(
    ledger: Ledger, works: WorkOrdersContract, operator: Signer, civil: Signer
) -> None:
    none = "wo.none"
    attempts = [
        lambda: works.transfer(operator, none, CIVIL),
        lambda: works.handle(civil, none),
        lambda: works.feedback(civil, none, FEEDBACK),
        lambda: works.complete(operator, none),
        lambda: works.evaluate(operator, none, 3),
        lambda: works.mark_overdue(none, by=operator),
        lambda: works.order(none),
    ]
    for attempt in attempts:
        with reverts(ledger, "OrderUnknown", orderId=none):
            attempt()


def test_an_order_continues_after_its_policy_is_revoked(
    ledger: Ledger,
    works: WorkOrdersContract,
    operator: Signer,
    issuer: Signer,
    civil: Signer,
    transferred: WorkOrder,
) -> None:
    """The clause must be in force when the order is accepted; a citizen's request
    already accepted is still carried through, and its events still name the clause."""
    ledger.policies.revoke(issuer, POLICY)

    works.handle(civil, ORDER)
    works.feedback(civil, ORDER, FEEDBACK)
    receipt = works.complete(operator, ORDER)

    assert [(e["policyId"], e["clauseId"]) for e in events(ledger, "OrderCompleted", receipt)] == [
        (POLICY, CLAUSE)
    ]


# -- SLA: overdue and late -------------------------------------------------------------


def test_overdue_then_completed_late(
    ledger: Ledger,
    works: WorkOrdersContract,
    operator: Signer,
    civil: Signer,
    stranger: Signer,
    transferred: WorkOrder,
) -> None:
    deadline = transferred.sla_deadline
    with reverts(ledger, "NotYetOverdue", orderId=ORDER, slaDeadline=deadline):
        works.mark_overdue(ORDER, by=stranger)

    advance_past(ledger, deadline)
    receipt = works.mark_overdue(ORDER, by=stranger)

    assert events(ledger, "OrderOverdue", receipt) == [
        {
            "orderId": ORDER,
            "policyId": POLICY,
            "handlerId": CIVIL,
            "clauseId": CLAUSE,
            "slaDeadline": deadline,
            "markedBy": stranger.address,
        }
    ]
    assert event_names(ledger, receipt) == ["OrderOverdue"]
    assert works.order(ORDER).overdue
    with reverts(ledger, "AlreadyOverdue", orderId=ORDER):
        works.mark_overdue(ORDER, by=operator)

    # Overdue is a flag, not a stage: the loop still closes, late.
    works.handle(civil, ORDER)
    works.feedback(civil, ORDER, FEEDBACK)
    receipt = works.complete(operator, ORDER)

    assert events(ledger, "OrderCompleted", receipt) == [
        {
            "orderId": ORDER,
            "policyId": POLICY,
            "handlerId": CIVIL,
            "clauseId": CLAUSE,
            "slaDeadline": deadline,
            "late": True,
        }
    ]
    order = works.order(ORDER)
    assert (order.stage, order.overdue, order.late) == (Stage.COMPLETED, True, True)
    with reverts(ledger, "AlreadyCompleted", orderId=ORDER):
        works.mark_overdue(ORDER, by=operator)


def test_completed_late_without_being_marked_overdue(
    ledger: Ledger, works: WorkOrdersContract, operator: Signer, fed_back: WorkOrder
) -> None:
    advance_past(ledger, fed_back.sla_deadline)
    receipt = works.complete(operator, ORDER)

    assert [e["late"] for e in events(ledger, "OrderCompleted", receipt)] == [True]
    assert event_names(ledger, receipt) == ["OrderCompleted"]
    order = works.order(ORDER)
    assert (order.overdue, order.late) == (False, True)


def test_an_order_completed_in_time_never_becomes_overdue(
    ledger: Ledger, works: WorkOrdersContract, operator: Signer, completed: WorkOrder
) -> None:
    assert not completed.late
    advance_past(ledger, completed.sla_deadline)
    with reverts(ledger, "AlreadyCompleted", orderId=ORDER):
        works.mark_overdue(ORDER, by=operator)
    works.evaluate(operator, ORDER, 4)
    with reverts(ledger, "AlreadyCompleted", orderId=ORDER):
        works.mark_overdue(ORDER, by=operator)


def test_an_untransferred_order_becomes_overdue_with_no_handler(
    ledger: Ledger, works: WorkOrdersContract, stranger: Signer, accepted: WorkOrder
) -> None:
    advance_past(ledger, accepted.sla_deadline)
    receipt = works.mark_overdue(ORDER, by=stranger)
    assert [e["handlerId"] for e in events(ledger, "OrderOverdue", receipt)] == [ZERO_ID]


# -- stage order, for any sequence of attempts ---------------------------------------------

#: Each step, the stage it leads to, and the event it emits.
STEPS: dict[str, tuple[Stage, str]] = {
    "accept": (Stage.ACCEPTED, "OrderAccepted"),
    "transfer": (Stage.TRANSFERRED, "OrderTransferred"),
    "handle": (Stage.HANDLED, "OrderHandled"),
    "feedback": (Stage.FEEDBACK_GIVEN, "OrderFeedbackGiven"),
    "complete": (Stage.COMPLETED, "OrderCompleted"),
    "evaluate": (Stage.EVALUATED, "OrderEvaluated"),
}


def allowed(step: str, current: Stage) -> bool:
    """The model: each stage follows the one before it; a transfer may follow a transfer."""
    target = STEPS[step][0]
    return current == target - 1 or (target == Stage.TRANSFERRED == current)


def next_step(current: Stage) -> str | None:
    return next((s for s in STEPS if allowed(s, current)), None)


def expected_error(order_id: str, step: str, current: Stage) -> tuple[str, dict[str, Any]]:
    if step == "accept":
        return "OrderExists", {"orderId": order_id}
    if step == "evaluate" and current == Stage.EVALUATED:
        return "AlreadyEvaluated", {"orderId": order_id}
    return "StageOutOfOrder", {
        "orderId": order_id,
        "current": current,
        "attempted": STEPS[step][0],
    }


@dataclass(frozen=True)
class Step:
    """Takes a step on one order, always as the account entitled to it."""

    ledger: Ledger
    works: WorkOrdersContract
    operator: Signer
    department: Signer
    order_id: str
    target: str

    def __call__(self, step: str) -> TxReceipt | TxRef:
        works, order_id = self.works, self.order_id
        if step == "accept":
            return accept(self.ledger, self.operator, order_id=order_id)
        if step == "transfer":
            return works.transfer(self.operator, order_id, self.target)
        if step == "handle":
            return works.handle(self.department, order_id)
        if step == "feedback":
            return works.feedback(self.department, order_id, FEEDBACK)
        if step == "complete":
            return works.complete(self.operator, order_id)
        return works.evaluate(self.operator, order_id, 3)


_order_ids = (f"wo.prop.{n}" for n in itertools.count())


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(attempts=st.lists(st.none() | st.sampled_from(list(STEPS)), min_size=1, max_size=14))
def test_a_step_succeeds_iff_it_is_the_next_allowed_stage(
    ledger: Ledger,
    works: WorkOrdersContract,
    operator: Signer,
    civil: Signer,
    health: Signer,
    category: str,
    attempts: list[str | None],
) -> None:
    """From an accepted order, attempt steps in any order (``None``: the next allowed one).

    A step succeeds, with its one event, iff it is the next allowed stage; otherwise it
    reverts StageOutOfOrder (OrderExists for a second accept, AlreadyEvaluated for a
    second evaluation) and the order is unchanged. The caller is always the one entitled
    to the step, so only the order of stages is under test.
    """
    order_id = next(_order_ids)
    accept(ledger, operator, order_id=order_id)
    current, handler = Stage.ACCEPTED, None
    departments = {CIVIL: civil, HEALTH: health}

    for attempt in attempts:
        step = attempt or next_step(current)
        if step is None:  # evaluated: the loop is closed
            continue
        department = departments[handler or CIVIL]
        target = HEALTH if handler == CIVIL else CIVIL
        take = Step(ledger, works, operator, department, order_id, target)
        if allowed(step, current):
            receipt = take(step)
            assert event_names(ledger, receipt) == [STEPS[step][1]]
            current = STEPS[step][0]
            handler = target if step == "transfer" else handler
        else:
            name, arguments = expected_error(order_id, step, current)
            with reverts(ledger, name, **arguments):
                take(step)
        order = works.order(order_id)
        assert (order.stage, order.handler_id) == (current, handler)


# -- the case digest -------------------------------------------------------------------


def test_case_digest_is_salted() -> None:
    salt = bytes(range(MIN_SALT_BYTES))
    case = b"Zhang San, 138-0000-0000: broken street light"
    assert case_digest(case, salt) == case_digest(case, salt)
    assert case_digest(case, salt) != case_digest(case, salt[::-1])
    assert len(case_digest(b"", salt)) == 32
    with pytest.raises(ValueError, match="at least 16 bytes"):
        case_digest(case, salt[:-1])


# -- the order's owner ------------------------------------------------------------------


def not_owner(other: str = OTHER_HOTLINE) -> dict[str, str]:
    return {
        "subject": "order",
        "subjectId": ORDER,
        "ownerDepartment": HOTLINE,
        "callerDepartment": other,
    }


def test_an_order_belongs_to_the_operator_department_that_accepted_it(
    ledger: Ledger,
    works: WorkOrdersContract,
    operator: Signer,
    other_operator: Signer,
    civil: Signer,
    accepted: WorkOrder,
) -> None:
    assert bytes(works.contract.functions.operatorOf(b32(ORDER)).call()) == b32(HOTLINE)
    with reverts(ledger, "OrderUnknown", orderId="wo.none"):
        ledger.tx.call(works.contract.functions.operatorOf(b32("wo.none")), "WorkOrders")

    with reverts(ledger, "NotOwner", **not_owner()):
        works.transfer(other_operator, ORDER, HEALTH)
    works.transfer(operator, ORDER, CIVIL)
    works.handle(civil, ORDER)
    works.feedback(civil, ORDER, FEEDBACK)

    with reverts(ledger, "NotOwner", **not_owner()):
        works.complete(other_operator, ORDER)
    works.complete(operator, ORDER)

    with reverts(ledger, "NotOwner", **not_owner()):
        works.evaluate(other_operator, ORDER, 1)
    works.evaluate(operator, ORDER, 5)
    assert works.order(ORDER).score == 5


def test_ownership_is_checked_before_the_stage(
    ledger: Ledger, works: WorkOrdersContract, other_operator: Signer, accepted: WorkOrder
) -> None:
    """Another department learns "not yours", not where the order stands."""
    with reverts(ledger, "NotOwner", **not_owner()):
        works.complete(other_operator, ORDER)
    with reverts(ledger, "NotOwner", **not_owner()):
        works.evaluate(other_operator, ORDER, 3)
