"""The tables of the dashboard's pages, as data: rendered as HTML and exported as CSV.

A page builds each of its tables as a :class:`Table` of :class:`Cell` values; the
``table`` macro renders it (links, times, hashes shortened with the full value on
hover), and ``?csv=<table id>`` on the same URL answers the same rows as CSV, so
every table can be exported with or without JavaScript.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from api.pages.i18n import Translations
from ledger.times import format_timestamp

CellKind = Literal["text", "num", "hash", "time", "label", "links", "tree"]


@dataclass(frozen=True)
class Cell:
    """One value of a table: ``text`` as exported; ``kind`` says how it is shown.

    ``label`` cells hold a msgid (a status), translated when shown and exported;
    ``time`` cells a UNIX time in ``value``, written in UTC and shown in the viewer's
    zone; ``hash`` cells are shortened on screen, whole in the title and the export;
    ``links`` cells several ids, each linked (``value``: ``(text, href)`` pairs);
    ``tree`` cells an id indented by its depth in ``value``.
    """

    text: str
    href: str | None = None
    kind: CellKind = "text"
    value: Any = None
    tone: str | None = None


DASH = "—"


def text(value: object, href: str | None = None) -> Cell:
    return Cell(DASH if value is None or value == "" else str(value), href)


def num(value: float | int | None, digits: int = 3, href: str | None = None) -> Cell:
    if value is None:
        return Cell(DASH, href, "num")
    if isinstance(value, str):  # "inf" in samples
        return Cell("∞" if value == "inf" else value, href, "num")
    shown = str(value) if isinstance(value, int) else f"{value:.{digits}f}"
    return Cell(shown, href, "num", value)


def hexval(value: str | None, href: str | None = None) -> Cell:
    return Cell(DASH, href) if not value else Cell(str(value), href, "hash")


def when(seconds: int | float | None) -> Cell:
    if seconds is None:
        return Cell(DASH)
    return Cell(format_timestamp(seconds), None, "time", int(seconds))


def many(items: Sequence[tuple[str, str]]) -> Cell:
    """Several linked ids (text, href), exported as ``a, b, c``."""
    if not items:
        return Cell(DASH)
    return Cell(", ".join(t for t, _ in items), None, "links", tuple(items))


def indented(name: str, depth: int, href: str) -> Cell:
    """A node of a tree, indented ``depth`` levels on screen (not in the export)."""
    return Cell(name, href, "tree", depth)


def label(msgid: str, tone: str | None = None, href: str | None = None) -> Cell:
    return Cell(msgid, href, "label", None, tone)


@dataclass(frozen=True)
class Table:
    """A table of a page: its id (``?csv=`` names it), column msgids, rows of cells."""

    id: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]

    @classmethod
    def of(cls, id: str, columns: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Table:
        return cls(id, tuple(columns), tuple(tuple(r) for r in rows))


def to_csv(table: Table, translations: Translations) -> str:
    """The table as CSV (RFC 4180): translated headers, then each row as exported."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([translations.gettext(c) for c in table.columns])
    for row in table.rows:
        writer.writerow(
            [translations.gettext(c.text) if c.kind == "label" else c.text for c in row]
        )
    return out.getvalue()


def shorten(value: str) -> str:
    """A long hash as ``0x1234…cdef`` (shown; the whole value is in the title)."""
    return value if len(value) <= 18 else f"{value[:8]}…{value[-6:]}"
