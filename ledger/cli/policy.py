"""``govledger policy``: anchor, approve, list and verify knowledge records."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ledger.cli.common import HomeOpt, JsonOpt, list_rows, opened
from ledger.cli.output import console, emit_json
from ledger.knowledge.loader import load_record

PolicyArg = Annotated[str, typer.Argument(help="The policy id.")]

policy_app = typer.Typer(
    help="Knowledge records: anchor, list and verify policies.", no_args_is_help=True
)


@policy_app.command("anchor")
def policy_anchor(
    file: Annotated[Path, typer.Argument(help="A knowledge record in YAML.")],
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Canonicalise a record, store it by digest and anchor it on chain."""

    record = load_record(file)
    with opened(home) as ledger:
        result = ledger.policy_book.anchor(record)
    data = {
        "policy": result.policy_id,
        "version": result.version,
        "digest": result.digest,
        "tx": None if result.tx is None else result.tx.tx_hash,
        "block": None if result.tx is None else result.tx.block_number,
    }
    data["status"] = result.status
    if as_json:
        emit_json(data)
    elif result.tx is None:
        console.print(f"{result.policy_id} v{result.version}: {result.status} ({result.digest})")
    elif result.status == "proposed":
        console.print(
            f"proposed city-level {result.policy_id} v{result.version} digest {result.digest};"
            " it is anchored when two leaders approve it (govledger policy approve)"
        )
    else:
        console.print(
            f"anchored {result.policy_id} v{result.version} digest {result.digest}"
            f" in block {result.tx.block_number} (tx {result.tx.tx_hash})"
        )


@policy_app.command("approve")
def policy_approve(
    policy_id: PolicyArg,
    version: Annotated[int, typer.Option(help="The proposed version.")],
    department: Annotated[str, typer.Option(help="The leader's department (LEADER role).")],
    home: HomeOpt = None,
) -> None:
    """Approve a proposed city-level policy version as a leader; two leaders anchor it."""
    with opened(home) as ledger:
        result = ledger.policy_book.approve(policy_id, version, department)
    if result.status == "anchored":
        console.print(f"{policy_id} v{version} approved by two leaders and anchored")
    else:
        console.print(f"{policy_id} v{version} approved by {department}; one more leader needed")


@policy_app.command("list")
def policy_list(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """List the anchored policies with their versions and state."""
    columns = ["id", "version", "title", "element", "effective", "revoked", "digest"]
    list_rows(
        home,
        as_json,
        lambda ledger: ledger.policy_book.summaries(),
        "Policies",
        columns,
        lambda r: [r[c] for c in columns],
        sync=False,
    )


@policy_app.command("verify")
def policy_verify(
    policy_id: PolicyArg,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Recompute the digest of every stored version and compare it with the chain."""
    with opened(home) as ledger:
        checks = ledger.policy_book.verify(policy_id)
    ok = all(c["ok"] for c in checks)
    if as_json:
        emit_json({"policy": policy_id, "verified": ok, "versions": checks})
    else:
        for c in checks:
            if c["ok"]:
                console.print(f"[green]ok[/] {policy_id} v{c['version']} digest {c['anchored']}")
            else:
                console.print(
                    f"[red]MISMATCH[/] {policy_id} v{c['version']}: {c['problem']}\n"
                    f"  anchored on chain: {c['anchored']}\n  stored record:     {c['stored']}"
                )
        console.print("[green]verified[/]" if ok else "[red]NOT verified[/]")
    if not ok:
        raise typer.Exit(1)
