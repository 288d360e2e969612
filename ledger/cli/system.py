"""``govledger system``: business systems, reserved slots and their connection."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.chain.types import TxRef
from ledger.cli.common import (
    ClauseOpt,
    HomeOpt,
    JsonOpt,
    OwnerOpt,
    PolicyOpt,
    Row,
    clause_of,
    list_rows,
    send,
)
from ledger.core import Ledger
from ledger.mechanisms.fields import build
from ledger.mechanisms.systems import SystemConnection, SystemCreate
from ledger.store import views

SystemArg = Annotated[str, typer.Argument(help="System id.")]

system_app = typer.Typer(
    help="Business systems and reserved slots, connected to the command center.",
    no_args_is_help=True,
)


def _under(policy: str, clause: str) -> SystemConnection:
    return build(SystemConnection, policy_id=policy, clause_id=clause)


@system_app.command("register")
def system_register(
    system_id: SystemArg,
    department: OwnerOpt,
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
    what = "reserved slot" if reserved else "system"
    send(
        home,
        lambda ledger: ledger.systems.register_system(department, system),
        f"registered {what} {system_id} ({kind})",
    )


@system_app.command("fill")
def system_fill(
    system_id: Annotated[str, typer.Argument(help="System id of a reserved slot.")],
    department: OwnerOpt,
    home: HomeOpt = None,
) -> None:
    """Fill a reserved slot: its system is available and can connect from now on."""
    send(
        home,
        lambda ledger: ledger.systems.fill_slot(department, system_id),
        f"filled slot {system_id}",
    )


def _connection_command(connect: bool) -> None:
    """Register ``govledger system connect`` or ``disconnect``: the same options, the
    opposite change."""
    verb, where = ("connect", "to") if connect else ("disconnect", "from")

    @system_app.command(
        verb,
        help=f"{verb.capitalize()} a system {where} the command center under a policy "
        "clause in force.",
    )
    def change(
        system_id: SystemArg,
        department: OwnerOpt,
        policy: PolicyOpt,
        clause: ClauseOpt,
        home: HomeOpt = None,
    ) -> None:
        def call(ledger: Ledger) -> TxRef:
            systems = ledger.systems
            method = systems.connect if connect else systems.disconnect
            return method(department, system_id, _under(policy, clause))

        send(home, call, f"{verb}ed {system_id} under {policy}#{clause}")


_connection_command(connect=True)
_connection_command(connect=False)


def _state(row: Row) -> str:
    if row["reserved"]:
        return "reserved slot"
    return "connected" if row["connected"] else "not connected"


@system_app.command("list")
def system_list(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """List systems and reserved slots with their connection state (from the index)."""
    list_rows(
        home,
        as_json,
        lambda ledger: views.systems(ledger.store),
        "Systems",
        ["system", "owner", "kind", "heartbeat (s)", "feeds data center", "state", "clause"],
        lambda r: [
            r["systemId"],
            r["ownerId"],
            r["kind"],
            r["heartbeatInterval"],
            r["feedsDataCenter"],
            _state(r),
            clause_of(r) if r["policyId"] else None,
        ],
    )
