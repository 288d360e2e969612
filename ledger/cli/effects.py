"""``govledger effects``: the effect log from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ledger.cli.common import HomeOpt, JsonOpt, opened
from ledger.cli.output import console, emit_json, progress_bar
from ledger.files import check_input

effects_app = typer.Typer(
    help="The effect log: high-volume facts (data-sharing calls, heartbeats) in an RFC 9162"
    " Merkle log whose checkpoints are anchored on chain.",
    no_args_is_help=True,
)


@effects_app.command("open")
def effects_open(
    log_id: Annotated[str, typer.Argument(help="The log id, e.g. dcity.calls.")],
    department: Annotated[str, typer.Option(help="The department that owns and seals the log.")],
    policy: Annotated[str, typer.Option(help="The policy the log executes.")],
    clause: Annotated[str, typer.Option(help="The clause the log executes.")],
    home: HomeOpt = None,
) -> None:
    """Open this ledger's effect log on chain."""
    with opened(home) as ledger:
        ref = ledger.effects.open(log_id, department, policy, clause)
    where = f" in block {ref.block_number}" if ref is not None else " (already open on chain)"
    console.print(f"effect log {log_id} owned by {department}{where}")


@effects_app.command("ingest")
def effects_ingest(
    file: Annotated[Path, typer.Argument(help="A JSONL file: one call or heartbeat a line.")],
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Validate and append a JSONL file (resumable; bad lines are reported, never fatal)."""
    check_input(file)
    with opened(home) as ledger:
        with progress_bar(f"ingesting {file.name}") as update:
            report = ledger.effects.ingest_file(file, update)
        latest = ledger.effects.latest()
        waiting = ledger.effects.store.size - latest.tree_size
    data = {
        "lines": report.lines,
        "added": report.added,
        "duplicates": report.duplicates,
        "rejected": report.rejected_count,
        "rejectedLines": [{"line": n, "reason": r} for n, r in report.rejected],
        "anchoredSize": latest.tree_size,
        "unsealed": waiting,
    }
    if as_json:
        emit_json(data)
        return
    console.print(
        f"{report.lines} lines: {report.added} added, {report.duplicates} already logged,"
        f" {report.rejected_count} rejected; {latest.tree_size} entries anchored"
    )
    if waiting:
        console.print(
            f"{waiting} entries are not sealed yet: no indicator counts them, and no proof"
            " covers them, until a checkpoint is anchored. Run `govledger effects seal` (it"
            f" happens by itself once {ledger.effects.seal_size:,} entries wait or an hour of"
            " chain time has passed since the last checkpoint).",
            soft_wrap=True,
        )
    for line, reason in report.rejected[:50]:
        console.print(f"  line {line}: {reason}", markup=False)
    if report.rejected_count > 50:
        console.print(f"  ... and {report.rejected_count - 50} more (see --json)")


@effects_app.command("seal")
def effects_seal(home: HomeOpt = None) -> None:
    """Anchor a checkpoint over every entry logged so far."""
    with opened(home) as ledger:
        checkpoint = ledger.effects.seal()
    if checkpoint is None:
        console.print("nothing new to seal")
    else:
        console.print(
            f"checkpoint {checkpoint.index}: {checkpoint.tree_size} entries, root"
            f" {checkpoint.root.hex()}"
        )


@effects_app.command("status")
def effects_status(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """The log's size, its latest anchored checkpoint and what waits to be sealed."""
    with opened(home) as ledger:
        config = ledger.effects.require_config()
        latest = ledger.effects.latest()
        size = ledger.effects.store.size
    data = {
        "log": config.log_id,
        "owner": config.owner,
        "size": size,
        "checkpoint": latest.index,
        "anchoredSize": latest.tree_size,
        "root": latest.root.hex(),
        "pending": size - latest.tree_size,
    }
    if as_json:
        emit_json(data)
    else:
        console.print(
            f"log {config.log_id} ({config.owner}): {size} entries, checkpoint {latest.index}"
            f" covers {latest.tree_size}, {size - latest.tree_size} waiting"
        )


@effects_app.command("proof")
def effects_proof(
    sequence: Annotated[int, typer.Argument(help="The entry's sequence number (from 0).")],
    home: HomeOpt = None,
) -> None:
    """An entry with its RFC 9162 inclusion proof against the latest checkpoint (JSON)."""
    with opened(home) as ledger:
        emit_json(ledger.effects.prove(sequence))


@effects_app.command("consistency")
def effects_consistency(
    first: Annotated[int, typer.Argument(help="The earlier checkpoint (from 1).")],
    second: Annotated[int, typer.Argument(help="The later checkpoint.")],
    home: HomeOpt = None,
) -> None:
    """An RFC 9162 consistency proof between two anchored checkpoints (JSON)."""
    with opened(home) as ledger:
        emit_json(ledger.effects.consistency(first, second))
