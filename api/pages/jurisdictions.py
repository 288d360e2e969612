"""The jurisdiction tree against its staged targets, and a jurisdiction's roadmap.

The tree page shows every node depth first (``Scorer.progress``): its level, the level
its path expects today, the gap, on track or behind, the trend, and its departments.
A jurisdiction is a scope of its own (``/scope/@<id>``), whose page adds its roadmap.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from api.pages import links
from api.pages.i18n import N_
from api.pages.tables import Cell, Table, indented, label, many, num, text
from api.pages.views import departments_table
from ledger.core import Ledger

#: How a jurisdiction is written as a scope (MATURITY.md: ``"@" + id``).
PREFIX = "@"


def jurisdiction_scope(jurisdiction: str) -> str:
    return PREFIX + jurisdiction


def _node_cell(node: Mapping[str, Any]) -> Cell:
    return indented(node["id"], int(node["depth"]), links.jurisdiction_url(node["id"]))


def progress_table(progress: Mapping[str, Any]) -> Table:
    return Table.of(
        "tree",
        [
            N_("jurisdiction"),
            N_("name"),
            N_("tier"),
            N_("level"),
            N_("M"),
            N_("expected level"),
            N_("gap"),
            N_("status"),
            N_("trend"),
            N_("departments"),
        ],
        [
            (
                _node_cell(n),
                text(n["name"]),
                label(str(n["tier_name"])),
                text(n["level"]),
                num(n["M"]),
                text(n["expected_level"]),
                num(n["gap"]),
                label(str(n["status"]), "ok" if n["on_track"] else "bad"),
                text(n["trend"]),
                many([(d, links.department_url(d)) for d in n["departments"]]),
            )
            for n in progress["nodes"]
        ],
    )


def jurisdictions_page(lg: Ledger) -> dict[str, Any]:
    if not lg.jurisdictions.list():
        return {"tree": None, "as_of": None, "departments": departments_table(lg)}
    progress = lg.scorer.progress()
    return {
        "tree": progress_table(progress),
        "as_of": progress["as_of"],
        "nodes": {n["id"]: n for n in progress["nodes"]},
        "departments": departments_table(lg),
    }


def roadmap_table(roadmap: Mapping[str, Any]) -> Table:
    return Table.of(
        "roadmap",
        [
            N_("indicator"),
            N_("name"),
            N_("element"),
            N_("raw"),
            N_("score"),
            N_("gain in M"),
            N_("raw value that lifts the level"),
        ],
        [
            (
                text(s["indicator"], links.indicator_url(roadmap["scope"], s["indicator"])),
                label(str(s["name"])),
                label(str(s["element"]).replace("_", " ")),
                num(s["raw"]) if not isinstance(s["raw"], str) else text(s["raw"]),
                num(s["score"]),
                num(s["gain"]),
                text(s["lift_raw"] if s["lift_raw"] is not None else s.get("advice")),
            )
            for s in roadmap["steps"]
        ],
    )


def roadmap_view(lg: Ledger, jurisdiction: str, window_days: int | None) -> dict[str, Any]:
    roadmap = lg.scorer.roadmap(jurisdiction=jurisdiction, window_days=window_days)
    return {
        "note": roadmap["note"],
        "expected_level": roadmap["expected_level"],
        "gap": roadmap["gap"],
        "status": roadmap["status"],
        "steps": roadmap_table(roadmap),
    }


__all__ = ["PREFIX", "jurisdiction_scope", "jurisdictions_page", "roadmap_view"]
