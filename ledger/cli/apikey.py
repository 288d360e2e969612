"""``govledger apikey``: API keys, each a department's or the auditor's."""

from __future__ import annotations

import sys
from typing import Annotated, cast

import typer

from ledger.apikeys import ROLES, ApiKeys, KeyRole
from ledger.cli.common import HomeOpt, JsonOpt, known, opened, parse_option, settings_for
from ledger.cli.output import console, emit_json, err_console, table

apikey_app = typer.Typer(
    help="API keys, each a department's or the auditor's.", no_args_is_help=True
)


@apikey_app.command("create")
def apikey_create(
    department_id: Annotated[
        str | None,
        typer.Argument(help="The department the key acts for (none with --role auditor)."),
    ] = None,
    role: Annotated[
        str,
        typer.Option(
            help="department: acts for DEPARTMENT_ID; auditor: reviews findings and publishes"
            " scores, as the ledger's auditor."
        ),
    ] = "department",
    label: Annotated[str, typer.Option(help="A note to recognise the key by.")] = "",
    home: HomeOpt = None,
) -> None:
    """Create an API key for a department, or (--role auditor) for the ledger's auditor.

    The key is shown once; store it safely."""
    if role not in ROLES:
        raise typer.BadParameter(f"{role!r} is not one of {', '.join(ROLES)}", param_hint="--role")
    if (role == "department") == (department_id is None):
        raise typer.BadParameter(
            "a department's key names its department; an auditor's key names none",
            param_hint="DEPARTMENT_ID",
        )
    if department_id is not None:
        with opened(home) as ledger:
            known(ledger, department=department_id)
    keys = ApiKeys(settings_for(home).resolved_home())
    key, info = parse_option(lambda d: keys.create(d, label, cast(KeyRole, role)), department_id)
    err_console.print(f"API key {info.key_id} for {info.holder} (shown once):")
    sys.stdout.write(key + "\n")


@apikey_app.command("list")
def apikey_list(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """List API keys (ids, roles and departments, never the keys)."""
    keys = ApiKeys(settings_for(home).resolved_home()).list()
    if as_json:
        emit_json([k.__dict__ for k in keys])
    else:
        table(
            "API keys",
            ["id", "role", "department", "label", "created"],
            [[k.key_id, k.role, k.department_id or "", k.label, k.created_at] for k in keys],
        )


@apikey_app.command("revoke")
def apikey_revoke(
    key_id: Annotated[str, typer.Argument(help="The key id.")], home: HomeOpt = None
) -> None:
    """Revoke an API key."""
    info = ApiKeys(settings_for(home).resolved_home()).revoke(key_id)
    console.print(f"revoked API key {info.key_id} of {info.holder}")
