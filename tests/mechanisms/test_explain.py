"""Every custom error of every contract is explained in words, its arguments decoded."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

import pytest
from eth_abi import encode
from eth_utils import keccak, to_checksum_address
from hypothesis import given
from hypothesis import strategies as st

from ledger.chain.abi import is_digest_name
from ledger.chain.artifacts import ErrorSpec, error_specs
from ledger.chain.tx import decode_revert
from ledger.errors import ContractRevert
from ledger.ids import to_bytes32
from ledger.mechanisms.base import ROLES
from ledger.mechanisms.drills import DrillKind, DrillStatus
from ledger.mechanisms.explain import EXPLANATIONS, explain, is_unknown_id, signature
from ledger.mechanisms.findings import FindingStatus
from ledger.mechanisms.sharing import PeriodStatus, Permission
from ledger.mechanisms.workorders import Stage
from ledger.times import format_timestamp

#: Arguments that are Unix times, by name.
TIMES = {"dueAt", "deadline", "now_", "slaDeadline", "firstDueAt", "windowStart", "windowEnd"}
#: Arguments that are durations in seconds (error name, argument).
DURATIONS = {
    ("InvalidCategory", "slaSeconds"),
    ("InvalidPlan", "interval"),
    ("InvalidSchedule", "period"),
    ("InvalidSystem", "heartbeatInterval"),
}
#: Arguments that are a mechanism's enum, with the value the test sends.
ENUMS: dict[tuple[str, str], IntEnum] = {
    ("StageOutOfOrder", "current"): Stage.ACCEPTED,
    ("StageOutOfOrder", "attempted"): Stage.FEEDBACK_GIVEN,
    ("DrillClosed", "status"): DrillStatus.MISSED,
    ("InvalidSeats", "kind"): DrillKind.HALF,
    ("PeriodClosed", "status"): PeriodStatus.DELIVERED,
    ("WrongStatus", "status"): FindingStatus.RESPONDED,
    ("PermissionExceedsItem", "granted"): Permission.RESTRICTED,
    ("PermissionExceedsItem", "allowed"): Permission.CONDITIONAL,
}


def _names(spec: ErrorSpec) -> list[str]:
    return [i["name"] for i in spec.inputs]


SPECS = sorted(error_specs().values(), key=lambda s: signature(s.name, _names(s)))


def _selector(spec: ErrorSpec) -> bytes:
    return keccak(text=f"{spec.name}({','.join(i['type'] for i in spec.inputs)})")[:4]


def _sample(spec: ErrorSpec, position: int, arg: dict[str, Any]) -> tuple[Any, str]:
    """A value to encode for ``arg`` and the text the explanation must show for it."""
    name, kind = arg["name"], arg["type"]
    if (spec.name, name) in ENUMS:
        member = ENUMS[spec.name, name]
        return int(member), member.name.lower().replace("_", " ")
    if name == "neededRole":
        return ROLES["ISSUER"], "ISSUER"
    if kind == "bytes32" and is_digest_name(name):
        raw = keccak(text=f"{spec.name}.{name}")
        return raw, "0x" + raw.hex()
    if kind == "bytes32":
        text = f"x{position}.{name}"[:32]
        return to_bytes32(text), text
    if kind == "address":
        raw = "0x" + keccak(text=name)[:20].hex()
        return raw, to_checksum_address(raw)
    if kind == "string":
        return "out of gas stipend", "out of gas stipend"
    if name in TIMES:
        value = 1_767_225_600 + 86_400 * position  # 2026-01-01 and on
        return value, format_timestamp(value)
    if (spec.name, name) in DURATIONS:
        return 7_200, "2 hours"
    if name == "valuePpm":
        return 1_250_000, "1.25"
    value = 201 + position  # fits every uint8
    return value, str(value)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: signature(s.name, _names(s)))
def test_every_custom_error_is_explained_with_its_arguments_decoded(spec: ErrorSpec) -> None:
    samples = [_sample(spec, n, arg) for n, arg in enumerate(spec.inputs)]
    data = _selector(spec) + encode(
        [i["type"] for i in spec.inputs], [value for value, _ in samples]
    )

    err = decode_revert(data, "Contract")
    words = explain(err)

    assert signature(spec.name, _names(spec)) in EXPLANATIONS
    assert words.endswith(f" ({spec.name})"), words
    assert "{" not in words and "}" not in words, words
    for arg, (_, shown) in zip(spec.inputs, samples, strict=True):
        assert shown in words, f"{arg['name']} ({shown!r}) missing from: {words}"


def test_the_table_names_no_error_the_contracts_do_not_declare() -> None:
    declared = {signature(s.name, _names(s)) for s in SPECS}
    assert set(EXPLANATIONS) - declared == set()


def test_the_errors_that_mean_no_such_id_are_marked_so() -> None:
    unknown = {key.split("(")[0] for key, entry in EXPLANATIONS.items() if entry.unknown_id}
    assert {n for n in unknown if not n.endswith("Unknown")} == {
        "NoSuchProposal",
        "PeriodOutOfRange",
        "DrillOutOfRange",
        "CheckpointOutOfRange",
    }
    assert {s.name for s in SPECS if s.name.endswith("Unknown")} <= unknown
    assert is_unknown_id(ContractRevert("AgreementUnknown", {"agreementId": "agr.nope"}))
    assert not is_unknown_id(ContractRevert("AgreementExists", {"agreementId": "agr.nope"}))


def test_the_issue_example_reads_as_a_sentence() -> None:
    err = ContractRevert("AgreementUnknown", {"agreementId": "agr.nope"}, "DataSharing")
    assert explain(err) == "no data-sharing agreement 'agr.nope' exists (AgreementUnknown)"


def test_not_yours_uses_the_one_wording_and_names_the_error() -> None:
    err = ContractRevert("NotProvider", {"itemId": "item.a", "callerId": "dept.b"})
    assert explain(err) == (
        "catalog item item.a is provided by another department, not dept.b (NotProvider)"
    )


def test_undecodable_unknown_and_silent_reverts_still_say_what_happened() -> None:
    garbled = ContractRevert("AgreementUnknown", {"data": "0x01"})
    assert explain(garbled) == "the contract refused the call: AgreementUnknown(data=0x01)"
    assert explain(decode_revert(b"\x12\x34\x56\x78")).startswith(
        "the contract refused the call: UnknownError(data=0x12345678)"
    )
    assert explain(decode_revert(b"")) == "the contract refused the call without saying why"


def _values(spec: ErrorSpec) -> st.SearchStrategy[list[Any]]:
    parts: list[st.SearchStrategy[Any]] = []
    for arg in spec.inputs:
        kind = arg["type"]
        if kind.startswith("uint"):
            parts.append(st.integers(0, 2 ** int(kind[4:]) - 1))
        elif kind == "bytes32":
            parts.append(st.binary(min_size=32, max_size=32))
        elif kind == "address":
            parts.append(st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex()))
        else:
            parts.append(st.text(max_size=40))
    return st.tuples(*parts).map(list)


@given(st.sampled_from(SPECS).flatmap(lambda s: st.tuples(st.just(s), _values(s))))
def test_any_arguments_make_a_sentence_naming_the_error(case: tuple[ErrorSpec, list[Any]]) -> None:
    spec, values = case
    data = _selector(spec) + encode([i["type"] for i in spec.inputs], values)
    words = explain(decode_revert(data))
    assert words.endswith(f" ({spec.name})") or words.startswith(
        f"the contract refused the call: {spec.name}("
    ), words
