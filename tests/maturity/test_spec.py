"""The packaged spec matches MATURITY.md's table, and its hash pins its bytes."""

from __future__ import annotations

import hashlib
import math
from fractions import Fraction
from importlib import resources
from pathlib import Path

import pytest

import ledger.maturity
from ledger.errors import LedgerError
from ledger.maturity.spec import (
    LATEST_VERSION,
    Definitions,
    SpecError,
    load_spec,
    spec_bytes,
    spec_for_hash,
    spec_versions,
)
from tests.maturity.conftest import EXECUTION

#: MATURITY.md "Indicators", transcribed: id -> (element, f, worst, best, n_min).
TABLE = {
    "I1": ("institutional_advantage", "ln", 365, 7, 3),
    "I2": ("institutional_advantage", "id", 0.3, 1.0, 3),
    "I3": ("institutional_advantage", "id", 0.5, 1.0, 3),
    "M1": ("operating_mechanism", "id", 0.6, 0.98, 30),
    "M2": ("operating_mechanism", "id", 0.5, 1.0, 3),
    "M3": ("operating_mechanism", "id", 0.5, 1.0, 10),
    "M4": ("operating_mechanism", "ln", 72, 1, 10),
    "T1": ("technical_support", "id", 0.2, 1.0, 3),
    "T2": ("technical_support", "nl1m", 0.9, 0.999, 100),
    "T3": ("technical_support", "id", 0.5, 0.95, 1),
    "D1": ("data_governance", "id", 0.6, 1.0, 5),
    "D2": ("data_governance", "id", 0.5, 1.0, 1),
    "D3": ("data_governance", "nl1m", 0.95, 0.9999, 1000),
    "D4": ("data_governance", "id", 0.6, 0.95, 30),
}


@pytest.mark.parametrize("version", [1, 2])
def test_indicator_table_matches_maturity_md(version: int) -> None:
    spec = load_spec(version)
    assert [i.id for i in spec.indicators] == list(TABLE)
    for ind in spec.indicators:
        assert (ind.element, ind.f, ind.worst, ind.best, ind.n_min) == TABLE[ind.id]


@pytest.mark.parametrize("version", [1, 2])
def test_elements_weights_and_parameters(version: int) -> None:
    spec = load_spec(version)
    assert [e.id for e in spec.elements] == [
        "institutional_advantage",
        "operating_mechanism",
        "technical_support",
        "data_governance",
    ]
    assert all(e.weight == 1.0 for e in spec.elements)
    assert [(b.code, b.name, b.lower) for b in spec.bands] == [
        ("L1", "Initial", 0.0),
        ("L2", "Managed", 0.2),
        ("L3", "Defined", 0.4),
        ("L4", "Quantitatively managed", 0.6),
        ("L5", "Optimizing", 0.8),
    ]
    assert spec.element_min_rated_share == Fraction(2, 3)
    assert spec.element_score_floor == 0.01
    assert spec.default_window_days == 90
    assert spec.decimal_places == 6
    assert (spec.weight_change, spec.goalpost_shift) == (0.2, 0.1)
    rule = spec.coverage_rule("D4")
    assert rule is not None and rule.min_share == Fraction(3, 10)
    assert spec.coverage_rule("D3") is None


def test_spec_hash_is_sha256_of_packaged_bytes() -> None:
    spec = load_spec(1)
    on_disk = Path(ledger.maturity.__file__).with_name("spec_v1.json").read_bytes()
    packaged = resources.files("ledger.maturity").joinpath("spec_v1.json").read_bytes()
    assert spec_bytes(1) == on_disk == packaged
    assert spec.spec_hash == hashlib.sha256(on_disk).hexdigest()
    assert load_spec(1) is spec  # cached


def test_unknown_version() -> None:
    with pytest.raises(SpecError, match="no such spec version") as caught:
        load_spec(99)
    assert caught.value.version == 99
    assert isinstance(caught.value, LedgerError)


