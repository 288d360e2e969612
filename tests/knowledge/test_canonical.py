"""Canonical bytes and digests: one byte form per record, and only that is hashed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from eth_utils import keccak
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.errors import RecordError
from ledger.knowledge.canonical import (
    canonical_bytes,
    clause_digest,
    clause_digest_hex,
    keccak_digest,
    keccak_hex,
    record_digest,
    record_digest_hex,
)
from ledger.knowledge.loader import parse_record
from ledger.knowledge.models import Clause, PolicyRecord
from tests.knowledge.conftest import SHARING_HEAD

SMALL = {
    "schema_version": 1,
    "id": "p1",
    "version": 2,
    "kind": "law",
    "element": "technical_support",
    "title": "T",
    "issuer": "d1",
    "effective": datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC),
    "clauses": [
        {"id": "c1", "text": "x", "obligation": {"metric": "T1", "comparator": "<=", "target": 1}}
    ],
}

SMALL_BYTES = (
    b'{"clauses":[{"id":"c1","obligation":{"comparator":"<=","metric":"T1","target":1},'
    b'"text":"x"}],"effective":"2024-05-06T07:08:09Z","element":"technical_support","id":"p1",'
    b'"issuer":"d1","kind":"law","level":"department",'
    b'"relations":{"cites":[],"implements":[],"supersedes":[]},"schema_version":1,"title":"T",'
    b'"version":2}'
)

SAMPLE_YAML = (
    SHARING_HEAD
    + """\
    obligation: {metric: D1, comparator: ">=", target: 0.95}
  - id: c2
    text: Keep the catalog.
"""
)

# The same record: keys in another order, the time in +08:00, defaults spelt out.
SAMPLE_YAML_REORDERED = """\
relations: {cites: [], supersedes: []}
clauses:
  - text: Share what you register.
    obligation: {target: 0.95, comparator: ">=", metric: D1}
    id: c1
  - {text: Keep the catalog., id: c2, obligation: null}
