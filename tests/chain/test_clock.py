"""The chain clock: the latest block's time, moved forward only."""

from __future__ import annotations

import pytest

from ledger.core import Ledger
from ledger.errors import LedgerValueError


def test_now_is_the_latest_block_s_timestamp(ledger: Ledger) -> None:
    assert ledger.clock.now() == ledger.w3.eth.get_block("latest")["timestamp"]


def test_advance_time_mines_a_block_that_late(ledger: Ledger) -> None:
    before, head = ledger.clock.now(), ledger.w3.eth.block_number
    after = ledger.clock.advance_time(3_600)
    assert after == before + 3_600 == ledger.clock.now()
    assert ledger.w3.eth.block_number == head + 1


def test_set_next_block_time_mines_nothing_and_the_next_block_carries_it(ledger: Ledger) -> None:
    before, head = ledger.clock.now(), ledger.w3.eth.block_number
    ledger.clock.set_next_block_time(before + 600)
    assert (ledger.clock.now(), ledger.w3.eth.block_number) == (before, head)
    ledger.departments.register("dcity.clocked", "Clocked Bureau")
    assert ledger.w3.eth.get_block(head + 1)["timestamp"] == before + 600


def test_time_only_moves_forward(ledger: Ledger) -> None:
    now = ledger.clock.now()
    with pytest.raises(LedgerValueError) as back:
        ledger.clock.advance_time(-1)
    with pytest.raises(LedgerValueError) as same:
        ledger.clock.set_next_block_time(now)
    assert str(back.value) == str(same.value) == "time only moves forward"
    assert ledger.clock.now() == now
