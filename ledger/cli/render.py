"""A maturity result as a person reads it: indicators, elements, level, weakest element."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.table import Table

from ledger.cli.output import console, table
from ledger.maturity.engine import weakest_element


def _num(value: Any, digits: int = 3) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return f"{float(value):.{digits}f}"


def print_score(result: Mapping[str, Any]) -> None:
    window = result["window"]
    console.print(
        f"[bold]Maturity of {result['scope']}[/] — window {window['start_utc']} .. "
        f"{window['end_utc']}, as of block {result['as_of']['block']}"
    )
    indicators = Table(title="Indicators", title_justify="left")
    for col in ("id", "indicator", "raw", "num / den", "n", "score", "status"):
        indicators.add_column(col)
    for ind in result["indicators"]:
        ratio = (
            f"{_num(ind['numerator'], 0)} / {_num(ind['denominator'], 0)}"
            if ind["denominator"] is not None
            else ""
        )
        status = "[green]RATED[/]" if ind["status"] == "RATED" else f"[yellow]{ind['reason']}[/]"
        indicators.add_row(
            ind["id"],
            ind["name"],
            _num(ind["raw"]),
            ratio,
            f"{ind['n']}/{ind['n_min']}",
            _num(ind["score"]),
            status,
        )
    console.print(indicators)
    elements = Table(title="Elements", title_justify="left")
    for col in ("element", "score", "level", "rated"):
        elements.add_column(col)
    for el in result["elements"]:
        level = f"{el['level']} {el['level_name']}" if el["level"] else "[yellow]NOT RATED[/]"
        elements.add_row(el["name"], _num(el["score"]), level, f"{el['rated']}/{el['total']}")
    console.print(elements)
    console.print(
        f"Maturity index M (geometric) {_num(result['M'])}, arithmetic mean"
        f" {_num(result['arithmetic_mean'])}"
    )
    console.print(f"[bold]Overall level: {result['level']} {result['level_name']}[/]")
    if result.get("level_reason"):
        console.print(f"  {result['level_reason']}")
    weakest = weakest_element(result)
    console.print(f"Weakest element: {weakest.get('explanation', weakest)}")
    console.print(f"result_hash {result['result_hash']}  evidence_root {result['evidence_root']}")


def _days(value: object) -> str:
    if value is None:
        return "—"
    if value == "inf" or value == float("inf"):
        return "∞ (not executed)"
    return f"{float(str(value)):.1f}"


def print_clauses(view: dict[str, Any]) -> None:
    """The conversion cycle of every clause in force: start, first execution, days."""
    rows = []
    for c in view["clauses"]:
        done = c["executed"]
        rows.append(
            [
                f"{c['policy_id']}#{c['clause_id']}",
                c["start_utc"][:10],
                "not executed" if done is None else f"{done['event']} {done['time_utc'][:10]}",
                "∞" if done is None else _days(c["days"]),
                "yes" if c["in_sample"] else "no",
            ]
        )
    table(
        f"Conversion cycle per clause (spec v{view['spec_version']},"
        f" as of block {view['as_of']['block']})",
        ["clause", "start", "first execution", "days", "in I1 sample"],
        rows,
    )


def print_series(view: dict[str, Any]) -> None:
    """Scores over consecutive windows, oldest first: M, level and the I1 cycle."""
    rows = []
    for p in view["points"]:
        i1 = next(i for i in p["indicators"] if i["id"] == "I1")
        rows.append(
            [
                str(p["as_of"]["block"]),
                p["window"]["end_utc"][:10],
                "—" if p["M"] is None else f"{float(p['M']):.3f}",
                p["level"],
                _days(i1["raw"]),
                p["result_hash"][:16],
            ]
        )
    table(
        f"Series: {view['windows']} windows of {view['window_days']} days"
        f" (spec v{view['spec_version']})",
        ["as of block", "window end", "M", "level", "I1 days", "result_hash"],
        rows,
    )
