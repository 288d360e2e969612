"""``govledger apikey``: API keys, each bound to one department."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ledger.apikeys import ApiKeys
from ledger.cli.common import HomeOpt, JsonOpt, known, opened, parse_option, settings_for
from ledger.cli.output import console, emit_json, err_console, table

apikey_app = typer.Typer(help="API keys, each bound to one department.", no_args_is_help=True)


@apikey_app.command("create")
def apikey_create(
    department_id: Annotated[str, typer.Argument(help="The department the key acts for.")],
    label: Annotated[str, typer.Option(help="A note to recognise the key by.")] = "",
    home: HomeOpt = None,
) -> None:
    """Create an API key for a department. The key is shown once; store it safely."""
    with opened(home) as ledger:
        known(ledger, department=department_id)
    key, info = parse_option(
        lambda d: ApiKeys(settings_for(home).resolved_home()).create(d, label), department_id
    )
    err_console.print(f"API key {info.key_id} for {info.department_id} (shown once):")
    sys.stdout.write(key + "\n")


@apikey_app.command("list")
def apikey_list(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """List API keys (ids and departments, never the keys)."""
    keys = ApiKeys(settings_for(home).resolved_home()).list()
    if as_json:
        emit_json([k.__dict__ for k in keys])
    else:
        table(
            "API keys",
            ["id", "department", "label", "created"],
            [[k.key_id, k.department_id, k.label, k.created_at] for k in keys],
        )


@apikey_app.command("revoke")
def apikey_revoke(
    key_id: Annotated[str, typer.Argument(help="The key id.")], home: HomeOpt = None
) -> None:
    """Revoke an API key."""
    info = ApiKeys(settings_for(home).resolved_home()).revoke(key_id)
    console.print(f"revoked API key {info.key_id} of {info.department_id}")
