"""Read knowledge records from YAML, with errors that name the file and the line.

The YAML is parsed once into a node tree (which keeps line numbers) and then
constructed with PyYAML's safe loader. When validation fails, each pydantic error's
``loc`` path is followed through the node tree to the line it points at::

    policy.yaml line 12: clauses[1].obligation.comparator: must be '>=' or '<='
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from ledger.errors import InputFileError, RecordError
from ledger.files import read_input
from ledger.knowledge.models import PolicyRecord

Loc = tuple[int | str, ...]


class _NotAllowed(yaml.composer.ComposerError):
    """A YAML feature govledger files may not use."""


class _RecordLoader(yaml.SafeLoader):
    """The safe loader, also reading ``1e-3`` as a number (YAML 1.1 wants ``1.0e-3``).

    Anchors and aliases are refused where they are written: a record or scenario
    never needs them, and an alias can make a document refer to itself (``a: &a [*a]``)
    or grow exponentially when expanded ("billion laughs").
    """

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        event: Any = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            what = f"aliases (*{event.anchor})"
        elif getattr(event, "anchor", None) is not None:
            what = f"anchors (&{event.anchor})"
        else:
            return super().compose_node(parent, index)  # type: ignore[arg-type]
        message = f"{what} are not allowed in govledger files; write the value out"
        raise _NotAllowed(None, None, message, event.start_mark)


_RecordLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?[0-9][0-9_]*(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a record: where (line, field path) and what."""

    line: int | None
    path: str
    message: str

    def render(self, source: str) -> str:
        where = source if self.line is None else f"{source} line {self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class RecordParseError(RecordError):
    """A record file could not be read; ``problems`` lists each thing wrong, in order."""

    def __init__(self, source: str, problems: Sequence[Problem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        super().__init__("\n".join(p.render(source) for p in self.problems))


def read_text(path: str | Path) -> str:
    """A YAML file's text; a missing, unreadable or non-UTF-8 file is a
    :class:`RecordParseError` naming the file (and, for bad bytes, the line and byte)."""
    p = Path(path)
    try:
        data = read_input(p)
    except InputFileError as err:
        raise RecordParseError(str(p), [Problem(None, "", err.reason)]) from err
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        column = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        problem = (
            f"not UTF-8 text: byte 0x{data[err.start]:02x} at byte offset {err.start}"
            f" (column {column}); save the file as UTF-8"
        )
        raise RecordParseError(str(p), [Problem(line, "", problem)]) from err


def load_record(path: str | Path) -> PolicyRecord:
    """Load one record from a YAML file."""
    return parse_record(read_text(path), source=str(Path(path)))


def parse_record(text: str, source: str = "<string>") -> PolicyRecord:
    """Parse one record from YAML text; ``source`` names it in error messages."""
    return parse_model(text, PolicyRecord, source, what="a record")


M = TypeVar("M", bound=BaseModel)


def parse_model(
    text: str,
    model: type[M],
    source: str = "<string>",
    what: str = "a document",
    checks: Callable[[M], Sequence[tuple[Loc, str]]] | None = None,
) -> M:
    """Parse YAML text into ``model``; every problem names ``source``, the line and the field.

    ``checks`` may find further problems in the parsed model (references between fields,
    say), each as ``(location, message)``; they are reported the same way.
    """
    loader = _RecordLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise RecordParseError(source, [Problem(None, "", f"empty document, expected {what}")])
        if not isinstance(node, yaml.MappingNode):
            raise RecordParseError(
                source,
                [Problem(_line(node), "", f"expected a mapping of fields, not {_kind(node)}")],
            )
        duplicates = _duplicate_keys(node)
        if duplicates:
            raise RecordParseError(source, duplicates)
        data = loader.construct_document(node)
    except yaml.YAMLError as err:
        raise RecordParseError(source, [_yaml_problem(err)]) from err
    finally:
        loader.dispose()
    try:
        parsed = model.model_validate(data)
    except ValidationError as err:
        raise RecordParseError(source, [_problem(e, node) for e in err.errors()]) from err
    if checks is not None:
        found = [
            Problem(_line(_node_at(node, loc)), loc_path(loc), message)
            for loc, message in checks(parsed)
        ]
        if found:
            raise RecordParseError(source, found)
    return parsed


def _yaml_problem(err: yaml.YAMLError) -> Problem:
    mark = getattr(err, "problem_mark", None) or getattr(err, "context_mark", None)
    problem = getattr(err, "problem", None)
    context = getattr(err, "context", None)
    message = " ".join(str(part) for part in (context, problem) if part) or str(err)
    what = (
        "YAML error"
        if isinstance(err, yaml.constructor.ConstructorError | _NotAllowed)
        else "YAML syntax error"
    )
    return Problem(None if mark is None else mark.line + 1, "", f"{what}: {message}")


def _duplicate_keys(node: yaml.Node, path: Loc = ()) -> list[Problem]:
    """Keys given twice in one mapping (PyYAML would silently keep the last)."""
    problems: list[Problem] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    problems.append(
                        Problem(_line(key), loc_path(path), f"key {key.value!r} is given twice")
                    )
                seen.add(key.value)
                problems.extend(_duplicate_keys(value, (*path, key.value)))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            problems.extend(_duplicate_keys(item, (*path, index)))
    return problems


def _kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return "a single value" if isinstance(node, yaml.ScalarNode) else "this"


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


# -- validation problems ------------------------------------------------------


def _problem(error: ErrorDetails, root: yaml.Node) -> Problem:
    loc: Loc = tuple(error["loc"])
    ctx = error.get("ctx") or {}
    at = ctx.get("at")
    if isinstance(at, tuple):
        loc = (*loc, *at)
    return Problem(_line(_node_at(root, loc)), loc_path(loc), _message(error))


def _node_at(root: yaml.Node, loc: Loc) -> yaml.Node:
    """The deepest node along ``loc``; the key's node when ``loc`` ends at a mapping key.

    Ending at the key points at ``obligation:`` rather than the first line of its
    block, and at an unknown field's own name.
    """
    node = root
    for depth, part in enumerate(loc, start=1):
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == part:
                    node = key if depth == len(loc) else value
                    break
            else:
                return node
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if not 0 <= part < len(node.value):
                return node
            node = node.value[part]
        else:
            return node
    return node


def loc_path(loc: Loc) -> str:
    """A field location as messages write it: ``jurisdictions[2].departments[0]``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _message(error: ErrorDetails) -> str:
    kind = error["type"]
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a known field"
    if kind == "literal_error":
        return f"must be {error.get('ctx', {}).get('expected', '')}"
    if kind == "timezone_aware":
        return "must include a timezone, e.g. 2024-01-01T00:00:00Z"
    message = error["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    if message.startswith("Input should "):
        message = "must " + message.removeprefix("Input should ")
    return message + _got(error) if message.startswith("must be a valid") else message


def _got(error: ErrorDetails) -> str:
    value: Any = error.get("input")
    if isinstance(value, bool | int | float | str) and len(repr(value)) <= 40:
        return f", got {value!r}"
    return ""
