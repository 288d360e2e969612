"""Text ids round-trip through bytes32 and refuse anything else."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.errors import LedgerValueError
from ledger.ids import check_id, from_bytes32, scope_to_bytes32, to_bytes32

ID_CHARS = st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-/")


@given(
    st.text(alphabet="abcXYZ019", min_size=1, max_size=1).flatmap(
        lambda first: st.text(alphabet=ID_CHARS, max_size=31).map(lambda rest: first + rest)
    )
)
def test_ids_round_trip_through_bytes32(value: str) -> None:
    assert from_bytes32(to_bytes32(value)) == value


@pytest.mark.parametrize("bad", ["", "a" * 33, "dept\n", "-dept", "dé", "a b"])
def test_bad_ids_are_refused_with_a_reason(bad: str) -> None:
    with pytest.raises(ValueError, match="must be 1-32 ASCII characters"):
        check_id(bad, "department id")


def test_a_score_scope_is_the_city_a_department_or_a_jurisdiction_label() -> None:
    assert scope_to_bytes32("city") == to_bytes32("city")
    assert scope_to_bytes32("dcity.office") == to_bytes32("dcity.office")
    label = "@" + "j" * 31
    assert from_bytes32(scope_to_bytes32(label)) == label
    with pytest.raises(LedgerValueError, match="has 32 characters: a published score's scope"):
        scope_to_bytes32("@" + "j" * 32)
    with pytest.raises(LedgerValueError, match="jurisdiction id '-j' must be"):
        scope_to_bytes32("@-j")
