"""``govledger``: the command line of the ledger.

Every command reads its settings from the environment (``GOVLEDGER_HOME``,
``GOVLEDGER_RPC_URL``, ...); ``--home`` overrides the data directory. Listing and
report commands take ``--json`` for machines.

This module assembles the app from one module per command group and keeps the few
top-level commands (``index``, ``events``, ``serve``; ``demo`` lives in its own module).
"""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer
from rich.markup import escape

from ledger import __version__
from ledger.cli.apikey import apikey_app
from ledger.cli.audit import audit_app, finding_app, score_app
from ledger.cli.common import HomeOpt, JsonOpt, opened
from ledger.cli.demo import demo
from ledger.cli.department import department_app
from ledger.cli.drill import drill_app
from ledger.cli.effects import effects_app
from ledger.cli.jurisdiction import jurisdiction_app
from ledger.cli.order import order_app
from ledger.cli.output import console, emit_json, err_console, progress_bar, table
from ledger.cli.policy import policy_app
from ledger.cli.progress import progress, roadmap
from ledger.cli.scenario import scenario_app
from ledger.cli.sharing import agreement_app, item_app
from ledger.cli.stat import stat_app
from ledger.cli.system import system_app
from ledger.errors import LedgerError

app = typer.Typer(
    name="govledger",
    help="A blockchain-backed audit ledger: anchor policies, run mechanisms as contracts,"
    " and score the maturity they produce.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        console.print(f"govledger {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """A blockchain-backed audit ledger: anchor policies, run mechanisms as contracts, and
    score the maturity they produce."""


app.add_typer(policy_app, name="policy")
app.add_typer(department_app, name="department")
app.add_typer(jurisdiction_app, name="jurisdiction")
app.add_typer(item_app, name="item")
app.add_typer(agreement_app, name="agreement")
app.add_typer(apikey_app, name="apikey")
app.add_typer(scenario_app, name="scenario")
app.add_typer(effects_app, name="effects")
app.add_typer(score_app, name="score")
app.add_typer(audit_app, name="audit")
app.add_typer(finding_app, name="finding")
app.add_typer(order_app, name="order")
app.add_typer(drill_app, name="drill")
app.add_typer(system_app, name="system")
app.add_typer(stat_app, name="stat")


@app.command("index")
def index_cmd(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Follow the chain and store the ledger's events (idempotent, resumable)."""
    with opened(home) as ledger, progress_bar("indexing blocks") as update:
        report = ledger.indexer.sync(progress=update)
    data = {
        "from": report.from_block,
        "to": report.to_block,
        "added": report.added,
        "rolledBack": report.rolled_back,
    }
    if as_json:
        emit_json(data)
    else:
        console.print(
            f"indexed blocks {report.from_block}..{report.to_block}: {report.added} new events"
            + (f", {report.rolled_back} rolled back after a reorg" if report.rolled_back else "")
        )


@app.command("events")
def events_cmd(
    policy: Annotated[str | None, typer.Option(help="Only events citing this policy.")] = None,
    department: Annotated[str | None, typer.Option(help="Only this department's events.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 50,
    home: HomeOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List indexed events, oldest first."""
    with opened(home) as ledger:
        ledger.indexer.sync()
        records = ledger.store.events(policy_id=policy, department_id=department, limit=limit)
    if as_json:
        emit_json([r.__dict__ for r in records])
    else:
        table(
            "Events",
            ["block", "tx", "log", "contract", "event", "policy", "department"],
            [
                [
                    r.block_number,
                    r.tx_hash[:12] + "…",
                    r.log_index,
                    r.contract,
                    r.event,
                    r.args.get("policyId"),
                    r.args.get("providerId") or r.args.get("departmentId"),
                ]
                for r in records
            ],
        )


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    home: HomeOpt = None,
) -> None:
    """Serve the HTTP API and the dashboard (OpenAPI at /docs)."""
    import os

    import uvicorn

    if home is not None:
        os.environ["GOVLEDGER_HOME"] = str(home)
    uvicorn.run("api.main:create_app", factory=True, host=host, port=port, log_level="info")


app.command("demo")(demo)  # after serve, as the help lists it
app.command("progress")(progress)
app.command("roadmap")(roadmap)


def main() -> None:
    """Entry point: run the app and turn ledger errors into one clear line."""
    try:
        app()
    except LedgerError as err:
        err_console.print("[red]error:[/]", escape(str(err)), soft_wrap=True)
        sys.exit(1)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
    except Exception as err:  # a bug: say so plainly; the traceback on request
        if os.environ.get("GOVLEDGER_DEBUG"):
            raise
        err_console.print(
            "[red]internal error:[/]",
            escape(f"{type(err).__name__}: {err}"),
            "\nThis is a bug in govledger. Run again with GOVLEDGER_DEBUG=1 for the traceback.",
            soft_wrap=True,
        )
        sys.exit(70)


if __name__ == "__main__":
    main()
