"""Scores by jurisdiction (MATURITY.md "Scope"): membership at each event's block.

- A jurisdiction's score equals the score over the union of its subtree's departments
  (property, over random trees and placements).
- Moving a department moves its events' weight from one jurisdiction to the other from
  that block on (worked by hand, and as a property: a parent's counts are the sum of its
  children's, and the roots' add up to the whole, however departments move).
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.errors import LedgerValueError, NotFoundError
from ledger.maturity.indicators import measure_all
from ledger.maturity.scopes import (
    NATIONAL_PATH,
    JurisdictionHistory,
    Milestone,
    jurisdiction_label,
    jurisdiction_of_label,
    resolve_scope,
)
from ledger.store.records import EventRecord
from tests.maturity.juris_events import (
    DAY,
    T0,
    activity,
    chain,
    created,
    evidence,
    moved,
    placed,
    tree_event,
)

DEPTS = ("d0", "d1", "d2", "d3")


def at_time(events: Sequence[EventRecord], time: int) -> int:
    """The last block at or before ``time``."""
    return max(e.block_number for e in events if e.block_time <= time)


# -- the history ---------------------------------------------------------------------------


def test_history_answers_membership_at_each_block() -> None:
    events = chain(
        [
            created("prov", None, 1),
            created("city.a", "prov", 2),
            created("city.b", "prov", 2),
            created("dist.a1", "city.a", 3),
            placed("d0", "dist.a1"),
            placed("d1", "city.b"),
            # day 10: dist.a1 moves from city.a to city.b; day 20: d1 moves to city.a
            moved("dist.a1", "city.a", "city.b", T0 + 10 * DAY),
            placed("d1", "city.a", T0 + 20 * DAY, from_="city.b"),
        ]
    )
    history = JurisdictionHistory.from_events(events)
    before, middle, after = (at_time(events, T0 + d * DAY) for d in (5, 15, 25))
    assert history.departments("city.a", block=before) == {"d0"}
    assert history.departments("city.b", block=before) == {"d1"}
    assert history.departments("city.a", block=middle) == set()
    assert history.departments("city.b", block=middle) == {"d0", "d1"}
    assert history.departments("city.a", block=after) == {"d1"}
    assert history.departments("prov", block=after) == {"d0", "d1"}
    assert history.path("dist.a1", block=middle) == ["dist.a1", "city.b", "prov"]
    assert history.parent("prov") is None  # bytes32(0) decodes as no parent
    assert history.children(None) == ["prov"]
    assert history.children("city.b", block=middle) == ["dist.a1"]
    assert history.jurisdiction_of("d1", time=T0 + 19 * DAY) == "city.b"
    assert history.jurisdiction_of("d1", time=T0 + 20 * DAY) == "city.a"
    assert history.jurisdiction_of("d9") is None
    # A scope counts by the block it is asked about.
    scope = history.scope("city.a")
    assert scope.label == "@city.a"
    assert [scope.counts("d0", b) for b in (before, middle)] == [True, False]
    assert [scope.counts_at_time("d1", T0 + d * DAY) for d in (15, 25)] == [False, True]


def test_milestones_default_to_the_national_path_and_an_empty_list_restores_it() -> None:
    stones = [1_800_000_000, 1_900_000_000], [3, 4]
    events = chain(
        [
            created("city", None, 2),
            tree_event(
                "MilestonesSet",
                T0 + DAY,
                jurisdictionId="city",
                times=stones[0],
                levels=stones[1],
            ),
            tree_event("MilestonesSet", T0 + 2 * DAY, jurisdictionId="city", times=[], levels=[]),
        ]
    )
    history = JurisdictionHistory.from_events(events)
    assert history.milestones("city", block=1) == NATIONAL_PATH
    assert history.milestones("city", block=2) == (
        Milestone(1_800_000_000, 3),
        Milestone(1_900_000_000, 4),
    )
    assert history.milestones("city", block=3) == NATIONAL_PATH


def test_renames_and_unknown_jurisdictions() -> None:
    events = chain(
        [
            created("city", None, 2),
            tree_event("JurisdictionRenamed", T0, jurisdictionId="city", name="D city"),
        ]
    )
    history = JurisdictionHistory.from_events(events)
    assert (history.name("city", block=1), history.name("city")) == ("city name", "D city")
    assert history.tier("city") == 2
    with pytest.raises(NotFoundError, match="jurisdiction 'town' not found"):
        history.scope("town")
    with pytest.raises(NotFoundError, match="jurisdiction 'town' not found"):
        resolve_scope("@town", events)
    # created at block 1: not there at block 0
    with pytest.raises(NotFoundError):
        history.require("city", block=0)


def test_scope_labels_round_trip() -> None:
    assert jurisdiction_label("dcity.d1") == "@dcity.d1"
    assert jurisdiction_of_label("@dcity.d1") == "dcity.d1"
    assert jurisdiction_of_label("dcity.office") is None
    assert jurisdiction_of_label(None) is None
    with pytest.raises(LedgerValueError, match="jurisdiction id"):
        jurisdiction_label("@bad")


# -- moving a department, by hand ----------------------------------------------------------


def test_moving_a_department_moves_its_weight_from_that_block_on() -> None:
    # d0 sits in district A until day 30, then in B; both under city P.
    # Deliveries due days 1, 8, 15, ..., 50: the missed marks (k = 0, 3, 6) fall on days
    # 2, 23, 44 and the deliveries an hour before their due: days 1, 8, 15, 29, 36, 50.
    # Before day 30: k = 0..4 (5 dues), on time k = 2, 4; after: k = 5..7 (3), on time k = 7.
    # Drills due days 2, 12, ..., 52: held (k even) the day after, missed (k odd) eight
    # days after: before day 30 k = 0, 1, 2 (2 held); after k = 3, 4, 5 (1 held).
    move = T0 + 30 * DAY
    events = chain(
        [
            created("P", None, 2),
            created("A", "P", 3),
            created("B", "P", 3),
            placed("d0", "A"),
            placed("d0", "B", move, from_="A"),
            *activity("d0", 0),
        ]
    )
    history = JurisdictionHistory.from_events(events)

    def counts(node: str) -> dict[str, tuple[float | None, float | None]]:
        inputs = measure_all(evidence(events, history.scope(node), DEPTS))
        return {i: (inputs[i].numerator, inputs[i].denominator) for i in ("M2", "M3")}

    assert counts("A") == {"M2": (2, 3), "M3": (2, 5)}
    assert counts("B") == {"M2": (1, 3), "M3": (1, 3)}
    assert counts("P") == {"M2": (3, 6), "M3": (3, 8)}
    whole = measure_all(evidence(events, "d0", DEPTS))
    assert counts("P") == {i: (whole[i].numerator, whole[i].denominator) for i in ("M2", "M3")}
    # Work orders go with the block of their completion: A has those completed before
    # day 30 (orders 0..7, started every four days), B the rest (8..13).
    a_orders = measure_all(evidence(events, history.scope("A"), DEPTS))["M1"]
    b_orders = measure_all(evidence(events, history.scope("B"), DEPTS))["M1"]
    assert (a_orders.denominator, b_orders.denominator) == (8, 6)


# -- properties ----------------------------------------------------------------------------


@st.composite
def trees(draw: st.DrawFn, leaves_only: bool = False) -> tuple[list[str | None], list[int]]:
    """Parents of up to six jurisdictions (each below an earlier one or a root) and the
    jurisdiction each department is first placed in."""
    size = draw(st.integers(1, 6))
    parents: list[str | None] = [None]
    for i in range(1, size):
        parent = draw(st.integers(-1, i - 1))
        parents.append(None if parent < 0 else f"j{parent}")
    places = list(range(size))
    if leaves_only:
        places = [i for i in places if f"j{i}" not in parents]
    homes = [draw(st.sampled_from(places)) for _ in DEPTS]
    return parents, homes


def tree_events(parents: list[str | None]) -> list[EventRecord]:
    return [created(f"j{i}", p, 1 if p is None else min(6, 2 + i)) for i, p in enumerate(parents)]


def subtree(parents: list[str | None], node: str) -> set[str]:
    out = {node}
    for i, p in enumerate(parents):
        if p is not None and p in out:
            out.add(f"j{i}")
    return out


ACTIVITY = [e for i, d in enumerate(DEPTS) for e in activity(d, i)]


@settings(max_examples=25, deadline=None)
@given(trees())
def test_a_jurisdiction_scores_the_union_of_its_departments(
    tree: tuple[list[str | None], list[int]],
) -> None:
    parents, homes = tree
    events = chain(
        [*tree_events(parents)]
        + [placed(d, f"j{h}") for d, h in zip(DEPTS, homes, strict=True)]
        + ACTIVITY
    )
    history = JurisdictionHistory.from_events(events)
    for i in range(len(parents)):
        node = f"j{i}"
        members = {
            d for d, h in zip(DEPTS, homes, strict=True) if f"j{h}" in subtree(parents, node)
        }
        assert history.departments(node) == members
        by_jurisdiction = measure_all(evidence(events, history.scope(node), DEPTS))
        by_union = measure_all(evidence(events, members, DEPTS))
        assert by_jurisdiction == by_union


def _counts(inputs: dict[str, object]) -> dict[str, tuple[object, object, object]]:
    return {
        i: (inputs[i].numerator, inputs[i].denominator, inputs[i].n)  # type: ignore[attr-defined]
        for i in ("M1", "M2", "M3", "M4", "D4")
    }


def _add(rows: list[dict[str, tuple[object, object, object]]]) -> dict[str, tuple[float, ...]]:
    return (
        {i: tuple(sum(float(r[i][k] or 0) for r in rows) for k in range(3)) for i in rows[0]}
        if rows
        else {}
    )


@settings(max_examples=25, deadline=None)
@given(trees(leaves_only=True), st.data())
def test_moves_keep_every_observation_counted_once(
    tree: tuple[list[str | None], list[int]], data: st.DataObject
) -> None:
    parents, homes = tree
    leaves = [f"j{i}" for i in range(len(parents)) if f"j{i}" not in parents]
    moves: list[EventRecord] = []
    for d, home in zip(DEPTS, homes, strict=True):
        where = f"j{home}"
        for day in sorted(data.draw(st.sets(st.integers(-5, 65), max_size=3))):
            to = data.draw(st.sampled_from(leaves))
            moves.append(placed(d, to, T0 + day * DAY + 1, from_=where))
            where = to
    events = chain(
        [*tree_events(parents)]
        + [placed(d, f"j{h}") for d, h in zip(DEPTS, homes, strict=True)]
        + moves
        + ACTIVITY
    )
    history = JurisdictionHistory.from_events(events)
    counts = {
        f"j{i}": _counts(measure_all(evidence(events, history.scope(f"j{i}"), DEPTS)))
        for i in range(len(parents))
    }
    for node in counts:
        children = [f"j{i}" for i, p in enumerate(parents) if p == node]
        if children:
            assert _add([counts[node]]) == _add([counts[c] for c in children])
    roots = [f"j{i}" for i, p in enumerate(parents) if p is None]
    whole = _counts(measure_all(evidence(events, set(DEPTS), DEPTS)))
    assert _add([counts[r] for r in roots]) == _add([whole])
