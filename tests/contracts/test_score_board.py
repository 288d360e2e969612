"""ScoreBoard: maturity scores anchored by a SCORER, append-only, each id from 1."""

from __future__ import annotations

import pytest
from eth_utils import keccak
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web3.types import TxReceipt

from ledger.chain.keystore import Signer
from ledger.core import Ledger
from ledger.mechanisms.base import role_id
from ledger.mechanisms.scoreboard import PublishedScore
from tests.contracts.conftest import (
    SECURITY,
    ZERO,
    ZERO_ID,
    b32,
    call,
    events,
    function,
    granted,
    mined_at,
    receipt_of,
    reverts,
    send,
)

SCORER_ROLE = "0x" + role_id("SCORER").hex()
SPEC = keccak(text="MATURITY.md v1")
ROOT = keccak(text="evidence/city/2024Q4")
RESULT = keccak(text="result/city/2024Q4")
#: 2024-10-01 and 2024-12-31 (UTC): the quarter a score covers.
Q4_START = 1_727_740_800
Q4_END = 1_735_603_200
UINT64_MAX = 2**64 - 1


def hexed(value: bytes) -> str:
    return "0x" + value.hex()


def publish(
    ledger: Ledger,
    signer: Signer,
    *,
    scope: str | bytes = "city",
    spec_hash: bytes = SPEC,
    as_of_block: int = 1,
    evidence_root: bytes = ROOT,
    result_hash: bytes = RESULT,
    window_start: int = Q4_START,
    window_end: int = Q4_END,
) -> TxReceipt:
    """Send ``publish`` as given, with no client-side checks."""
    return send(
        ledger,
        signer,
        "ScoreBoard",
        "publish",
        {
            "scope": b32(scope),
            "specHash": spec_hash,
            "asOfBlock": as_of_block,
            "evidenceRoot": evidence_root,
            "resultHash": result_hash,
            "windowStart": window_start,
            "windowEnd": window_end,
        },
    )


def published_event(scorer: Signer, score_id: int, **changes: object) -> dict[str, object]:
    event: dict[str, object] = {
        "scoreId": score_id,
        "scope": "city",
        "publisher": scorer.address,
        "specHash": hexed(SPEC),
        "asOfBlock": 1,
        "evidenceRoot": hexed(ROOT),
        "resultHash": hexed(RESULT),
        "windowStart": Q4_START,
        "windowEnd": Q4_END,
    }
    return event | changes


@pytest.fixture
def scorer(ledger: Ledger) -> Signer:
    """The health commission, granted the SCORER role."""
    return granted(ledger, "dcity.health", "SCORER")


# -- publish -----------------------------------------------------------------------


def test_publish_emits_score_published(ledger: Ledger, scorer: Signer) -> None:
    as_of = ledger.w3.eth.block_number
    receipt = ledger.scoreboard.publish(
        scorer,
        scope="city",
        spec_hash=SPEC.hex(),
        as_of_block=as_of,
        evidence_root=hexed(ROOT),
        result_hash=RESULT.hex(),
        window_start=Q4_START,
        window_end=Q4_END,
    )

    assert events(ledger, "ScoreBoard", "ScorePublished", receipt) == [
        published_event(scorer, 1, asOfBlock=as_of)
    ]
    assert len(receipt["logs"]) == 1
    assert ledger.scoreboard.count() == 1
    assert ledger.scoreboard.score_of(1) == PublishedScore(
        score_id=1,
        scope="city",
        spec_hash=SPEC.hex(),
        as_of_block=as_of,
        evidence_root=ROOT.hex(),
        result_hash=RESULT.hex(),
        window_start=Q4_START,
        window_end=Q4_END,
        publisher=scorer.address,
        published_at=mined_at(ledger, receipt),
    )


