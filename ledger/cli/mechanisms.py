"""``govledger order|drill|system|stat``: the mechanisms of the D-city case.

- ``order``: the 12345 hotline's six-stage closed loop (accept, transfer, handle,
  feedback, complete, evaluate), category SLAs and overdue orders;
- ``drill``: full and half drill plans and the drills held under them;
- ``system``: business systems, reserved slots and their connection;
- ``stat``: attested statistics (shares in [0, 1], versioned).

Files named on the command line (case files, feedback, drill records, statistic
sources) stay off chain; only their digests go on. Listings read the index and
take ``--json``. :func:`register` adds the four groups to the main app.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from ledger.cli.common import HomeOpt, JsonOpt, opened
from ledger.cli.output import console, emit_json, table
from ledger.errors import LedgerValueError, NotFoundError
from ledger.mechanisms.attestations import share_to_ppm
from ledger.mechanisms.drills import DrillKind, parse_kind
from ledger.mechanisms.workorders import MIN_SALT_BYTES, case_digest
from ledger.store import views
from ledger.times import format_timestamp

DAY = 86_400
HOUR = 3_600

order_app = typer.Typer(
    help="The 12345 hotline's closed loop: accept, transfer, handle, feedback, complete, evaluate.",
    no_args_is_help=True,
)
drill_app = typer.Typer(help="Drill plans (full, half) and the drills held.", no_args_is_help=True)
system_app = typer.Typer(
    help="Business systems and reserved slots, connected to the command center.",
    no_args_is_help=True,
)
stat_app = typer.Typer(help="Attested statistics (shares in [0, 1]).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the mechanism groups to ``app``."""
    app.add_typer(order_app, name="order")
    app.add_typer(drill_app, name="drill")
    app.add_typer(system_app, name="system")
    app.add_typer(stat_app, name="stat")


PolicyOpt = Annotated[str, typer.Option("--policy", help="Policy id the step executes.")]
ClauseOpt = Annotated[str, typer.Option("--clause", help="Clause id the step executes.")]

T = TypeVar("T")


def _parse(fn: Callable[[Any], T], value: Any, option: str) -> T:
    """``fn(value)``; a ``ValueError`` becomes a bad ``option`` with the error's message."""
    try:
        return fn(value)
    except ValueError as err:
        raise typer.BadParameter(str(err), param_hint=option) from err


def _sha256(path: Path) -> bytes:
    return hashlib.sha256(path.read_bytes()).digest()


def _iso(timestamp: int | None) -> str | None:
    if timestamp is None:
        return None
    return format_timestamp(timestamp)


# -- work orders -------------------------------------------------------------------


@order_app.command("category")
def order_category(
    category: Annotated[str, typer.Argument(help="Request category, e.g. complaint.")],
    sla_hours: Annotated[
        int, typer.Option("--sla-hours", min=1, help="Hours to complete an order.")
    ],
    home: HomeOpt = None,
) -> None:
    """Set (or change, for orders accepted later) a request category's SLA."""
    with opened(home) as ledger:
        ref = ledger.set_category(category, sla_hours * HOUR)
    console.print(f"category {category}: SLA {sla_hours} h, set in block {ref.block_number}")


@order_app.command("accept")
def order_accept(
    order_id: Annotated[str, typer.Argument(help="Work order id.")],
    operator: Annotated[str, typer.Option(help="The hotline operator's department (OPERATOR).")],
    category: Annotated[str, typer.Option(help="Request category (its SLA applies).")],
    policy: PolicyOpt,
    clause: ClauseOpt,
    case_file: Annotated[
        Path,
        typer.Option(
            exists=True,
            dir_okay=False,
            readable=True,
            help="The case file; it stays off chain, only a salted digest goes on.",
        ),
    ],
    home: HomeOpt = None,
) -> None:
    """Accept a request (受理). Prints the salt once: keep it with the case file."""
    salt = secrets.token_bytes(MIN_SALT_BYTES)
    digest = case_digest(case_file.read_bytes(), salt)
    with opened(home) as ledger:
        ref = ledger.accept_order(
            operator,
            order_id,
            category=category,
            policy_id=policy,
            clause_id=clause,
            case_digest=digest,
        )
        deadline = ledger.orders.order(order_id).sla_deadline
    console.print(
        f"accepted order {order_id} in block {ref.block_number}, due {_iso(deadline)} UTC;"
        f" case digest 0x{digest.hex()}, salt 0x{salt.hex()}"
        " (shown once: keep it with the case file to prove the digest)",
        soft_wrap=True,
    )


