"""What every command group shares: the ``--home`` and ``--json`` options and opening the ledger."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from ledger.cli.output import err_console
from ledger.core import Ledger
from ledger.settings import Settings

HomeOpt = Annotated[
    Path | None,
    typer.Option("--home", help="Data directory (default: $GOVLEDGER_HOME or ~/.govledger)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]


def settings_for(home: Path | None) -> Settings:
    return Settings(home=home) if home is not None else Settings()


@contextmanager
def opened(home: Path | None) -> Iterator[Ledger]:
    """The ledger in ``home`` (default: the environment's), closed on leaving."""
    settings = settings_for(home)
    with err_console.status("opening the ledger…"):
        ledger = Ledger.open(settings)
    try:
        yield ledger
    finally:
        ledger.close()
