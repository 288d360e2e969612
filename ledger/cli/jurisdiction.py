"""``govledger jurisdiction``: the tree of jurisdictions (province to grid), the departments
in each, and each jurisdiction's staged targets.

Writes need the REGISTRAR role: ``--by`` names the acting department, and without it the
ledger administrator acts (it holds REGISTRAR from deployment).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated

import typer

from ledger.cli.common import HomeOpt, JsonOpt, opened, parse_option, send
from ledger.cli.output import console, emit_json, table
from ledger.errors import LedgerValueError
from ledger.jurisdictions import (
    Milestone,
    detail_row,
    milestone_row,
    node_rows,
    tier_of,
)
from ledger.mechanisms.directory import (
    JurisdictionCreate,
    JurisdictionRename,
    MilestonesUpdate,
)
from ledger.mechanisms.fields import build

jurisdiction_app = typer.Typer(
    help="Jurisdictions (province, city, district, street, community, grid), the departments"
    " in each and their staged targets.",
    no_args_is_help=True,
)

JurisdictionArg = Annotated[str, typer.Argument(help="Jurisdiction id, e.g. l.dcity.east.")]
ByOpt = Annotated[
    str | None,
    typer.Option(
        "--by",
        help="The acting department (it needs the REGISTRAR role); default: the ledger admin.",
    ),
]
NameOpt = Annotated[str, typer.Option("--name", help="Display name.")]

_LEVEL_RE = re.compile(r"^[Ll]?([1-5])$")


def parse_milestone(text: str) -> Milestone:
    """``DATE=LEVEL``: level 1-5 (``4`` or ``L4``) by DATE, a day (``2025-12-31``, meaning its
    last second, 23:59:59 UTC) or a UTC time (``2025-06-30T12:00:00Z``)."""
    when, sep, level = text.partition("=")
    match = _LEVEL_RE.fullmatch(level.strip())
    if not sep or match is None:
        raise LedgerValueError(f"milestone {text!r} must be DATE=LEVEL, e.g. 2025-12-31=L4")
    try:
        if "T" in when:
            at = datetime.fromisoformat(when.strip().replace("Z", "+00:00"))
            at = at.replace(tzinfo=UTC) if at.tzinfo is None else at
        else:
            day = datetime.strptime(when.strip(), "%Y-%m-%d").replace(tzinfo=UTC)
            at = day.replace(hour=23, minute=59, second=59)
    except ValueError as err:
        raise LedgerValueError(
            f"milestone {text!r}: {when!r} is not a date (YYYY-MM-DD) or a UTC time"
        ) from err
    return Milestone(int(at.timestamp()), int(match.group(1)))


@jurisdiction_app.command("add")
def jurisdiction_add(
    jurisdiction_id: JurisdictionArg,
    tier: Annotated[
        str,
        typer.Option(
            "--tier", help="province, city, district, street, community or grid (or 1-6)."
        ),
    ],
    name: NameOpt,
    parent: Annotated[
        str | None, typer.Option("--parent", help="The parent jurisdiction; none for a root.")
    ] = None,
    by: ByOpt = None,
    home: HomeOpt = None,
) -> None:
    """Create a jurisdiction under its parent; a child's tier is below its parent's."""
    level = parse_option(tier_of, tier, "--tier")
    request = build(
        JurisdictionCreate,
        jurisdiction_id=jurisdiction_id,
        parent_id=parent,
        tier=int(level),
        name=name,
    )
    where = f" under {parent}" if parent else " (a root)"
    send(
        home,
        lambda ledger: ledger.jurisdictions.create(
            request.jurisdiction_id, request.parent_id, request.tier, request.name, by=by
        ),
        f"created {level.label} {jurisdiction_id} ({name}){where}",
    )


@jurisdiction_app.command("rename")
def jurisdiction_rename(
    jurisdiction_id: JurisdictionArg, name: NameOpt, by: ByOpt = None, home: HomeOpt = None
) -> None:
    """Give a jurisdiction a new name."""
    request = build(JurisdictionRename, name=name)
    send(
        home,
        lambda ledger: ledger.jurisdictions.rename(jurisdiction_id, request.name, by=by),
        f"renamed {jurisdiction_id} to {name}",
    )


@jurisdiction_app.command("move")
def jurisdiction_move(
    jurisdiction_id: JurisdictionArg,
    parent: Annotated[
        str | None, typer.Option("--parent", help="The new parent jurisdiction.")
    ] = None,
    root: Annotated[bool, typer.Option("--root", help="Make it a root (no parent).")] = False,
    by: ByOpt = None,
    home: HomeOpt = None,
) -> None:
    """Move a jurisdiction, with everything below it, under another parent (or --root)."""
    if (parent is None) == (not root):
        raise typer.BadParameter("give exactly one of --parent ID or --root")
    where = f"under {parent}" if parent else "to the root"
    send(
        home,
        lambda ledger: ledger.jurisdictions.move(jurisdiction_id, parent, by=by),
        f"moved {jurisdiction_id} {where}",
    )


@jurisdiction_app.command("place")
def jurisdiction_place(
    department_id: Annotated[str, typer.Argument(help="The department to place.")],
    jurisdiction_id: JurisdictionArg,
    by: ByOpt = None,
    home: HomeOpt = None,
) -> None:
    """Put a department in a jurisdiction (moving it from the one it is in, if any): a
    department belongs to exactly one."""
    send(
        home,
        lambda ledger: ledger.jurisdictions.place(department_id, jurisdiction_id, by=by),
        f"placed {department_id} in {jurisdiction_id}",
    )


@jurisdiction_app.command("list")
def jurisdiction_list(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """The tree, each parent before its children, with each jurisdiction's departments."""
    with opened(home) as ledger:
        rows = node_rows(ledger.jurisdictions.tree())
    if as_json:
        emit_json(rows)
        return
    table(
        "Jurisdictions",
        ["jurisdiction", "tier", "name", "departments"],
        [
            ["  " * r["depth"] + r["id"], r["tierName"], r["name"], ", ".join(r["departments"])]
            for r in rows
        ],
    )


