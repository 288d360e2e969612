"""``govledger demo``: play a packaged case from the paper and publish its score.

``dcity`` (the default) is D city's year; ``sharing`` eight weeks of its data sharing;
``province`` the L-province case, D city inside the province's tree with two other cities,
after which the demo prints the tree against its staged targets and the roadmap of the
city furthest behind its path.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import typer

from ledger.audit.findings import findings_view, raise_ledger_findings
from ledger.audit.scores import ScoreArchive, publish_ledger_score
from ledger.cli.common import HomeOpt, JsonOpt, opened
from ledger.cli.output import console, emit_json, progress_bar
from ledger.cli.progress import print_progress, print_roadmap
from ledger.cli.render import print_clauses, print_score, print_series
from ledger.core import Ledger
from ledger.scenario.runner import RunReport, load_scenario, run_scenario, scenario_digest

DEMO_CASES = {"dcity": "dcity.yaml", "sharing": "dcity-sharing.yaml", "province": "province.yaml"}


def demo(
    case: Annotated[
        str,
        typer.Option(
            help="dcity: a year of the D-city case (every mechanism, about two minutes);"
            " sharing: eight weeks of its data sharing (seconds); province: the L-province"
            " case, D city's year down to its grids and two other cities (a few minutes),"
            " then the tree against its targets and the lagging city's roadmap."
        ),
    ] = "dcity",
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Play a case from the paper onto the ledger and print its maturity."""
    if case not in DEMO_CASES:
        raise typer.BadParameter(f"unknown case {case!r}; use one of {', '.join(DEMO_CASES)}")
    with resources.as_file(resources.files("ledger.scenarios")) as folder:
        file = Path(folder) / DEMO_CASES[case]
        scenario = load_scenario(file)
        label = "L-province demo" if case == "province" else f"D-city demo ({case})"
        with opened(home, create=True) as ledger:
            with progress_bar(label) as update:
                report = run_scenario(ledger, scenario, file.parent, scenario_digest(file), update)
            score_id, result, findings = _publish(ledger, report)
            if case == "province":
                tree = ledger.scorer.progress()
                lagging = lagging_city(tree)
                plan = None if lagging is None else ledger.scorer.roadmap(jurisdiction=lagging)
            else:
                # The paper's claim, made visible: the score over the year's four quarters
                # (the cycle shortening, the level rising) and each clause's cycle.
                as_of = ledger.scoreboard.score_of(score_id).as_of_block
                series = ledger.scorer.series(as_of_block=as_of)
                cycle = ledger.scorer.clauses(as_of_block=as_of)
            kind, where = ledger.handle.kind, ledger.home
    head = report.__dict__ | {"chain": kind}
    if case == "province":
        if as_json:
            emit_json(
                {"demo": head, "score_id": score_id, "findings": findings}
                | {"progress": tree, "roadmap": plan}
            )
            return
        _summary(label, where, kind, report)
        print_progress(tree)
        if plan is not None:
            print_roadmap(plan)
        node = lagging or "ID"
        _published(
            score_id,
            findings,
            "; `govledger progress` prints the tree again;"
            f" `govledger roadmap --jurisdiction {node}` and"
            f" `govledger score --jurisdiction {node}` look at one node;"
            f" `govledger jurisdiction show {node}` lists its departments and milestones",
        )
        return
    if as_json:
        emit_json(
            {"demo": head, "score_id": score_id, "score": result, "findings": findings}
            | {"series": series, "clauses": cycle}
        )
        return
    _summary(label, where, kind, report)
    print_score(result)
    print_series(series)
    print_clauses(cycle)
    _published(score_id, findings)


def _publish(ledger: Ledger, report: RunReport) -> tuple[int, dict[str, Any], list[dict[str, Any]]]:
    """Publish once per new state: anchor the score and raise findings for every
    obligation that missed its target, so an auditor can take it from here."""
    archive = ScoreArchive(ledger.home)
    ledger.indexer.sync()
    if report.transactions or ledger.scoreboard.count() == 0:
        pub = publish_ledger_score(ledger)
        raise_ledger_findings(ledger, pub.score_id)
        ledger.indexer.sync()
    score_id = ledger.scoreboard.count()
    result = archive.get(ledger.scoreboard.score_of(score_id).result_hash)
    return score_id, result, findings_view(ledger.findings, ledger.store)


def lagging_city(tree: dict[str, Any]) -> str | None:
    """The node the demo draws the roadmap of: of the rated nodes behind their path, the
    one with the largest gap among the shallowest (the cities, below a province)."""
    behind = [n for n in tree["nodes"] if n["status"] == "behind" and n["gap"] is not None]
    pool = [n for n in behind if n["depth"] > 0] or behind
    if not pool:
        return None
    depth = min(n["depth"] for n in pool)
    return str(max((n for n in pool if n["depth"] == depth), key=lambda n: n["gap"])["id"])


def _summary(label: str, where: Path, kind: str, report: RunReport) -> None:
    console.print(
        f"{label} on {where} ({kind} chain): {report.steps} steps,"
        f" {report.transactions} new blocks, {report.indexed_events} events indexed"
    )


def _published(score_id: int, findings: list[dict[str, Any]], more: str = "") -> None:
    console.print(f"published on chain as score {score_id}")
    for f in findings:
        console.print(
            f"finding {f['finding_id']} ({f['status']}): {f['policy_id']}#{f['clause_id']}"
            f" missed its {f['metric']} target; addressed to {f['department_id']}"
        )
    console.print(
        "next: `govledger audit verify` checks everything against the chain;"
        f" `govledger score verify {score_id}` recomputes the score;"
        " `govledger audit export --policy ID --out DIR` writes an offline bundle" + more,
        soft_wrap=True,
    )
