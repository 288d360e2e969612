"""``govledger``: the command line of the ledger.

Every command reads its settings from the environment (``GOVLEDGER_HOME``,
``GOVLEDGER_RPC_URL``, ...); ``--home`` overrides the data directory. Listing and
report commands take ``--json`` for machines.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.markup import escape

from ledger.apikeys import ApiKeys
from ledger.cli.audit import audit_app, finding_app, score_app
from ledger.cli.common import HomeOpt, JsonOpt, opened, settings_for
from ledger.cli.effects import effects_app
from ledger.cli.mechanisms import register as register_mechanisms
from ledger.cli.output import console, emit_json, err_console, progress_bar, table
from ledger.errors import LedgerError
from ledger.mechanisms.sharing import parse_permission
from ledger.store import views

app = typer.Typer(
    name="govledger",
    help="A blockchain-backed audit ledger: anchor policies, run mechanisms as contracts,"
    " and score the maturity they produce.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
policy_app = typer.Typer(
    help="Knowledge records: anchor, list and verify policies.", no_args_is_help=True
)
department_app = typer.Typer(help="Departments and their roles.", no_args_is_help=True)
item_app = typer.Typer(help="Data catalog items.", no_args_is_help=True)
agreement_app = typer.Typer(help="Data-sharing agreements and deliveries.", no_args_is_help=True)
apikey_app = typer.Typer(help="API keys, each bound to one department.", no_args_is_help=True)
scenario_app = typer.Typer(
    help="Scenarios: a city's departments, policies, mechanisms and timeline (YAML).",
    no_args_is_help=True,
)
app.add_typer(policy_app, name="policy")
app.add_typer(department_app, name="department")
app.add_typer(item_app, name="item")
app.add_typer(agreement_app, name="agreement")
app.add_typer(apikey_app, name="apikey")
app.add_typer(scenario_app, name="scenario")
app.add_typer(effects_app, name="effects")
app.add_typer(score_app, name="score")
app.add_typer(audit_app, name="audit")
app.add_typer(finding_app, name="finding")
register_mechanisms(app)


T = TypeVar("T")


# -- policies ---------------------------------------------------------------


@policy_app.command("anchor")
def policy_anchor(
    file: Annotated[Path, typer.Argument(help="A knowledge record in YAML.")],
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Canonicalise a record, store it by digest and anchor it on chain."""
    from ledger.knowledge.loader import load_record

    record = load_record(file)
    with opened(home) as ledger:
        result = ledger.anchor_policy(record)
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
    policy_id: Annotated[str, typer.Argument(help="The policy id.")],
    version: Annotated[int, typer.Option(help="The proposed version.")],
    department: Annotated[str, typer.Option(help="The leader's department (LEADER role).")],
    home: HomeOpt = None,
) -> None:
    """Approve a proposed city-level policy version as a leader; two leaders anchor it."""
    with opened(home) as ledger:
        result = ledger.approve_policy(policy_id, version, department)
    if result.status == "anchored":
        console.print(f"{policy_id} v{version} approved by two leaders and anchored")
    else:
        console.print(f"{policy_id} v{version} approved by {department}; one more leader needed")