@order_app.command("transfer")
def order_transfer(
    order_id: Annotated[str, typer.Argument(help="Work order id.")],
    operator: Annotated[str, typer.Option(help="The hotline operator's department (OPERATOR).")],
    to: Annotated[str, typer.Option("--to", help="The department to handle the order.")],
    home: HomeOpt = None,
) -> None:
    """Transfer an order (转办) to a department; again, while nobody has handled it."""
    with opened(home) as ledger:
        ref = ledger.transfer_order(operator, order_id, to)
    console.print(f"transferred order {order_id} to {to} in block {ref.block_number}")


@order_app.command("handle")
def order_handle(
    order_id: Annotated[str, typer.Argument(help="Work order id.")],
    department: Annotated[str, typer.Option(help="The department the order was transferred to.")],
    home: HomeOpt = None,
) -> None:
    """Handle an order (办理); only the department it was transferred to."""
    with opened(home) as ledger:
        ref = ledger.handle_order(department, order_id)
    console.print(f"{department} handled order {order_id} in block {ref.block_number}")


@order_app.command("feedback")
def order_feedback(
    order_id: Annotated[str, typer.Argument(help="Work order id.")],
    department: Annotated[str, typer.Option(help="The handling department.")],
    file: Annotated[
        Path,
        typer.Option(
            exists=True,
            dir_okay=False,
            readable=True,
            help="The feedback; it stays off chain, its SHA-256 goes on.",
        ),
    ],
    home: HomeOpt = None,
) -> None:
    """Give feedback on a handled order (反馈)."""
    digest = _sha256(file)
    with opened(home) as ledger:
        ref = ledger.order_feedback(department, order_id, digest)
    console.print(
        f"{department} gave feedback on order {order_id} (digest 0x{digest.hex()})"
        f" in block {ref.block_number}",
        soft_wrap=True,
    )


@order_app.command("complete")
def order_complete(
    order_id: Annotated[str, typer.Argument(help="Work order id.")],
    operator: Annotated[str, typer.Option(help="The hotline operator's department (OPERATOR).")],
    home: HomeOpt = None,
) -> None:
    """Complete an order (办结) after the department's feedback."""
    with opened(home) as ledger:
        ref = ledger.complete_order(operator, order_id)
        late = ledger.orders.order(order_id).late
    when = "late (after its SLA deadline)" if late else "within its SLA"
    console.print(f"completed order {order_id} {when} in block {ref.block_number}")


def _score(value: int) -> int:
    if not 1 <= value <= 5:
        raise LedgerValueError(f"a satisfaction score runs from 1 (worst) to 5 (best), not {value}")
    return value


@order_app.command("evaluate")
def order_evaluate(
    order_id: Annotated[str, typer.Argument(help="Work order id.")],
    operator: Annotated[str, typer.Option(help="The hotline operator's department (OPERATOR).")],
    score: Annotated[int, typer.Option(help="The citizen's satisfaction, 1 (worst) to 5 (best).")],
    home: HomeOpt = None,
) -> None:
    """Record the citizen's satisfaction (评价) with a completed order, once."""
    score = _parse(_score, score, "--score")
    with opened(home) as ledger:
        ref = ledger.evaluate_order(operator, order_id, score)
    console.print(f"evaluated order {order_id}: score {score} in block {ref.block_number}")


