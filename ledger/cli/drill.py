"""``govledger drill``: full and half drill plans and the drills held under them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated

import typer

from ledger.cli.common import (
    DAY,
    ClauseOpt,
    HomeOpt,
    JsonOpt,
    OwnerOpt,
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
from ledger.cli.output import console
from ledger.errors import LedgerValueError
from ledger.mechanisms.drills import DrillPlanCreate, DrillRecord, parse_kind
from ledger.mechanisms.fields import build, hex_digest
from ledger.store import views

PlanArg = Annotated[str, typer.Argument(help="Drill plan id.")]
IndexOpt = Annotated[int, typer.Option(min=0, help="Drill index, from 0.")]

drill_app = typer.Typer(help="Drill plans (full, half) and the drills held.", no_args_is_help=True)


def _positive_days(value: float) -> int:
    if not value > 0:
        raise LedgerValueError(f"a number of days must be positive, not {value}")
    return round(value * DAY)


@drill_app.command("plan")
def drill_plan(
    plan_id: PlanArg,
    department: OwnerOpt,
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
    drill_kind = parse_option(parse_kind, kind, "--kind")
    first_due_in = parse_option(_positive_days, first_due_in_days, "--first-due-in-days")
    interval = parse_option(_positive_days, interval_days, "--interval-days")
    with opened(home) as ledger:
        plan = build(
            DrillPlanCreate,
            plan_id=plan_id,
            policy_id=policy,
            clause_id=clause,
            kind=drill_kind.name.lower(),
            first_due_at=ledger.clock.now() + first_due_in,
            interval_seconds=interval,
            count=count,
            total_seats=seats,
            required_seats=required,
        )
        ref = ledger.drills.plan_drills(department, plan)
    required = plan.seats_required
    console.print(
        f"planned {count} {drill_kind.name.lower()} drills {plan_id} ({required}/{seats} seats)"
        f" in block {ref.block_number}"
    )


@drill_app.command("hold")
def drill_hold(
    plan_id: PlanArg,
    department: OwnerOpt,
    index: IndexOpt,
    seats: Annotated[int, typer.Option(min=0, max=65_535, help="Seats present.")],
    systems: Annotated[int, typer.Option(min=0, max=65_535, help="Business systems online.")],
    record: Annotated[
        Path | None,
        input_file(
            "The drill record; it stays off chain, its SHA-256 goes on"
            " (default: the digest of a summary of these figures)."
        ),
    ] = None,
    home: HomeOpt = None,
) -> None:
    """Record a drill as held, with the seats present and the systems online."""
    if record is not None:
        digest = sha256_file(record)
    else:
        summary = {"plan": plan_id, "index": index, "seats": seats, "systems": systems}
        digest = hashlib.sha256(json.dumps(summary, sort_keys=True).encode()).digest()
    drill = build(
        DrillRecord,
        index=index,
        seats_present=seats,
        systems_online=systems,
        record_digest=hex_digest(digest),
    )
    send(
        home,
        lambda ledger: ledger.drills.record_drill(department, plan_id, drill),
        f"recorded drill {plan_id}#{index} held ({seats} seats, {systems} systems)",
    )


@drill_app.command("miss")
def drill_miss(
    plan_id: PlanArg,
    index: IndexOpt,
    home: HomeOpt = None,
) -> None:
    """Mark a drill missed, more than 7 days after it was due (anyone may)."""
    send(
        home,
        lambda ledger: ledger.drills.mark_drill_missed(plan_id, index),
        f"marked drill {plan_id}#{index} missed",
    )


@drill_app.command("list")
def drill_list(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """List drill plans with each drill's outcome (from the index)."""
    list_rows(
        home,
        as_json,
        lambda ledger: views.drill_plans(ledger.store),
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
        lambda r: [
            r["planId"],
            r["ownerId"],
            r["kind"],
            clause_of(r),
            f"{r['requiredSeats']}/{r['totalSeats']}",
            r["count"],
            r["held"],
            r["onTime"],
            r["seatsMet"],
            r["missed"],
            r["open"],
            iso(next((d["dueAt"] for d in r["drills"] if d["status"] == "open"), None)),
        ],
    )
