"""Effect-log entries: validation with one-line reasons, canonical bytes, the fast paths."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.effects.entries import (
    MAX_AT,
    PERMISSION_LEVELS,
    EntryFacts,
    Heartbeat,
    SharingCall,
    canonical_entry,
    decode_canonical,
    entry_facts,
    parse_entry,
    parse_json_entry,
    prepare_line,
)
from ledger.ids import check_id

SUBJECT = "0x" + "ab" * 32
T = 1_704_067_200  # 2024-01-01T00:00:00Z


def call(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "call",
        "agreement": "agr.hh",
        "system": "sys.civil",
        "at": T,
        "records": 3,
        "permission": "conditional",
        "latency_ms": 12.5,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not ...}


def reason(obj: Any) -> str:
    with pytest.raises(ValueError) as info:
        parse_entry(obj)
    text = str(info.value)
    assert "\n" not in text
    return text


# -- accepted entries and their canonical bytes ------------------------------------------


def test_a_call_and_its_canonical_bytes() -> None:
    entry = parse_entry(call(request_id="req-1", subject=SUBJECT))
    assert isinstance(entry, SharingCall)
    assert entry.permission == 2
    assert canonical_entry(entry) == (
        b'{"agreement":"agr.hh","at":1704067200,"kind":"call","latency_ms":12.5,'
        b'"permission":2,"records":3,"request_id":"req-1",'
        b'"subject":"0xabababababababababababababababababababababababababababababababab",'
        b'"system":"sys.civil"}'
    )


def test_a_heartbeat_and_its_canonical_bytes() -> None:
    entry = parse_entry({"kind": "heartbeat", "system": "sys.his", "at": "2024-01-01T00:00:00Z"})
    assert isinstance(entry, Heartbeat)
    assert canonical_entry(entry) == b'{"at":1704067200,"kind":"heartbeat","system":"sys.his"}'
    assert entry_facts(entry) == EntryFacts("heartbeat", None, "sys.his", T, None, None)


def test_models_are_frozen() -> None:
    entry = parse_entry(call())
    assert isinstance(entry, SharingCall)
    with pytest.raises(ValueError):
        entry.records = 4


@pytest.mark.parametrize(
    "at",
    [
        T,
        "2024-01-01T00:00:00Z",
        "2024-01-01T00:00:00+00:00",
        "2024-01-01T00:00:00.999Z",  # fractional seconds are floored
        "2024-01-01 00:00:00Z",
    ],
)
def test_iso_and_unix_times_are_the_same_fact(at: Any) -> None:
    assert canonical_entry(parse_entry(call(at=at))) == canonical_entry(parse_entry(call()))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ({"permission": "conditional"}, {"permission": 2}),
        ({"permission": "CONDITIONAL"}, {"permission": 2}),
        ({"latency_ms": 12}, {"latency_ms": 12.0}),
        ({"latency_ms": 0}, {"latency_ms": -0.0}),
        ({"subject": SUBJECT.upper().replace("0X", "0x")}, {"subject": SUBJECT}),
        ({"request_id": None, "subject": None}, {}),
    ],
)
def test_same_fact_same_bytes(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert canonical_entry(parse_entry(call(**a))) == canonical_entry(parse_entry(call(**b)))


def test_json_text_is_accepted() -> None:
    assert parse_entry(json.dumps(call())) == parse_entry(call())
    assert parse_entry(json.dumps(call()).encode()) == parse_entry(call())


def test_permission_levels_match_the_contract_wrapper() -> None:
    from ledger.mechanisms.sharing import Permission

    assert {p.name.lower(): int(p) for p in Permission} == PERMISSION_LEVELS


# -- every rejection, with its reason ------------------------------------------------------


@pytest.mark.parametrize(
    ("obj", "expected"),
    [
        (call(agreement=...), "agreement: missing"),
        (call(agreement="has space"), "agreement: must be an id"),
        (call(agreement="x" * 33), "agreement: must be an id"),
        (call(agreement="abc\n"), "agreement: must be an id"),
        (call(agreement=7), "agreement: must be an id"),
        (call(system=""), "system: must be an id"),
        (call(at=-1), "at: must be between 0 (1970) and"),
        (call(at=MAX_AT + 1), "at: must be between 0 (1970) and"),
        (call(at=1.5), "at: must be Unix seconds (an integer) or an ISO-8601 UTC time"),
        (call(at=True), "at: must be Unix seconds (an integer) or an ISO-8601 UTC time"),
        (call(at="yesterday"), "at: is not an ISO-8601 time"),
        (call(at="2024-01-01T00:00:00"), "at: must state UTC"),
        (call(at="2024-01-01"), "at: must state UTC"),
        (call(at="2024-01-01T08:00:00+08:00"), "at: must be in UTC"),
        (call(records=-1), "records: must be an integer between 0 and"),
        (call(records=2**53), "records: must be an integer between 0 and"),
        (call(records="5"), "records: must be an integer >= 0, got '5'"),
        (call(records=5.0), "records: must be an integer >= 0, got 5.0"),
        (call(records=False), "records: must be an integer >= 0, got False"),
        (call(permission=0), "permission: must be open, conditional or restricted (or 1..3)"),
        (call(permission=4), "permission: must be open, conditional or restricted (or 1..3)"),
        (call(permission="secret"), "permission: must be open, conditional or restricted"),
        (call(permission=2.0), "permission: must be open, conditional or restricted"),
        (call(latency_ms=-0.5), "latency_ms: must be a finite number >= 0"),
        (call(latency_ms=math.inf), "latency_ms: must be a finite number >= 0"),
        (call(latency_ms=math.nan), "latency_ms: must be a finite number >= 0"),
        (call(latency_ms=10**400), "latency_ms: must be a finite number >= 0"),
        (call(latency_ms="12"), "latency_ms: must be a number >= 0"),
        (call(latency_ms=...), "latency_ms: missing"),
        (call(request_id="x" * 65), "request_id: must be 1-64 ASCII letters"),
        (call(request_id="Zhang San"), "request_id: must be 1-64 ASCII letters"),
        (call(subject="0x12"), "subject: must be a salted digest, 0x followed by 64 hex digits"),
        (call(subject="ab" * 32), "subject: must be a salted digest"),
        (call(subject="Zhang San"), "subject: must be a salted digest"),
        (call(name="Zhang San"), "name: personal data is not allowed in the effect log"),
        (call(phone="13800000000"), "phone: personal data is not allowed in the effect log"),
        (call(note="called twice"), "note: personal data is not allowed in the effect log"),
        (call(colour="red"), "colour: unknown field (allowed: kind, agreement, system, at,"),
        (
            {"kind": "heartbeat", "system": "s", "at": T, "records": 1},
            "records: unknown field (allowed: kind, system, at)",
        ),
        ({"kind": "heartbeat", "at": T}, "system: missing"),
        ({"system": "s", "at": T}, "kind: missing; must be call or heartbeat"),
        ({"kind": "delivery", "at": T}, "kind: must be call or heartbeat, got 'delivery'"),
        (
            {"kind": "call"},
            "missing fields: agreement, system, at, records, permission, latency_ms",
        ),
        (call(records=-1, permission=9), "records: must be an integer between"),
        ([1, 2], "an entry must be a JSON object, got list"),
        ("[1, 2]", "an entry must be a JSON object, got list"),
        ('{"kind": "call",', "not JSON: Expecting property name enclosed in double quotes"),
        (b"\xff\xfe{", "not JSON"),
        ('{"kind": "heartbeat", "kind": "heartbeat"}', "kind: field appears twice"),
    ],
)
def test_rejections_name_the_field(obj: Any, expected: str) -> None:
    assert reason(obj).startswith(expected)


def test_several_problems_are_counted_on_one_line() -> None:
    assert reason(call(records=-1, permission=9)).endswith("(and 1 more problem)")


@pytest.mark.parametrize(
    ("obj", "more"),
    [
        ({"kind": "call", "name": "Zhang San", "phone": "13800000000"}, 7),
        ({"kind": "heartbeat", "colour": "red", "id_card": "110101"}, 3),
        (call(records=-1, citizen="Li Si"), 1),
    ],
)
def test_personal_data_is_the_reason_given_whatever_else_is_wrong(obj: Any, more: int) -> None:
    field = next(k for k in ("name", "id_card", "citizen") if k in obj)
    assert reason(obj) == (
        f"{field}: personal data is not allowed in the effect log; identify a person only by"
        f" the salted digest 'subject' (and {more} more problems)".replace(
            "1 more problems", "1 more problem"
        )
    )


def test_parse_json_entry_rejects_what_parse_entry_rejects() -> None:
    for line in ['{"kind": "call"}', "nope", json.dumps(call(name="x"))]:
        with pytest.raises(ValueError) as fast:
            parse_json_entry(line)
        assert str(fast.value) == reason(line)


def test_duplicate_keys_are_caught_on_the_fast_path_too() -> None:
    line = json.dumps(call())[:-1] + ', "records": 4}'
    with pytest.raises(ValueError, match="records: field appears twice"):
        parse_json_entry(line)
    spaced = '{"kind": "heartbeat", "system" : "a", "at": 1, "system": "b"}'
    with pytest.raises(ValueError, match="system: field appears twice"):
        parse_json_entry(spaced)


# -- decode_canonical: the store's check of canonical bytes ---------------------------------


def test_decode_canonical_accepts_canonical_bytes_only() -> None:
    entry = parse_entry(call(subject=SUBJECT))
    data = canonical_entry(entry)
    assert decode_canonical(data) == entry_facts(entry)
    spaced = json.dumps(json.loads(data)).encode()
    with pytest.raises(ValueError, match="not in canonical form"):
        decode_canonical(spaced)
    with pytest.raises(ValueError, match="not in canonical form"):
        decode_canonical(data.replace(b"12.5", b"12.50"))
    with pytest.raises(ValueError, match="records: must be an integer between"):
        decode_canonical(data.replace(b'"records":3', b'"records":-3'))
    with pytest.raises(ValueError, match="name: personal data"):
        decode_canonical(data[:-1] + b',"name":"x"}')


# -- properties ----------------------------------------------------------------------------

ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:\-/]{0,31}", fullmatch=True)
latencies = st.one_of(
    st.floats(min_value=0, allow_nan=False, allow_infinity=False),
    st.integers(min_value=0, max_value=2**60),
)
times = st.one_of(
    st.integers(min_value=0, max_value=MAX_AT),
    st.integers(min_value=0, max_value=MAX_AT).map(
        lambda s: rfc3339(s),
    ),
)


def rfc3339(seconds: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


calls = st.fixed_dictionaries(
    {
        "kind": st.just("call"),
        "agreement": ids,
        "system": ids,
        "at": times,
        "records": st.integers(min_value=0, max_value=2**53 - 1),
        "permission": st.sampled_from([1, 2, 3, "open", "conditional", "restricted", "Open"]),
        "latency_ms": latencies,
    },
    optional={
        "request_id": st.from_regex(r"[A-Za-z0-9._:\-/]{1,64}", fullmatch=True),
        "subject": st.from_regex(r"0x[0-9a-fA-F]{64}", fullmatch=True),
    },
)
heartbeats = st.fixed_dictionaries({"kind": st.just("heartbeat"), "system": ids, "at": times})
entries = st.one_of(calls, heartbeats)


@settings(max_examples=100, deadline=None)
@given(entries)
def test_canonical_bytes_round_trip_and_paths_agree(obj: dict[str, Any]) -> None:
    entry = parse_entry(obj)
    data = canonical_entry(entry)
    # deterministic, and a fixed point: parsing the canonical bytes gives the same bytes
    assert canonical_entry(parse_entry(obj)) == data
    assert parse_entry(data) == entry
    assert canonical_entry(parse_entry(data)) == data
    # RFC 8785 of the decoded bytes is the bytes themselves
    assert rfc8785.dumps(json.loads(data, parse_int=float)) == data
    # the hand-written fast paths agree with the models
    facts = entry_facts(entry)
    assert prepare_line(obj) == (data, facts)
    assert parse_json_entry(json.dumps(obj)) == (data, facts)
    assert decode_canonical(data) == facts


@settings(max_examples=100, deadline=None)
@given(
    st.one_of(calls, heartbeats).map(lambda o: canonical_entry(parse_entry(o))),
    st.data(),
)
def test_decode_canonical_agrees_with_the_json_path_on_mutations(data: bytes, draw: Any) -> None:
    position = draw.draw(st.integers(min_value=0, max_value=len(data) - 1))
    replacement = draw.draw(st.sampled_from(b'0123456789.e+-" ,:{}aAxX\\'))
    mutated = data[:position] + bytes([replacement]) + data[position + 1 :]
    try:
        expected: EntryFacts | None = None
        canonical, facts = parse_json_entry(mutated)
        if canonical == mutated:
            expected = facts
    except ValueError:
        pass
    try:
        got: EntryFacts | None = decode_canonical(mutated)
    except ValueError:
        got = None
    assert got == expected


@given(st.text(alphabet="ab9._:-/ \n\tZ", min_size=0, max_size=34))
def test_ids_are_checked_as_ledger_ids_are(text: str) -> None:
    try:
        check_id(text)
        valid = not text.endswith("\n")
    except ValueError:
        valid = False
    obj = {"kind": "heartbeat", "system": text, "at": 1}
    assert (prepare_line(obj) is not None) == valid
    try:
        parse_entry(obj)
        accepted = True
    except ValueError:
        accepted = False
    assert accepted == valid
