"""Jurisdictions and includes in the scenario format (README "jurisdictions", "include").

No chain here: the file is parsed, checked and unrolled into steps. Each bad file is the
small province ``PROVINCE`` with one line changed; its trailing comments number the lines
the errors must name.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.errors import LedgerError
from ledger.knowledge.loader import RecordParseError
from ledger.scenario.model import TIERS, Jurisdiction, Scenario
from ledger.scenario.plan import build_steps
from ledger.scenario.runner import file_digest, load_scenario, scenario_digest, scenario_records
from ledger.scenario.tree import milestone_time, placements, tree_order
from tests.scenario.conftest import small_town

PROVINCE = (
    small_town("tiny-province")
    + """\
jurisdictions:
  - {id: prov, name: Province, tier: province}
  - id: town
    parent: prov
    name: The town
    tier: city
    departments: [t.office, t.water]
    milestones: [{by: 90d, level: L2}, {by: 2030-12-31, level: 4}]
  - {id: town.east, parent: town, name: East, tier: district}
  - {id: town.east.g1, parent: town.east, name: Grid 1, tier: grid, departments: [t.housing]}
"""
)


def write(tmp_path: Path, old: str, new: str, name: str = "p.yaml", text: str = PROVINCE) -> Path:
    assert old in text, old
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(LedgerError) as info:
        load_scenario(path)
    assert isinstance(info.value, RecordParseError)
    return str(info.value)


def test_mixed_milestones_are_refused(tmp_path: Path) -> None:
    # the template mixes an offset and a date: one kind per jurisdiction
    path = write(tmp_path, "", "")
    assert error_of(path) == (
        f"{path} line 21: jurisdictions[1].milestones: give every milestone's 'by' as an"
        " offset, or every one as a date"
    )


GOOD = PROVINCE.replace("{by: 2030-12-31, level: 4}", "{by: 730d, level: 4}")


def good(tmp_path: Path, old: str = "", new: str = "") -> Path:
    return write(tmp_path, old, new, text=GOOD)


def test_the_tree_comes_parents_first_and_every_department_has_its_place(
    tmp_path: Path,
) -> None:
    scenario = load_scenario(good(tmp_path))
    assert [j.id for j in tree_order(scenario.jurisdictions)] == [
        "prov",
        "town",
        "town.east",
        "town.east.g1",
    ]
    assert placements(scenario) == {
        "t.office": "town",
        "t.water": "town",
        "t.housing": "town.east.g1",
    }
    start = 1_800_000_000
    town = scenario.jurisdictions[1]
    assert [(milestone_time(m, start), m.level) for m in town.milestones] == [
        (start + 90 * 86_400, 2),
        (start + 730 * 86_400, 4),
    ]
    # set up with the departments, before the policies: no timed step of its own
    assert not [s for s in build_steps(scenario, start) if "jurisdiction" in s.what]


def test_a_date_milestone_is_the_end_of_that_day_utc(tmp_path: Path) -> None:
    path = write(tmp_path, "{by: 90d, level: L2}", "{by: 2026-06-30, level: L2}")
    milestones = load_scenario(path).jurisdictions[1].milestones
    end_2030 = int(datetime(2030, 12, 31, 23, 59, 59, tzinfo=UTC).timestamp())
    assert [milestone_time(m, 0) for m in milestones] == [
        int(datetime(2026, 6, 30, 23, 59, 59, tzinfo=UTC).timestamp()),
        end_2030,
    ]
    dated = write(tmp_path, "{by: 90d, level: L2}", "{by: '2026-06-30T12:00:00Z', level: L2}")
    first = load_scenario(dated).jurisdictions[1].milestones[0]
    assert milestone_time(first, 0) == int(datetime(2026, 6, 30, 12, tzinfo=UTC).timestamp())


def test_a_scenario_without_jurisdictions_places_nothing(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(small_town("no-tree"), encoding="utf-8")
    scenario = load_scenario(path)
    assert placements(scenario) == {} and tree_order(scenario.jurisdictions) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "    parent: prov",
            "    parent: nowhere",
            "line 17: jurisdictions[1].parent: 'nowhere' is not a jurisdiction of this scenario",
        ),
        (
            "    tier: city",
            "    tier: province",
            "line 19: jurisdictions[1].tier: a province cannot sit under prov (a province): tiers"
            " descend province > city > district > street > community > grid",
        ),
        (
            "name: East, tier: district}",
            "name: East, tier: city}",
            "line 22: jurisdictions[2].tier: a city cannot sit under town (a city): tiers descend",
        ),
        (
            "    tier: city",
            "    tier: county",
            "line 19: jurisdictions[1].tier: ",
        ),
        (
            "departments: [t.office, t.water]",
            "departments: [t.office, t.water, t.housing]",
            "line 23: jurisdictions[3].departments[0]: 't.housing' is already placed in town by"
            " jurisdictions[1].departments[2]: a department belongs to exactly one jurisdiction",
        ),
        (
            "departments: [t.office, t.water]",
            "departments: [t.office]",
            "line 5: departments[1].id: 't.water' belongs to no jurisdiction",
        ),
        (
            "departments: [t.office, t.water]",
            "departments: [t.office, t.water, t.sewers]",
            "line 20: jurisdictions[1].departments[2]: 't.sewers' is not a department of this"
            " scenario",
        ),
        (
            "{by: 730d, level: 4}",
            "{by: 60d, level: 4}",
            "line 21: jurisdictions[1].milestones[1].by: milestones come in time order, each later",
        ),
        (
            "{by: 730d, level: 4}",
            "{by: 730d, level: L1}",
            "line 21: jurisdictions[1].milestones[1].level: L1 after L2: a later milestone's"
            " level is not lower",
        ),
        (
            "{by: 730d, level: 4}",
            "{by: 730d, level: L6}",
            "line 21: jurisdictions[1].milestones[1].level: ",
        ),
        (
            "  - {id: t.housing, name: Housing Bureau}",
            "  - {id: t.housing, name: Housing Bureau, jurisdiction: town}",
            "line 23: jurisdictions[3].departments[0]: 't.housing' is already placed in town by"
            " departments[2].jurisdiction",
        ),
        (
            "  - {id: t.housing, name: Housing Bureau}",
            "  - {id: t.housing, name: Housing Bureau, jurisdiction: town.west}",
            "line 6: departments[2].jurisdiction: 'town.west' is not a jurisdiction of this",
        ),
    ],
)
def test_a_bad_tree_is_refused_by_line_and_field(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    path = good(tmp_path, old, new)
    assert f"{path} {expected}" in error_of(path)


def test_a_cycle_is_refused_at_each_jurisdiction_in_it(tmp_path: Path) -> None:
    # prov under the grid: prov -> town.east.g1 -> town.east -> town -> prov
    path = good(
        tmp_path,
        "{id: prov, name: Province, tier: province}",
        "{id: prov, name: Province, tier: province, parent: town.east.g1}",
    )
    message = error_of(path)
    assert (
        f"{path} line 15: jurisdictions[0].parent: prov's parents lead back to itself"
        " (prov -> town.east.g1 -> town.east -> town -> prov)"
    ) in message
    assert "line 17: jurisdictions[1].parent: town's parents lead back to itself" in message
    assert "line 15: jurisdictions[0].tier: a province cannot sit under town.east.g1" in message


def test_a_duplicate_jurisdiction_is_refused(tmp_path: Path) -> None:
    path = good(
        tmp_path,
        "name: East, tier: district}",
        "name: East, tier: district}\n"
        + ("  - {id: town.east, parent: town, name: East again, tier: district}"),
    )
    assert (
        f"{path} line 23: jurisdictions[3].id: 'town.east' is already defined at jurisdictions[2]"
    ) in error_of(path)


# -- include ------------------------------------------------------------------------------

CITY_PART = small_town("part")

OUTER = """\
schema_version: 1
name: outer
include: [part.yaml]
departments:
  - {id: o.grid1, name: Grid 1 staff}
