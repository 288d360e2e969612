"""A province played on the embedded chain: the tree set up before anything else, the
lagging city behind its path, acceptance declining from province to city to county.

``data/small-province.yaml`` is the L-province case in miniature (about 500 steps, played
once for the module). The expected indices are recomputed here by hand from the
milestones, as MATURITY.md "Trajectory" defines them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ledger.cli.demo import lagging_city
from ledger.cli.progress import print_progress
from ledger.core import Ledger
from ledger.scenario.runner import RunReport, load_scenario, run_scenario, scenario_digest
from ledger.scenario.tree import set_up_tree
from tests.conftest import make_settings

SCENARIO = Path(__file__).parent / "data" / "small-province.yaml"
DAY = 86_400
ZERO = "0x" + "00" * 32
#: The national path (MATURITY.md "Trajectory"): L4 by the end of 2025, L5 by the end of 2035.
L4_BY = int(datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp())
L5_BY = int(datetime(2035, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp())


@dataclass
class Played:
    ledger: Ledger
    report: RunReport
    again: RunReport
    progress: dict[str, Any]
    nodes: dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Played]:
    home = tmp_path_factory.mktemp("small-province") / "home"
    scenario = load_scenario(SCENARIO)
    with Ledger.open(make_settings(home)) as ledger:
        digest = scenario_digest(SCENARIO)
        report = run_scenario(ledger, scenario, SCENARIO.parent, digest)
        again = run_scenario(ledger, scenario, SCENARIO.parent, digest)
        progress = ledger.scorer.progress()
        nodes = {n["id"]: n for n in progress["nodes"]}
        yield Played(ledger, report, again, progress, nodes)


def events(ledger: Ledger, name: str) -> list[Any]:
    return ledger.store.events(names=(name,))


def test_the_tree_is_set_up_before_the_first_policy_is_anchored(played: Played) -> None:
    ledger = played.ledger
    created = events(ledger, "JurisdictionCreated")
    assert [(e.args["jurisdictionId"], e.args["parentId"], e.args["tier"]) for e in created] == [
        ("sp", ZERO, 1),
        ("gcity", "sp", 2),
        ("ucity", "sp", 2),
        ("ucounty", "ucity", 3),
        ("ucounty.g1", "ucounty", 6),
    ]
    *placed, _moved = events(ledger, "DepartmentPlaced")
    assert {e.args["departmentId"]: e.args["toJurisdictionId"] for e in placed} == {
        "sp.office": "sp",
        "g.office": "gcity",
        "g.water": "gcity",
        "g.health": "gcity",
        "u.office": "ucity",
        "u.water": "ucity",
        "u.health": "ucity",
        "c.office": "ucounty",
        "c.farms": "ucounty",
        "u.grid1": "ucounty",
    }
    assert {e.args["fromJurisdictionId"] for e in placed} == {ZERO}  # first placements
    (milestones,) = events(ledger, "MilestonesSet")
    start = played.report.start
    assert milestones.args == {
        "jurisdictionId": "gcity",
        "times": [start + 60 * DAY, start + 365 * DAY],
        "levels": [3, 4],
    }
    first_anchor = min(e.block_number for e in events(ledger, "PolicyAnchored"))
    assert max(e.block_number for e in [*created, *placed, milestones]) < first_anchor


def test_the_grid_worker_moves_at_day_104_and_takes_its_later_events_along(
    played: Played,
) -> None:
    *_, moved = events(played.ledger, "DepartmentPlaced")
    assert moved.args == {
        "departmentId": "u.grid1",
        "fromJurisdictionId": "ucounty",
        "toJurisdictionId": "ucounty.g1",
    }
    assert moved.block_time >= played.report.start + 104 * DAY
    assert played.nodes["ucounty.g1"]["departments"] == ["u.grid1"]
    # the worker's handlings count in the grid from the move's block on, not before it
    handled = {
        (e.block_number, e.tx_hash, e.log_index): e.block_number
        for e in events(played.ledger, "OrderHandled")
        if e.args["handlerId"] == "u.grid1"
    }
    before = {k for k, block in handled.items() if block < moved.block_number}
    after = set(handled) - before
    assert before and after

    def evidence(scope: str) -> set[tuple[int, str, int]]:
        result = played.ledger.scorer.score(scope=scope)
        return {
            (e[0], e[1], e[2]) for i in result["indicators"] for e in i["evidence"] if len(e) == 3
        }

    assert evidence("@ucounty.g1") & set(handled) == after
    assert evidence("@ucounty") >= set(handled)  # the county counts them all


def test_playing_it_again_sends_nothing(played: Played) -> None:
    assert played.report.played == played.report.steps > 450
    assert (played.again.played, played.again.transactions) == (0, 0)
    assert len(events(played.ledger, "JurisdictionCreated")) == 5


def expected_on_national_path(t: int) -> float:
    return 0.6 + 0.2 * (t - L4_BY) / (L5_BY - L4_BY)


def test_the_lagging_city_is_behind_the_national_path(played: Played) -> None:
    u = played.nodes["ucity"]
    t = played.progress["as_of"]["time"]
    expected = expected_on_national_path(t)  # by hand: between the 2025 and 2035 milestones
    assert u["milestones_default"] is True
    assert u["expected_index"] == pytest.approx(expected, abs=1e-6)
    assert u["expected_level"] == "L4"  # the band of 0.62..
    assert u["M"] < expected and u["level"] == "L1"
    assert u["gap"] == pytest.approx(expected - u["M"], abs=2e-6)
    assert (u["status"], u["on_track"]) == ("behind", False)
    county = played.nodes["ucounty"]
    assert county["status"] == "behind" and county["M"] < u["M"]


def test_the_leading_city_is_on_its_own_staged_path(played: Played) -> None:
    g = played.nodes["gcity"]
    t = played.progress["as_of"]["time"]
    start = played.report.start
    # by hand: between L3 (0.4) at 60 days and L4 (0.6) at 365 days
    expected = 0.4 + 0.2 * (t - (start + 60 * DAY)) / (305 * DAY)
    assert g["milestones_default"] is False
    assert g["expected_index"] == pytest.approx(expected, abs=1e-6)
    assert g["expected_level"] == "L3"
    assert g["level"] == "L5" and g["M"] > 0.8
    assert (g["status"], g["on_track"]) == ("on track", True)


def test_acceptance_declines_from_province_to_city_to_county(played: Played) -> None:
    # 省市县接受度递减: along the lagging branch, each tier below scores lower
    n = played.nodes
    assert [n[j]["tier_name"] for j in ("sp", "ucity", "ucounty")] == [
        "province",
        "city",
        "district",
    ]
    assert n["sp"]["M"] > n["ucity"]["M"] > n["ucounty"]["M"] > 0
    # the province counts every department below it: between its best and its worst city
    assert n["gcity"]["M"] > n["sp"]["M"] > n["ucity"]["M"]


def test_the_demo_draws_the_roadmap_of_the_city_furthest_behind(played: Played) -> None:
    # `govledger demo --case province`: of the rated nodes behind their path, the largest
    # gap among the shallowest below the province (U county is further behind, but deeper)
    assert played.nodes["ucounty"]["gap"] > played.nodes["ucity"]["gap"] > 0
    assert lagging_city(played.progress) == "ucity"
    on_track = {**played.progress, "nodes": [played.nodes["gcity"]]}
    assert lagging_city(on_track) is None


def test_progress_counts_the_nodes_behind_and_those_unrated(
    played: Played, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    print_progress(played.progress)
    out = capsys.readouterr().out
    nodes = played.progress["nodes"]
    behind = sum(1 for n in nodes if not n["on_track"])
    unrated = sum(1 for n in nodes if n["M"] is None)
    assert 0 < unrated < behind < len(nodes)  # some rated nodes behind, some on track
    summary = (
        f"{behind} of {len(nodes)} behind their path ({unrated} of them not rated: too"
        " little evidence in the window)."
    )
    assert summary in " ".join(out.split())
    rows = {n["id"]: line for n in nodes for line in out.splitlines() if f" {n['id']} " in line}
    for n in nodes:
        assert ("(not rated)" in rows[n["id"]]) is (n["M"] is None), n["id"]


def test_the_roadmap_of_the_lagging_city_starts_with_its_capping_element(
    played: Played,
) -> None:
    plan = played.ledger.scorer.roadmap(jurisdiction="ucity")
    assert plan["below_expected_level"] is True and plan["target_level"] == "L2"
    assert plan["capping_elements"] == ["operating_mechanism"]
    first = plan["steps"][0]
    assert first["element"] == "operating_mechanism" and first["caps"] is True


# -- the tree's set-up sends only what the chain lacks ------------------------------------

PARTIAL = """\
schema_version: 1
name: partial-tree
departments:
  - {id: pt.a, name: A}
  - {id: pt.b, name: B}
