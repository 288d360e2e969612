"""``govledger department``: departments and their roles."""

from __future__ import annotations

from typing import Annotated

import typer

from ledger.cli.common import HomeOpt, JsonOpt, list_rows, opened
from ledger.cli.output import console

department_app = typer.Typer(help="Departments and their roles.", no_args_is_help=True)


@department_app.command("add")
def department_add(
    department_id: Annotated[str, typer.Argument(help="Department id, e.g. dcity.bigdata.")],
    name: Annotated[str, typer.Option("--name", help="Display name.")],
    role: Annotated[
        list[str] | None,
        typer.Option("--role", help="Role to grant (ISSUER, LEADER, OPERATOR, ...); repeatable."),
    ] = None,
    home: HomeOpt = None,
) -> None:
    """Create a department's key, register it in the directory and grant roles."""
    with opened(home, create=True) as ledger:
        account = ledger.departments.register(department_id, name, tuple(role or ()))
    console.print(f"department {department_id} acts as {account}")


@department_app.command("list")
def department_list(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """List the departments in the directory."""
    list_rows(
        home,
        as_json,
        lambda ledger: ledger.departments.list(),
        "Departments",
        ["id", "name", "account"],
        lambda r: [r["id"], r["name"], r["account"]],
        sync=False,
    )
