"""Playing a scenario onto a ledger, resumably.

The runner keeps ``<home>/scenarios/<name>.json``: the scenario's start on the chain's
clock, the digest of the files it played (the scenario and those it includes), how many
steps are done and the step being played. Before the first step, the set-up registers the
departments, sets up the jurisdictions (:mod:`ledger.scenario.tree`), anchors the policies
due at the start and sets the work-order categories, each write sent only when the chain
does not show it yet. Every step is played exactly once, even when the process is killed:

- before a step sends its transaction, the runner records it as *pending* with the
  chain's block number; once the step returns it is recorded as done;
- a run that stopped (crash, kill, Ctrl-C) resumes at the first step not done. When that
  step is the pending one, the runner looks for its transaction in the blocks mined since:
  a successful transaction sent by this ledger to one of its contracts means the step
  took effect, and it is passed over (both chains mine each transaction at once: the
  embedded one, and a JSON-RPC node with automine);
- a step that sends several transactions (``Step.rerun``: anchoring a policy with its
  approvals, the effect log) checks the chain before each and is simply run again;
- a step whose effect is already on chain otherwise reverts with one of its "done" errors
  and is passed over.

Running a finished scenario again changes nothing.
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

from eth_typing import ChecksumAddress
from pydantic import ValidationError

from ledger.core import Ledger
from ledger.errors import ContractRevert
from ledger.knowledge.loader import load_record, parse_model, read_text
from ledger.knowledge.models import PolicyRecord
from ledger.mechanisms.explain import explain
from ledger.mechanisms.fields import build
from ledger.mechanisms.workorders import CategorySet
from ledger.scenario.checks import play_problems
from ledger.scenario.compose import Part, include_problems, merge, own_location
from ledger.scenario.model import Scenario
from ledger.scenario.plan import ScenarioError, anchor_source, build_steps
from ledger.scenario.tree import set_up_tree

Progress = Callable[[int, int], None]
#: Seconds between "now" and the scenario's start, so that the first due times lie ahead.
LEAD = 60


__all__ = [
    "RunReport",
    "ScenarioError",
    "file_digest",
    "load_scenario",
    "run_scenario",
    "scenario_digest",
]


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
    items, agreements, systems, jurisdictions, and the policies and clauses of its own
    records). The scenarios it includes are read and checked first, then merged in."""
    return _load(path, ())[0]


def scenario_digest(path: Path) -> str:
    """What the runner remembers a scenario by: the file's SHA-256, or for a scenario that
    includes others, the SHA-256 over every file's (so changing any of them is noticed)."""
    files = _load(path, ())[1]
    if len(files) == 1:
        return file_digest(path)
    return hashlib.sha256("\n".join(file_digest(f) for f in files).encode()).hexdigest()


def _load(path: Path, within: tuple[Path, ...]) -> tuple[Scenario, list[Path]]:
    """The scenario at ``path`` with its includes merged, and every file it was read from.
    ``within`` are the files including it (an include cycle is refused)."""
    text = read_text(path)
    merged: Scenario | None = None
    files = [path]

    def references(own: Scenario) -> list[tuple[tuple[int | str, ...], str]]:
        nonlocal merged
        parts: list[Part] = []
        here = path.resolve()
        for k, name in enumerate(own.include):
            target = path.parent / name
            if target.resolve() in (here, *within):
                return [(("include", k), f"{name} includes this file again: a cycle")]
            scenario, read = _load(target, (*within, here))
            parts.append(Part(target, scenario))
            files.extend(read)
        merged = merge(own, parts) if parts else own
        try:
            records = scenario_records(merged, path.parent)
        except _InlineRecordError as err:
            return [
                own_location(own, parts, ("policies", err.index, "record", *e["loc"]), e["msg"])
                for e in err.error.errors()
            ]
        clauses = {r.id: {c.id for c in r.clauses} for r in records}
        found = (
            include_problems(own, parts)
            or merged.reference_problems(clauses)
            or play_problems(merged, records)
        )
        return [own_location(own, parts, loc, message) for loc, message in found]

    parse_model(text, Scenario, str(path), what="a scenario", checks=references)
    assert merged is not None  # the checks ran: parsing succeeded
    return merged, files


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
    _setup(ledger, scenario, records, start)
    steps = build_steps(scenario, start, records)
    done = int(state.data.get("done", 0))
    pending = state.data.pop("pending", None)
    played = skipped = 0
    ledger.tx.precheck = False  # a bulk replay: failures are named by replaying them
    try:
        for index, step in enumerate(steps):
            if index < done:
                continue
            if (
                pending is not None
                and pending["step"] == index
                and not step.rerun
                and _landed(ledger, scenario, int(pending["block"]))
            ):
                skipped += 1  # it took effect in the run that stopped
            else:
                _clock_to(ledger, start + step.at)
                state.data["pending"] = {"step": index, "block": ledger.w3.eth.block_number}
                state.save()
                # a step that checks the chain itself dry-runs each call: what is already
                # done reverts before it is sent, and no failed transaction lands
                ledger.tx.precheck = step.rerun
                try:
                    step.run(ledger)
                    played += 1
                except ContractRevert as err:
                    if err.name not in step.done_if:
                        raise ScenarioError(
                            f"scenario {scenario.name!r} step {index + 1} of {len(steps)}"
                            f" ({step.what}, at +{_fmt(step.at)}): {explain(err)}"
                        ) from err
                    skipped += 1
            state.data.pop("pending", None)
            state.data["done"] = index + 1
            state.save()
            if progress is not None:
                progress(index + 1, len(steps))
    finally:
        ledger.tx.precheck = True
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


def _landed(ledger: Ledger, scenario: Scenario, after: int) -> bool:
    """Whether a transaction of this ledger succeeded in a block after ``after``: sent by
    the admin or one of the scenario's departments to one of the ledger's contracts."""
    w3 = ledger.w3
    senders: set[ChecksumAddress] = {ledger.admin.address}
    for dep in scenario.departments:
        if ledger.directory.is_department(dep.id):
            senders.add(ledger.directory.account_of(dep.id))
    contracts = {ref.address for ref in ledger.deployment.contracts.values()}
    for number in range(after + 1, w3.eth.block_number + 1):
        block = w3.eth.get_block(number, full_transactions=True)
        for tx in block["transactions"]:
            assert not isinstance(tx, bytes)  # full transactions were asked for
            if (
                tx["from"] in senders
                and tx.get("to") in contracts
                and w3.eth.get_transaction_receipt(tx["hash"])["status"] == 1
            ):
                return True
    return False


def _setup(ledger: Ledger, scenario: Scenario, records: list[PolicyRecord], start: int) -> None:
    """Departments, roles, jurisdictions (the tree, the departments' places and targets),
    the policies anchored before the start (with leaders' approvals) and work-order
    categories."""
    for dep in scenario.departments:
        ledger.departments.register(dep.id, dep.name, dep.roles)
    set_up_tree(ledger, scenario, start)
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
