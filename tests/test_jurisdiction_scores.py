"""Scores by jurisdiction, progress and the roadmap on the real embedded chain, through
the ledger, the CLI and the API (issue 12, items 2 to 4).

The home is built once for the module: the eight-week ``dcity-sharing`` scenario, then L
province > D city > east and west districts, the general office and big data bureau in
the city, security and health in the east, transport, market and civil affairs in the
west. The east district's score is published (its baseline); then security commits a new
weekly agreement, delivers its first period, moves to the west, and delivers the second:
the first delivery weighs on the east, the second on the west. The west district gets
its own milestones.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner, Result

from api.main import create_app
from ledger.apikeys import ApiKeys
from ledger.cli.main import app
from ledger.core import Ledger
from ledger.maturity.indicators import measure_all
from ledger.maturity.roadmap import lifts
from ledger.maturity.scopes import JurisdictionHistory
from ledger.maturity.spec import load_spec
from ledger.maturity.trajectory import target_index
from ledger.mechanisms.sharing import AgreementCreate, DeliveryCreate
from ledger.scenario.runner import file_digest, load_scenario, run_scenario
from tests.api.conftest import assert_problem
from tests.conftest import TEST_PASSWORD, make_settings, publish

DAY = 86_400
ENV = {"GOVLEDGER_KEYSTORE_PASSWORD": TEST_PASSWORD, "COLUMNS": "200"}
ROOT = Path(__file__).resolve().parents[1]
SECURITY = "dcity.security"
PLACES = {
    "dcity.govoffice": "lp.d",
    "dcity.bigdata": "lp.d",
    SECURITY: "lp.d.east",
    "dcity.health": "lp.d.east",
    "dcity.transport": "lp.d.west",
    "dcity.market": "lp.d.west",
    "dcity.civil": "lp.d.west",
}
#: The west district's path: L2 ten days before the build ends, L4 a hundred days after.
WEST_PATH = ((-10 * DAY, 2), (100 * DAY, 4))


def build(home: Path) -> dict[str, Any]:
    file = ROOT / "ledger" / "scenarios" / "dcity-sharing.yaml"
    facts: dict[str, Any] = {}
    with Ledger.open(make_settings(home)) as ledger:
        run_scenario(ledger, load_scenario(file), file.parent, file_digest(file))
        j = ledger.jurisdictions
        j.create("lp", None, "province", "L Province")
        j.create("lp.d", "lp", "city", "D City")
        j.create("lp.d.east", "lp.d", "district", "East District")
        j.create("lp.d.west", "lp.d", "district", "West District")
        for department, where in PLACES.items():
            j.place(department, where)
        facts["baseline"] = publish(ledger, scope="@lp.d.east").result
        now = ledger.clock.now()
        agreement = AgreementCreate.model_validate(
            {
                "agreement_id": "agr.moved",
                "item_id": "item.household",
                "consumer_id": "dcity.civil",
                "policy_id": "dcity.sharing",
                "clause_id": "c1",
                "first_due_at": now + DAY,
                "period_seconds": 7 * DAY,
                "periods": 2,
                "calls_per_period": 10,
                "permission": "conditional",
            }
        )
        ledger.sharing.commit_agreement(SECURITY, agreement)
        ledger.clock.advance_time(DAY - 3600)
        first = ledger.sharing.record_delivery(
            SECURITY,
            "agr.moved",
            DeliveryCreate(period=0, record_count=5, payload_digest="0x" + "11" * 32),
        )
        facts["move_block"] = j.place(SECURITY, "lp.d.west").block_number
        ledger.clock.advance_time(7 * DAY)
        second = ledger.sharing.record_delivery(
            SECURITY,
            "agr.moved",
            DeliveryCreate(period=1, record_count=5, payload_digest="0x" + "22" * 32),
        )
        ledger.clock.advance_time(2 * DAY)  # past the second due: both dues in the window
        end = ledger.clock.now()
        j.set_milestones("lp.d.west", [(end + at, level) for at, level in WEST_PATH])
        facts["deliveries"] = (first.block_number, second.block_number)
        facts["milestones_end"] = end
        ledger.indexer.sync()
    ApiKeys(home).create("dcity.govoffice", "tests")
    return facts


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    home = tmp_path_factory.mktemp("juris-score") / "home"
    return home, build(home)


@pytest.fixture
def home(world: tuple[Path, dict[str, Any]], tmp_path: Path) -> Path:
    """This test's copy of the built home (publishing writes to it)."""
    return Path(shutil.copytree(world[0], tmp_path / "home"))


@pytest.fixture
def client(home: Path) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(home))) as test_client:
        yield test_client


def opened(home: Path) -> Ledger:
    return Ledger.open(make_settings(home))


def govledger(home: Path, *args: str) -> Result:
    """``govledger *args`` in process."""
    return CliRunner().invoke(app, [*args, "--home", str(home)], env=ENV)


def cli(home: Path, *args: str) -> Any:
    done = govledger(home, *args, "--json")
    assert done.exit_code == 0, done.output
    return json.loads(done.stdout)


