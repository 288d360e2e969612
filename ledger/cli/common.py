"""What every command group shares: the ``--home`` and ``--json`` options, opening the
ledger, and the small helpers that turn options into values."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from ledger.chain.types import TxRef
from ledger.cli.output import console, emit_json, err_console, table
from ledger.core import Ledger
from ledger.settings import Settings
from ledger.times import format_timestamp

DAY = 86_400
HOUR = 3_600

HomeOpt = Annotated[
    Path | None,
    typer.Option("--home", help="Data directory (default: $GOVLEDGER_HOME or ~/.govledger)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]
PolicyOpt = Annotated[str, typer.Option("--policy", help="Policy id the step executes.")]
ClauseOpt = Annotated[str, typer.Option("--clause", help="Clause id the step executes.")]
OwnerOpt = Annotated[str, typer.Option("--department", help="The owning department.")]


def input_file(help: str) -> Any:
    """A ``typer.Option`` for an existing, readable file (what stays off chain)."""
    return typer.Option(exists=True, dir_okay=False, readable=True, help=help)


T = TypeVar("T")


def parse_option(fn: Callable[[Any], T], value: Any, option: str | None = None) -> T:
    """``fn(value)``; a ``ValueError`` becomes a bad ``option`` with the error's message."""
    try:
        return fn(value)
    except ValueError as err:
        raise typer.BadParameter(str(err), param_hint=option) from err


def sha256_file(path: Path) -> bytes:
    """The SHA-256 of a file named on the command line (what goes on chain instead)."""
    return hashlib.sha256(path.read_bytes()).digest()


def iso(timestamp: int | None) -> str | None:
    return None if timestamp is None else format_timestamp(timestamp)


def settings_for(home: Path | None) -> Settings:
    return Settings(home=home) if home is not None else Settings()


@contextmanager
def opened(home: Path | None, *, create: bool = False) -> Iterator[Ledger]:
    """The ledger in ``home`` (default: the environment's), closed on leaving.

    Only the commands that make a ledger pass ``create``: on a home with no ledger
    every other command says so and writes nothing (a mistyped ``--home`` is not a new
    ledger).
    """
    settings = settings_for(home)
    with err_console.status("opening the ledger…"):
        ledger = Ledger.open(settings, create=create)
    try:
        yield ledger
    finally:
        ledger.close()


def send(home: Path | None, call: Callable[[Ledger], TxRef], done: str) -> TxRef:
    """Open the ledger, send one transaction with ``call`` and print ``done`` with its block."""
    with opened(home) as ledger:
        ref = call(ledger)
    console.print(f"{done} in block {ref.block_number}")
    return ref


Row = Mapping[str, Any]


def list_rows(
    home: Path | None,
    as_json: bool,
    read: Callable[[Ledger], Sequence[Row]],
    title: str,
    columns: Sequence[str],
    cells: Callable[[Row], Sequence[Any]],
    *,
    sync: bool = True,
) -> None:
    """A list command: bring the index to the head (``sync``), ``read`` the rows, and print
    them as JSON or as a table of ``columns`` with each row's ``cells``."""
    with opened(home) as ledger:
        if sync:
            ledger.indexer.sync()
        rows = read(ledger)
    if as_json:
        emit_json(rows)
        return
    table(title, columns, [cells(r) for r in rows])


def clause_of(row: Row) -> str:
    """The ``policy#clause`` a row executes."""
    return f"{row['policyId']}#{row['clauseId']}"
