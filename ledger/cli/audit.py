"""``govledger score``, ``govledger audit`` and ``govledger finding``: the auditor's commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from ledger.audit.bundle import check_bundle, export_bundle
from ledger.audit.checks import AuditReport
from ledger.audit.findings import (
    findings_view,
    mark_overdue,
    raise_ledger_findings,
    respond,
    review,
)
from ledger.audit.scores import (
    ScoreArchive,
    finalized_block,
    publication_view,
    publish_ledger_score,
    published,
    verify_published,
)
from ledger.audit.verify import AuditSources, audit, chain_events
from ledger.chain.factory import make_web3
from ledger.cli.common import HomeOpt, JsonOpt, opened
from ledger.cli.output import console, emit_json, err_console, table
from ledger.cli.render import print_clauses, print_score, print_series
from ledger.core import Ledger
from ledger.errors import NotFoundError
from ledger.maturity.scopes import jurisdiction_label
from ledger.settings import Settings
from ledger.times import format_timestamp

score_app = typer.Typer(
    help="Maturity scores (MATURITY.md): compute one, publish it on chain, verify a"
    " published one. Without a subcommand, computes the score at the latest block.",
    invoke_without_command=True,
)
audit_app = typer.Typer(
    help="Verify the ledger against the chain, export a policy's trail as an offline"
    " bundle, and check a bundle.",
    no_args_is_help=True,
)
FindingArg = Annotated[str, typer.Argument(help="The finding.")]
ScopeOpt = Annotated[str | None, typer.Option(help="Score one department instead of the city.")]
JurisdictionOpt = Annotated[
    str | None,
    typer.Option(
        help="Score a jurisdiction with everything below it instead of the city (each"
        " department counted where it stood at each event's block)."
    ),
]
WindowDaysOpt = Annotated[int, typer.Option(help="Window length in days, ending at as-of.")]
SpecOpt = Annotated[int | None, typer.Option("--spec", help="Spec version (default: the latest).")]
DeadlineDaysOpt = Annotated[
    int, typer.Option(help="Days the departments have to rectify a finding.")
]

finding_app = typer.Typer(
    help="Findings: missed obligation targets addressed to departments, until closed.",
    no_args_is_help=True,
)


def scope_of(ledger: Ledger, department: str | None, jurisdiction: str | None) -> str | None:
    """The scope a score is asked for: the city (None), a department, or a jurisdiction's
    label (``@id``; the scorer says if the chain has no such jurisdiction)."""
    if department is not None and jurisdiction is not None:
        raise typer.BadParameter("--department and --jurisdiction are separate scopes: choose one")
    if jurisdiction is not None:
        return jurisdiction_label(jurisdiction)
    if department is not None and not ledger.directory.is_department(department):
        raise NotFoundError("department", department)
    return department


def print_checks(report: AuditReport) -> None:
    """Each check with pass or fail, and for a failure what differs and where."""
    for c in report.checks:
        mark = "[green]PASS[/]" if c.ok else "[red]FAIL[/]"
        # one line per check, never wrapped: auditors grep and diff this output
        console.print(
            f"{mark} [bold]{c.area}[/] {escape(c.subject)}: {escape(c.detail)}", soft_wrap=True
        )
        if not c.ok and c.where:
            console.print(f"      where: {escape(c.where)}", soft_wrap=True)
    for note in report.notes:
        console.print(f"note: {escape(note)}", soft_wrap=True)
    colour = "green" if report.ok else "red"
    console.print(f"[bold {colour}]{report.verdict()}[/]")


def print_report(report: AuditReport, as_json: bool, **extra: Any) -> None:
    """The checks for people, or the report with ``extra`` as JSON; exit 1 unless all pass."""
    if as_json:
        emit_json({**extra, **report.to_dict()})
    else:
        print_checks(report)
    if not report.ok:
        raise typer.Exit(1)


# -- score ----------------------------------------------------------------------------


@score_app.callback()
def score_cmd(
    ctx: typer.Context,
    department: ScopeOpt = None,
    jurisdiction: JurisdictionOpt = None,
    window_days: WindowDaysOpt = 90,
    spec: SpecOpt = None,
    clauses: Annotated[
        bool, typer.Option("--clauses", help="Each clause's start and first execution (I1).")
    ] = False,
    series: Annotated[
        bool, typer.Option("--series", help="Scores over consecutive windows ending now.")
    ] = False,
    windows: Annotated[int, typer.Option(help="Windows in a --series.")] = 4,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Compute the maturity score (MATURITY.md) at the latest block."""
    if ctx.invoked_subcommand is not None:
        return
    if clauses and series:
        raise typer.BadParameter("--clauses and --series are separate views: choose one")
    with opened(home) as ledger:
        scope = scope_of(ledger, department, jurisdiction)
        ledger.indexer.sync()
        scorer = ledger.scorer
        if clauses:
            view = scorer.clauses(scope=scope, window_days=window_days, spec_version=spec)
        elif series:
            view = scorer.series(
                scope=scope, windows=windows, window_days=window_days, spec_version=spec
            )
        else:
            view = ledger.score(scope=scope, window_days=window_days, spec_version=spec)
    if as_json:
        emit_json(view)
    elif clauses:
        print_clauses(view)
    elif series:
        print_series(view)
    else:
        print_score(view)


