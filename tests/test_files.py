"""A file a user names is read one way: missing, a folder or unreadable is ``PATH: reason``."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger.errors import InputFileError, LedgerValueError
from ledger.files import check_input, read_input


def test_a_file_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "case.txt"
    path.write_bytes(b"\xffbytes, not text")
    assert check_input(path) == path
    assert read_input(str(path)) == b"\xffbytes, not text"


@pytest.mark.parametrize(
    ("name", "reason"), [("absent.txt", "no such file"), ("", "is a directory, not a file")]
)
def test_what_cannot_be_read_is_named_with_its_path(tmp_path: Path, name: str, reason: str) -> None:
    path = tmp_path / name
    with pytest.raises(InputFileError) as info:
        read_input(path)
    assert (info.value.path, info.value.reason) == (str(path), reason)
    assert str(info.value) == f"{path}: {reason}"
    assert isinstance(info.value, LedgerValueError)  # input the ledger refuses: a 422, exit 1