jurisdictions:
  - {id: prov, name: Province, tier: province, departments: [o.grid1]}
  - {id: town, parent: prov, name: Town, tier: city,
     departments: [t.office, t.water, t.housing]}
"""


def outer(tmp_path: Path, part: str = CITY_PART, text: str = OUTER) -> Path:
    (tmp_path / "part.yaml").write_text(part, encoding="utf-8")
    path = tmp_path / "outer.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_included_scenario_comes_first_and_its_departments_can_be_placed(
    tmp_path: Path,
) -> None:
    scenario = load_scenario(outer(tmp_path))
    assert scenario.name == "outer" and scenario.include == ()
    assert [d.id for d in scenario.departments] == ["t.office", "t.water", "t.housing", "o.grid1"]
    assert [c.id for c in scenario.catalog] == ["item.meters"]
    assert placements(scenario)["t.water"] == "town"
    assert [r.id for r in scenario_records(scenario, tmp_path)] == ["t.share"]


def test_an_included_departments_missing_place_is_named_at_the_include_line(
    tmp_path: Path,
) -> None:
    path = outer(tmp_path, text=OUTER.replace("t.office, t.water, t.housing", "t.office, t.water"))
    assert error_of(path) == (
        f"{path} line 3: include[0]: in part.yaml, departments[2].id: 't.housing' belongs to"
        " no jurisdiction: give it a 'jurisdiction' or list it in a jurisdiction's 'departments'"
    )


def test_an_included_files_own_error_names_that_file(tmp_path: Path) -> None:
    path = outer(tmp_path, part=CITY_PART.replace("type: meter-readings", "typo: x"))
    assert f"{tmp_path / 'part.yaml'} line 13: catalog[0].typo: " in error_of(path)


def test_an_include_cycle_and_a_missing_file_are_refused(tmp_path: Path) -> None:
    path = outer(tmp_path, text=OUTER.replace("include: [part.yaml]", "include: [outer.yaml]"))
    assert (
        error_of(path) == f"{path} line 3: include[0]: outer.yaml includes this file again: a cycle"
    )
    gone = outer(tmp_path, text=OUTER.replace("include: [part.yaml]", "include: [gone.yaml]"))
    assert error_of(gone) == f"{tmp_path / 'gone.yaml'}: no such file"


def test_a_definition_repeated_across_files_is_named_in_the_including_file(
    tmp_path: Path,
) -> None:
    path = outer(
        tmp_path,
        text=OUTER.replace("o.grid1, name: Grid 1", "t.water, name: Water").replace(
            ", departments: [o.grid1]", ""
        ),
    )
    assert (
        f"{path} line 5: departments[0].id: 't.water' is already defined at departments[1]"
    ) in error_of(path)


def test_the_digest_covers_every_included_file(tmp_path: Path) -> None:
    path = outer(tmp_path)
    before = scenario_digest(path)
    assert before != file_digest(path)
    (tmp_path / "part.yaml").write_text(CITY_PART + "# changed\n", encoding="utf-8")
    assert scenario_digest(path) != before
    alone = tmp_path / "part.yaml"
    assert scenario_digest(alone) == file_digest(alone)


# -- the packaged files -------------------------------------------------------------------


def packaged(name: str) -> Path:
    with resources.as_file(resources.files("ledger.scenarios")) as folder:
        return Path(folder) / name


def step_fingerprint(scenario: Scenario, path: Path) -> str:
    start = 1_800_000_000
    steps = build_steps(scenario, start, scenario_records(scenario, path.parent, start))
    rows = [(s.at, s.seq, s.what, sorted(s.done_if), s.rerun) for s in steps]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_the_dcity_year_plays_the_same_steps_as_before_jurisdictions() -> None:
    # `govledger demo` (the default case) is a function of these steps: the same steps, the
    # same pinned series (tests/scenarios/test_dcity.py plays them).
    path = packaged("dcity.yaml")
    scenario = load_scenario(path)
    assert scenario.jurisdictions == () and len(scenario.departments) == 14
    assert step_fingerprint(scenario, path) == (
        "fdd2e334831f3b3924342a9f17b4d25ecd3ee8b5af0e27de62189ff3acf0f1f4"
    )


def test_the_province_holds_dcity_with_grids_and_two_other_cities() -> None:
    path = packaged("province.yaml")
    scenario = load_scenario(path)
    tiers = {j.id: j.tier for j in scenario.jurisdictions}
    assert tiers["lprov"] == "province"
    assert sorted(j for j, t in tiers.items() if t == "city") == ["dcity", "mcity", "ncity"]
    assert {t for t in tiers.values()} == set(TIERS)  # every tier, province to grid
    placed = placements(scenario)
    assert set(placed) == {d.id for d in scenario.departments}
    # D city's 14 departments of the dcity.yaml year, unchanged, are in D city
    dcity = load_scenario(packaged("dcity.yaml"))
    assert scenario.departments[:14] == dcity.departments
    assert all(placed[d.id] == "dcity" for d in dcity.departments)
    # orders are dispatched down to grid staff
    grid = next(s for s in scenario.work_order_streams if s.prefix == "wo.grid.")
    assert grid.operator == "dcity.hotline"
    assert all(tiers[placed[h]] in ("grid", "community") for h in grid.handlers)
    assert scenario.end == 365 * 86_400


# -- property: the checks accept a tree exactly when tiers descend ------------------------

TIER_NAMES = list(TIERS)


@st.composite
def forests(draw: st.DrawFn) -> list[Jurisdiction]:
    count = draw(st.integers(min_value=1, max_value=8))
    nodes = []
    for i in range(count):
        parent = None if i == 0 else draw(st.none() | st.integers(min_value=0, max_value=i - 1))
        tier = draw(st.sampled_from(TIER_NAMES))
        nodes.append(
            Jurisdiction(
                id=f"j{i}", name=f"J{i}", tier=tier, parent=None if parent is None else f"j{parent}"
            )
        )
    return nodes


@settings(max_examples=60, deadline=None)
@given(forests())
def test_tiers_are_refused_exactly_where_a_child_is_not_below_its_parent(
    nodes: list[Jurisdiction],
) -> None:
    from ledger.scenario.checks import play_problems

    scenario = Scenario(
        schema_version=1,
        name="p",
        departments=({"id": "d", "name": "D", "jurisdiction": nodes[0].id},),  # type: ignore[arg-type]
        jurisdictions=tuple(nodes),
    )
    by_id = {j.id: j for j in nodes}
    wrong = {
        i
        for i, j in enumerate(nodes)
        if j.parent is not None and TIERS[j.tier] <= TIERS[by_id[j.parent].tier]
    }
    found = {loc[1] for loc, _ in play_problems(scenario, []) if loc[2] == "tier"}
    assert found == wrong
    # parents always come before their children, and every node is created
    order = [j.id for j in tree_order(nodes)]
    assert sorted(order) == sorted(by_id)
    for j in nodes:
        if j.parent is not None:
            assert order.index(j.parent) < order.index(j.id)


def test_the_readme_example_of_a_tree_is_valid(tmp_path: Path) -> None:
    readme = (packaged("README.md")).read_text(encoding="utf-8")
    section = readme.split("## jurisdictions\n", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    text = (
        "schema_version: 1\nname: readme-tree\ndepartments:\n"
        "  - {id: city.office, name: Office}\n  - {id: city.hotline, name: Hotline}\n"
        "  - {id: city.grid1, name: Grid 1 staff}\n" + example
    )
    path = tmp_path / "tree.yaml"
    path.write_text(text, encoding="utf-8")
    scenario = load_scenario(path)
    assert [j.tier for j in tree_order(scenario.jurisdictions)] == [
        "province",
        "city",
        "district",
        "grid",
    ]
    assert placements(scenario) == {
        "city.office": "city",
        "city.hotline": "city",
        "city.grid1": "city.east.g1",
    }


MOVE = "timeline:\n  - {at: 50d, move_department: {department: t.water, to: town.east}}\n"


def test_a_department_moves_at_its_time(tmp_path: Path) -> None:
    path = write(tmp_path, "", "", text=GOOD + MOVE)
    steps = build_steps(load_scenario(path), 1_000_000)
    (move,) = [s for s in steps if s.what.startswith("move department")]
    assert (move.what, move.at) == ("move department t.water to town.east", 50 * 86_400)


@pytest.mark.parametrize(
    ("new", "expected"),
    [
        (
            "{department: t.water, to: town.west}",
            "line 25: timeline[0].move_department.to: 'town.west' is not a jurisdiction",
        ),
        (
            "{department: t.sewers, to: town.east}",
            "line 25: timeline[0].move_department.department: 't.sewers' is not a department",
        ),
        (
            "{department: t.water, to: town}",
            "line 25: timeline[0].move_department.to: 't.water' is already in town at that time",
        ),
    ],
)
def test_a_bad_move_is_refused_by_line_and_field(tmp_path: Path, new: str, expected: str) -> None:
    path = write(tmp_path, "{department: t.water, to: town.east}", new, text=GOOD + MOVE)
    assert f"{path} {expected}" in error_of(path)


def test_a_second_move_back_is_judged_where_the_first_left_it(tmp_path: Path) -> None:
    back = MOVE + "  - {at: 20d, move_department: {department: t.water, to: town.east}}\n"
    path = write(tmp_path, "", "", text=GOOD + back)
    # at 20d t.water moves to town.east; the move at 50d to the same place is refused
    assert (
        f"{path} line 25: timeline[0].move_department.to: 't.water' is already in town.east"
    ) in error_of(path)
