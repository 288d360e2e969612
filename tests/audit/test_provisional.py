"""A published score is provisional until its as-of block is final on the chain."""

from __future__ import annotations

from pathlib import Path

from ledger.audit.scores import finalized_block, publication_view
from ledger.core import Ledger
from tests.conftest import found_city, make_settings, publish
from tests.nodes import hardhat_node


def test_a_score_is_provisional_until_its_block_is_deep_enough(tmp_path: Path) -> None:
    with Ledger.open(make_settings(tmp_path / "home", finality_depth=3)) as ledger:
        found_city(ledger)
        pub = publish(ledger)
        as_of = pub.result["as_of"]["block"]
        score = ledger.scoreboard.score_of(pub.score_id)
        assert finalized_block(ledger.handle, 3) == ledger.w3.eth.block_number - 3
        seen = []
        while ledger.w3.eth.block_number < as_of + 4:
            view = publication_view(score, finalized_block(ledger.handle, 3))
            seen.append((ledger.w3.eth.block_number - as_of, view["provisional"]))
            ledger.clock.advance_time(1)
        final = finalized_block(ledger.handle, ledger.settings.finality_depth)
        assert publication_view(score, final)["provisional"] is False
    assert seen == [(depth, depth < 3) for depth in range(1, 4)]


def test_the_embedded_chain_is_final_at_once(tmp_path: Path) -> None:
    with Ledger.open(make_settings(tmp_path / "home")) as ledger:
        depth = ledger.settings.finality_depth
        assert finalized_block(ledger.handle, depth) == ledger.w3.eth.block_number


def test_a_node_s_finalized_block_is_used(tmp_path: Path) -> None:
    with (
        hardhat_node() as url,
        Ledger.open(make_settings(tmp_path / "home", rpc_url=url)) as ledger,
    ):
        finalized = ledger.w3.eth.get_block("finalized")["number"]
        assert finalized_block(ledger.handle, ledger.settings.finality_depth) == finalized
