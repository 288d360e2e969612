"""Files named by a user (a record, a scenario, a case file, a JSONL of effects): read one
way everywhere, so a missing or unreadable file is always reported as ``PATH: reason``."""

from __future__ import annotations

from pathlib import Path

from ledger.errors import InputFileError


def check_input(path: str | Path) -> Path:
    """``path`` if it names a readable regular file; otherwise an :class:`InputFileError`."""
    p = Path(path)
    if not p.exists():
        raise InputFileError(p, "no such file")
    if p.is_dir():
        raise InputFileError(p, "is a directory, not a file")
    try:
        with p.open("rb"):
            pass
    except OSError as err:
        raise InputFileError(p, f"cannot read: {err.strerror}") from err
    return p


def read_input(path: str | Path) -> bytes:
    """The bytes of a file named by a user; an :class:`InputFileError` if it cannot be read."""
    p = check_input(path)
    try:
        return p.read_bytes()
    except OSError as err:  # removed or made unreadable since the check
        raise InputFileError(p, f"cannot read: {err.strerror}") from err
