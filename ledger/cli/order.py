"""``govledger order``: the 12345 hotline's six-stage closed loop (accept, transfer,
handle, feedback, complete, evaluate), category SLAs and overdue orders.

Case files and feedback stay off chain; only their digests go on."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated

import typer

from ledger.cli.common import (
    HOUR,
    ClauseOpt,
    HomeOpt,
    JsonOpt,
    PolicyOpt,
    clause_of,
    input_file,
    iso,
    list_rows,
    opened,
    parse_option,
    send,
    sha256_file,
)
from ledger.cli.output import console, emit_json, table
from ledger.errors import LedgerValueError, NotFoundError
from ledger.mechanisms.fields import build, hex_digest
from ledger.mechanisms.workorders import MIN_SALT_BYTES, CategorySet, OrderAccept, case_digest
from ledger.store import views

OrderArg = Annotated[str, typer.Argument(help="Work order id.")]
OperatorOpt = Annotated[str, typer.Option(help="The hotline operator's department (OPERATOR).")]

order_app = typer.Typer(
    help="The 12345 hotline's closed loop: accept, transfer, handle, feedback, complete, evaluate.",
    no_args_is_help=True,
)


@order_app.command("category")
def order_category(
    category: Annotated[str, typer.Argument(help="Request category, e.g. complaint.")],
    sla_hours: Annotated[
        int, typer.Option("--sla-hours", min=1, help="Hours to complete an order.")
    ],
    home: HomeOpt = None,
) -> None:
    """Set (or change, for orders accepted later) a request category's SLA."""
    body = build(CategorySet, category=category, sla_seconds=sla_hours * HOUR)
    send(
        home,
        lambda ledger: ledger.orders.set_category(body),
        f"category {category}: SLA {sla_hours} h, set",
    )


@order_app.command("accept")
def order_accept(
    order_id: OrderArg,
    operator: OperatorOpt,
    category: Annotated[str, typer.Option(help="Request category (its SLA applies).")],
    policy: PolicyOpt,
    clause: ClauseOpt,
    case_file: Annotated[
        Path, input_file("The case file; it stays off chain, only a salted digest goes on.")
    ],
    home: HomeOpt = None,
) -> None:
    """Accept a request (受理). Prints the salt once: keep it with the case file."""
    salt = secrets.token_bytes(MIN_SALT_BYTES)
    digest = case_digest(case_file.read_bytes(), salt)
    order = build(
        OrderAccept,
        order_id=order_id,
        category=category,
        policy_id=policy,
        clause_id=clause,
        case_digest=hex_digest(digest),
    )
    with opened(home) as ledger:
        ref = ledger.orders.accept(operator, order)
        deadline = ledger.orders.order(order_id).sla_deadline
    console.print(
        f"accepted order {order_id} in block {ref.block_number}, due {iso(deadline)} UTC;"
        f" case digest 0x{digest.hex()}, salt 0x{salt.hex()}"
        " (shown once: keep it with the case file to prove the digest)",
        soft_wrap=True,
    )


@order_app.command("transfer")
def order_transfer(
    order_id: OrderArg,
    operator: OperatorOpt,
    to: Annotated[str, typer.Option("--to", help="The department to handle the order.")],
    home: HomeOpt = None,
) -> None:
    """Transfer an order (转办) to a department; again, while nobody has handled it."""
    send(
        home,
        lambda ledger: ledger.orders.transfer(operator, order_id, to),
        f"transferred order {order_id} to {to}",
    )


@order_app.command("handle")
def order_handle(
    order_id: OrderArg,
    department: Annotated[str, typer.Option(help="The department the order was transferred to.")],
    home: HomeOpt = None,
) -> None:
    """Handle an order (办理); only the department it was transferred to."""
    send(
        home,
        lambda ledger: ledger.orders.handle(department, order_id),
        f"{department} handled order {order_id}",
    )


