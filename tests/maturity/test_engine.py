"""MATURITY.md "Aggregation and levels" and "Output and evidence", case by case."""

from __future__ import annotations

import copy
import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.effects import merkle
from ledger.maturity.engine import (
    NOT_RATED,
    RATED,
    EvidenceKey,
    IndicatorInput,
    assess,
    canonical_result_bytes,
    compute_result,
    evidence_root,
    normalise_evidence,
    result_hash,
    round_half_even,
    verify_result_hash,
    weakest_element,
)
from ledger.maturity.spec import Spec, load_spec

#: These tests pin version 1 (its file, hash and rules); the engine is the same for v2.
SPEC = load_spec(1)
IDS = [i.id for i in SPEC.indicators]
ELEMENTS = [e.id for e in SPEC.elements]
TX = "0x" + "ab" * 32


def unit_spec(spec: Spec = SPEC) -> Spec:
    """The real spec with every goalpost at ``id: 0 -> 1``, so that score == raw exactly."""
    indicators = tuple(replace(i, f="id", worst=0.0, best=1.0) for i in spec.indicators)
    return replace(spec, indicators=indicators)


UNIT = unit_spec()


def measured(ident: str, raw: float | None, **changes: Any) -> IndicatorInput:
    """An input with just enough observations (and, for D4, full evaluation coverage)."""
    ind = SPEC.indicator(ident)
    base = IndicatorInput(
        id=ident,
        raw=raw,
        numerator=ind.n_min,
        denominator=ind.n_min,
        sample=None,
        n=ind.n_min,
        evidence=[(100 + IDS.index(ident), TX, 0)],
        not_rated_reason=None,
    )
    return replace(base, **changes)


def all_at(raws: Mapping[str, float | None]) -> dict[str, IndicatorInput]:
    return {ident: measured(ident, raw) for ident, raw in raws.items()}


def by_element(scores: Mapping[str, float]) -> dict[str, IndicatorInput]:
    """Under UNIT, every indicator of an element at that element's score."""
    return {i.id: measured(i.id, scores[i.element]) for i in SPEC.indicators}


def result_of(spec: Spec, inputs: Mapping[str, IndicatorInput], **context: Any) -> dict[str, Any]:
    defaults: dict[str, Any] = {
        "scope": None,
        "window_start": 1_700_000_000 - 90 * 86_400,
        "window_end": 1_700_000_000,
        "as_of_block": 1234,
        "as_of_hash": "0x" + "cd" * 32,
        "as_of_time": 1_700_000_000,
        "chain_id": 1337,
    }
    return compute_result(spec, inputs, **{**defaults, **context})


def indicator(result: Mapping[str, Any], ident: str) -> dict[str, Any]:
    return next(i for i in result["indicators"] if i["id"] == ident)


def element(result: Mapping[str, Any], ident: str) -> dict[str, Any]:
    return next(e for e in result["elements"] if e["id"] == ident)


# -- rating an indicator ----------------------------------------------------------


@pytest.mark.parametrize("ident", IDS)
def test_fewer_than_n_min_is_not_rated_never_zero(ident: str) -> None:
    n_min = SPEC.indicator(ident).n_min
    few = measured(ident, SPEC.indicator(ident).worst, n=n_min - 1)
    out = indicator(result_of(SPEC, {ident: few}), ident)
    assert out["status"] == NOT_RATED
    assert out["score"] is None
    assert f"fewer than the {SPEC.indicator(ident).count(n_min)} required" in out["reason"]
    enough = indicator(result_of(SPEC, {ident: replace(few, n=n_min)}), ident)
    assert enough["status"] == RATED
    assert enough["reason"] is None
    assert enough["score"] == 0.0  # at the worst goalpost: rated, and zero


def test_not_rated_reasons() -> None:
    inputs = {
        "I2": measured("I2", None, n=0, not_rated_reason="no in-force clause with an obligation"),
        "I3": measured("I3", None),
        "M1": measured("M1", 0.9, n=2),
    }
    result = result_of(SPEC, inputs)
    assert indicator(result, "I1")["reason"] == "no observations"
    assert indicator(result, "I1")["evidence"] == []
    assert indicator(result, "I2")["reason"] == "no in-force clause with an obligation"
    assert indicator(result, "I3")["reason"] == "no raw value"
    assert (
        indicator(result, "M1")["reason"] == "2 orders observed, fewer than the 30 orders required"
    )
    assert indicator(result, "M1")["raw"] == 0.9  # the measurement is still shown
    t3 = indicator(result_of(SPEC, {"T3": measured("T3", 0.9, n=0)}), "T3")
    assert t3["reason"] == "0 statistics observed, fewer than the 1 statistic required"