# -- the score of a jurisdiction -----------------------------------------------------------


def test_a_jurisdiction_scores_the_union_of_its_departments(
    world: tuple[Path, dict[str, Any]],
) -> None:
    with opened(world[0]) as ledger:
        for node, members in (
            ("lp", set(PLACES)),
            ("lp.d", set(PLACES)),
            ("lp.d.east", {SECURITY, "dcity.health"}),
        ):
            evidence, _as_of, _hash = ledger.scorer.evidence(
                scope="@" + node, as_of_block=world[1]["move_block"] - 1
            )
            union = measure_all(replace(evidence, scope=members))
            assert measure_all(evidence) == union, node
        result = ledger.score(scope="@lp.d")
    assert result["scope"] == "@lp.d"
    # The city holds every department: its score is the whole ledger's but T3 (city-wide
    # statistics are not a jurisdiction's) and the scope.
    assert result["level"] in {"L1", "L2", "L3", "L4", "L5"}


def test_a_move_carries_the_weight_from_its_block_on(world: tuple[Path, dict[str, Any]]) -> None:
    first, second = world[1]["deliveries"]
    with opened(world[0]) as ledger:
        keys = {
            node: {k[0] for k in _m3(ledger.score(scope="@" + node))["evidence"]}
            for node in ("lp.d.east", "lp.d.west", "lp.d")
        }
        history = JurisdictionHistory.from_events(ledger.store.events())
    assert first in keys["lp.d.east"] and first not in keys["lp.d.west"]
    assert second in keys["lp.d.west"] and second not in keys["lp.d.east"]
    assert {first, second} <= keys["lp.d"]
    move = world[1]["move_block"]
    assert history.jurisdiction_of(SECURITY, block=move - 1) == "lp.d.east"
    assert history.jurisdiction_of(SECURITY, block=move) == "lp.d.west"


def _m3(result: dict[str, Any]) -> dict[str, Any]:
    return next(i for i in result["indicators"] if i["id"] == "M3")


def test_publish_verify_and_audit_a_jurisdiction_score(home: Path) -> None:
    published = cli(home, "score", "publish", "--jurisdiction", "lp.d")
    assert published["scope"] == "@lp.d"
    # Findings are addressed as for any score: to the issuer of the missed clause.
    assert {f["department_id"] for f in published["findings"]} <= {"dcity.govoffice"}
    verified = govledger(home, "score", "verify", str(published["score_id"]))
    assert verified.exit_code == 0, verified.output
    assert "recomputing from the chain gives the anchored result_hash" in verified.stdout
    with opened(home) as ledger:
        on_chain = ledger.scoreboard.score_of(published["score_id"])
        again = ledger.score(scope="@lp.d", as_of_block=on_chain.as_of_block)
    assert on_chain.scope == "@lp.d"
    assert again["result_hash"] == published["result_hash"]
    audited = govledger(home, "audit", "verify")
    assert audited.exit_code == 0, audited.output


def test_score_refuses_an_unknown_jurisdiction_and_two_scopes(home: Path) -> None:
    unknown = govledger(home, "score", "--jurisdiction", "lp.nowhere")
    assert unknown.exit_code == 1
    assert unknown.stderr.strip() == "error: jurisdiction 'lp.nowhere' not found"
    both = govledger(home, "score", "--jurisdiction", "lp.d", "--department", SECURITY)
    assert both.exit_code == 2
    assert "choose one" in both.output


# -- progress and the roadmap ----------------------------------------------------------------


def test_progress_recomputed_by_hand(world: tuple[Path, dict[str, Any]], home: Path) -> None:
    view = cli(home, "progress")
    nodes = {n["id"]: n for n in view["nodes"]}
    assert [n["id"] for n in view["nodes"]] == ["lp", "lp.d", "lp.d.east", "lp.d.west"]
    assert [n["depth"] for n in view["nodes"]] == [0, 1, 2, 2]
    spec = load_spec()
    now = view["as_of"]["time"]
    # The west's path: L2 (0.2) at end - 10 days, L4 (0.6) at end + 100 days.
    end = world[1]["milestones_end"]
    start, stop = end - 10 * DAY, end + 100 * DAY
    expected = 0.2 + (0.6 - 0.2) * (now - start) / (stop - start)
    west = nodes["lp.d.west"]
    assert west["milestones_default"] is False
    assert west["expected_index"] == pytest.approx(expected, abs=1e-6)
    assert west["expected_level"] == f"L{spec.band(round(expected, 6)).level}"
    if west["M"] is not None:
        assert west["gap"] == pytest.approx(expected - west["M"], abs=2e-6)
    # The others follow the national path (L4 by 2025-12-31, L5 by 2035-12-31).
    l4, l5 = 1_767_225_599, 2_082_758_399
    national = target_index(spec, 4) + 0.2 * (now - l4) / (l5 - l4)
    for node in ("lp", "lp.d", "lp.d.east"):
        row = nodes[node]
        assert row["milestones_default"] is True
        assert row["expected_index"] == pytest.approx(max(0.6, min(national, 0.8)), abs=1e-6)
        assert row["on_track"] == (
            row["M"] is not None
            and row["M"] >= row["expected_index"]
            and row["level"] >= row["expected_level"]
        )
    # The east published a score: that is its baseline.
    east = nodes["lp.d.east"]
    baseline = world[1]["baseline"]
    assert east["baseline"]["time"] == baseline["as_of"]["time"]
    assert east["baseline"]["M"] == baseline["M"]
    assert nodes["lp"]["baseline"] is None
    # Each node's row carries the very result a single score of it gives.
    with opened(home) as ledger:
        for node, row in nodes.items():
            assert row["result_hash"] == ledger.score(scope="@" + node)["result_hash"]
    only = cli(home, "progress", "--jurisdiction", "lp.d.west")
    assert [n["id"] for n in only["nodes"]] == ["lp.d.west"]


