"""Printing for people (Rich tables) and for machines (``--json``), and the one way every
command reports a failure (:func:`report_failure`)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

console = Console()
err_console = Console(stderr=True)


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")


def table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    tbl = Table(title=title, title_justify="left")
    for col in columns:
        tbl.add_column(col)
    for row in rows:
        tbl.add_row(*("" if v is None else str(v) for v in row))
    console.print(tbl)


@contextmanager
def progress_bar(description: str, total: int | None = None) -> Iterator[Any]:
    """A progress bar on stderr; yields ``update(done, total)``."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        task = progress.add_task(description, total=total)

        def update(done: int, total_: int | None = None) -> None:
            progress.update(task, completed=done, total=total_ if total_ is not None else total)

        yield update


def report_failure(
    kind: str,
    message: str,
    *,
    as_json: bool,
    hint: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """A failure on stderr: ``error: message`` (and ``hint: ...``) for people, or under
    ``--json`` one object ``{"error": {"kind", "message", "hint"?, ...details}}``."""
    if as_json:
        body: dict[str, Any] = {"kind": kind, "message": message}
        if hint is not None:
            body["hint"] = hint
        body.update(details or {})
        sys.stderr.write(json.dumps({"error": body}, sort_keys=True, default=str) + "\n")
        return
    err_console.print("[red]error:[/]", escape(message), soft_wrap=True)
    if hint is not None:
        err_console.print("hint:", escape(hint), soft_wrap=True)