jurisdictions:
  - {id: pt.root, name: Root, tier: province, departments: [pt.a]}
  - {id: pt.town, parent: pt.root, name: Town, tier: city, departments: [pt.b],
     milestones: [{by: 2030-12-31, level: L3}]}
"""


def test_a_stopped_set_up_is_finished_without_repeating_a_write(
    ledger: Ledger, tmp_path: Path
) -> None:
    path = tmp_path / "partial.yaml"
    path.write_text(PARTIAL, encoding="utf-8")
    scenario = load_scenario(path)
    for dep in scenario.departments:
        ledger.departments.register(dep.id, dep.name)
    # a run stopped after creating the root and placing pt.a
    ledger.jurisdictions.create("pt.root", None, 1, "Root")
    ledger.jurisdictions.place("pt.a", "pt.root")
    before = ledger.w3.eth.block_number
    assert set_up_tree(ledger, scenario, start=0) == 3  # the town, pt.b, the milestones
    assert ledger.w3.eth.block_number == before + 3
    assert set_up_tree(ledger, scenario, start=0) == 0
    assert ledger.directory.jurisdiction_of("pt.b") == "pt.town"
    end_2030 = int(datetime(2030, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp())
    assert [(m.at, m.level) for m in ledger.directory.milestones_of("pt.town")] == [(end_2030, 3)]
    # what is changed on the ledger afterwards is left alone by a later play
    ledger.jurisdictions.place("pt.b", "pt.root")
    ledger.jurisdictions.set_milestones("pt.town", [(end_2030, 4)])
    assert set_up_tree(ledger, scenario, start=0) == 0
    assert ledger.directory.jurisdiction_of("pt.b") == "pt.root"
    assert [(m.at, m.level) for m in ledger.directory.milestones_of("pt.town")] == [(end_2030, 4)]
