"""The one time format: every integer a contract can hold is written, never an error."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from ledger.times import format_time, format_timestamp

CANONICAL = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def test_a_block_time_is_written_in_the_one_form() -> None:
    assert format_timestamp(0) == "1970-01-01T00:00:00Z"
    assert format_timestamp(1_767_225_599) == "2025-12-31T23:59:59Z"
    assert format_time(datetime(2035, 12, 31, 23, 59, 59)) == "2035-12-31T23:59:59Z"


def test_the_calendar_edges_and_beyond() -> None:
    assert format_timestamp(-62_135_596_800) == "0001-01-01T00:00:00Z"
    assert format_timestamp(253_402_300_799) == "9999-12-31T23:59:59Z"
    assert format_timestamp(253_402_300_800) == "UNIX time 253402300800"
    assert format_timestamp(67_768_036_191_676_800) == "UNIX time 67768036191676800"
    assert format_timestamp(2**64 - 1) == f"UNIX time {2**64 - 1}"


@given(st.integers(min_value=-(2**255), max_value=2**256 - 1))
def test_any_integer_a_contract_holds_is_written(seconds: int) -> None:
    written = format_timestamp(seconds)
    if -62_135_596_800 <= seconds <= 253_402_300_799:
        assert CANONICAL.match(written)
        assert (
            int(datetime.strptime(written, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp())
            == seconds
        )
    else:
        assert written == f"UNIX time {seconds}"
