"""Malformed scenario files, as README.md promises: "Errors name the file, the line and the
field: ``my.yaml line 14: agreements[0].period: expected a duration such as 30m, 12h or
7d``".

Each bad file is a small good town with one line changed; the line numbers below are
those of ``TOWN`` (its trailing comments number the lines that matter).
"""

from __future__ import annotations

import math
import os
import subprocess
from pathlib import Path

import pytest

from ledger.errors import LedgerError
from ledger.knowledge.loader import RecordParseError
from ledger.scenario.plan import connected_spans
from ledger.scenario.runner import load_scenario
from tests.conftest import ROOT, run_cli
from tests.scenario.conftest import small_town

GOOD = Path(__file__).parent / "data" / "river-town.yaml"

TOWN = (
    small_town("tiny-town")
    + """\
agreements:
  - id: agr.meters                    # line 15
    item: item.meters                 # line 16
    consumer: t.housing               # line 17
    policy: t.share
    clause: c1
    permission: open
    first_due: 10d
    period: 30d                       # line 22
    periods: 2
timeline:
  - {at: 5d, miss: {agreement: agr.meters, period: 0}}   # line 25
"""
)


def write(tmp_path: Path, old: str, new: str, name: str = "town.yaml", town: str = TOWN) -> Path:
    """``town`` with its first ``old`` replaced by ``new``, written to ``tmp_path / name``."""
    assert old in town
    path = tmp_path / name
    path.write_text(town.replace(old, new, 1), encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(LedgerError) as info:
        load_scenario(path)
    assert isinstance(info.value, RecordParseError)
    return str(info.value)


def test_the_template_is_a_good_scenario(tmp_path: Path) -> None:
    scenario = load_scenario(write(tmp_path, "", ""))
    assert scenario.name == "tiny-town"


def test_missing_departments(tmp_path: Path) -> None:
    # README: "Every list may be left out except `departments`".
    text = TOWN.split("departments:")[0] + "catalog: []\n"
    path = tmp_path / "town.yaml"
    path.write_text(text, encoding="utf-8")
    assert f"{path} line 1: departments: is required" in error_of(path)


def test_unknown_department_in_an_agreement_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "consumer: t.housing", "consumer: t.nowhere")
    message = error_of(path)
    assert str(path) in message
    assert "t.nowhere" in message


def test_timeline_step_with_two_actions(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "miss: {agreement: agr.meters, period: 0}}",
        "miss: {agreement: agr.meters, period: 0}, revoke_agreement: agr.meters}",
    )
    message = error_of(path)
    assert f"{path} line 25: timeline[0]: each timeline step needs exactly one of" in message
    assert "miss" in message and "revoke_agreement" in message