@score_app.command("publish")
def score_publish(
    department: ScopeOpt = None,
    jurisdiction: JurisdictionOpt = None,
    window_days: WindowDaysOpt = 90,
    findings: Annotated[
        bool,
        typer.Option(help="Raise a finding for every obligation clause missing its target."),
    ] = True,
    deadline_days: DeadlineDaysOpt = 30,
    spec: SpecOpt = None,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Compute the score at the latest block and anchor it on the ScoreBoard."""

    if deadline_days < 1:
        raise typer.BadParameter("--deadline-days must be at least 1")
    with opened(home) as ledger:
        scope = scope_of(ledger, department, jurisdiction)
        ledger.indexer.sync()  # the score reads the index: bring it to the head first
        pub = publish_ledger_score(ledger, scope=scope, window_days=window_days, spec_version=spec)
        raised = raise_ledger_findings(ledger, pub.score_id, deadline_days) if findings else []
        ledger.indexer.sync()
        final = finalized_block(ledger.handle, ledger.settings.finality_depth)
        provisional = ledger.scoreboard.score_of(pub.score_id).as_of_block > final
    result = pub.result
    data = {
        "score_id": pub.score_id,
        "scope": result["scope"],
        "as_of_block": result["as_of"]["block"],
        "level": result["level"],
        "M": result["M"],
        "spec_hash": result["spec_hash"],
        "evidence_root": result["evidence_root"],
        "result_hash": result["result_hash"],
        "tx": pub.tx.tx_hash,
        "block": pub.tx.block_number,
        "stored": str(pub.path),
        "provisional": provisional,
        "findings": [{"finding_id": f.finding_id, **f.detail} for f in raised],
    }
    if as_json:
        emit_json(data)
        return
    console.print(
        f"published score {pub.score_id} ({result['scope']}, as of block"
        f" {result['as_of']['block']}): {result['level']} {result['level_name']},"
        f" M={result['M']} in block {pub.tx.block_number}"
    )
    console.print(f"result_hash {result['result_hash']}")
    if provisional:
        console.print(
            f"provisional: block {result['as_of']['block']} is not final on this chain yet"
        )
    for f in raised:
        d = f.detail
        state = "raised" if f.tx is not None else "already raised"
        console.print(
            f"finding {f.finding_id} {state}: {d['policy_id']}#{d['clause_id']} wants"
            f" {d['metric']} {d['comparator']} {d['target']}, observed {d['observed']};"
            f" addressed to {d['department_id']}"
        )


@score_app.command("verify")
def score_verify(
    score_id: Annotated[int, typer.Argument(help="The published score's id (from 1).")],
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Recompute a published score from the chain alone and compare its result_hash.

    Exits 1 when it differs, naming the indicator that differs.
    """

    with opened(home) as ledger:
        score = published(ledger.scoreboard, score_id)
        chain = chain_events(ledger.handle, ledger.deployment, score.as_of_block)
        checks = verify_published(ledger.score, ScoreArchive(ledger.home), score, chain)
        final = finalized_block(ledger.handle, ledger.settings.finality_depth)
        view = publication_view(score, final)
    report = AuditReport(checks)
    if view["provisional"]:
        report.notes.append(
            f"block {score.as_of_block} is not final yet on this chain: the score is provisional"
        )
    print_report(report, as_json, score=view)


# -- audit ----------------------------------------------------------------------------


@audit_app.command("verify")
def audit_verify(
    policy: Annotated[
        str | None, typer.Option(help="Check one policy's trail instead of the whole ledger.")
    ] = None,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Check records, the index, the effect log and published scores against the chain.

    Prints every check with pass or fail and, for a failure, what differs and where.
    Exits 0 only when everything passes.
    """

    with opened(home) as ledger, err_console.status("auditing…") as status:
        report = audit(
            AuditSources.of(ledger), policy, lambda stage: status.update(f"auditing: {stage}…")
        )
    print_report(report, as_json)


# -- findings -------------------------------------------------------------------------


@finding_app.command("list")
def finding_list(
    department: Annotated[str | None, typer.Option(help="Only this department's.")] = None,
    policy: Annotated[str | None, typer.Option(help="Only this policy's.")] = None,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List findings with their state on chain."""

    with opened(home) as ledger:
        ledger.indexer.sync()  # findings raised since the index last caught up
        rows = findings_view(ledger.findings, ledger.store, department, policy)
    if as_json:
        emit_json(rows)
        return
    table(
        "Findings",
        ["id", "status", "department", "clause", "metric", "score", "deadline", "was overdue"],
        [
            [
                r["finding_id"],
                r["status"],
                r["department_id"],
                f"{r['policy_id']}#{r['clause_id']}",
                r["metric"],
                r["score_id"],
                format_timestamp(r["deadline"]),
                "yes" if r["was_overdue"] else "",
            ]
            for r in rows
        ],
    )


@finding_app.command("raise")
def finding_raise(
    score_id: Annotated[int, typer.Argument(help="The published score to raise findings from.")],
    deadline_days: DeadlineDaysOpt = 30,
    home: HomeOpt = None,
) -> None:
    """Raise a finding for every obligation clause the score shows missing its target."""

    with opened(home) as ledger:
        ledger.indexer.sync()  # the evidence is read from the index
        raised = raise_ledger_findings(ledger, score_id, deadline_days)
    if not raised:
        console.print(f"score {score_id} shows no obligation missing its target")
    for f in raised:
        state = "raised" if f.tx is not None else "already raised"
        console.print(f"finding {f.finding_id} {state} for {f.detail['department_id']}")


def _read(path: Path, what: str) -> bytes:
    if not path.is_file():
        raise typer.BadParameter(f"no such {what} file: {path}")
    return path.read_bytes()


@finding_app.command("respond")
def finding_respond(
    finding_id: FindingArg,
    department: Annotated[str, typer.Option(help="The department the finding is addressed to.")],
    plan: Annotated[Path, typer.Option(help="The rectification plan (its SHA-256 is anchored).")],
    evidence: Annotated[Path, typer.Option(help="The evidence (its SHA-256 is anchored).")],
    home: HomeOpt = None,
) -> None:
    """Answer a finding with a rectification plan and evidence."""

    plan_bytes, evidence_bytes = _read(plan, "plan"), _read(evidence, "evidence")
    with opened(home) as ledger:
        ref = respond(
            ledger.findings, ledger.signers, finding_id, department, plan_bytes, evidence_bytes
        )
    console.print(f"finding {finding_id}: response recorded in block {ref.block_number}")


@finding_app.command("review")
def finding_review(
    finding_id: FindingArg,
    accept: Annotated[
        bool, typer.Option("--accept/--reject", help="Accept (close) or reject the response.")
    ],
    note: Annotated[
        Path | None, typer.Option(help="The auditor's note (its SHA-256 is anchored).")
    ] = None,
    home: HomeOpt = None,
) -> None:
    """Accept or reject a department's response to a finding."""

    note_bytes = _read(note, "note") if note is not None else b""
    with opened(home) as ledger:
        ref = review(ledger.findings, ledger.signers, finding_id, accept=accept, note=note_bytes)
    verdict = "accepted: the finding is closed" if accept else "rejected: the finding is open"
    console.print(f"finding {finding_id} {verdict} (block {ref.block_number})")


@finding_app.command("overdue")
def finding_overdue(
    finding_id: FindingArg,
    home: HomeOpt = None,
) -> None:
    """Mark an open finding whose deadline has passed as overdue."""

    with opened(home) as ledger:
        ref = mark_overdue(ledger.findings, ledger.signers, finding_id)
    console.print(f"finding {finding_id} marked overdue (block {ref.block_number})")


@audit_app.command("export")
def audit_export(
    policy: Annotated[str, typer.Option(help="The policy whose trail to export.")],
    out: Annotated[Path, typer.Option(help="A new (or empty) directory for the bundle.")],
    max_entries: Annotated[
        int, typer.Option(help="At most this many effect-log entries, each with its proof.")
    ] = 20_000,
    home: HomeOpt = None,
) -> None:
    """Write a self-contained, documented bundle of one policy's trail, with an HTML report."""

    if max_entries < 0:
        raise typer.BadParameter("--max-entries must not be negative")
    with opened(home) as ledger, err_console.status("exporting…") as status:
        manifest = export_bundle(
            AuditSources.of(ledger),
            policy,
            out,
            max_entries=max_entries,
            progress=lambda stage: status.update(f"exporting: {stage}…"),
        )
    console.print(
        f"bundle of {policy} written to {out}: {len(manifest['files'])} files,"
        f" read at block {manifest['as_of_block']}; open {out / 'report.html'}"
    )
    if manifest["effect_entries"]["note"]:
        console.print(f"note: {manifest['effect_entries']['note']}")


@audit_app.command("check-bundle")
def audit_check_bundle(
    directory: Annotated[Path, typer.Argument(help="The bundle's directory.")],
    rpc: Annotated[
        str | None, typer.Option(help="Also check against the chain at this JSON-RPC URL.")
    ] = None,
    chain_dir: Annotated[
        Path | None,
        typer.Option(help="Also check against the embedded chain of this ledger home."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Verify a bundle without the ledger's database: internally, and against a chain if given.

    Exits 0 only when every check passes.
    """

    if rpc and chain_dir:
        raise typer.BadParameter("give --rpc or --chain-dir, not both")
    if not directory.is_dir():
        raise typer.BadParameter(f"no such directory: {directory}")
    if chain_dir is not None and not (chain_dir / "chain").is_dir():
        raise typer.BadParameter(f"{chain_dir} holds no embedded chain")
    handle = None
    if rpc:
        handle = make_web3(Settings(rpc_url=rpc, home=directory))
    elif chain_dir is not None:
        handle = make_web3(Settings(home=chain_dir))
    try:
        report = check_bundle(directory, handle)
    finally:
        if handle is not None:
            handle.close()
    if handle is None:
        report.notes.append(
            "checked for internal consistency only; give --rpc or --chain-dir to check"
            " against the chain"
        )
    print_report(report, as_json)
