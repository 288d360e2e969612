"""``govledger progress`` and ``govledger roadmap``: the jurisdiction tree against its
staged targets, and what to raise first where a node is behind (MATURITY.md
"Trajectory", "Roadmap")."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from ledger.cli.common import HomeOpt, JsonOpt, opened
from ledger.cli.output import console, emit_json, table
from ledger.maturity.service import ScoreQuery, Scorer

WindowDaysOpt = Annotated[
    int | None, typer.Option(help="Window length in days (default: the spec's, 90).")
]
SpecOpt = Annotated[int | None, typer.Option("--spec", help="Spec version (default: the latest).")]
AsOfOpt = Annotated[int | None, typer.Option(help="The block to judge at (default: the head).")]


def _num(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return f"{float(value):.3f}"


def _gap(value: Any) -> str:
    return "—" if value is None else f"{float(value):+.3f}"


def print_progress(view: Mapping[str, Any]) -> None:
    nodes = view["nodes"]
    as_of = view["as_of"]
    console.print(
        f"[bold]Progress along the staged path[/] — as of block {as_of['block']}"
        f" ({as_of['time_utc']}), windows of {view['window_days']} days"
    )
    if not nodes:
        console.print("no jurisdictions yet: create one with `govledger jurisdiction add`")
        return
    rows = []
    for n in nodes:
        status = "[green]on track[/]" if n["on_track"] else "[red]behind[/]"
        if n["M"] is None:  # L1 for want of evidence (MATURITY.md), said as such
            status += " (not rated)"
        rows.append(
            (
                "  " * n["depth"] + escape(f"{n['id']} {n['name']}"),
                n["tier_name"],
                n["level"],
                n["expected_level"],
                _num(n["M"]),
                _num(n["expected_index"]),
                _gap(n["gap"]),
                status,
                n["trend"],
            )
        )
    table(
        "Jurisdictions",
        ("jurisdiction", "tier", "level", "expected", "M", "expected M", "gap", "", "trend"),
        rows,
    )
    behind = sum(1 for n in nodes if not n["on_track"])
    unrated = sum(1 for n in nodes if n["M"] is None)
    why = f" ({unrated} of them not rated: too little evidence in the window)" if unrated else ""
    console.print(
        f"{behind} of {len(nodes)} behind their path{why}. gap = expected index − M; the trend"
        f" arrow is {view['trend']} (block {view['previous_as_of_block']})."
    )


def print_roadmap(view: Mapping[str, Any]) -> None:
    console.print(
        f"[bold]Roadmap of {escape(view['jurisdiction'])} {escape(view['name'])}[/] — as of"
        f" block {view['as_of']['block']}: {view['level']}, expected {view['expected_level']}"
        f" (expected M {_num(view['expected_index'])}, M {_num(view['M'])},"
        f" gap {_gap(view['gap'])})"
    )
    console.print(escape(view["note"]))
    if not view["steps"]:
        return
    if view["capping_elements"]:
        console.print("capped by: " + ", ".join(view["capping_elements"]) + " (listed first)")
    target = view["target_level"]
    rows = [
        (
            str(i),
            f"{s['indicator']} {s['name']}",
            s["element"].replace("_", " "),
            _num(s["score"]),
            _gap(s["gain"]),
            escape(s["advice"]),
        )
        for i, s in enumerate(view["steps"], start=1)
    ]
    table(
        "Indicators to raise, first to last",
        ("#", "indicator", "element", "score", "M gain at 1", f"raw value to reach {target} alone"),
        rows,
    )


def progress(
    jurisdiction: Annotated[
        str | None, typer.Option(help="Only this jurisdiction and everything below it.")
    ] = None,
    window_days: WindowDaysOpt = None,
    spec: SpecOpt = None,
    as_of: AsOfOpt = None,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The jurisdiction tree: each node's level, expected level, M, expected index, gap,
    on track or behind, and trend arrow."""
    query: ScoreQuery = {"window_days": window_days, "spec_version": spec, "as_of_block": as_of}
    _show(home, as_json, lambda s: s.progress(jurisdiction=jurisdiction, **query), print_progress)


def roadmap(
    jurisdiction: Annotated[str, typer.Option(help="The jurisdiction.")],
    window_days: WindowDaysOpt = None,
    spec: SpecOpt = None,
    as_of: AsOfOpt = None,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """For a jurisdiction below its expected level: the indicators to raise first, each
    with the raw value that would lift the level one band on its own."""
    query: ScoreQuery = {"window_days": window_days, "spec_version": spec, "as_of_block": as_of}
    _show(home, as_json, lambda s: s.roadmap(jurisdiction=jurisdiction, **query), print_roadmap)


def _show(
    home: Path | None,
    as_json: bool,
    view_of: Callable[[Scorer], dict[str, Any]],
    printer: Callable[[Mapping[str, Any]], None],
) -> None:
    """The view ``view_of`` takes from the ledger's scorer, its index synced first, as
    JSON or for people."""
    with opened(home) as ledger:
        ledger.indexer.sync()
        view = view_of(ledger.scorer)
    if as_json:
        emit_json(view)
    else:
        printer(view)