def test_score_ids_count_from_one_and_scores_are_never_edited(
    ledger: Ledger, scorer: Signer
) -> None:
    assert call(ledger, "ScoreBoard", "scoreCount") == 0
    first = publish(ledger, scorer)
    second_result = keccak(text="result/city/2024Q4 recomputed")
    second = publish(ledger, scorer, result_hash=second_result)
    third = publish(ledger, scorer, scope=SECURITY, as_of_block=0, window_start=0, window_end=0)

    assert events(ledger, "ScoreBoard", "ScorePublished", first) == [published_event(scorer, 1)]
    assert events(ledger, "ScoreBoard", "ScorePublished", second) == [
        published_event(scorer, 2, resultHash=hexed(second_result))
    ]
    assert events(ledger, "ScoreBoard", "ScorePublished", third) == [
        published_event(scorer, 3, scope=SECURITY, asOfBlock=0, windowStart=0, windowEnd=0)
    ]
    assert call(ledger, "ScoreBoard", "scoreCount") == ledger.scoreboard.count() == 3
    # The same computation published again is a new score; the first stays as it was.
    one, two = ledger.scoreboard.score_of(1), ledger.scoreboard.score_of(2)
    assert (one.result_hash, two.result_hash) == (RESULT.hex(), second_result.hex())
    assert (one.published_at, two.published_at) == (
        mined_at(ledger, first),
        mined_at(ledger, second),
    )
    # The raw view returns the stored Score struct, in its field order.
    assert call(ledger, "ScoreBoard", "scoreOf", 3) == (
        b32(SECURITY),
        SPEC,
        ROOT,
        RESULT,
        0,
        0,
        0,
        mined_at(ledger, third),
        scorer.address,
    )


def test_only_a_scorer_publishes(ledger: Ledger, security: Signer, stranger: Signer) -> None:
    for signer in (security, stranger, ledger.admin):
        with reverts(ledger, "Unauthorized", account=signer.address, neededRole=SCORER_ROLE):
            publish(ledger, signer)
    assert ledger.scoreboard.count() == 0


def test_a_revoked_scorer_no_longer_publishes(ledger: Ledger, scorer: Signer) -> None:
    publish(ledger, scorer)
    ledger.tx.send(
        ledger.admin,
        ledger.directory.contract.functions.revokeRole(role_id("SCORER"), scorer.address),
        "Directory",
    )
    with reverts(ledger, "Unauthorized", account=scorer.address, neededRole=SCORER_ROLE):
        publish(ledger, scorer)
    assert ledger.scoreboard.count() == 1


def test_a_score_needs_scope_and_hashes(ledger: Ledger, scorer: Signer) -> None:
    spec, root, result = hexed(SPEC), hexed(ROOT), hexed(RESULT)
    zero = hexed(ZERO)
    with reverts(
        ledger, "InvalidScore", scope=ZERO_ID, specHash=spec, evidenceRoot=root, resultHash=result
    ):
        publish(ledger, scorer, scope=ZERO)
    with reverts(
        ledger, "InvalidScore", scope="city", specHash=zero, evidenceRoot=root, resultHash=result
    ):
        publish(ledger, scorer, spec_hash=ZERO)
    with reverts(
        ledger, "InvalidScore", scope="city", specHash=spec, evidenceRoot=zero, resultHash=result
    ):
        publish(ledger, scorer, evidence_root=ZERO)
    with reverts(
        ledger, "InvalidScore", scope="city", specHash=spec, evidenceRoot=root, resultHash=zero
    ):
        publish(ledger, scorer, result_hash=ZERO)
    assert ledger.scoreboard.count() == 0


def test_the_window_must_not_end_before_it_starts(ledger: Ledger, scorer: Signer) -> None:
    for start, end in ((Q4_END, Q4_START), (1, 0), (UINT64_MAX, UINT64_MAX - 1)):
        with reverts(ledger, "InvalidWindow", windowStart=start, windowEnd=end):
            publish(ledger, scorer, window_start=start, window_end=end)
    # A window of a single instant is a window.
    receipt = publish(ledger, scorer, window_start=Q4_END, window_end=Q4_END)
    assert events(ledger, "ScoreBoard", "ScorePublished", receipt) == [
        published_event(scorer, 1, windowStart=Q4_END)
    ]