@jurisdiction_app.command("show")
def jurisdiction_show(
    jurisdiction_id: JurisdictionArg, home: HomeOpt = None, as_json: JsonOpt = False
) -> None:
    """One jurisdiction: its place in the tree, children, departments and staged targets."""
    with opened(home) as ledger:
        row = detail_row(ledger.jurisdictions.show(jurisdiction_id))
    if as_json:
        emit_json(row)
        return
    console.print(f"{row['id']}: {row['name']} ({row['tierName']}, tier {row['tier']})")
    console.print(f"  path: {' > '.join([*row['path'], row['id']])}")
    console.print(f"  children: {', '.join(row['children']) or '(none)'}")
    console.print(f"  departments: {', '.join(row['departments']) or '(none)'}")
    targets = ", ".join(f"L{m['level']} by {m['time']}" for m in row["milestones"])
    console.print(f"  targets: {targets}")


@jurisdiction_app.command("targets")
def jurisdiction_targets(
    jurisdiction_id: JurisdictionArg,
    milestone: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="A milestone DATE=LEVEL (e.g. 2025-12-31=L4; a day means its last second,"
            " UTC); repeatable, in time order. Replaces the jurisdiction's milestones.",
        ),
    ] = None,
    default: Annotated[
        bool, typer.Option("--default", help="Restore the default (national) path.")
    ] = False,
    by: ByOpt = None,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show a jurisdiction's staged targets, or set them (--set ..., or --default): by
    default the national path, L4 by 2025-12-31 and L5 by 2035-12-31."""
    if milestone and default:
        raise typer.BadParameter("give --set or --default, not both")
    parsed = [parse_option(parse_milestone, m, "--set") for m in milestone or ()]
    request = build(MilestonesUpdate, milestones=[m._asdict() for m in parsed])
    pairs = [(m.at, m.level) for m in request.milestones]
    with opened(home) as ledger:
        if pairs or default:
            ref = ledger.jurisdictions.set_milestones(jurisdiction_id, pairs, by=by)
            if not as_json:
                console.print(f"set the targets of {jurisdiction_id} in block {ref.block_number}")
        rows = [milestone_row(m) for m in ledger.jurisdictions.milestones(jurisdiction_id)]
    if as_json:
        emit_json(rows)
        return
    table(
        f"Targets of {jurisdiction_id}",
        ["level", "by"],
        [[f"L{r['level']}", r["time"]] for r in rows],
    )
