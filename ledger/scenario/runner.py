"""Playing a scenario onto a ledger, resumably.

The runner keeps ``<home>/scenarios/<name>.json``: the scenario's start on the chain's
clock, the digest of the file it played, and how many steps are done. A run that stops
(crash, Ctrl-C) resumes at the first step not done; a step already on chain reverts with
one of its "done" errors and is passed over. Running a finished scenario again changes
nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ledger.core import Ledger
from ledger.errors import ContractRevert
from ledger.knowledge.loader import load_record, parse_model, read_text
from ledger.knowledge.models import PolicyRecord
from ledger.mechanisms.fields import build
from ledger.mechanisms.workorders import CategorySet
from ledger.scenario.checks import play_problems
from ledger.scenario.model import Scenario
from ledger.scenario.plan import ScenarioError, anchor_source, build_steps

Progress = Callable[[int, int], None]
#: Seconds between "now" and the scenario's start, so that the first due times lie ahead.
LEAD = 60


__all__ = ["RunReport", "ScenarioError", "file_digest", "load_scenario", "run_scenario"]


@dataclass
class RunReport:
    name: str
    start: int
    steps: int
    played: int
    skipped: int
    transactions: int
    indexed_events: int


def load_scenario(path: Path) -> Scenario:
    """Read and check a scenario: its fields, then every reference it makes (departments,
    items, agreements, systems, and the policies and clauses of its own records)."""
    text = read_text(path)

    def references(scenario: Scenario) -> list[tuple[tuple[int | str, ...], str]]:
        try:
            records = scenario_records(scenario, path.parent)
        except _InlineRecordError as err:
            return [
                (("policies", err.index, "record", *e["loc"]), e["msg"]) for e in err.error.errors()
            ]
        clauses = {r.id: {c.id for c in r.clauses} for r in records}
        return scenario.reference_problems(clauses) or play_problems(scenario, records)

    return parse_model(text, Scenario, str(path), what="a scenario", checks=references)


class _InlineRecordError(Exception):
    def __init__(self, index: int, error: ValidationError) -> None:
        super().__init__(str(error))
        self.index, self.error = index, error


def scenario_records(scenario: Scenario, base: Path, start: int = 0) -> list[PolicyRecord]:
    """The scenario's knowledge records, one per entry of ``policies``.

    A source with ``effective`` (an offset) puts its record in force at ``start`` (the
    scenario's start on the chain's clock) plus that offset.
    """
    records = []
    for index, source in enumerate(scenario.policies):
        effective = (
            None
            if source.effective is None
            else datetime.fromtimestamp(start + source.effective, UTC)
        )
        if source.file is not None:
            record = load_record(base / source.file)
            if effective is not None:
                record = record.model_copy(update={"effective": effective})
        else:
            data = dict(source.record or {})
            if effective is not None:
                data["effective"] = effective
            try:
                record = PolicyRecord.model_validate(data)
            except ValidationError as err:
                raise _InlineRecordError(index, err) from err
        records.append(record)
    return records


class _State:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict[str, Any] = json.loads(path.read_text()) if path.is_file() else {}

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, indent=2, sort_keys=True))
        os.replace(tmp, self.path)


def run_scenario(
    ledger: Ledger,
    scenario: Scenario,
    base: Path,
    digest: str,
    progress: Progress | None = None,
) -> RunReport:
    """Play ``scenario`` (read from a file whose SHA-256 is ``digest``) onto ``ledger``."""
    state = _State(ledger.home / "scenarios" / f"{scenario.name}.json")
    if state.data.get("digest") not in (None, digest):
        raise ScenarioError(
            f"this ledger already played another version of scenario {scenario.name!r};"
            " give the changed scenario a new name, or use a fresh GOVLEDGER_HOME"
        )
    before = ledger.w3.eth.block_number
    if "start" not in state.data:
        state.data.update(start=ledger.clock.now() + LEAD, digest=digest, done=0)
        state.save()
    start = int(state.data["start"])
    records = scenario_records(scenario, base, start)
    _setup(ledger, scenario, records)
    steps = build_steps(scenario, start, records)
    done = int(state.data.get("done", 0))
    played = skipped = 0
    ledger.tx.precheck = False  # a bulk replay: failures are named by replaying them
    try:
        for index, step in enumerate(steps):
            if index < done:
                continue
            _clock_to(ledger, start + step.at)
            try:
                step.run(ledger)
                played += 1
            except ContractRevert as err:
                if err.name not in step.done_if:
                    raise ScenarioError(
                        f"scenario {scenario.name!r} step {index + 1} of {len(steps)}"
                        f" ({step.what}, at +{_fmt(step.at)}): {err}"
                    ) from err
                skipped += 1
            state.data["done"] = index + 1
            if index % 20 == 0 or index + 1 == len(steps):
                state.save()
            if progress is not None:
                progress(index + 1, len(steps))
    finally:
        ledger.tx.precheck = True
        state.save()
    if scenario.end is not None:
        _clock_to(ledger, start + scenario.end, mine=True)
    report = ledger.indexer.sync()
    del report
    return RunReport(
        name=scenario.name,
        start=start,
        steps=len(steps),
        played=played,
        skipped=skipped,
        transactions=ledger.w3.eth.block_number - before,
        indexed_events=ledger.store.count(),
    )


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _setup(ledger: Ledger, scenario: Scenario, records: list[PolicyRecord]) -> None:
    """Departments, roles, the policies anchored before the start (with leaders' approvals)
    and work-order categories."""
    for dep in scenario.departments:
        ledger.departments.register(dep.id, dep.name, dep.roles)
    for source, record in zip(scenario.policies, records, strict=True):
        if source.at == 0:
            anchor_source(ledger, source, record)
    for category in scenario.categories:
        try:
            if ledger.orders.sla_of(category.id) == category.sla:
                continue
        except ContractRevert:
            pass
        ledger.orders.set_category(
            build(CategorySet, category=category.id, sla_seconds=category.sla)
        )


def _clock_to(ledger: Ledger, target: int, mine: bool = False) -> None:
    """Let the next block be at ``target`` when that is ahead of the chain's clock."""
    if ledger.clock.now() >= target:
        return
    if mine:
        ledger.clock.advance_time(target - ledger.clock.now())
    else:
        ledger.clock.set_next_block_time(target)


def _fmt(seconds: int) -> str:
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3600)
    return f"{days}d{hours:02d}h{rest // 60:02d}m"
