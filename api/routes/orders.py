"""The 12345 hotline's six-stage closed loop: categories and work orders.

The API key's department is the actor. Accepting, transferring, completing and
evaluating need the OPERATOR role, and so does setting a category's SLA; the contract
leaves an order's transfer, completion and evaluation to the operator department that
accepted it, and a category to whoever set it first (``NotOwner``, a 403). Handling
and feedback are for the department the order was transferred to; the contract
checks that (``WrongHandler``, a 403). Marking an order overdue needs any key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, cast

from fastapi import Depends

from api.deps import (
    DepartmentDep,
    LedgerAccess,
    LedgerDep,
    authenticated_department,
    resource_router,
)
from api.errors import WRITE_PROBLEMS, creates, one, problem_responses, unknown_is_404
from api.models import (
    CategorySet,
    CategorySetDone,
    OrderAccept,
    OrderEvaluate,
    OrderFeedback,
    OrderStep,
    OrderTransfer,
    StageName,
    WorkOrderPublic,
    WorkOrdersPublic,
)
from api.params import PageDep, PolicyFilter, department_filter, id_path, matching
from ledger.chain.types import TxRef
from ledger.core import Ledger
from ledger.mechanisms.fields import digest_bytes
from ledger.store import views

OrderId = Annotated[str, id_path("work order")]
router = resource_router("orders", unknown=unknown_is_404("OrderUnknown", "work order", "order_id"))


def _step(ledger: LedgerAccess, order_id: str, send: Callable[[Ledger], TxRef]) -> OrderStep:
    """Send the step and read the order after it."""
    ref, order = ledger.send_then(send, lambda lg: lg.orders.order(order_id))
    return OrderStep.landed(
        ref,
        order_id=order_id,
        stage=cast(StageName, order.stage.name.lower()),
        handler_id=order.handler_id,
        sla_deadline=order.sla_deadline,
        overdue=order.overdue,
        late=order.late,
        score=order.score,
    )


# -- reads -------------------------------------------------------------------------


@router.get("", summary="List work orders", responses=problem_responses(422))
def list_orders(
    ledger: LedgerDep,
    page: PageDep,
    policy_id: PolicyFilter,
    department_id: Annotated[
        str | None,
        Depends(department_filter("Only orders this department accepted or was transferred.")),
    ],
) -> WorkOrdersPublic:
    """Work orders in acceptance order: their stage, the time of each stage, SLA and score."""
    rows = ledger.view(lambda lg: views.work_orders(lg.store, department_id))
    return WorkOrdersPublic.of(matching(rows, policyId=policy_id), page)


@router.get("/{order_id}", summary="One work order", responses=problem_responses(404))
def get_order(order_id: OrderId, ledger: LedgerDep) -> WorkOrderPublic:
    with ledger.read() as lg:
        row = one(views.work_orders(lg.store), "orderId", order_id, "work order")
    return WorkOrderPublic.model_validate(row)


# -- writes ------------------------------------------------------------------------


@router.post(
    "/categories",
    summary="Set a category's SLA",
    responses=problem_responses(401, 403, 409, 422),
)
def set_category(
    body: CategorySet, department: DepartmentDep, ledger: LedgerDep
) -> CategorySetDone:
    """Set (or change, for orders accepted later) the SLA of a request category.

    The API key's department needs the OPERATOR role.
    """
    with ledger.write() as lg:
        ref = lg.orders.set_category(body, by=lg.signers.of(department, "OPERATOR"))
    return CategorySetDone.landed(ref, category=body.category, sla_seconds=body.sla_seconds)


@creates(router, "", "Accept a work order (受理)")
def accept_order(body: OrderAccept, department: DepartmentDep, ledger: LedgerDep) -> OrderStep:
    """Accept a request under a policy clause in force; it is due by now plus its category's
    SLA. Only the salted digest of the case file is sent. Needs the OPERATOR role."""
    return _step(ledger, body.order_id, lambda lg: lg.orders.accept(department, body))


@router.post("/{order_id}/transfer", summary="Transfer (转办)", responses=WRITE_PROBLEMS)
def transfer_order(
    order_id: OrderId, body: OrderTransfer, department: DepartmentDep, ledger: LedgerDep
) -> OrderStep:
    """Transfer an accepted order to a department, again while nobody has handled it.
    Needs the OPERATOR role."""
    return _step(
        ledger, order_id, lambda lg: lg.orders.transfer(department, order_id, body.handler_id)
    )


@router.post("/{order_id}/handle", summary="Handle (办理)", responses=WRITE_PROBLEMS)
def handle_order(order_id: OrderId, department: DepartmentDep, ledger: LedgerDep) -> OrderStep:
    """Handle a transferred order; only the department it was transferred to."""
    return _step(ledger, order_id, lambda lg: lg.orders.handle(department, order_id))


@router.post("/{order_id}/feedback", summary="Feedback (反馈)", responses=WRITE_PROBLEMS)
def order_feedback(
    order_id: OrderId, body: OrderFeedback, department: DepartmentDep, ledger: LedgerDep
) -> OrderStep:
    """Give feedback on a handled order, as a digest; only the handling department."""
    return _step(
        ledger,
        order_id,
        lambda lg: lg.orders.feedback(department, order_id, digest_bytes(body.feedback_digest)),
    )


@router.post("/{order_id}/complete", summary="Complete (办结)", responses=WRITE_PROBLEMS)
def complete_order(order_id: OrderId, department: DepartmentDep, ledger: LedgerDep) -> OrderStep:
    """Complete an order after the department's feedback (late if past its SLA deadline).
    Needs the OPERATOR role."""
    return _step(ledger, order_id, lambda lg: lg.orders.complete(department, order_id))


@router.post("/{order_id}/evaluate", summary="Evaluate (评价)", responses=WRITE_PROBLEMS)
def evaluate_order(
    order_id: OrderId, body: OrderEvaluate, department: DepartmentDep, ledger: LedgerDep
) -> OrderStep:
    """Record the citizen's satisfaction (1..5) with a completed order, once.
    Needs the OPERATOR role."""
    return _step(ledger, order_id, lambda lg: lg.orders.evaluate(department, order_id, body.score))


@router.post(
    "/{order_id}/overdue",
    summary="Mark overdue",
    responses=WRITE_PROBLEMS,
    dependencies=[Depends(authenticated_department)],
)
def mark_overdue(order_id: OrderId, ledger: LedgerDep) -> OrderStep:
    """Mark an order overdue once its SLA deadline passed without completion.

    Any department's key will do: the ledger sends it, and the contract checks the deadline.
    """
    return _step(ledger, order_id, lambda lg: lg.orders.mark_overdue(order_id))
