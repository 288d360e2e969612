"""Effect-log ranges as evidence: checked, de-duplicated and ordered after on-chain keys."""

from __future__ import annotations

import pytest

from ledger.maturity.engine import evidence_leaf, normalise_evidence


def test_ranges_sort_with_log_entries_after_chain_keys() -> None:
    keys = [("calls", 10, 19), (5, "0xAB", 1), ("calls", 10), ("calls", 0, 9), ("beats", 3)]
    assert normalise_evidence(keys) == (
        (5, "0xab", 1),
        ("beats", 3),
        ("calls", 0, 9),
        ("calls", 10),
        ("calls", 10, 19),
    )
    assert evidence_leaf(keys) == (
        b'[[5,"0xab",1],["beats",3],["calls",0,9],["calls",10],["calls",10,19]]'
    )


@pytest.mark.parametrize("bad", [("calls", 9, 3), ("", 0, 1), ("calls", -1, 4)])
def test_bad_ranges_are_refused(bad: tuple[str, int, int]) -> None:
    with pytest.raises(ValueError, match="bad effect-log range"):
        normalise_evidence([bad])
