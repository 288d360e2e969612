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
from ledger.errors import NotFoundError
from ledger.files import check_input, read_input
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


def _readable(path: Path | None) -> Path | None:
    return None if path is None else check_input(path)


def input_file(help: str) -> Any:
    """A ``typer.Option`` for an existing, readable file (what stays off chain): checked
    before anything else runs, a missing one reported as every command does (``PATH: no
    such file``, :func:`ledger.files.check_input`)."""
    return typer.Option(callback=_readable, help=help)


T = TypeVar("T")


def parse_option(fn: Callable[[Any], T], value: Any, option: str | None = None) -> T:
    """``fn(value)``; a ``ValueError`` becomes a bad ``option`` with the error's message."""
    try:
        return fn(value)
    except ValueError as err:
        raise typer.BadParameter(str(err), param_hint=option) from err


def sha256_file(path: Path) -> bytes:
    """The SHA-256 of a file named on the command line (what goes on chain instead)."""
    return hashlib.sha256(read_input(path)).digest()


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


def known(ledger: Ledger, *, department: str | None = None, policy: str | None = None) -> None:
    """A :class:`NotFoundError` when ``department`` or ``policy`` (a filter or a scope) names
    nothing on this ledger: an unknown id is an error, never an empty list or a score."""
    if department is not None and not ledger.directory.is_department(department):
        raise NotFoundError("department", department)
    if policy is not None and ledger.policy_book.registry.state(policy)[0] == 0:
        raise NotFoundError("policy", policy)


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
    department: str | None = None,
) -> None:
    """A list command: bring the index to the head (``sync``), ``read`` the rows, and print
    them as JSON or as a table of ``columns`` with each row's ``cells``; a ``department``
    filter must name a department (:func:`known`)."""
    with opened(home) as ledger:
        known(ledger, department=department)
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