def test_the_as_of_block_must_be_mined(ledger: Ledger, scorer: Signer) -> None:
    latest = ledger.w3.eth.block_number
    # The send's check runs in the latest block, so it names that block as the publishing one.
    for as_of in (latest + 1, latest + 1000, UINT64_MAX):
        with reverts(ledger, "AsOfNotMined", asOfBlock=as_of, publishingBlock=latest):
            publish(ledger, scorer, as_of_block=as_of)

    receipt = publish(ledger, scorer, as_of_block=latest)
    assert events(ledger, "ScoreBoard", "ScorePublished", receipt) == [
        published_event(scorer, 1, asOfBlock=latest)
    ]
    assert ledger.scoreboard.score_of(1).as_of_block == latest


def test_the_publishing_block_itself_may_be_the_as_of_block(ledger: Ledger, scorer: Signer) -> None:
    """Sent without the client's check, the block that mines the score is its own as-of block."""
    latest = ledger.w3.eth.block_number
    fn = function(
        ledger, "ScoreBoard", "publish", (b32("city"), SPEC, latest + 1, ROOT, RESULT, 0, 0)
    )
    receipt = ledger.tx.send(scorer, fn, "ScoreBoard", precheck=False)

    assert receipt_of(ledger.w3, receipt)["blockNumber"] == latest + 1
    assert events(ledger, "ScoreBoard", "ScorePublished", receipt) == [
        published_event(scorer, 1, asOfBlock=latest + 1, windowStart=0, windowEnd=0)
    ]


# -- views and the wrapper -----------------------------------------------------------


def test_unknown_scores(ledger: Ledger, scorer: Signer) -> None:
    for score_id in (0, 1):
        with reverts(ledger, "ScoreUnknown", scoreId=score_id):
            ledger.scoreboard.score_of(score_id)

    publish(ledger, scorer)
    publish(ledger, scorer)

    for score_id in (0, 3, 2**256 - 1):
        with reverts(ledger, "ScoreUnknown", scoreId=score_id):
            call(ledger, "ScoreBoard", "scoreOf", score_id)
    assert ledger.scoreboard.score_of(2).score_id == 2


def test_wrapper_refuses_malformed_hashes(scorer: Signer, ledger: Ledger) -> None:
    good = {
        "scope": "city",
        "spec_hash": SPEC.hex(),
        "as_of_block": 1,
        "evidence_root": ROOT.hex(),
        "result_hash": RESULT.hex(),
        "window_start": 0,
        "window_end": 0,
    }
    for field, bad, what in (
        ("spec_hash", SPEC.hex()[:-2], "spec hash"),
        ("evidence_root", "0x" + "zz" * 32, "evidence root"),
        ("result_hash", RESULT, "result hash"),
    ):
        with pytest.raises(ValueError, match=f"{what} must be 32 bytes of hex"):
            ledger.scoreboard.publish(scorer, **(good | {field: bad}))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="scope"):
        ledger.scoreboard.publish(scorer, **(good | {"scope": ""}))  # type: ignore[arg-type]
    assert ledger.scoreboard.count() == 0


# -- the window rule, for every window -----------------------------------------------

_bounds = st.one_of(
    st.sampled_from([0, 1, Q4_START, Q4_END, UINT64_MAX - 1, UINT64_MAX]),
    st.integers(0, UINT64_MAX),
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(start=_bounds, end=_bounds)
def test_publish_succeeds_iff_the_window_does_not_end_before_it_starts(
    ledger: Ledger, scorer: Signer, start: int, end: int
) -> None:
    before = ledger.scoreboard.count()
    if end < start:
        with reverts(ledger, "InvalidWindow", windowStart=start, windowEnd=end):
            publish(ledger, scorer, window_start=start, window_end=end)
        assert ledger.scoreboard.count() == before
        return
    receipt = publish(ledger, scorer, window_start=start, window_end=end)
    assert events(ledger, "ScoreBoard", "ScorePublished", receipt) == [
        published_event(scorer, before + 1, windowStart=start, windowEnd=end)
    ]
    score = ledger.scoreboard.score_of(before + 1)
    assert (score.window_start, score.window_end) == (start, end)