def test_non_utf8_scenario_names_line_and_byte(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_bytes(b"name: caf\xe9\n")
    assert error_of(path) == (
        f"{path} line 1: not UTF-8 text: byte 0xe9 at byte offset 9 (column 10);"
        " save the file as UTF-8"
    )


# -- govledger scenario check -------------------------------------------------------------


def check(path: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    return run_cli("scenario", "check", str(path), env=env | {"PYTHONPATH": str(ROOT)}, cwd=cwd)


def test_check_a_bad_file_exits_1_with_the_message(tmp_path: Path) -> None:
    write(tmp_path, "period: 30d", "period: 30 days", name="bad.yaml")
    done = check(Path("bad.yaml"), cwd=tmp_path)  # relative: a short line on stderr
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    # The CLI wraps stderr at the terminal width: compare with the whitespace folded.
    folded = " ".join(done.stderr.split())
    assert "bad.yaml line 22: agreements[0].period: expected a duration such as 30m" in folded


def test_check_prints_the_message_verbatim(tmp_path: Path) -> None:
    path = write(tmp_path, "period: 30d", "period: '[b]thirty'", name="bad.yaml")
    message = error_of(path)
    done = check(path, cwd=tmp_path)
    assert done.returncode == 1
    assert message in done.stderr


def test_check_the_good_file_exits_0(tmp_path: Path) -> None:
    done = check(GOOD, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "river-town" in done.stdout
    assert "Traceback" not in done.stderr


# -- what play would pass over is refused by the check ------------------------------------

ORDERS = """\
categories:
  - {id: complaint, sla: 72h}
work_orders:
  - id: wo.1                                              # line 29
    at: 2d
    category: complaint
    policy: t.share
    clause: c1
    operator: t.office
    handler: t.water
    steps: {transfer: 1h, handle: 5h, complete: 30h}      # line 36
"""


ORDERS_TOWN = (TOWN + ORDERS).replace("roles: [ISSUER]}", "roles: [ISSUER, OPERATOR]}", 1)


def with_orders(tmp_path: Path, old: str, new: str) -> Path:
    return write(tmp_path, old, new, town=ORDERS_TOWN)


def test_the_order_template_is_good(tmp_path: Path) -> None:
    assert load_scenario(with_orders(tmp_path, "", "")).work_orders[0].id == "wo.1"


def test_an_order_left_open_is_valid(tmp_path: Path) -> None:
    path = with_orders(tmp_path, "complete: 30h}", "complete: null}")
    assert load_scenario(path).work_orders[0].steps.complete is None


def test_a_duplicate_order_id_is_refused(tmp_path: Path) -> None:
    second = ORDERS.split("work_orders:\n")[1].replace("# line 29", "# line 37")
    path = with_orders(tmp_path, "", "")
    path.write_text(path.read_text() + second, encoding="utf-8")
    assert (
        f"{path} line 37: work_orders[1].id: 'wo.1' is already defined at work_orders[0]"
    ) in error_of(path)


SYSTEMS = """\
systems:
  - {id: sys.pumps, owner: t.water, kind: business, connect: {policy: t.share, clause: c1, at: 1d}}
  - {id: sys.river, owner: t.water, kind: vertical-ministry, reserved: true}
"""


def test_heartbeats_follow_connections_and_disconnections(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "timeline:\n",
        SYSTEMS
        + "timeline:\n"
        + "  - {at: 3d, disconnect: {system: sys.pumps, policy: t.share, clause: c1}}\n"
        + "  - {at: 4d, fill_slot: sys.river}\n"
        + "  - {at: 6d, connect: {system: sys.river, policy: t.share, clause: c1}}\n"
        + "  - {at: 8d, connect: {system: sys.pumps, policy: t.share, clause: c1}}\n",
    )
    day = 86_400
    assert connected_spans(load_scenario(path)) == {
        "sys.pumps": [(1 * day, 3 * day), (8 * day, math.inf)],
        "sys.river": [(6 * day, math.inf)],
    }


# -- one line changed, one message naming the file, the line and the field ----------------

TIMELINE_TWICE = "  - {at: 5d, miss: {agreement: agr.meters, period: 0}}   # line 25\n"
LATE_AND_MISSING = "    deliveries: {late: [1], missing: [1, 2]}\n"
SLOT_STEPS = (
    "  - {at: 2d, connect: {system: sys.river, policy: t.share, clause: c1}}\n"
    "  - {at: 3d, fill_slot: sys.river}\n"
    "  - {at: 4d, fill_slot: sys.river}\n"
)
CONNECT_PUMPS = "  - {at: 3d, connect: {system: sys.pumps, policy: t.share, clause: c1}}\n"


@pytest.mark.parametrize(
    ("town", "old", "new", "message"),
    [
        pytest.param(
            TOWN,
            "period: 30d",
            "period: 30 days",
            "line 22: agreements[0].period: expected a duration such as 30m, 12h or 7d",
            id="bad_duration",
        ),
        # The agreement's mapping starts on line 15; `item` is gone from it.
        pytest.param(
            TOWN,
            "    item: item.meters                 # line 16\n",
            "",
            "line 15: agreements[0].item: is required",
            id="missing_required_field",
        ),
        pytest.param(
            TOWN,
            "consumer: t.housing",
            "consumer: t.nowhere",
            "line 17: agreements[0].consumer",
            id="unknown_department_in_an_agreement_names_line_and_field",
        ),
        pytest.param(
            TOWN,
            "name: tiny-town",
            "name: tiny-town: again",
            "line 2: YAML syntax error",
            id="yaml_syntax_error",
        ),
        pytest.param(
            TOWN,
            "period: 30d",
            "period: &p 30d",
            "line 22: YAML error: anchors (&p) are not allowed",
            id="yaml_alias_is_refused_with_its_line",
        ),
        pytest.param(
            ORDERS_TOWN,
            "complete: 30h}",
            "complete: 30h, retransfer_to: t.water}",
            "line 36: work_orders[0].steps.retransfer_to: 't.water' already handles the"
            " order: re-transfer it to another department",
            id="re_transfer_to_the_current_handler",
        ),
        pytest.param(
            ORDERS_TOWN,
            "handle: 5h",
            "handle: 5h, feedback: 4h",
            "line 36: work_orders[0].steps.feedback: feedback at +4h comes before handle"
            " at +5h: stages come in order",
            id="stages_out_of_order",
        ),
        pytest.param(
            ORDERS_TOWN,
            "complete: 30h}",
            "complete: null, evaluate: 4}",
            "line 36: work_orders[0].steps.evaluate: the order stops at complete: null and"
            " is never completed",
            id="an_open_order_cannot_be_evaluated",
        ),
        pytest.param(
            ORDERS_TOWN,
            "handle: 5h",
            "handle: null",
            "line 36: work_orders[0].steps.complete: the order stops at handle: null, so"
            " complete never comes",
            id="a_stage_after_a_null_one",
        ),
        pytest.param(
            TOWN,
            TIMELINE_TWICE,
            TIMELINE_TWICE + "  - {at: 6d, deliver: {agreement: agr.meters, period: 0}}\n",
            "line 26: timeline[1].deliver.period: agr.meters period 0 is already delivered"
            " or missed by timeline[0]",
            id="a_period_the_timeline_names_twice",
        ),
        pytest.param(
            TOWN,
            "timeline:\n",
            "end: 4d\ntimeline:\n",
            "line 26: timeline[0].at: at +5d, after the scenario's end (+4d): never played",
            id="a_step_after_the_end",
        ),
        pytest.param(
            TOWN,
            "timeline:\n",
            SYSTEMS + "timeline:\n" + CONNECT_PUMPS,
            "line 28: timeline[0].connect: sys.pumps is already connected at that time",
            id="connecting_a_connected_system",
        ),
        # A relative effective time is an offset.
        pytest.param(
            TOWN,
            "  - record:\n",
            "  - effective: 2 weeks\n    record:\n",
            "line 8: policies[0].effective: expected a duration such as 30m, 12h or 7d",
            id="a_relative_effective_time_is_an_offset",
        ),
        *[
            pytest.param(TOWN, "    periods: 2\n", "    periods: 2\n" + LATE_AND_MISSING, m, id=i)
            for i, m in [
                (
                    "late_and_missing",
                    "line 24: agreements[0].deliveries.late: periods [1] are also missing",
                ),
                (
                    "a_period_that_does_not_exist",
                    "line 24: agreements[0].deliveries.missing: period 2 does not exist (0..1 do)",
                ),
            ]
        ],
        *[
            pytest.param(TOWN, "timeline:\n", SYSTEMS + "timeline:\n" + SLOT_STEPS, m, id=i)
            for i, m in [
                (
                    "connecting_an_unfilled_slot",
                    "line 28: timeline[0].connect: sys.river is a reserved slot: fill it",
                ),
                (
                    "filling_a_slot_twice",
                    "line 30: timeline[2].fill_slot: sys.river is not a reserved slot",
                ),
            ]
        ],
        pytest.param(
            TOWN,
            "  - record:\n",
            "  - approved_by: [t.office, t.water]\n    record:\n",
            "line 8: policies[0].approved_by: t.share is a department-level record",
            id="approvals_of_a_department_level_record",
        ),
    ],
)
def test_a_bad_line_is_refused_with_file_line_and_field(
    tmp_path: Path, town: str, old: str, new: str, message: str
) -> None:
    path = write(tmp_path, old, new, town=town)
    assert f"{path} {message}" in error_of(path)


def test_an_agreement_granting_more_than_its_item_allows_is_refused(tmp_path: Path) -> None:
    # the chain would refuse the commitment (PermissionExceedsItem) half-way through a play
    path = write(tmp_path, "    permission: open", "    permission: restricted")
    assert error_of(path) == (
        f"{path} line 20: agreements[0].permission: restricted exceeds what item.meters"
        " allows (open): open < conditional < restricted"
    )