@pytest.mark.parametrize(
    ("evaluated", "completed", "status", "reason"),
    [
        (30, 100, RATED, None),
        (9, 30, RATED, None),  # exactly 30%
        (29, 100, NOT_RATED, "29 of 100 completed orders evaluated, fewer than 30%"),
        (30, 0, NOT_RATED, "no completed orders to judge coverage on"),
        (30, None, NOT_RATED, "no completed orders to judge coverage on"),
    ],
)
def test_d4_needs_30_percent_of_completed_orders_evaluated(
    evaluated: int, completed: int | None, status: str, reason: str | None
) -> None:
    d4 = measured("D4", 0.8, numerator=evaluated, denominator=completed, n=30)
    out = indicator(result_of(SPEC, {"D4": d4}), "D4")
    assert (out["status"], out["reason"]) == (status, reason)


def test_scores_follow_the_goalposts() -> None:
    result = result_of(SPEC, all_at({"M1": 0.79, "I1": math.sqrt(365 * 7), "T2": 0.99}))
    assert indicator(result, "M1")["score"] == 0.5
    assert indicator(result, "I1")["score"] == 0.5
    assert indicator(result, "T2")["score"] == 0.5


def test_infinite_raw_value_is_written_as_a_string() -> None:
    i1 = measured("I1", math.inf, sample=[math.inf, 12.0, 3.5, math.inf], n=4)
    out = indicator(result_of(SPEC, {"I1": i1}), "I1")
    assert out["raw"] == "inf"
    assert out["sample"] == [3.5, 12.0, "inf", "inf"]
    assert out["score"] == 0.0


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ({"X9": measured("I1", 1.0)}, "unknown indicator"),
        ({"I2": measured("I1", 1.0)}, "is for indicator"),
        ({"I2": measured("I2", math.nan)}, "NaN"),
        ({"I2": measured("I2", 0.5, n=-1)}, "non-negative"),
        ({"I2": measured("I2", 0.5, evidence=[(1, "deadbeef", 0)])}, "0x-hex"),
        ({"I2": measured("I2", 0.5, evidence=[(1, 2)])}, "effect-log"),
        ({"I2": measured("I2", 0.5, evidence=[(1,)])}, "3 .on-chain. or 2"),
        ({"I2": measured("I2", 0.5, evidence=[(-1, TX, 0)])}, "on-chain"),
        ({"T3": measured("T3", 0.5, sample=[0.5, math.nan])}, "NaN"),
    ],
)
def test_malformed_inputs_raise(inputs: dict[str, IndicatorInput], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        result_of(SPEC, inputs)


# -- elements ----------------------------------------------------------------------


def test_element_with_one_third_rated_is_not_rated() -> None:
    result = result_of(UNIT, all_at({"I1": 0.9}))
    el = element(result, "institutional_advantage")
    assert el["status"] == NOT_RATED
    assert el["score"] is None and el["level"] is None
    assert (el["rated"], el["total"], el["needed"]) == (1, 3, 2)
    assert el["reason"] == "1 of 3 indicators rated, fewer than the 2 needed (two thirds)"


def test_element_with_exactly_two_thirds_rated_is_rated() -> None:
    result = result_of(UNIT, all_at({"I1": 0.9, "I3": 0.5}))
    el = element(result, "institutional_advantage")
    assert el["status"] == RATED
    assert el["score"] == 0.7
    assert el["level"] == "L4"


@pytest.mark.parametrize(("rated", "status"), [(2, NOT_RATED), (3, RATED), (4, RATED)])
def test_four_indicator_element_needs_three(rated: int, status: str) -> None:
    ids = ["M1", "M2", "M3", "M4"][:rated]
    result = result_of(UNIT, all_at(dict.fromkeys(ids, 0.5)))
    assert element(result, "operating_mechanism")["status"] == status


def test_any_element_not_rated_makes_the_overall_level_l1() -> None:
    inputs = by_element(dict.fromkeys(ELEMENTS, 0.95))
    del inputs["D1"], inputs["D2"]
    result = result_of(UNIT, inputs)
    assert result["level"] == "L1"
    assert result["level_name"] == "Initial"
    assert result["M"] is None and result["arithmetic_mean"] is None
    assert "data governance" in result["level_reason"]
    assert "technical support" not in result["level_reason"]
    assert [e["level"] for e in result["elements"]] == ["L5", "L5", "L5", None]


# -- the maturity index ----------------------------------------------------------------


def test_geometric_and_arithmetic_means() -> None:
    scores = dict(zip(ELEMENTS, [0.9, 0.8, 0.7, 0.6], strict=True))
    result = result_of(UNIT, by_element(scores))
    assert result["M"] == round((0.9 * 0.8 * 0.7 * 0.6) ** 0.25, 6)
    assert result["arithmetic_mean"] == 0.75
    assert [e["score"] for e in result["elements"]] == [0.9, 0.8, 0.7, 0.6]
    assert result["level"] == "L4"


@pytest.mark.parametrize("low", [0.0, 0.004, 0.01])
def test_geometric_mean_floors_each_element_at_001(low: float) -> None:
    scores = dict(zip(ELEMENTS, [1.0, 1.0, 1.0, low], strict=True))
    result = result_of(UNIT, by_element(scores))
    assert result["M"] == round(0.01**0.25, 6) == 0.316228
    assert result["arithmetic_mean"] == round((3 + low) / 4, 6)
    assert result["level"] == "L1"  # M alone would be L2: the weakest element caps it


def test_overall_level_is_capped_by_the_weakest_element() -> None:
    scores = dict(zip(ELEMENTS, [0.9, 0.9, 0.3, 0.9], strict=True))
    result = result_of(UNIT, by_element(scores))
    assert result["M"] == round((0.9**3 * 0.3) ** 0.25, 6)  # 0.684 -> L4
    assert result["level"] == "L2"
    assert result["level_reason"] == (
        "L2: M is in band L4, capped at L2 by the weakest element: technical support"
    )
    weakest = weakest_element(result)
    assert weakest["element"] == "technical_support"
    assert weakest["explanation"].startswith("technical support has the lowest element score")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (0.0, "L1"),
        (0.199999, "L1"),
        (0.2, "L2"),
        (0.399999, "L2"),
        (0.4, "L3"),
        (0.599999, "L3"),
        (0.6, "L4"),
        (0.799999, "L4"),
        (0.8, "L5"),
        (1.0, "L5"),
        # bands are read on the value as published, rounded to 6 places
        (0.19999949, "L1"),
        (0.19999951, "L2"),
        (math.nextafter(0.8, 0), "L5"),
    ],
)
def test_band_edges_are_exact(value: float, code: str) -> None:
    result = result_of(UNIT, by_element(dict.fromkeys(ELEMENTS, value)))
    assert [e["level"] for e in result["elements"]] == [code] * 4
    assert result["level"] == code
    assert result["M"] == round_half_even(max(value, 0.01), 6)