@order_app.command("overdue")
def order_overdue(
    order_id: Annotated[str, typer.Argument(help="Work order id.")],
    home: HomeOpt = None,
) -> None:
    """Mark an order overdue: its SLA deadline passed before completion (anyone may)."""
    with opened(home) as ledger:
        ref = ledger.mark_order_overdue(order_id)
    console.print(f"marked order {order_id} overdue in block {ref.block_number}")


@order_app.command("list")
def order_list(
    department: Annotated[
        str | None, typer.Option(help="Only orders this department accepted or handled.")
    ] = None,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List work orders with their stage, SLA and score (from the index)."""
    with opened(home) as ledger:
        ledger.indexer.sync()
        rows = views.work_orders(ledger.store, department)
    if as_json:
        emit_json(rows)
        return
    table(
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
        [
            [
                r["orderId"],
                r["category"],
                f"{r['policyId']}#{r['clauseId']}",
                r["handlerId"],
                r["stage"],
                _iso(r["acceptedAt"]),
                _iso(r["slaDeadline"]),
                r["late"],
                r["overdue"],
                r["score"],
            ]
            for r in rows
        ],
    )


@order_app.command("show")
def order_show(
    order_id: Annotated[str, typer.Argument(help="Work order id.")],
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
        f"order {order_id} ({row['category']}) under {row['policyId']}#{row['clauseId']}:"
        f" stage {row['stage']}, due {_iso(row['slaDeadline'])} UTC"
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
    table("Stages", ["stage", "at (UTC)"], [[s, _iso(row[k])] for s, k in stages if row[k]])
    for t in row["transfers"]:
        console.print(f"  transferred to {t['handlerId']} at {_iso(t['at'])} (tx {t['tx']})")


# -- drills ------------------------------------------------------------------------


def _positive_days(value: float) -> int:
    if not value > 0:
        raise LedgerValueError(f"a number of days must be positive, not {value}")
    return round(value * DAY)


@drill_app.command("plan")
def drill_plan(
    plan_id: Annotated[str, typer.Argument(help="Drill plan id.")],
    department: Annotated[str, typer.Option(help="The owning department.")],
    policy: PolicyOpt,
    clause: ClauseOpt,
    kind: Annotated[str, typer.Option(help="full (every seat) or half (at least half).")],
    first_due_in_days: Annotated[
        float, typer.Option(help="Days from now to the first drill.")
    ] = 7.0,
    interval_days: Annotated[float, typer.Option(help="Days between drills.")] = 30.0,
    count: Annotated[int, typer.Option(min=1, max=2**32 - 1, help="Number of drills.")] = 12,
    seats: Annotated[int, typer.Option(min=1, max=65_535, help="Seats of the center.")] = 69,
    required: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=65_535,
            help="Seats required (default: all for full, half rounded up for half).",
        ),
    ] = None,
    home: HomeOpt = None,
) -> None:
    """Plan a series of drills under a policy clause in force."""
    drill_kind = _parse(parse_kind, kind, "--kind")
    first_due_in = _parse(_positive_days, first_due_in_days, "--first-due-in-days")
    interval = _parse(_positive_days, interval_days, "--interval-days")
    if required is None:
        required = seats if drill_kind is DrillKind.FULL else (seats + 1) // 2
    with opened(home) as ledger:
        ref = ledger.plan_drills(
            department,
            plan_id=plan_id,
            policy_id=policy,
            clause_id=clause,
            kind=drill_kind,
            first_due_at=ledger.clock.now() + first_due_in,
            interval=interval,
            count=count,
            total_seats=seats,
            required_seats=required,
        )
    console.print(
        f"planned {count} {drill_kind.name.lower()} drills {plan_id} ({required}/{seats} seats)"
        f" in block {ref.block_number}"
    )


@drill_app.command("hold")
def drill_hold(
    plan_id: Annotated[str, typer.Argument(help="Drill plan id.")],
    department: Annotated[str, typer.Option(help="The owning department.")],
    index: Annotated[int, typer.Option(min=0, help="Drill index, from 0.")],
    seats: Annotated[int, typer.Option(min=0, max=65_535, help="Seats present.")],
    systems: Annotated[int, typer.Option(min=0, max=65_535, help="Business systems online.")],
    record: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            dir_okay=False,
            readable=True,
            help="The drill record; it stays off chain, its SHA-256 goes on"
            " (default: the digest of a summary of these figures).",
        ),
    ] = None,
    home: HomeOpt = None,
) -> None:
    """Record a drill as held, with the seats present and the systems online."""
    if record is not None:
        digest = _sha256(record)
    else:
        summary = {"plan": plan_id, "index": index, "seats": seats, "systems": systems}
        digest = hashlib.sha256(json.dumps(summary, sort_keys=True).encode()).digest()
    with opened(home) as ledger:
        ref = ledger.record_drill(department, plan_id, index, seats, systems, digest)
    console.print(
        f"recorded drill {plan_id}#{index} held ({seats} seats, {systems} systems)"
        f" in block {ref.block_number}"
    )


@drill_app.command("miss")
def drill_miss(
    plan_id: Annotated[str, typer.Argument(help="Drill plan id.")],
    index: Annotated[int, typer.Option(min=0, help="Drill index, from 0.")],
    home: HomeOpt = None,
) -> None:
    """Mark a drill missed, more than 7 days after it was due (anyone may)."""
    with opened(home) as ledger:
        ref = ledger.mark_drill_missed(plan_id, index)
    console.print(f"marked drill {plan_id}#{index} missed in block {ref.block_number}")


@drill_app.command("list")
def drill_list(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """List drill plans with each drill's outcome (from the index)."""
    with opened(home) as ledger:
        ledger.indexer.sync()
        rows = views.drill_plans(ledger.store)
    if as_json:
        emit_json(rows)
        return
    table(
        "Drill plans",
        [
            "plan",
            "owner",
            "kind",
            "clause",
            "seats",
            "drills",
            "held",
            "on time",
            "seats met",
            "missed",
            "open",
            "next due",
        ],
        [
            [
                r["planId"],
                r["ownerId"],
                r["kind"],
                f"{r['policyId']}#{r['clauseId']}",
                f"{r['requiredSeats']}/{r['totalSeats']}",
                r["count"],
                r["held"],
                r["onTime"],
                r["seatsMet"],
                r["missed"],
                r["open"],
                _iso(next((d["dueAt"] for d in r["drills"] if d["status"] == "open"), None)),
            ]
            for r in rows
        ],
    )


# -- systems -----------------------------------------------------------------------


@system_app.command("register")
def system_register(
    system_id: Annotated[str, typer.Argument(help="System id.")],
    department: Annotated[str, typer.Option(help="The owning department.")],
    kind: Annotated[str, typer.Option(help="Kind of system, e.g. video or customs.")],
    heartbeat_seconds: Annotated[
        int, typer.Option(min=1, help="Heartbeat interval once connected.")
    ],
    feeds_data_center: Annotated[
        bool, typer.Option("--feeds-data-center", help="It feeds the data center.")
    ] = False,
    reserved: Annotated[
        bool,
        typer.Option(
            "--reserved", help="A slot for a system not available yet: listed, not connectable."
        ),
    ] = False,
    home: HomeOpt = None,
) -> None:
    """Register a business system, or a reserved slot for one."""
    with opened(home) as ledger:
        ref = ledger.register_system(
            department,
            system_id,
            kind,
            heartbeat_seconds,
            feeds_data_center=feeds_data_center,
            reserved=reserved,
        )
    what = "reserved slot" if reserved else "system"
    console.print(f"registered {what} {system_id} ({kind}) in block {ref.block_number}")


@system_app.command("fill")
def system_fill(
    system_id: Annotated[str, typer.Argument(help="System id of a reserved slot.")],
    department: Annotated[str, typer.Option(help="The owning department.")],
    home: HomeOpt = None,
) -> None:
    """Fill a reserved slot: its system is available and can connect from now on."""
    with opened(home) as ledger:
        ref = ledger.fill_slot(department, system_id)
    console.print(f"filled slot {system_id} in block {ref.block_number}")


@system_app.command("connect")
def system_connect(
    system_id: Annotated[str, typer.Argument(help="System id.")],
    department: Annotated[str, typer.Option(help="The owning department.")],
    policy: PolicyOpt,
    clause: ClauseOpt,
    home: HomeOpt = None,
) -> None:
    """Connect a system to the command center under a policy clause in force."""
    with opened(home) as ledger:
        ref = ledger.connect_system(department, system_id, policy, clause)
    console.print(f"connected {system_id} under {policy}#{clause} in block {ref.block_number}")


@system_app.command("disconnect")
def system_disconnect(
    system_id: Annotated[str, typer.Argument(help="System id.")],
    department: Annotated[str, typer.Option(help="The owning department.")],
    policy: PolicyOpt,
    clause: ClauseOpt,
    home: HomeOpt = None,
) -> None:
    """Disconnect a system from the command center under a policy clause in force."""
    with opened(home) as ledger:
        ref = ledger.disconnect_system(department, system_id, policy, clause)
    console.print(f"disconnected {system_id} under {policy}#{clause} in block {ref.block_number}")


@system_app.command("list")
def system_list(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """List systems and reserved slots with their connection state (from the index)."""
    with opened(home) as ledger:
        ledger.indexer.sync()
        rows = views.systems(ledger.store)
    if as_json:
        emit_json(rows)
        return
    table(
        "Systems",
        ["system", "owner", "kind", "heartbeat (s)", "feeds data center", "state", "clause"],
        [
            [
                r["systemId"],
                r["ownerId"],
                r["kind"],
                r["heartbeatInterval"],
                r["feedsDataCenter"],
                "reserved slot"
                if r["reserved"]
                else ("connected" if r["connected"] else "not connected"),
                f"{r['policyId']}#{r['clauseId']}" if r["policyId"] else None,
            ]
            for r in rows
        ],
    )


# -- attested statistics ---------------------------------------------------------------


@stat_app.command("attest")
def stat_attest(
    key: Annotated[str, typer.Argument(help="Statistic key, e.g. fibre.home.")],
    department: Annotated[str, typer.Option(help="The statistician's department.")],
    value: Annotated[float, typer.Option(help="A share in [0, 1], e.g. 0.9.")],
    period: Annotated[str, typer.Option(help="The period, e.g. 2025.")],
    source: Annotated[
        Path,
        typer.Option(
            exists=True,
            dir_okay=False,
            readable=True,
            help="The source the value comes from; its SHA-256 goes on chain.",
        ),
    ],
    policy: PolicyOpt,
    clause: ClauseOpt,
    home: HomeOpt = None,
) -> None:
    """Attest a statistic, superseding its previous version."""
    _parse(share_to_ppm, value, "--value")
    digest = _sha256(source)
    with opened(home) as ledger:
        ref = ledger.attest(
            department,
            key=key,
            value=value,
            period=period,
            source_digest=digest,
            policy_id=policy,
            clause_id=clause,
        )
        version = ledger.attestations.latest(key).version
    console.print(
        f"attested {key} = {value:.2%} for {period} (version {version}) in block {ref.block_number}"
    )


@stat_app.command("list")
def stat_list(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """List each statistic's attestation in force, with its versions (from the index)."""
    with opened(home) as ledger:
        ledger.indexer.sync()
        rows = views.statistics(ledger.store)
    if as_json:
        emit_json(rows)
        return
    table(
        "Attested statistics",
        ["key", "value", "period", "version", "clause", "attester", "source digest"],
        [
            [
                r["key"],
                f"{r['value']:.2%}",
                r["period"],
                r["version"],
                f"{r['policyId']}#{r['clauseId']}",
                r["attesterId"] or r["attester"],
                r["sourceDigest"],
            ]
            for r in rows
        ],
    )
