"""Progress over a ledger with an effect log: every node of the tree, scored from one read
with the log's counts shared between nodes, gives the very result a single score of that
node gives (the calls and heartbeats under each node's agreements and systems included).

The home is the audit suite's (tests/audit/conftest.py): the dcity-sharing scenario and
an effect log whose calls are all under ``agr.household-civil`` (provided by security), two of its
checkpoints anchored and a score published.
"""

from __future__ import annotations

from pathlib import Path

from ledger.core import Ledger
from tests.audit.conftest import OWNER, opened


def build_tree(ledger: Ledger) -> None:
    j = ledger.jurisdictions
    j.create("lp", None, "province", "L Province")
    j.create("lp.d", "lp", "city", "D City")
    j.create("lp.d.sec", "lp.d", "district", "Security District")
    j.create("lp.d.rest", "lp.d", "district", "Other District")
    j.place(OWNER, "lp.d.sec")
    for department in ("dcity.govoffice", "dcity.civil", "dcity.health", "dcity.market"):
        j.place(department, "lp.d.rest")
    ledger.indexer.sync()


def test_every_node_of_the_tree_scores_as_a_single_score_does(tampered_home: Path) -> None:
    with opened(tampered_home) as ledger:
        build_tree(ledger)
        view = ledger.scorer.progress()
        singles = {n["id"]: ledger.score(scope="@" + n["id"]) for n in view["nodes"]}
        city = {i["id"]: i for i in ledger.score()["indicators"]}
    assert [n["id"] for n in view["nodes"]] == ["lp", "lp.d", "lp.d.sec", "lp.d.rest"]
    for node in view["nodes"]:
        assert node["result_hash"] == singles[node["id"]]["result_hash"], node["id"]
    security = {i["id"]: i for i in singles["lp.d.sec"]["indicators"]}
    rest = {i["id"]: i for i in singles["lp.d.rest"]["indicators"]}
    # Every call is under security's agreement: they count for its district, all of
    # them, and none for the other district (too few to rate D3: only the counts matter).
    assert security["D3"]["denominator"] == city["D3"]["denominator"] > 0
    assert security["D3"]["numerator"] == city["D3"]["numerator"]
    assert rest["D3"]["denominator"] == 0