def test_weakest_element_prefers_not_rated_ones() -> None:
    inputs = by_element(dict(zip(ELEMENTS, [0.1, 0.9, 0.9, 0.9], strict=True)))
    del inputs["T1"], inputs["T2"]
    weakest = weakest_element(result_of(UNIT, inputs))
    assert weakest["element"] == "technical_support"
    assert weakest["status"] == NOT_RATED
    assert "T1 interconnection (no observations)" in weakest["explanation"]


# -- canonical output and hashes ------------------------------------------------------


def test_result_holds_what_maturity_md_lists() -> None:
    result = result_of(SPEC, all_at({"I2": 0.8}), scope="dcity.health")
    assert result["spec_version"] == 1
    assert result["spec_hash"] == SPEC.spec_hash
    assert result["scope"] == "dcity.health"
    assert result["window"]["end"] == 1_700_000_000
    assert result["window"]["end_utc"] == "2023-11-14T22:13:20Z"
    assert result["as_of"] == {
        "block": 1234,
        "hash": "0x" + "cd" * 32,
        "time": 1_700_000_000,
        "time_utc": "2023-11-14T22:13:20Z",
    }
    assert result["chain_id"] == 1337
    assert [i["id"] for i in result["indicators"]] == IDS
    assert set(result["indicators"][0]) == {
        "id", "element", "name", "status", "reason", "raw", "numerator", "denominator",
        "sample", "n", "n_min", "score", "evidence",
    }  # fmt: skip
    assert result_of(SPEC, {})["scope"] == "city"