def test_roadmap_of_a_node_behind(home: Path) -> None:
    # D city has data sharing only: three elements are not rated, so it is L1 against an
    # expected L4, every element but the institutional one caps it, and no indicator
    # alone can rate an element (its gain in M is 0 and none is enough alone).
    view = cli(home, "roadmap", "--jurisdiction", "lp.d")
    assert (view["jurisdiction"], view["level"], view["expected_level"]) == ("lp.d", "L1", "L4")
    assert (view["below_expected_level"], view["target_level"]) == (True, "L2")
    assert view["capping_elements"] == [
        "operating_mechanism",
        "technical_support",
        "data_governance",
    ]
    steps = view["steps"]
    capping = [s["indicator"] for s in steps if s["caps"]]
    assert capping == sorted(capping) and len(capping) == 11  # all gains 0: by id
    assert [s["indicator"] for s in steps[len(capping) :]] == ["I1", "I2", "I3"]
    for step in steps:
        assert step["gain"] == 0.0
        if step["status"] == "NOT_RATED":
            assert step["advice"].startswith("not rated: ")
        else:
            assert (step["advice"], step["lift_raw"]) == ("not enough alone", None)
    with opened(home) as ledger:
        evidence, _a, _h = ledger.scorer.evidence(scope="@lp.d")
        inputs = measure_all(evidence)
    assert not any(lifts(load_spec(), inputs, s["indicator"], 1.0, 2) for s in steps[:3])


def test_the_api_scores_jurisdictions(client: TestClient) -> None:
    got = client.get("/maturity", params={"jurisdiction": "lp.d.east"})
    assert got.status_code == 200, got.text
    assert got.json()["scope"] == "@lp.d.east"
    series = client.get("/maturity/series", params={"jurisdiction": "lp.d", "windows": 2})
    assert series.status_code == 200 and series.json()["scope"] == "@lp.d"
    clauses = client.get("/maturity/clauses", params={"jurisdiction": "lp.d"})
    assert clauses.status_code == 200 and clauses.json()["scope"] == "@lp.d"
    assert_problem(
        client.get("/maturity", params={"jurisdiction": "lp.none"}),
        404,
        "jurisdiction 'lp.none' not found",
    )
    assert_problem(
        client.get("/maturity", params={"jurisdiction": "lp.d", "department": SECURITY}),
        422,
        "department and jurisdiction are separate scopes: choose one",
    )
    progress = client.get("/progress")
    assert progress.status_code == 200
    assert [n["id"] for n in progress.json()["nodes"]] == ["lp", "lp.d", "lp.d.east", "lp.d.west"]
    roadmap = client.get("/roadmap", params={"jurisdiction": "lp.d.west"})
    assert roadmap.status_code == 200 and roadmap.json()["jurisdiction"] == "lp.d.west"
    assert_problem(
        client.get("/roadmap", params={"jurisdiction": "lp.none"}),
        404,
        "jurisdiction 'lp.none' not found",
    )


def test_progress_and_roadmap_for_people(home: Path) -> None:
    progress = govledger(home, "progress")
    assert progress.exit_code == 0, progress.output
    rows = [line for line in progress.stdout.splitlines() if "lp" in line]
    assert ["lp.d.west West District" in r for r in rows] == [False, False, False, True]
    assert all("behind" in r for r in rows)
    nodes = cli(home, "progress")["nodes"]
    unrated = [n["id"] for n in nodes if n["M"] is None]
    # too little evidence in this small world for any node: each says so, and the count
    assert len(unrated) == 4
    assert all("(not rated)" in r for r in rows)
    assert (
        f"4 of 4 behind their path ({len(unrated)} of them not rated: too little evidence in"
        " the window)." in " ".join(progress.stdout.split())
    )
    assert "the trend arrow is M at as_of against M one window earlier" in progress.stdout
    roadmap = govledger(home, "roadmap", "--jurisdiction", "lp.d")
    assert roadmap.exit_code == 0, roadmap.output
    assert "lp.d is at L1, below its expected level L4" in roadmap.stdout
    assert "raw value to reach L2 alone" in roadmap.stdout
