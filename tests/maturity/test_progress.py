"""The progress of a tree, scored from one read with shared measurements, is exactly the
single scores of its nodes (property, over random trees and department moves), with the
path, gap and trend worked from those scores."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.errors import NotFoundError
from ledger.maturity.scopes import NATIONAL_PATH
from ledger.maturity.service import Scorer
from ledger.maturity.spec import load_spec
from ledger.maturity.trajectory import expected
from ledger.store.records import EventRecord
from tests.maturity.juris_events import (
    DAY,
    END,
    T0,
    activity,
    chain,
    created,
    placed,
    records,
    tree_event,
)

DEPTS = ("d0", "d1", "d2")
ACTIVITY = [e for i, d in enumerate(DEPTS) for e in activity(d, i)]


@dataclass
class Chain:
    """Narrow sources over a list of events, one block each (block 0 before them)."""

    events: list[EventRecord]

    def read(self, to_block: int) -> Sequence[EventRecord]:
        return [e for e in self.events if e.block_number <= to_block]

    def head(self) -> int:
        return len(self.events)

    def block(self, number: int) -> tuple[int, str]:
        time = self.events[number - 1].block_time if number else self.events[0].block_time - 1
        return time, f"0x{number + 1:064x}"

    def scorer(self) -> Scorer:
        by_id = records(DEPTS)
        return Scorer(
            events=self.read,
            blocks=self,
            records=lambda p, _v, _d: by_id.get(p),
            effects=lambda _b, _e: None,
            chain_id=1,
        )


def world(parents: list[str | None], homes: list[int], moves: list[tuple[int, int, int]]) -> Chain:
    tree = [created(f"j{i}", p, 1 if p is None else 2) for i, p in enumerate(parents)]
    placements = [placed(d, f"j{h}") for d, h in zip(DEPTS, homes, strict=True)]
    moved = [placed(DEPTS[d], f"j{to}", T0 + day * DAY + 1) for d, to, day in moves]
    # Activity runs to END; the chain goes on 30 days more (a last event) for the windows.
    tail = [tree_event("JurisdictionRenamed", END + 30 * DAY, jurisdictionId="j0", name="J0")]
    return Chain(chain([*tree, *placements, *moved, *ACTIVITY, *tail]))


@st.composite
def worlds(draw: st.DrawFn) -> Chain:
    size = draw(st.integers(1, 4))
    parents: list[str | None] = [None]
    for i in range(1, size):
        parent = draw(st.integers(-1, i - 1))
        parents.append(None if parent < 0 else f"j{parent}")
    homes = [draw(st.integers(0, size - 1)) for _ in DEPTS]
    moves = draw(
        st.lists(
            st.tuples(st.integers(0, 2), st.integers(0, size - 1), st.integers(0, 80)),
            max_size=3,
        )
    )
    return world(parents, homes, moves)


@settings(max_examples=12, deadline=None)
@given(worlds(), st.sampled_from([30, 45]))
def test_every_node_is_its_single_score(chain: Chain, days: int) -> None:
    scorer = chain.scorer()
    view = scorer.progress(window_days=days)
    previous = view["previous_as_of_block"]
    spec = load_spec()
    for row in view["nodes"]:
        label = "@" + row["id"]
        single = scorer.score(scope=label, window_days=days)
        assert row["result_hash"] == single["result_hash"]
        assert (row["M"], row["level"]) == (single["M"], single["level"])
        earlier = scorer.score(scope=label, window_days=days, as_of_block=previous)
        assert row["M_previous"] == earlier["M"]
        path = expected(spec, NATIONAL_PATH, view["as_of"]["time"])
        assert row["expected_index"] == pytest.approx(path.index, abs=1e-6)
        assert row["gap"] == (
            None if row["M"] is None else pytest.approx(path.index - row["M"], abs=2e-6)
        )


def test_unknown_jurisdictions_are_refused() -> None:
    scorer = world([None], [0, 0, 0], []).scorer()
    with pytest.raises(NotFoundError, match="jurisdiction 'j9' not found"):
        scorer.progress(jurisdiction="j9")
    with pytest.raises(NotFoundError, match="jurisdiction 'j9' not found"):
        scorer.roadmap(jurisdiction="j9")
    with pytest.raises(NotFoundError, match="jurisdiction 'j9' not found"):
        scorer.score(scope="@j9")