def test_result_hash_is_sha256_of_canonical_result_without_it() -> None:
    result = result_of(SPEC, all_at({"I2": 0.8, "M1": 0.7}))
    body = {k: v for k, v in result.items() if k != "result_hash"}
    assert result["result_hash"] == hashlib.sha256(rfc8785.dumps(body)).hexdigest()
    assert result_hash(result) == result["result_hash"]
    assert verify_result_hash(result)
    tampered = copy.deepcopy(result)
    tampered["indicators"][1]["score"] = 1.0
    assert not verify_result_hash(tampered)
    # The canonical bytes parse back to the same result.
    assert json.loads(canonical_result_bytes(result)) == result


def test_same_inputs_give_identical_bytes() -> None:
    evidence: list[EvidenceKey] = [(5, TX, 2), ("dcity.log", 9), (5, TX, 1), (5, TX.upper(), 1)]
    inputs = {
        "I1": measured("I1", 30.0, sample=[math.inf, 30.0, 2.0], n=3, evidence=evidence),
        "T3": measured("T3", 0.9, sample=[0.9, 0.95, 0.85]),
        "D3": measured("D3", 0.9995, numerator=1999, denominator=2000, n=2000),
    }
    shuffled = {
        "D3": inputs["D3"],
        "T3": replace(inputs["T3"], sample=[0.95, 0.85, 0.9]),
        "I1": replace(inputs["I1"], sample=[2.0, math.inf, 30.0], evidence=evidence[::-1]),
    }
    a, b = result_of(SPEC, inputs), result_of(SPEC, shuffled)
    assert canonical_result_bytes(a) == canonical_result_bytes(b)
    assert a["result_hash"] == b["result_hash"]
    when = datetime.fromtimestamp(1_700_000_000, UTC)
    c = result_of(SPEC, inputs, window_end=when, as_of_time=when)
    assert canonical_result_bytes(c) == canonical_result_bytes(a)


def test_numbers_are_rounded_half_even_to_six_places_at_output() -> None:
    result = result_of(UNIT, all_at({"I2": 0.12345650000000001, "I3": 1 / 3, "I1": 2 / 3}))
    assert indicator(result, "I2")["raw"] == 0.123457
    assert indicator(result, "I3")["score"] == 0.333333
    assert indicator(result, "I1")["score"] == 0.666667
    # Means are taken of unrounded scores: rounding first would give 0.000000 here.
    result = result_of(UNIT, all_at({"I1": 4e-7, "I2": 4e-7, "I3": 1e-6}))
    assert [indicator(result, i)["score"] for i in ("I1", "I2", "I3")] == [0.0, 0.0, 0.000001]
    assert element(result, "institutional_advantage")["score"] == 0.000001


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12))
def test_rounding_matches_pythons_correctly_rounded_round(x: float) -> None:
    assert round_half_even(x, 6) == round(x, 6)


# -- evidence ----------------------------------------------------------------------


def test_evidence_is_sorted_and_deduplicated() -> None:
    keys: list[EvidenceKey] = [
        ("b-log", 1),
        (7, "0xAA", 1),
        ("a-log", 5),
        (3, "0xff", 0),
        (7, "0xaa", 1),
    ]
    assert normalise_evidence(keys) == ((3, "0xff", 0), (7, "0xaa", 1), ("a-log", 5), ("b-log", 1))
    out = indicator(result_of(SPEC, {"I2": measured("I2", 0.5, evidence=keys)}), "I2")
    assert out["evidence"] == [[3, "0xff", 0], [7, "0xaa", 1], ["a-log", 5], ["b-log", 1]]


def test_evidence_root_as_an_auditor_recomputes_it() -> None:
    inputs = {
        "I2": measured("I2", 0.5, evidence=[(2, TX, 1), ("dcity.log", 3)]),
        "D3": measured("D3", 0.99, n=1000, evidence=[("dcity.log", 4), ("dcity.log", 3)]),
    }
    result = result_of(SPEC, inputs)
    leaves = []
    for ind in result["indicators"]:
        leaves.append(json.dumps(ind["evidence"], separators=(",", ":")).encode())
    assert leaves[1] == b'[[2,"' + TX.encode() + b'",1],["dcity.log",3]]'
    assert leaves[0] == b"[]"
    assert result["evidence_root"] == merkle.root(leaves).hex()
    by_id = {i["id"]: i["evidence"] for i in result["indicators"]}
    assert (
        evidence_root(SPEC, {k: [tuple(e) for e in v] for k, v in by_id.items()})
        == (result["evidence_root"])
    )


def _base_evidence() -> dict[str, IndicatorInput]:
    return {
        "I2": measured("I2", 0.5, evidence=[(2, TX, 1), (3, TX, 0)]),
        "D3": measured("D3", 0.99, n=1000, evidence=[("dcity.log", 4)]),
    }