@pytest.mark.parametrize(("total", "needed"), [(1, 1), (2, 2), (3, 2), (4, 3), (5, 4), (6, 4)])
def test_two_thirds_rule(total: int, needed: int) -> None:
    assert load_spec().min_rated(total) == needed


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (0.0, "L1"),
        (math.nextafter(0.2, 0), "L1"),
        (0.2, "L2"),
        (math.nextafter(0.4, 0), "L2"),
        (0.4, "L3"),
        (math.nextafter(0.6, 0), "L3"),
        (0.6, "L4"),
        (math.nextafter(0.8, 0), "L4"),
        (0.8, "L5"),
        (1.0, "L5"),
    ],
)
def test_band_edges(value: float, code: str) -> None:
    assert load_spec().band(value).code == code


@pytest.mark.parametrize("value", [-0.1, 1.0000001, math.nan])
def test_band_outside_unit_interval(value: float) -> None:
    with pytest.raises(ValueError):
        load_spec().band(value)


#: spec_v1.json's SHA-256 as published before version 2: scores under v1 name it.
V1_HASH = "e67bf361e4e80edcc0da6a6bbe685feeba282b0526363ff18a44176a9cfb4963"


def test_versions_and_the_default() -> None:
    assert spec_versions() == (1, 2)
    assert max(spec_versions()) == LATEST_VERSION
    assert load_spec() is load_spec(2)
    assert load_spec(1).version == 1 and load_spec(2).version == 2


@pytest.mark.parametrize("version", [1, 2])
def test_each_version_has_its_own_hash(version: int) -> None:
    on_disk = Path(ledger.maturity.__file__).with_name(f"spec_v{version}.json").read_bytes()
    assert load_spec(version).spec_hash == hashlib.sha256(on_disk).hexdigest()
    assert spec_for_hash(load_spec(version).spec_hash) is load_spec(version)
    assert spec_for_hash("0x" + load_spec(version).spec_hash.upper()) is load_spec(version)


def test_v1_file_is_unchanged() -> None:
    assert load_spec(1).spec_hash == V1_HASH
    assert load_spec(2).spec_hash != V1_HASH


def test_unknown_hash() -> None:
    with pytest.raises(SpecError, match="no packaged spec has spec_hash 0xabc"):
        spec_for_hash("0xabc")


@pytest.mark.parametrize("version", [0, -1, True, "2"])
def test_bad_version(version: object) -> None:
    with pytest.raises(SpecError, match="a spec version is a positive integer"):
        load_spec(version)  # type: ignore[arg-type]


def test_definitions_by_version() -> None:
    assert load_spec(1).definitions == Definitions()  # v1's file has none: v1's rules
    d = load_spec(2).definitions
    assert d.execution_events == EXECUTION
    assert d.checkpoints_execute and d.effect_log_citations
    assert d.clause_start == "later_of_effective_and_anchor"
    assert d.i1_horizon_days == 365
    assert d.t1_system_kinds == ("business",) and not d.t1_count_reserved
    assert not d.t2_round_expected
    assert d.m4_observation == "per_transfer"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"x": 1}, "unknown definitions ['x']"),
        ({"clause_start": "anchor"}, "unknown clause_start 'anchor'"),
        ({"m4_observation": "all"}, "unknown m4_observation 'all'"),
        ({"i1_horizon_days": "365"}, "i1_horizon_days must be an integer, got '365'"),
        ({"t2_round_expected": 0}, "t2_round_expected must be true or false, got 0"),
    ],
)
def test_malformed_definitions(
    change: dict[str, object], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    import ledger.maturity.spec as spec_module

    data = json.loads(spec_bytes(2))
    data["spec_version"] = 77
    data["definitions"] |= change
    monkeypatch.setattr(spec_module, "spec_bytes", lambda _v: json.dumps(data).encode())
    try:
        with pytest.raises(SpecError) as caught:
            load_spec(77)
    finally:
        spec_module._load.cache_clear()
    assert str(caught.value) == f"maturity spec v77: malformed: {message}"
