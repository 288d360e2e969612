"""MATURITY.md "Robustness report": weights ±20%, arithmetic mean, goalposts 10% closer."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given, settings

from ledger.maturity.engine import IndicatorInput, robustness, round_half_even
from tests.maturity.test_engine import (
    ELEMENTS,
    IDS,
    SPEC,
    UNIT,
    by_element,
    element_scores,
    measured,
)


def variant(report: dict[str, Any], **match: Any) -> dict[str, Any]:
    found = [v for v in report["variants"] if all(v.get(k) == x for k, x in match.items())]
    assert len(found) == 1, match
    return found[0]


def test_every_change_is_reported_once() -> None:
    report = robustness(SPEC, {})
    kinds = [v["change"] for v in report["variants"]]
    assert kinds.count("weight") == 2 * 4
    assert kinds.count("mean") == 1
    assert kinds.count("goalpost") == 2 * 14
    assert report["spec_hash"] == SPEC.spec_hash


def test_goalposts_move_ten_percent_toward_each_other_in_raw_space() -> None:
    report = robustness(SPEC, {})
    assert variant(report, indicator="I1", goalpost="worst")["to"] == 329.2  # 365 - 35.8
    assert variant(report, indicator="I1", goalpost="best")["to"] == 42.8  # 7 + 35.8
    assert variant(report, indicator="T2", goalpost="best")["to"] == 0.9891
    assert variant(report, indicator="M1", goalpost="worst")["from"] == 0.6
    assert variant(report, indicator="M1", goalpost="worst")["to"] == 0.638


def test_weights_change_the_weighted_geometric_mean() -> None:
    scores = [0.9, 0.85, 0.75, 0.7]
    report = robustness(UNIT, by_element(dict(zip(ELEMENTS, scores, strict=True))))
    heavier = variant(report, change="weight", element="institutional_advantage", weight=1.2)
    logs = [1.2 * math.log(scores[0])] + [math.log(s) for s in scores[1:]]
    assert heavier["M"] == round_half_even(math.exp(sum(logs) / 4.2), 6)
    assert variant(report, change="mean")["M"] == report["M"]
    assert variant(report, change="mean")["arithmetic_mean"] == 0.8
    assert report["level"] == "L4"
    assert report["fragile"] is False
    assert report["flipped_by"] == []


def test_a_level_on_a_band_edge_is_fragile() -> None:
    inputs = by_element(dict.fromkeys(ELEMENTS, 0.61))
    report = robustness(UNIT, inputs)
    assert report["level"] == "L4"
    assert report["fragile"] is True
    moved = variant(report, indicator="I1", goalpost="worst")
    assert (moved["to"], moved["level"], moved["flips"]) == (0.1, "L3", True)
    assert "I1 worst goalpost 0.0 -> 0.1: L3" in report["flipped_by"]
    assert not any(v["flips"] for v in report["variants"] if v["change"] != "goalpost")


def test_far_from_every_edge_is_not_fragile() -> None:
    report = robustness(UNIT, by_element(dict.fromkeys(ELEMENTS, 1.0)))
    assert report["level"] == "L5"
    assert report["fragile"] is False
    assert {v["level"] for v in report["variants"]} == {"L5"}


def test_not_rated_element_is_l1_under_every_change() -> None:
    inputs: dict[str, IndicatorInput] = {i: measured(i, 0.9) for i in IDS if not i.startswith("T")}
    report = robustness(UNIT, inputs)
    assert report["level"] == "L1" and report["M"] is None
    assert report["fragile"] is False
    assert {v["level"] for v in report["variants"]} == {"L1"}


@settings(max_examples=60, deadline=None)
@given(element_scores())
def test_weights_and_the_mean_never_flip_the_level(inputs: dict[str, IndicatorInput]) -> None:
    """The overall level is the weakest element's band, and no weighted mean (geometric
    or arithmetic) falls below its smallest term: only goalposts can flip a level."""
    report = robustness(UNIT, inputs)
    assert not any(v["flips"] for v in report["variants"] if v["change"] != "goalpost")
    assert report["fragile"] == any(v["flips"] for v in report["variants"])