@pytest.mark.parametrize(
    ("ident", "evidence"),
    [
        ("I2", [(2, TX, 1), (4, TX, 0)]),  # another block
        ("I2", [(2, TX, 1), (3, TX, 1)]),  # another log index
        ("I2", [(2, TX, 1), (3, "0x" + "ab" * 31 + "ac", 0)]),  # another tx
        ("I2", [(2, TX, 1)]),  # a key dropped
        ("D3", [("dcity.log", 5)]),  # another sequence
        ("D3", [("dcity.lag", 4)]),  # another log
    ],
)
def test_evidence_root_changes_with_any_key(ident: str, evidence: list[EvidenceKey]) -> None:
    base = _base_evidence()
    changed = {**base, ident: replace(base[ident], evidence=evidence)}
    a, b = result_of(SPEC, base), result_of(SPEC, changed)
    assert a["evidence_root"] != b["evidence_root"]
    assert a["result_hash"] != b["result_hash"]


def test_evidence_root_depends_on_which_indicator_holds_a_key() -> None:
    # The same keys filed under another indicator give another root.
    a = result_of(SPEC, {"I2": measured("I2", 0.5, evidence=[(2, TX, 1)])})
    b = result_of(SPEC, {"I3": measured("I3", 0.5, evidence=[(2, TX, 1)])})
    assert a["evidence_root"] != b["evidence_root"]


# -- properties --------------------------------------------------------------------


def _raw_for(ident: str) -> st.SearchStrategy[float | None]:
    ind = SPEC.indicator(ident)
    if ind.f == "ln":
        return st.one_of(st.none(), st.floats(0.01, 1000.0), st.just(math.inf))
    return st.one_of(st.none(), st.floats(0.0, 1.0))


@st.composite
def input_sets(draw: st.DrawFn) -> dict[str, IndicatorInput]:
    out: dict[str, IndicatorInput] = {}
    for ident in IDS:
        if not draw(st.booleans()) and draw(st.booleans()):
            continue  # a quarter of indicators have no input at all
        n_min = SPEC.indicator(ident).n_min
        n = draw(st.sampled_from([n_min, n_min, n_min * 2, n_min - 1]))
        out[ident] = measured(ident, draw(_raw_for(ident)), n=n)
    return out


@st.composite
def element_scores(draw: st.DrawFn) -> dict[str, IndicatorInput]:
    """Under UNIT: every indicator rated, element scores anywhere in [0, 1]."""
    return {ident: measured(ident, draw(st.floats(0.0, 1.0))) for ident in IDS}


@settings(max_examples=100, deadline=None)
@given(input_sets())
def test_every_score_is_in_the_unit_interval(inputs: dict[str, IndicatorInput]) -> None:
    result = result_of(SPEC, inputs)
    numbers = [i["score"] for i in result["indicators"]] + [e["score"] for e in result["elements"]]
    numbers += [result["M"], result["arithmetic_mean"]]
    assert all(x is None or 0.0 <= x <= 1.0 for x in numbers)
    for i in result["indicators"]:
        assert (i["score"] is None) == (i["status"] == NOT_RATED)
    assert verify_result_hash(result)


@settings(max_examples=150, deadline=None)
@given(element_scores())
def test_geometric_mean_never_exceeds_arithmetic_mean(inputs: dict[str, IndicatorInput]) -> None:
    a = assess(UNIT, inputs)
    assert a.m is not None and a.arithmetic_mean is not None
    scores = [e.score for e in a.elements]
    assert all(s is not None for s in scores)
    floored = [max(s, 0.01) for s in scores if s is not None]
    assert a.m <= sum(floored) / 4 + 1e-12
    if min(floored) > 0.01:
        assert a.m <= a.arithmetic_mean + 1e-12
    result = result_of(UNIT, inputs)
    if all(e["score"] >= 0.01 for e in result["elements"]):
        assert result["M"] <= result["arithmetic_mean"]


@settings(max_examples=100, deadline=None)
@given(st.one_of(input_sets(), element_scores()))
def test_overall_level_is_never_above_any_element(inputs: dict[str, IndicatorInput]) -> None:
    result = result_of(UNIT, inputs)
    levels = [e["level"] for e in result["elements"]]
    if None in levels:
        assert result["level"] == "L1"
    else:
        # A mean is never below its smallest term, so the weakest element decides.
        assert result["level"] == min(levels)
