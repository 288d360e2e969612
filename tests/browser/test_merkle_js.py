"""api/static/js/merkle.js verifies in the browser exactly the proofs ledger/effects/merkle.py
makes, and says precisely what fails in a tampered one."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page

from api.main import create_app
from ledger.effects.merkle import (
    EMPTY_ROOT,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root_from_leaf_hashes,
    verify_consistency,
    verify_inclusion,
)
from tests.browser.conftest import serve

MAX_SIZE = 64
ENTRIES = [f'{{"kind":"call","n":{i},"note":"数据共享"}}'.encode() for i in range(MAX_SIZE)]
LEAVES = [leaf_hash(e) for e in ENTRIES]
ROOTS = [root_from_leaf_hashes(LEAVES[:n]) for n in range(MAX_SIZE + 1)]

#: Runs a batch of cases through the module: each case names the function and its argument.
RUN = """async (cases) => {
  const m = await import('/static/js/merkle.js');
  const out = [];
  for (const [fn, arg] of cases) out.push(await m[fn](arg));
  return out;
}"""


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serve(create_app(), lifespan=False) as url:
        yield url


@pytest.fixture
def merkle(page: Page, base_url: str) -> Page:
    page.goto(f"{base_url}/static/js/merkle.js")  # any page of the origin will do
    return page


def run(page: Page, cases: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = page.evaluate(RUN, cases)
    assert page.console_errors == []  # type: ignore[attr-defined]
    return results


def inclusion(size: int, index: int) -> dict[str, Any]:
    return {
        "entry": ENTRIES[index].decode(),
        "leafHash": LEAVES[index].hex(),
        "index": index,
        "treeSize": size,
        "proof": [p.hex() for p in inclusion_proof(LEAVES[:size], index)],
        "root": ROOTS[size].hex(),
    }


def consistency(old: int, new: int) -> dict[str, Any]:
    return {
        "oldSize": old,
        "newSize": new,
        "oldRoot": ROOTS[old].hex(),
        "newRoot": ROOTS[new].hex(),
        "proof": [p.hex() for p in consistency_proof(LEAVES[:new], old)],
    }


def test_hashes_are_rfc_9162s(merkle: Page) -> None:
    got = merkle.evaluate(
        """async () => {
          const m = await import('/static/js/merkle.js');
          const a = m.fromHex('aa'.repeat(32)), b = m.fromHex('0xbb' + 'bb'.repeat(31));
          return [m.toHex(await m.leafHash('数据')), m.toHex(await m.nodeHash(a, b))];
        }"""
    )
    assert got == [
        hashlib.sha256(b"\x00" + "数据".encode()).hexdigest(),
        hashlib.sha256(b"\x01" + b"\xaa" * 32 + b"\xbb" * 32).hexdigest(),
    ]


def test_every_inclusion_proof_up_to_64_leaves_verifies(merkle: Page) -> None:
    cases = [inclusion(n, i) for n in range(1, MAX_SIZE + 1) for i in range(n)]
    results = run(merkle, [("verifyInclusion", c) for c in cases])
    assert len(results) == MAX_SIZE * (MAX_SIZE + 1) // 2
    for case, result in zip(cases, results, strict=True):
        assert result == {"ok": True, "root": case["root"]}, (case["treeSize"], case["index"])


def test_every_consistency_proof_up_to_64_leaves_verifies(merkle: Page) -> None:
    cases = [consistency(m, n) for n in range(0, MAX_SIZE + 1) for m in range(0, n + 1)]
    results = run(merkle, [("verifyConsistency", c) for c in cases])
    for case, result in zip(cases, results, strict=True):
        assert result == {"ok": True, "root": case["newRoot"]}, (case["oldSize"], case["newSize"])


def flip(hex_hash: str, byte: int = 0) -> str:
    raw = bytearray(bytes.fromhex(hex_hash))
    raw[byte] ^= 0x01
    return raw.hex()


def test_a_tampered_sibling_anywhere_in_any_proof_fails_at_the_root(merkle: Page) -> None:
    cases, where = [], []
    for n in range(2, MAX_SIZE + 1, 5):
        for i in range(n):
            case = inclusion(n, i)
            for k in range(len(case["proof"])):
                proof = list(case["proof"])
                proof[k] = flip(proof[k], k)
                cases.append(case | {"proof": proof})
                where.append((n, i, k))
    results = run(merkle, [("verifyInclusion", c) for c in cases])
    for case, result, at in zip(cases, results, where, strict=True):
        assert not verify_inclusion(
            LEAVES[case["index"]],
            case["index"],
            case["treeSize"],
            [bytes.fromhex(p) for p in case["proof"]],
            ROOTS[case["treeSize"]],
        )
        assert result["ok"] is False, at
        assert result["reason"] == "root-mismatch", at
        assert result["step"] == 5
        assert result["expected"] == case["root"]
        assert result["message"] == (
            f"the proof leads to the root {result['computed']}, not to the expected {case['root']}"
        )


def test_tampered_leaf_size_root_and_path_length_say_what_failed(merkle: Page) -> None:
    good = inclusion(13, 6)
    other_leaf = LEAVES[7].hex()
    cases = {
        "entry changed": good | {"entry": ENTRIES[7].decode()},
        "leaf hash changed": good | {"leafHash": other_leaf},
        "leaf hash alone changed": {k: v for k, v in good.items() if k != "entry"}
        | {"leafHash": other_leaf},
        "size changed": good | {"treeSize": 7},
        # A size whose path has the same shape proves the same thing: the root, not the
        # size, is what the checkpoint anchors (Python's verifier agrees).
        "size of the same shape": good | {"treeSize": 16},
        "size grown": good | {"treeSize": 40},
        "root changed": good | {"root": ROOTS[12].hex()},
        "index changed": good
        | {"index": 5, "entry": ENTRIES[5].decode(), "leafHash": LEAVES[5].hex()},
        "index outside": good | {"index": 13},
        "sibling dropped": good | {"proof": good["proof"][:-1]},
        "sibling added": good | {"proof": [*good["proof"], ROOTS[1].hex()]},
        "root not a hash": good | {"root": "0x1234"},
        "sibling not hex": good | {"proof": ["zz" * 32, *good["proof"][1:]]},
        "size negative": good | {"treeSize": -1},
    }
    results = dict(
        zip(cases, run(merkle, [("verifyInclusion", c) for c in cases.values()]), strict=True)
    )
    entry_leaf = LEAVES[7].hex()
    assert results["entry changed"] == {
        "ok": False,
        "reason": "leaf-mismatch",
        "step": None,
        "message": f"the entry hashes to {entry_leaf}, not to the leaf hash {LEAVES[6].hex()}",
        "computed": entry_leaf,
    }
    assert results["leaf hash changed"]["reason"] == "leaf-mismatch"
    for name in ("leaf hash alone changed", "root changed", "index changed"):
        assert results[name]["reason"] == "root-mismatch", name
        assert results[name]["step"] == 5, name
    assert results["size changed"] == {
        "ok": False,
        "reason": "proof-too-long",
        "step": 4,
        "message": "the proof has 4 hashes but reaches the root after 2",
        "used": 2,
    }
    assert results["size of the same shape"] == {"ok": True, "root": good["root"]}
    assert verify_inclusion(LEAVES[6], 6, 16, [bytes.fromhex(p) for p in good["proof"]], ROOTS[13])
    assert results["size grown"] == {
        "ok": False,
        "reason": "proof-too-short",
        "step": 5,
        "message": "the proof's 4 hashes end below the root of a tree of 40 leaves",
    }
    assert results["index outside"] == {
        "ok": False,
        "reason": "index-out-of-range",
        "step": 1,
        "message": "leaf 13 is not in a tree of 13 leaves",
    }
    assert results["sibling dropped"]["reason"] == "proof-too-short"
    assert results["sibling added"] == {
        "ok": False,
        "reason": "proof-too-long",
        "step": 4,
        "message": "the proof has 5 hashes but reaches the root after 4",
        "used": 4,
    }
    assert results["root not a hash"] == {
        "ok": False,
        "reason": "malformed",
        "step": None,
        "message": "root is not a 32-byte hash in hex",
    }
    assert results["sibling not hex"]["message"] == "proof[0] is not a 32-byte hash in hex"
    assert results["size negative"]["message"] == "tree size is not a whole number from 0 (got -1)"


def test_tampered_consistency_proofs_say_what_failed(merkle: Page) -> None:
    good = consistency(6, 27)
    cases = {
        "old root changed": good | {"oldRoot": ROOTS[5].hex()},
        "new root changed": good | {"newRoot": ROOTS[26].hex()},
        "first hash changed": good | {"proof": [flip(good["proof"][0]), *good["proof"][1:]]},
        "last hash changed": good | {"proof": [*good["proof"][:-1], flip(good["proof"][-1])]},
        "old size changed": good | {"oldSize": 7},
        "backwards": good | {"oldSize": 27, "newSize": 6},
        "empty": good | {"proof": []},
        "same size, other root": consistency(9, 9) | {"newRoot": ROOTS[8].hex()},
        "same size with a proof": consistency(9, 9) | {"proof": good["proof"][:1]},
        "from empty, wrong root": consistency(0, 9) | {"oldRoot": ROOTS[1].hex()},
        "too long": good | {"proof": [*good["proof"], ROOTS[1].hex()]},
        "too short": good | {"proof": good["proof"][:-1]},
    }
    got = run(merkle, [("verifyConsistency", c) for c in cases.values()])
    results = dict(zip(cases, got, strict=True))
    for name, case in cases.items():
        assert not verify_consistency(
            case["oldSize"],
            case["newSize"],
            bytes.fromhex(case["oldRoot"]),
            bytes.fromhex(case["newRoot"]),
            [bytes.fromhex(p) for p in case["proof"]],
        ), name
        assert results[name]["ok"] is False, name
    assert results["old root changed"]["reason"] == "old-root-mismatch"
    assert results["old root changed"]["message"] == (
        f"the proof rebuilds the old root as {ROOTS[6].hex()}, not {ROOTS[5].hex()}"
    )
    assert results["new root changed"] | {"computed": None} == {
        "ok": False,
        "reason": "new-root-mismatch",
        "step": 7,
        "message": f"the proof rebuilds the new root as {ROOTS[27].hex()}, not {ROOTS[26].hex()}",
        "computed": None,
        "expected": ROOTS[26].hex(),
    }
    assert results["first hash changed"]["reason"] == "old-root-mismatch"
    assert results["last hash changed"]["reason"] == "new-root-mismatch"
    assert results["old size changed"] == {
        "ok": False,
        "reason": "proof-too-short",
        "step": 7,
        "message": "the proof's 5 hashes end below the root of a tree of 27 leaves",
    }
    assert results["backwards"]["message"] == "the old tree (27) is larger than the new (6)"
    assert results["empty"] == {
        "ok": False,
        "reason": "empty-proof",
        "step": 1,
        "message": "from 6 to 27 leaves the proof cannot be empty",
    }
    assert results["same size, other root"]["reason"] == "root-mismatch"
    assert results["same size with a proof"]["reason"] == "proof-not-empty"
    assert results["from empty, wrong root"]["message"] == (
        f"the old root of an empty tree must be {EMPTY_ROOT.hex()}, not {ROOTS[1].hex()}"
    )
    assert results["too long"]["reason"] == "proof-too-long"
    assert results["too long"]["step"] == 6
    assert results["too short"]["reason"] in {"proof-too-short", "new-root-mismatch"}


def test_api_responses_verify_as_they_come(merkle: Page) -> None:
    """The shapes of GET /effects/entries/{seq} and GET /effects/consistency."""
    entry = {
        "log_id": "dcity.calls",
        "sequence": 20,
        "entry": ENTRIES[20].decode(),
        "leaf_hash": LEAVES[20].hex(),
        "tree_size": 33,
        "root": ROOTS[33].hex(),
        "proof": [p.hex() for p in inclusion_proof(LEAVES[:33], 20)],
        "checkpoint": {"index": 2, "tree_size": 33, "root": ROOTS[33].hex()},
    }
    between = {
        "log_id": "dcity.calls",
        "first": {"index": 1, "tree_size": 20, "root": ROOTS[20].hex()},
        "second": {"index": 2, "tree_size": 33, "root": ROOTS[33].hex()},
        "proof": [p.hex() for p in consistency_proof(LEAVES[:33], 20)],
    }
    got = merkle.evaluate(
        """async ([entry, between, anchored]) => {
          const m = await import('/static/js/merkle.js');
          return [
            await m.verifyEntryResponse(entry),
            await m.verifyEntryResponse(entry, anchored),
            await m.verifyConsistencyResponse(between),
          ];
        }""",
        [entry, between, "0x" + ROOTS[32].hex()],
    )
    assert got[0] == {"ok": True, "root": ROOTS[33].hex()}
    assert got[1]["reason"] == "root-mismatch"
    assert got[1]["expected"] == ROOTS[32].hex()
    assert got[2] == {"ok": True, "root": ROOTS[33].hex()}


def test_without_webcrypto_it_says_so(merkle: Page) -> None:
    got = merkle.evaluate(
        """async (c) => {
          const m = await import('/static/js/merkle.js');
          Object.defineProperty(globalThis, 'crypto', {value: {}, configurable: true});
          return m.verifyInclusion(c);
        }""",
        inclusion(3, 1),
    )
    assert got["reason"] == "no-webcrypto"
    assert got["message"].startswith("this page is not a secure context (HTTPS or localhost)")
