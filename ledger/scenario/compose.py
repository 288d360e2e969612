"""Scenarios that include others (``include: [dcity.yaml]``).

An included file is a whole scenario, checked on its own first (its errors name its own
file and line). The including scenario then adds its own entries after the included ones,
section by section, and the result is checked as one: references may cross files (a
jurisdiction placing an included department, a stream handled by it). A problem found in
the including file names its own line; one that lies in an included file is reported at
the ``include`` entry that brought it in, naming the file and the field.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ledger.knowledge.loader import loc_path
from ledger.scenario.model import PolicySource, Scenario

Loc = tuple[int | str, ...]

#: The sections that concatenate: the included scenarios' entries, then the own ones.
LIST_SECTIONS = (
    "departments",
    "jurisdictions",
    "policies",
    "catalog",
    "agreements",
    "categories",
    "systems",
    "drills",
    "attestations",
    "work_orders",
    "work_order_streams",
    "timeline",
)


@dataclass(frozen=True)
class Part:
    """An included scenario (its own includes already merged) and the file it came from."""

    file: Path
    scenario: Scenario


def merge(own: Scenario, parts: Sequence[Part]) -> Scenario:
    """``own`` with the parts' entries before its own. The parts' policy files are made
    absolute (they are relative to their own file); ``end`` is the own one, else the
    latest of the parts'; ``effects`` the own one, else the first part's."""
    update: dict[str, object] = {"include": ()}
    for name in LIST_SECTIONS:
        items: list[object] = []
        for part in parts:
            entries = getattr(part.scenario, name)
            if name == "policies":
                entries = [_anchored_at(source, part.file.parent) for source in entries]
            items.extend(entries)
        items.extend(getattr(own, name))
        update[name] = tuple(items)
    if own.end is None:
        ends = [p.scenario.end for p in parts if p.scenario.end is not None]
        update["end"] = max(ends) if ends else None
    if own.effects is None:
        update["effects"] = next(
            (p.scenario.effects for p in parts if p.scenario.effects is not None), None
        )
    return own.model_copy(update=update)


def _anchored_at(source: PolicySource, base: Path) -> PolicySource:
    if source.file is None:
        return source
    return source.model_copy(update={"file": str((base / source.file).resolve())})


def include_problems(own: Scenario, parts: Sequence[Part]) -> list[tuple[Loc, str]]:
    """What only the composition gets wrong: two effect-log traffics."""
    found: list[tuple[Loc, str]] = []
    with_effects = [k for k, p in enumerate(parts) if p.scenario.effects is not None]
    if own.effects is not None and with_effects:
        found.append(
            (
                ("effects",),
                f"{parts[with_effects[0]].file.name} has effect traffic already:"
                " a scenario has one 'effects'",
            )
        )
    for k in with_effects[1:]:
        found.append(
            (
                ("include", k),
                f"{parts[k].file.name} and {parts[with_effects[0]].file.name} both have"
                " effect traffic: a scenario has one 'effects'",
            )
        )
    return found


def own_location(own: Scenario, parts: Sequence[Part], loc: Loc, message: str) -> tuple[Loc, str]:
    """Where a problem found in the merged scenario lies in the including file: its own
    entry, or the ``include`` entry of the part the entry came from (the message then
    names that file and field)."""
    if loc[:1] == ("effects",) and own.effects is None:
        for k, part in enumerate(parts):
            if part.scenario.effects is not None:
                return ("include", k), f"in {part.file.name}, {loc_path(loc)}: {message}"
    if len(loc) < 2 or loc[0] not in LIST_SECTIONS or not isinstance(loc[1], int):
        return loc, message
    section, index, rest = str(loc[0]), loc[1], loc[2:]
    for k, part in enumerate(parts):
        count = len(getattr(part.scenario, section))
        if index < count:
            where = loc_path((section, index, *rest))
            return ("include", k), f"in {part.file.name}, {where}: {message}"
        index -= count
    return (section, index, *rest), message
