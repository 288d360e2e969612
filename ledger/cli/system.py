"""``govledger system``: business systems, reserved slots and their connection."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.cli.common import (
    ClauseOpt,
    HomeOpt,
    JsonOpt,
    PolicyOpt,
    opened,
)
from ledger.cli.output import console, emit_json, table
from ledger.mechanisms.fields import build
from ledger.mechanisms.systems import SystemConnection, SystemCreate
from ledger.store import views

system_app = typer.Typer(
    help="Business systems and reserved slots, connected to the command center.",
    no_args_is_help=True,
)


def _under(policy: str, clause: str) -> SystemConnection:
    return build(SystemConnection, policy_id=policy, clause_id=clause)


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
    system = build(
        SystemCreate,
        system_id=system_id,
        kind=kind,
        heartbeat_seconds=heartbeat_seconds,
        feeds_data_center=feeds_data_center,
        reserved=reserved,
    )
    with opened(home) as ledger:
        ref = ledger.systems.register_system(department, system)
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
        ref = ledger.systems.fill_slot(department, system_id)
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
        ref = ledger.systems.connect(department, system_id, _under(policy, clause))
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
        ref = ledger.systems.disconnect(department, system_id, _under(policy, clause))
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