level: department
effective: 2024-01-01T08:00:00+08:00
issuer: dcity.govoffice
title: D-city government data sharing measures
element: data_governance
kind: policy
version: 1
id: dcity.sharing
schema_version: 1
"""


def test_exact_canonical_bytes() -> None:
    record = PolicyRecord.model_validate(SMALL)
    assert canonical_bytes(record) == SMALL_BYTES
    assert record_digest(record) == keccak(SMALL_BYTES)
    assert record_digest_hex(record) == "0x" + keccak(SMALL_BYTES).hex()


def test_keccak_known_vector() -> None:
    empty = "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    assert keccak_digest(b"") == bytes.fromhex(empty)
    assert keccak_hex(b"") == "0x" + empty
    assert len(keccak_digest(b"abc")) == 32


def test_key_order_does_not_matter() -> None:
    reordered = {k: SMALL[k] for k in reversed(list(SMALL))}
    assert list(reordered) != list(SMALL)
    a = PolicyRecord.model_validate(SMALL)
    b = PolicyRecord.model_validate(reordered)
    assert canonical_bytes(a) == canonical_bytes(b)
    assert canonical_bytes({"b": 1, "a": [2.5, "x"]}) == canonical_bytes({"a": [2.5, "x"], "b": 1})


def test_yaml_key_order_time_zone_and_defaults_do_not_matter() -> None:
    a = parse_record(SAMPLE_YAML)
    b = parse_record(SAMPLE_YAML_REORDERED)
    assert a == b
    assert canonical_bytes(a) == canonical_bytes(b)


def test_yaml_round_trip_is_stable() -> None:
    record = parse_record(SAMPLE_YAML)
    data = canonical_bytes(record)
    again = PolicyRecord.model_validate_json(data)
    assert again == record
    assert canonical_bytes(again) == data
    # JSON parsed to plain data canonicalises to the same bytes too.
    assert canonical_bytes(json.loads(data)) == data


@pytest.mark.parametrize(
    ("target", "rendered"),
    [
        (1, b'"target":1}'),
        (1.0, b'"target":1}'),
        (0.95, b'"target":0.95}'),
        (1e-7, b'"target":1e-7}'),
    ],
)
def test_numbers_render_as_rfc8785(target: float, rendered: bytes) -> None:
    clauses = [
        {
            "id": "c1",
            "text": "x",
            "obligation": {"metric": "D1", "comparator": ">=", "target": target},
        }
    ]
    record = PolicyRecord.model_validate({**SMALL, "clauses": clauses})
    assert rendered in canonical_bytes(record)


def test_clause_digest_is_keccak_of_the_canonical_clause() -> None:
    clause = PolicyRecord.model_validate(SMALL).clauses[0]
    expected = b'{"id":"c1","obligation":{"comparator":"<=","metric":"T1","target":1},"text":"x"}'
    assert canonical_bytes(clause) == expected
    assert clause_digest(clause) == keccak(expected)
    assert clause_digest_hex(clause) == "0x" + keccak(expected).hex()


def test_non_json_data_is_a_record_error() -> None:
    with pytest.raises(RecordError, match="cannot canonicalise"):
        canonical_bytes({"n": 2**60})


# -- properties ---------------------------------------------------------------

ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:\-/]{0,31}", fullmatch=True)
texts = st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=40).filter(
    lambda s: s.strip() != ""
)
obligations = st.none() | st.fixed_dictionaries(
    {
        "metric": st.sampled_from(["I1", "M3", "T2", "D1", "D4"]),
        "comparator": st.sampled_from([">=", "<="]),
        "target": st.floats(allow_nan=False, allow_infinity=False) | st.integers(-(2**53), 2**53),
    }
)
times = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
).map(lambda d: d.replace(microsecond=0))
offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    clause_ids = draw(st.lists(ids, min_size=1, max_size=5, unique=True))
    return {
        "schema_version": 1,
        "id": draw(ids),
        "version": draw(st.integers(1, 2**32 - 1)),
        "kind": draw(st.sampled_from(["law", "regulation", "policy", "institution"])),
        "element": draw(st.sampled_from(["operating_mechanism", "data_governance"])),
        "title": draw(texts),
        "issuer": draw(ids),
        "effective": draw(times).astimezone(draw(offsets)),
        "level": draw(st.sampled_from(["city", "department"])),
        "clauses": [
            {"id": c, "text": draw(texts), "obligation": draw(obligations)} for c in clause_ids
        ],
        "relations": {"cites": draw(st.lists(st.tuples(ids, ids).map("#".join), max_size=3))},
    }


@settings(max_examples=60, deadline=None)
@given(records())
def test_canonical_bytes_are_deterministic(data: dict[str, Any]) -> None:
    record = PolicyRecord.model_validate(data)
    shuffled = PolicyRecord.model_validate({k: data[k] for k in sorted(data, reverse=True)})
    first = canonical_bytes(record)
    assert canonical_bytes(record) == first
    assert canonical_bytes(shuffled) == first
    assert canonical_bytes(PolicyRecord.model_validate_json(first)) == first
    assert json.loads(first)["effective"].endswith("Z")


@settings(max_examples=60, deadline=None)
@given(records(), st.data())
def test_any_clause_text_change_changes_the_digest(
    data: dict[str, Any], draw: st.DataObject
) -> None:
    record = PolicyRecord.model_validate(data)
    index = draw.draw(st.integers(0, len(record.clauses) - 1))
    old = record.clauses[index]
    new_text = draw.draw(texts.filter(lambda t: t != old.text))
    clauses = list(record.clauses)
    clauses[index] = Clause(id=old.id, text=new_text, obligation=old.obligation)
    changed = record.model_copy(update={"clauses": tuple(clauses)})
    changed = PolicyRecord.model_validate(changed.model_dump())
    assert clause_digest(clauses[index]) != clause_digest(old)
    assert record_digest(changed) != record_digest(record)
    for i, clause in enumerate(record.clauses):
        if i != index:
            assert clause_digest(changed.clauses[i]) == clause_digest(clause)
