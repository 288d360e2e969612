#!/usr/bin/env python3
"""Time the progress of a whole province tree: every node scored, from one read.

    python scripts/bench_progress.py                  # builds the D-city year (~1.5 min) first
    python scripts/bench_progress.py --home DIR       # reuse a ledger `govledger demo` built
    python scripts/bench_progress.py --home DIR --as-is   # the home's own jurisdiction tree

Without ``--as-is`` the benchmark synthesises a province on top of a D-city ledger: the
year's events are replicated for ``--cities`` cities (every department, policy,
agreement, item, order, drill plan and system id prefixed with the city, so each city
carries a D-city year of its own, on the same blocks), and a tree is laid over them:
province -> cities -> ``--districts`` districts -> ``--streets`` streets ->
``--communities`` communities -> ``--grids`` grids, each city's departments placed round
the grids and districts of its city. The scorer then reads these events in place of the
index (the blocks, records and effect log are the home's). ``Scorer.progress`` scores
every node, with its previous window for the trend arrow and its path, from one read.
Each figure is the best of ``--repeat`` runs after a warm-up.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_series import best_of, build  # noqa: E402  (scripts/, beside this file)

from ledger.core import Ledger  # noqa: E402
from ledger.knowledge.models import PolicyRecord  # noqa: E402
from ledger.maturity.service import Scorer  # noqa: E402
from ledger.settings import Settings  # noqa: E402
from ledger.store.records import EventRecord  # noqa: E402

#: Arguments that name a department or a thing a department owns: renamed per city.
RENAMED = (
    "providerId",
    "consumerId",
    "ownerId",
    "handlerId",
    "previousHandlerId",
    "departmentId",
    "agreementId",
    "itemId",
    "orderId",
    "planId",
    "systemId",
    "policyId",
)
ZERO = "0x" + "00" * 32


def city_copy(events: Sequence[EventRecord], city: str, index: int) -> list[EventRecord]:
    """The events with every owned id prefixed by ``city``, on the same blocks."""
    out = []
    for e in events:
        args = {
            k: f"{city}/{v}" if k in RENAMED and isinstance(v, str) and v else v
            for k, v in e.args.items()
        }
        out.append(replace(e, args=args, log_index=e.log_index + 100_000 * index))
    return out


def tree_event(event: str, log_index: int, **args: object) -> EventRecord:
    return EventRecord(
        0, "0x" + "00" * 32, 0, "0x" + "00" * 32, log_index, "Directory", event, args
    )


def province(
    departments: Sequence[str], cities: int, shape: Sequence[int]
) -> tuple[list[EventRecord], int]:
    """The tree's events (at block 0, before everything) and its number of nodes."""
    out: list[EventRecord] = []

    def create(node: str, parent: str | None, tier: int) -> None:
        out.append(
            tree_event(
                "JurisdictionCreated",
                len(out),
                jurisdictionId=node,
                parentId=parent or ZERO,
                tier=tier,
                name=node,
            )
        )

    create("L", None, 1)
    for c in range(cities):
        city = f"c{c}"
        create(city, "L", 2)
        level = [city]
        for tier, width in enumerate(shape, start=3):
            below = []
            for parent in level:
                for k in range(width):
                    node = f"{parent}.{k}"
                    create(node, parent, tier)
                    below.append(node)
            level = below
        grids = level
        for i, dept in enumerate(departments):
            # half the departments in grids, the rest in the city's districts
            where = grids[i % len(grids)] if i % 2 else f"{city}.{i % shape[0]}"
            out.append(
                tree_event(
                    "DepartmentPlaced",
                    len(out),
                    departmentId=f"{city}/{dept}",
                    fromJurisdictionId=ZERO,
                    toJurisdictionId=where,
                )
            )
    nodes = sum(1 for e in out if e.event == "JurisdictionCreated")
    return out, nodes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="an existing D-city ledger home")
    parser.add_argument("--as-is", action="store_true", help="the home's own tree")
    parser.add_argument("--cities", type=int, default=3)
    parser.add_argument("--districts", type=int, default=3)
    parser.add_argument("--streets", type=int, default=2)
    parser.add_argument("--communities", type=int, default=2)
    parser.add_argument("--grids", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2, help="runs per figure (best kept)")
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="bench-progress-")) / "home"
    if args.home is None:
        build(home)
    with Ledger.open(Settings(home=home)) as ledger:
        real = ledger.scorer
        head = real.blocks.head()
        if args.as_is:
            scorer = real
            print(f"ledger: {head} blocks, {len(real.events(head))} events, its own tree")
        else:
            events = list(real.events(head))
            departments = sorted(
                {str(e.args["departmentId"]) for e in events if e.event == "DepartmentRegistered"}
            )
            shape = (args.districts, args.streets, args.communities, args.grids)
            tree, nodes = province(departments, args.cities, shape)
            copies = [e for c in range(args.cities) for e in city_copy(events, f"c{c}", c)]
            chain = tree + sorted(copies, key=lambda e: (e.block_number, e.log_index))

            def records(policy: str, version: int, digest: str) -> PolicyRecord | None:
                city, _, original = policy.partition("/")
                found = real.records(original, version, digest)
                if found is None:
                    return None
                return found.model_copy(update={"issuer": f"{city}/{found.issuer}"})

            scorer = Scorer(
                events=lambda to_block: [e for e in chain if e.block_number <= to_block],
                blocks=real.blocks,
                records=records,
                effects=real.effects,
                chain_id=real.chain_id,
            )
            print(
                f"province: {args.cities} cities x {' x '.join(map(str, shape))}"
                f" = {nodes} jurisdictions, {len(departments) * args.cities} departments,"
                f" {len(chain)} events over {head} blocks"
            )
        one = best_of(args.repeat, lambda: scorer.score())
        whole = best_of(args.repeat, lambda: scorer.progress())
        view = scorer.progress()
        print(f"one score of the whole ledger             {one:8.3f} s")
        print(f"progress of all {len(view['nodes'])} nodes (2 windows each) {whole:8.3f} s")
        print(f"per node                                  {whole / len(view['nodes']):8.3f} s")
        behind = sum(1 for n in view["nodes"] if not n["on_track"])
        print(f"nodes behind their path: {behind} of {len(view['nodes'])}")


if __name__ == "__main__":
    main()
