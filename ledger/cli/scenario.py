"""``govledger scenario``: play and check scenario files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ledger.cli.common import (
    HomeOpt,
    JsonOpt,
    opened,
)
from ledger.cli.output import console, emit_json, progress_bar
from ledger.cli.render import print_score
from ledger.scenario.plan import build_steps
from ledger.scenario.runner import load_scenario, run_scenario, scenario_digest, scenario_records

scenario_app = typer.Typer(
    help="Scenarios: a city's departments, policies, mechanisms and timeline (YAML).",
    no_args_is_help=True,
)


@scenario_app.command("run")
def scenario_run(
    file: Annotated[
        Path, typer.Argument(help="A scenario YAML file (see ledger/scenarios/README.md).")
    ],
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Play a scenario onto the ledger (resumable), index it and print the maturity."""

    scenario = load_scenario(file)
    with opened(home, create=True) as ledger:
        with progress_bar(f"scenario {scenario.name}") as update:
            report = run_scenario(ledger, scenario, file.parent, scenario_digest(file), update)
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

    scenario = load_scenario(file)
    records = scenario_records(scenario, file.parent)
    steps = build_steps(scenario, 0, records)
    tree = f" in {len(scenario.jurisdictions)} jurisdictions" if scenario.jurisdictions else ""
    console.print(
        f"{file}: scenario {scenario.name!r} is valid: {len(scenario.departments)} departments"
        f"{tree}, {len(records)} policies, {len(steps)} timed steps"
    )
