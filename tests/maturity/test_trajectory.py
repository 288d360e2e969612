"""Staged targets and the gap (MATURITY.md "Trajectory"), worked by hand.

The path below is L3 at t=1000 and L5 at t=2000: targets 0.4 and 0.8 (the lower bounds
of the bands), so the line between them rises 0.4 per 1000 seconds.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ledger.errors import LedgerValueError
from ledger.maturity.scopes import NATIONAL_PATH, Milestone
from ledger.maturity.spec import load_spec
from ledger.maturity.trajectory import Baseline, expected, standing, target_index

SPEC = load_spec()
PATH = (Milestone(1000, 3), Milestone(2000, 5))


def utc(*parts: int) -> int:
    return int(datetime(*parts, tzinfo=UTC).timestamp())


def test_target_index_is_the_lower_bound_of_the_band() -> None:
    assert [target_index(SPEC, level) for level in (1, 2, 3, 4, 5)] == [0.0, 0.2, 0.4, 0.6, 0.8]


def test_the_national_path_is_l4_by_end_2025_and_l5_by_end_2035() -> None:
    assert (
        Milestone(utc(2025, 12, 31, 23, 59, 59), 4),
        Milestone(utc(2035, 12, 31, 23, 59, 59), 5),
    ) == NATIONAL_PATH


@pytest.mark.parametrize(
    ("time", "index", "level", "basis"),
    [
        (1000, 0.4, 3, "between milestones"),  # at the first milestone: its target
        (1250, 0.5, 3, "between milestones"),  # 0.4 + 0.4 * 250/1000
        (1500, 0.6, 4, "between milestones"),  # halfway: 0.6, the L4 bound
        (1999, 0.7996, 4, "between milestones"),
        (2000, 0.8, 5, "after the last milestone"),
        (9000, 0.8, 5, "after the last milestone"),  # stays at the last target
    ],
)
def test_expected_index_interpolates_between_milestones(
    time: int, index: float, level: int, basis: str
) -> None:
    path = expected(SPEC, PATH, time, Baseline(0, 0.1))
    assert path.index == pytest.approx(index, abs=1e-12)
    assert (path.level, path.basis) == (level, basis)


def test_national_path_halfway_through_2026_to_2035() -> None:
    # 2025-12-31 to 2035-12-31 is 3652 days (2028 and 2032 are leap years); 2030-12-31
    # is 1826 days in: 0.6 + 0.2 * 1826/3652 = 0.7, L4.
    path = expected(SPEC, NATIONAL_PATH, utc(2030, 12, 31, 23, 59, 59))
    assert path.index == pytest.approx(0.7, abs=1e-12)
    assert path.level == 4
    assert (path.previous, path.next) == NATIONAL_PATH


def test_before_the_first_milestone_the_path_runs_from_the_baseline() -> None:
    # Baseline M 0.2 at t=0, first milestone 0.4 at t=1000: at t=500, 0.3 (L2).
    path = expected(SPEC, PATH, 500, Baseline(0, 0.2))
    assert path.index == pytest.approx(0.3, abs=1e-12)
    assert (path.level, path.basis, path.previous, path.next) == (
        2,
        "from the baseline",
        None,
        Milestone(1000, 3),
    )


def test_a_baseline_not_rated_runs_from_zero() -> None:
    path = expected(SPEC, PATH, 250, Baseline(0, None))
    assert path.index == pytest.approx(0.1, abs=1e-12)
    assert path.level == 1


def test_a_baseline_above_the_first_target_runs_down_to_it() -> None:
    path = expected(SPEC, PATH, 500, Baseline(0, 0.6))
    assert path.index == pytest.approx(0.5, abs=1e-12)


def test_before_the_baseline_the_path_is_the_baseline() -> None:
    path = expected(SPEC, PATH, 100, Baseline(600, 0.25))
    assert (path.index, path.level, path.basis) == (0.25, 2, "before the baseline")


def test_without_a_baseline_the_first_milestone_holds_already() -> None:
    path = expected(SPEC, PATH, 10)
    assert (path.index, path.level, path.basis) == (0.4, 3, "no baseline")


def test_gap_and_on_track() -> None:
    # At t=1750 the path expects 0.7 (L4).
    behind = standing(SPEC, PATH, 1750, 0.65, 4)
    assert behind.gap == pytest.approx(0.05, abs=1e-12)
    assert not behind.on_track
    ahead = standing(SPEC, PATH, 1750, 0.72, 4)
    assert ahead.gap == pytest.approx(-0.02, abs=1e-12)
    assert ahead.on_track
    # M above the path but the level capped below L4 by the weakest element: behind.
    capped = standing(SPEC, PATH, 1750, 0.75, 3)
    assert capped.gap == pytest.approx(-0.05, abs=1e-12)
    assert not capped.on_track


def test_m_not_rated_has_no_gap_and_is_behind_unless_nothing_is_expected() -> None:
    unrated = standing(SPEC, PATH, 1750, None, 1)
    assert (unrated.gap, unrated.on_track) == (None, False)
    nothing_due = standing(SPEC, (Milestone(1000, 1),), 1750, None, 1)
    assert (nothing_due.expectation.index, nothing_due.gap, nothing_due.on_track) == (
        0.0,
        None,
        True,
    )


@pytest.mark.parametrize(
    ("stones", "message"),
    [
        ((), "at least one milestone"),
        ((Milestone(5, 3), Milestone(5, 4)), "strictly increase"),
        ((Milestone(5, 4), Milestone(6, 3)), "never fall"),
        ((Milestone(5, 6),), "1..5"),
    ],
)
def test_bad_milestones_are_refused(stones: tuple[Milestone, ...], message: str) -> None:
    with pytest.raises(LedgerValueError, match=message):
        expected(SPEC, stones, 0)


def test_m_outside_zero_one_is_refused() -> None:
    with pytest.raises(LedgerValueError, match=r"M must lie in \[0, 1\]"):
        standing(SPEC, PATH, 0, 1.5, 5)
