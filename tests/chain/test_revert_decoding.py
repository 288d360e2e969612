"""Revert data is decoded by custom-error selector into a name and named arguments."""

from __future__ import annotations

from eth_abi import encode
from eth_utils import keccak

from ledger.chain.tx import decode_revert
from ledger.ids import to_bytes32


def test_custom_error_is_decoded_with_named_arguments() -> None:
    data = keccak(text="NotProvider(bytes32,bytes32)")[:4] + encode(
        ["bytes32", "bytes32"], [to_bytes32("item.a"), to_bytes32("dept.b")]
    )
    err = decode_revert(data, "DataSharing")
    assert err.name == "NotProvider"
    assert err.arguments == {"itemId": "item.a", "callerId": "dept.b"}
    assert str(err) == "catalog item item.a is provided by another department, not dept.b"
    assert err.not_yours == str(err)


def test_roles_are_shown_as_hex_and_numbers_as_ints() -> None:
    role = keccak(text="ISSUER_ROLE")
    account = "0x000000000000000000000000000000000000bEEF"
    data = keccak(text="Unauthorized(address,bytes32)")[:4] + encode(
        ["address", "bytes32"], [account, role]
    )
    err = decode_revert(data)
    assert err.name == "Unauthorized"
    assert err.arguments == {"account": account, "neededRole": "0x" + role.hex()}


def test_unknown_selector_and_empty_data() -> None:
    assert decode_revert(b"\x12\x34\x56\x78").name == "UnknownError"
    assert decode_revert(b"").name == "Reverted"
    assert decode_revert(None).arguments == {}