@policy_app.command("list")
def policy_list(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """List the anchored policies with their versions and state (the index, synced first)."""
    with opened(home) as ledger:
        ledger.indexer.sync()
        rows = ledger.policy_summaries()
    if as_json:
        emit_json(rows)
        return
    table(
        "Policies",
        ["id", "version", "title", "element", "effective", "revoked", "digest"],
        [
            [
                r["id"],
                r["version"],
                r["title"],
                r["element"],
                r["effective"],
                r["revoked"],
                r["digest"],
            ]
            for r in rows
        ],
    )


@policy_app.command("verify")
def policy_verify(
    policy_id: Annotated[str, typer.Argument(help="The policy id.")],
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Recompute the digest of every stored version and compare it with the chain."""
    with opened(home) as ledger:
        checks = ledger.verify_policy(policy_id)
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


# -- departments --------------------------------------------------------------


@department_app.command("add")
def department_add(
    department_id: Annotated[str, typer.Argument(help="Department id, e.g. dcity.bigdata.")],
    name: Annotated[str, typer.Option("--name", help="Display name.")],
    role: Annotated[
        list[str] | None,
        typer.Option("--role", help="Role to grant (ISSUER, LEADER, OPERATOR, ...); repeatable."),
    ] = None,
    home: HomeOpt = None,
) -> None:
    """Create a department's key, register it in the directory and grant roles."""
    with opened(home) as ledger:
        account = ledger.register_department(department_id, name, tuple(role or ()))
    console.print(f"department {department_id} acts as {account}")


@department_app.command("list")
def department_list(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """List the departments in the directory."""
    with opened(home) as ledger:
        rows = ledger.directory.departments()
    if as_json:
        emit_json(rows)
    else:
        table(
            "Departments",
            ["id", "name", "account"],
            [[r["id"], r["name"], r["account"]] for r in rows],
        )


# -- catalog and agreements --------------------------------------------------


@item_app.command("register")
def item_register(
    department_id: Annotated[str, typer.Option("--department", help="The providing department.")],
    item_id: Annotated[str, typer.Argument(help="Catalog item id.")],
    data_type: Annotated[str, typer.Option("--type", help="Data type, e.g. license.")],
    permission: Annotated[
        str, typer.Option(help="open, conditional or restricted.")
    ] = "conditional",
    disclosure: Annotated[str, typer.Option(help="Disclosure method.")] = "on-request",
    home: HomeOpt = None,
) -> None:
    """Register a catalog item provided by a department."""
    perm = _parse(parse_permission, permission)
    with opened(home) as ledger:
        ref = ledger.register_item(department_id, item_id, data_type, perm, disclosure)
    console.print(f"registered item {item_id} in block {ref.block_number}")


@item_app.command("list")
def item_list(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """List catalog items (from the index)."""
    with opened(home) as ledger:
        ledger.indexer.sync()
        rows = views.catalog(ledger.store)
    if as_json:
        emit_json(rows)
    else:
        table(
            "Catalog",
            ["item", "provider", "type", "permission", "disclosure"],
            [
                [r["itemId"], r["providerId"], r["dataType"], r["permission"], r["disclosure"]]
                for r in rows
            ],
        )


@agreement_app.command("commit")
def agreement_commit(
    department_id: Annotated[str, typer.Option("--department", help="The providing department.")],
    agreement_id: Annotated[str, typer.Argument(help="Agreement id.")],
    item: Annotated[str, typer.Option(help="Catalog item id.")],
    consumer: Annotated[str, typer.Option(help="Consuming department id.")],
    policy: Annotated[str, typer.Option(help="Policy id the agreement executes.")],
    clause: Annotated[str, typer.Option(help="Clause id the agreement executes.")],
    first_due_in: Annotated[
        int, typer.Option(help="Seconds from now to the first due time.")
    ] = 86400,
    period: Annotated[int, typer.Option(help="Seconds between deliveries.")] = 7 * 86400,
    periods: Annotated[int, typer.Option(help="Number of deliveries.")] = 12,
    calls_per_period: Annotated[int, typer.Option(help="Expected API calls a period.")] = 0,
    permission: Annotated[str, typer.Option(help="Permission granted.")] = "conditional",
    home: HomeOpt = None,
) -> None:
    """Commit a data-sharing agreement under a policy clause in force."""
    perm = _parse(parse_permission, permission)
    with opened(home) as ledger:
        ref = ledger.commit_agreement(
            department_id,
            agreement_id=agreement_id,
            item_id=item,
            consumer_id=consumer,
            policy_id=policy,
            clause_id=clause,
            permission=perm,
            first_due_at=ledger.clock.now() + first_due_in,
            period=period,
            periods=periods,
            calls_per_period=calls_per_period,
        )
    console.print(f"committed agreement {agreement_id} in block {ref.block_number}")


@agreement_app.command("deliver")
def agreement_deliver(
    department_id: Annotated[str, typer.Option("--department", help="The providing department.")],
    agreement_id: Annotated[str, typer.Argument(help="Agreement id.")],
    period: Annotated[int, typer.Option(help="Period index, from 0.")],
    records: Annotated[int, typer.Option(help="Number of records delivered.")],
    payload: Annotated[
        Path | None, typer.Option(help="File delivered; only its SHA-256 goes on chain.")
    ] = None,
    home: HomeOpt = None,
) -> None:
    """Record the delivery of one period."""
    data = payload.read_bytes() if payload is not None else None
    with opened(home) as ledger:
        ref = ledger.record_delivery(department_id, agreement_id, period, records, data)
    console.print(f"recorded delivery {agreement_id}#{period} in block {ref.block_number}")


@agreement_app.command("miss")
def agreement_miss(
    agreement_id: Annotated[str, typer.Argument(help="Agreement id.")],
    period: Annotated[int, typer.Option(help="Period index, from 0.")],
    home: HomeOpt = None,
) -> None:
    """Mark an overdue delivery missed (anyone may)."""
    with opened(home) as ledger:
        ref = ledger.mark_missed(agreement_id, period)
    console.print(f"marked {agreement_id}#{period} missed in block {ref.block_number}")


@agreement_app.command("list")
def agreement_list(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """List agreements with their delivery record (from the index)."""
    with opened(home) as ledger:
        ledger.indexer.sync()
        rows = views.agreements(ledger.store)
    if as_json:
        emit_json(rows)
    else:
        table(
            "Agreements",
            [
                "agreement",
                "provider",
                "consumer",
                "item",
                "clause",
                "periods",
                "on time",
                "late",
                "missed",
                "revoked",
            ],
            [
                [
                    r["agreementId"],
                    r["providerId"],
                    r["consumerId"],
                    r["itemId"],
                    f"{r['policyId']}#{r['clauseId']}",
                    r["periods"],
                    r["onTime"],
                    r["late"],
                    r["missed"],
                    r["revoked"],
                ]
                for r in rows
            ],
        )


# -- index, events, score -------------------------------------------------------


@app.command("index")
def index_cmd(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Follow the chain and store the ledger's events (idempotent, resumable)."""
    with opened(home) as ledger, progress_bar("indexing blocks") as update:
        report = ledger.indexer.sync(progress=update)
    data = {
        "from": report.from_block,
        "to": report.to_block,
        "added": report.added,
        "rolledBack": report.rolled_back,
    }
    if as_json:
        emit_json(data)
    else:
        console.print(
            f"indexed blocks {report.from_block}..{report.to_block}: {report.added} new events"
            + (f", {report.rolled_back} rolled back after a reorg" if report.rolled_back else "")
        )


@app.command("events")
def events_cmd(
    policy: Annotated[str | None, typer.Option(help="Only events citing this policy.")] = None,
    department: Annotated[str | None, typer.Option(help="Only this department's events.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 50,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List indexed events, oldest first."""
    with opened(home) as ledger:
        ledger.indexer.sync()
        records = ledger.store.events(policy_id=policy, department_id=department, limit=limit)
    if as_json:
        emit_json([r.__dict__ for r in records])
    else:
        table(
            "Events",
            ["block", "tx", "log", "contract", "event", "policy", "department"],
            [
                [
                    r.block_number,
                    r.tx_hash[:12] + "…",
                    r.log_index,
                    r.contract,
                    r.event,
                    r.args.get("policyId"),
                    r.args.get("providerId") or r.args.get("departmentId"),
                ]
                for r in records
            ],
        )


# -- API keys and server ------------------------------------------------------


@apikey_app.command("create")
def apikey_create(
    department_id: Annotated[str, typer.Argument(help="The department the key acts for.")],
    label: Annotated[str, typer.Option(help="A note to recognise the key by.")] = "",
    home: HomeOpt = None,
) -> None:
    """Create an API key for a department. The key is shown once; store it safely."""
    key, info = _parse(
        lambda d: ApiKeys(settings_for(home).resolved_home()).create(d, label), department_id
    )
    err_console.print(f"API key {info.key_id} for {info.department_id} (shown once):")
    sys.stdout.write(key + "\n")


@apikey_app.command("list")
def apikey_list(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """List API keys (ids and departments, never the keys)."""
    keys = ApiKeys(settings_for(home).resolved_home()).list()
    if as_json:
        emit_json([k.__dict__ for k in keys])
    else:
        table(
            "API keys",
            ["id", "department", "label", "created"],
            [[k.key_id, k.department_id, k.label, k.created_at] for k in keys],
        )


@apikey_app.command("revoke")
def apikey_revoke(
    key_id: Annotated[str, typer.Argument(help="The key id.")], home: HomeOpt = None
) -> None:
    """Revoke an API key."""
    info = ApiKeys(settings_for(home).resolved_home()).revoke(key_id)
    console.print(f"revoked API key {info.key_id} of {info.department_id}")


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    home: HomeOpt = None,
) -> None:
    """Serve the HTTP API and the dashboard (OpenAPI at /docs)."""
    import os

    import uvicorn

    if home is not None:
        os.environ["GOVLEDGER_HOME"] = str(home)
    uvicorn.run("api.main:create_app", factory=True, host=host, port=port, log_level="info")


@scenario_app.command("run")
def scenario_run(
    file: Annotated[
        Path, typer.Argument(help="A scenario YAML file (see ledger/scenarios/README.md).")
    ],
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Play a scenario onto the ledger (resumable), index it and print the maturity."""
    from ledger.cli.render import print_score
    from ledger.scenario.runner import file_digest, load_scenario, run_scenario

    scenario = load_scenario(file)
    with opened(home) as ledger:
        with progress_bar(f"scenario {scenario.name}") as update:
            report = run_scenario(ledger, scenario, file.parent, file_digest(file), update)
        result = ledger.score()
    if as_json:
        emit_json({"scenario": report.__dict__, "score": result})
        return
    console.print(
        f"scenario {report.name}: {report.steps} steps ({report.played} played now,"
        f" {report.skipped} found done), {report.transactions} new blocks,"
        f" {report.indexed_events} events indexed"
    )
    print_score(result)


@scenario_app.command("check")
def scenario_check(
    file: Annotated[Path, typer.Argument(help="A scenario YAML file.")],
) -> None:
    """Validate a scenario file without touching any ledger."""
    from ledger.scenario.plan import build_steps
    from ledger.scenario.runner import load_scenario, scenario_records

    scenario = load_scenario(file)
    records = scenario_records(scenario, file.parent)
    steps = build_steps(scenario, 0, records)
    console.print(
        f"{file}: scenario {scenario.name!r} is valid: {len(scenario.departments)} departments,"
        f" {len(records)} policies, {len(steps)} timed steps"
    )


DEMO_CASES = {"dcity": "dcity.yaml", "sharing": "dcity-sharing.yaml"}


@app.command("demo")
def demo(
    case: Annotated[
        str,
        typer.Option(
            help="dcity: a year of the D-city case (every mechanism, about two minutes);"
            " sharing: eight weeks of its data sharing (seconds)."
        ),
    ] = "dcity",
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Play the D-city case from the paper onto the ledger and print its maturity."""
    from importlib import resources

    from ledger.audit.findings import finding_dir, findings_view, raise_findings
    from ledger.audit.scores import ScoreArchive, publish_score
    from ledger.cli.render import print_score
    from ledger.maturity.service import gather_evidence
    from ledger.scenario.runner import file_digest, load_scenario, run_scenario

    if case not in DEMO_CASES:
        raise typer.BadParameter(f"unknown case {case!r}; use one of {', '.join(DEMO_CASES)}")
    with resources.as_file(resources.files("ledger.scenarios")) as folder:
        file = Path(folder) / DEMO_CASES[case]
        scenario = load_scenario(file)
        with opened(home) as ledger:
            with progress_bar(f"D-city demo ({case})") as update:
                report = run_scenario(ledger, scenario, file.parent, file_digest(file), update)
            # Publish once per new state: anchor the score and raise findings for every
            # obligation that missed its target, so an auditor can take it from here.
            archive = ScoreArchive(ledger.home)
            ledger.indexer.sync()
            if report.transactions or ledger.scoreboard.count() == 0:
                pub = publish_score(ledger.score, ledger.scoreboard, ledger.signers, archive)
                raise_findings(
                    partial(gather_evidence, ledger),
                    ledger.scoreboard,
                    ledger.findings,
                    ledger.signers,
                    ledger.clock,
                    finding_dir(ledger.home),
                    pub.score_id,
                )
                ledger.indexer.sync()
            score_id = ledger.scoreboard.count()
            published = ledger.scoreboard.score_of(score_id)
            result = archive.get(published.result_hash)
            findings = findings_view(ledger.findings, ledger.store)
            kind, where = ledger.handle.kind, ledger.home
    if as_json:
        emit_json(
            {
                "demo": report.__dict__ | {"chain": kind},
                "score_id": score_id,
                "score": result,
                "findings": findings,
            }
        )
        return
    console.print(
        f"D-city demo ({case}) on {where} ({kind} chain): {report.steps} steps,"
        f" {report.transactions} new blocks, {report.indexed_events} events indexed"
    )
    print_score(result)
    console.print(f"published on chain as score {score_id}")
    for f in findings:
        console.print(
            f"finding {f['finding_id']} ({f['status']}): {f['policy_id']}#{f['clause_id']}"
            f" missed its {f['metric']} target; addressed to {f['department_id']}"
        )
    console.print(
        "next: `govledger audit verify` checks everything against the chain;"
        f" `govledger score verify {score_id}` recomputes the score;"
        " `govledger audit export --policy ID --out DIR` writes an offline bundle",
        soft_wrap=True,
    )


def _parse(fn: Callable[[Any], T], value: Any) -> T:
    try:
        return fn(value)
    except ValueError as err:
        raise typer.BadParameter(str(err)) from err


def main() -> None:
    """Entry point: run the app and turn ledger errors into one clear line."""
    try:
        app()
    except LedgerError as err:
        err_console.print("[red]error:[/]", escape(str(err)), soft_wrap=True)
        sys.exit(1)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
    except Exception as err:  # a bug: say so plainly; the traceback on request
        if os.environ.get("GOVLEDGER_DEBUG"):
            raise
        err_console.print(
            "[red]internal error:[/]",
            escape(f"{type(err).__name__}: {err}"),
            "\nThis is a bug in govledger. Run again with GOVLEDGER_DEBUG=1 for the traceback.",
            soft_wrap=True,
        )
        sys.exit(70)


if __name__ == "__main__":
    main()
