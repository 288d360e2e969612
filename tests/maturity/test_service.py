"""The scorer over narrow sources: single scores, the clause cycles and series."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest

from ledger.errors import LedgerValueError
from ledger.knowledge.models import PolicyRecord
from ledger.maturity.engine import verify_result_hash
from ledger.maturity.indicators import EffectView
from ledger.maturity.service import Scorer
from ledger.store.records import EventRecord
from tests.conftest import sample_policy

DAY = 86_400
T0 = 1_700_000_000


def event(block: int, name: str, **args: object) -> EventRecord:
    return EventRecord(
        block, f"0x{block:064x}", T0 + block * DAY, f"0x{block:064x}", 0, "X", name, dict(args)
    )


def anchor(block: int) -> EventRecord:
    return event(
        block,
        "PolicyAnchored",
        policyId="p",
        version=1,
        digest="0xd",
        kind="policy",
        element="operating_mechanism",
        effectiveAt=T0,
        clauseIds=["c1", "c2", "c3", "c4"],
        clauseDigests=["0x01", "0x02", "0x03", "0x04"],
    )


def delivered(block: int, clause: str) -> EventRecord:
    return event(
        block,
        "DeliveryRecorded",
        agreementId="a." + clause,
        policyId="p",
        providerId="dept.p",
        clauseId=clause,
        period=0,
        dueAt=T0,
        recordCount=1,
        payloadDigest="0x01",
        onTime=True,
    )


#: One block a day from T0; the policy anchored at block 10 (day 10), its clauses
#: executed on days 15, 110 and 205; c4 never.
EVENTS = [anchor(10), delivered(15, "c1"), delivered(110, "c2"), delivered(205, "c3")]
HEAD = 400


@dataclass
class Sources:
    reads: list[int] = field(default_factory=list)

    def events(self, to_block: int) -> Sequence[EventRecord]:
        self.reads.append(to_block)
        return [e for e in EVENTS if e.block_number <= to_block]

    def head(self) -> int:
        return HEAD

    def block(self, number: int) -> tuple[int, str]:
        return T0 + number * DAY, f"0x{number + 1:064x}"


def record(_p: str, _v: int, _d: str) -> PolicyRecord:
    return sample_policy("p", clauses=[{"id": c, "text": c} for c in ("c1", "c2", "c3", "c4")])


def no_log(_block: int, _events: Sequence[EventRecord] | None) -> EffectView | None:
    return None


def scorer(sources: Sources) -> Scorer:
    return Scorer(sources.events, sources, record, no_log, chain_id=1337)


def test_score_under_each_version() -> None:
    s = scorer(Sources())
    v1 = s.score(spec_version=1, as_of_block=HEAD)
    v2 = s.score(as_of_block=HEAD)
    assert (v1["spec_version"], v2["spec_version"]) == (1, 2)
    # Effective at T0 (day 0), anchored on day 10; executions on days 15, 110, 205.
    # v1 counts from the effective time: [15, 110, 205, inf]. v2 from the anchor (the
    # later): [5, 100, 195], but day 10 is more than 365 days before day 400, so the
    # executed clauses are left out and only the backlog c4 stays: [inf].
    assert v1["indicators"][0]["sample"] == [15, 110, 205, "inf"]
    assert v2["indicators"][0]["sample"] == ["inf"]
    v2_early = s.score(as_of_block=300)
    assert v2_early["indicators"][0]["sample"] == [5, 100, 195, "inf"]
    assert v1["window"]["end"] == T0 + HEAD * DAY
    assert v1["as_of"] == {
        "block": HEAD,
        "hash": f"0x{HEAD + 1:064x}",
        "time": T0 + HEAD * DAY,
        "time_utc": v1["as_of"]["time_utc"],
    }


def test_series_points_are_the_scores_at_their_blocks_from_one_read() -> None:
    sources = Sources()
    series = scorer(sources).series(as_of_block=HEAD)
    assert sources.reads == [HEAD]  # one read for four windows
    blocks = [p["as_of"]["block"] for p in series["points"]]
    # Windows of 90 days ending at day 400: blocks 130, 220, 310, 400.
    assert blocks == [130, 220, 310, 400]
    alone = Sources()
    for point in series["points"]:
        assert verify_result_hash(point)
        single = scorer(alone).score(as_of_block=point["as_of"]["block"])
        assert point == single
    # The conversion-cycle trend. Day 130: [5, 100, inf, inf] -> inf; days 220 and 310:
    # [5, 100, 195, inf] -> 147.5; day 400: the start (day 10) is over 365 days back, so
    # only the unexecuted c4 is left: [inf] -> inf.
    assert series["i1_trend"] == ["inf", 147.5, 147.5, "inf"]
    assert (series["windows"], series["window_days"]) == (4, 90)


def test_series_parameters() -> None:
    series = scorer(Sources()).series(as_of_block=HEAD, windows=2, window_days=30)
    assert [p["as_of"]["block"] for p in series["points"]] == [370, 400]
    assert [p["window"]["end"] - p["window"]["start"] for p in series["points"]] == [30 * DAY] * 2
    with pytest.raises(LedgerValueError, match="at least one window, got 0"):
        scorer(Sources()).series(windows=0)
    with pytest.raises(LedgerValueError, match="positive whole number of days, got 0"):
        scorer(Sources()).series(window_days=0)


def test_series_before_the_first_block_starts_at_block_0() -> None:
    series = scorer(Sources()).series(as_of_block=100, windows=3, window_days=60)
    assert [p["as_of"]["block"] for p in series["points"]] == [0, 40, 100]


def test_clauses_view() -> None:
    view = scorer(Sources()).clauses(as_of_block=HEAD)
    rows = {r["clause_id"]: r for r in view["clauses"]}
    assert rows["c1"]["days"] == 5 and rows["c1"]["status"] == "executed"
    assert rows["c1"]["executed"]["event"] == "DeliveryRecorded"
    assert (rows["c1"]["executed"]["block"], rows["c1"]["executed"]["log_index"]) == (15, 0)
    assert rows["c1"]["start"] == T0 + 10 * DAY
    assert rows["c4"]["status"] == "not executed" and rows["c4"]["executed"] is None
    assert rows["c4"]["days"] is None


def test_as_of_outside_the_chain() -> None:
    with pytest.raises(LedgerValueError, match="block 401 is not in the chain"):
        scorer(Sources()).score(as_of_block=HEAD + 1)