@order_app.command("feedback")
def order_feedback(
    order_id: OrderArg,
    department: Annotated[str, typer.Option(help="The handling department.")],
    file: Annotated[Path, input_file("The feedback; it stays off chain, its SHA-256 goes on.")],
    home: HomeOpt = None,
) -> None:
    """Give feedback on a handled order (反馈)."""
    digest = sha256_file(file)
    with opened(home) as ledger:
        ref = ledger.orders.feedback(department, order_id, digest)
    console.print(
        f"{department} gave feedback on order {order_id} (digest 0x{digest.hex()})"
        f" in block {ref.block_number}",
        soft_wrap=True,
    )


@order_app.command("complete")
def order_complete(
    order_id: OrderArg,
    operator: OperatorOpt,
    home: HomeOpt = None,
) -> None:
    """Complete an order (办结) after the department's feedback."""
    with opened(home) as ledger:
        ref = ledger.orders.complete(operator, order_id)
        late = ledger.orders.order(order_id).late
    when = "late (after its SLA deadline)" if late else "within its SLA"
    console.print(f"completed order {order_id} {when} in block {ref.block_number}")


def _score(value: int) -> int:
    if not 1 <= value <= 5:
        raise LedgerValueError(f"a satisfaction score runs from 1 (worst) to 5 (best), not {value}")
    return value


@order_app.command("evaluate")
def order_evaluate(
    order_id: OrderArg,
    operator: OperatorOpt,
    score: Annotated[int, typer.Option(help="The citizen's satisfaction, 1 (worst) to 5 (best).")],
    home: HomeOpt = None,
) -> None:
    """Record the citizen's satisfaction (评价) with a completed order, once."""
    score = parse_option(_score, score, "--score")
    send(
        home,
        lambda ledger: ledger.orders.evaluate(operator, order_id, score),
        f"evaluated order {order_id}: score {score}",
    )


@order_app.command("overdue")
def order_overdue(
    order_id: OrderArg,
    home: HomeOpt = None,
) -> None:
    """Mark an order overdue: its SLA deadline passed before completion (anyone may)."""
    send(
        home,
        lambda ledger: ledger.orders.mark_overdue(order_id),
        f"marked order {order_id} overdue",
    )


@order_app.command("list")
def order_list(
    department: Annotated[
        str | None, typer.Option(help="Only orders this department accepted or handled.")
    ] = None,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List work orders with their stage, SLA and score (from the index)."""
    list_rows(
        home,
        as_json,
        lambda ledger: views.work_orders(ledger.store, department),
        "Work orders",
        [
            "order",
            "category",
            "clause",
            "handler",
            "stage",
            "accepted",
            "due",
            "late",
            "overdue",
            "score",
        ],
        lambda r: [
            r["orderId"],
            r["category"],
            clause_of(r),
            r["handlerId"],
            r["stage"],
            iso(r["acceptedAt"]),
            iso(r["slaDeadline"]),
            r["late"],
            r["overdue"],
            r["score"],
        ],
        department=department,
    )


@order_app.command("show")
def order_show(
    order_id: OrderArg,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show one work order: the time of each stage, its transfers, SLA and score."""
    with opened(home) as ledger:
        ledger.indexer.sync()
        row = next((r for r in views.work_orders(ledger.store) if r["orderId"] == order_id), None)
    if row is None:
        raise NotFoundError("work order", order_id)
    if as_json:
        emit_json(row)
        return
    console.print(
        f"order {order_id} ({row['category']}) under {clause_of(row)}:"
        f" stage {row['stage']}, due {iso(row['slaDeadline'])} UTC"
        + (", late" if row["late"] else "")
        + (", overdue" if row["overdue"] else "")
        + (f", score {row['score']}" if row["score"] is not None else "")
    )
    stages = [
        ("accepted", "acceptedAt"),
        ("transferred", "transferredAt"),
        ("handled", "handledAt"),
        ("feedback", "feedbackAt"),
        ("completed", "completedAt"),
        ("evaluated", "evaluatedAt"),
        ("overdue", "overdueAt"),
    ]
    table("Stages", ["stage", "at (UTC)"], [[s, iso(row[k])] for s, k in stages if row[k]])
    for t in row["transfers"]:
        console.print(f"  transferred to {t['handlerId']} at {iso(t['at'])} (tx {t['tx']})")
