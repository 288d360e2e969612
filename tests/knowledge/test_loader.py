"""Loading records from YAML: errors name the file, the line and what is wrong."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from ledger.errors import LedgerError, RecordError
from ledger.knowledge.canonical import canonical_bytes
from ledger.knowledge.loader import Problem, RecordParseError, load_record, parse_record
from tests.knowledge.conftest import SHARING_HEAD

GOOD = (
    SHARING_HEAD
    + """\
    obligation:
      metric: D1
      comparator: ">="
      target: 0.95
  - id: c2
    text: Deliver on time.
    obligation:
      metric: M3
      comparator: ">="
      target: 0.9
  - id: c3
    text: Keep the catalog.
"""
)


def write(tmp_path: Path, text: str, name: str = "policy.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_error(tmp_path: Path, text: str) -> RecordParseError:
    path = write(tmp_path, text)
    with pytest.raises(RecordParseError) as info:
        load_record(path)
    assert info.value.source == str(path)
    return info.value


def message(err: RecordError, tmp_path: Path) -> str:
    return str(err).replace(str(tmp_path / "policy.yaml"), "policy.yaml")


def test_good_record_loads(tmp_path: Path) -> None:
    record = load_record(write(tmp_path, GOOD))
    assert record.id == "dcity.sharing"
    assert [c.id for c in record.clauses] == ["c1", "c2", "c3"]
    assert parse_record(GOOD) == record


def test_bad_comparator_names_file_line_and_path(tmp_path: Path) -> None:
    err = load_error(
        tmp_path,
        GOOD.replace(
            'comparator: ">="\n      target: 0.9\n', 'comparator: ">"\n      target: 0.9\n'
        ),
    )
    assert message(err, tmp_path) == (
        "policy.yaml line 20: clauses[1].obligation.comparator: must be '>=' or '<='"
    )
    assert err.problems == (
        Problem(20, "clauses[1].obligation.comparator", "must be '>=' or '<='"),
    )
    assert isinstance(err, RecordError) and isinstance(err, LedgerError)


def test_duplicate_clause_id_points_at_the_duplicate(tmp_path: Path) -> None:
    err = load_error(tmp_path, GOOD.replace("  - id: c3\n", "  - id: c1\n"))
    assert message(err, tmp_path) == (
        "policy.yaml line 22: clauses[2].id: duplicate clause id 'c1' (first used by clauses[0])"
    )


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    bad = GOOD.replace("    text: Deliver on time.\n", "    text: [Deliver on time.\n")
    err = load_error(tmp_path, bad)
    [problem] = err.problems
    assert problem.line == 18
    assert message(err, tmp_path).startswith("policy.yaml line 18: YAML syntax error: ")


def test_unclosed_quote_names_a_line(tmp_path: Path) -> None:
    err = load_error(tmp_path, GOOD.replace('comparator: ">="', 'comparator: ">=', 1))
    [problem] = err.problems
    assert problem.line is not None and problem.line >= 14
    assert "YAML syntax error" in problem.message


def test_several_problems_each_on_its_line(tmp_path: Path) -> None:
    bad = GOOD.replace("kind: policy", "kind: memo").replace("target: 0.95", "target: .nan")
    err = load_error(tmp_path, bad)
    assert message(err, tmp_path).splitlines() == [
        "policy.yaml line 4: kind: must be 'law', 'regulation', 'policy' or 'institution'",
        "policy.yaml line 15: clauses[0].obligation.target: must be a finite number",
    ]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("\nversion: 1", "\nversion: one", "line 3: version: must be a valid integer, got 'one'"),
        ("\nversion: 1", "\nversion: 0", "line 3: version: must be greater than or equal to 1"),
        ("id: dcity.sharing", "id: dcity sharing", "line 2: id: policy id 'dcity sharing' must be"),
        (
            "effective: 2024-01-01T00:00:00Z",
            "effective: 2024-01-01T00:00:00",
            "line 8: effective: must include a timezone",
        ),
        ("schema_version: 1", "schema_version: 2", "line 1: schema_version: must be 1"),
        ("title: D-city", "titel: D-city", "line 1: title: is required"),
        (
            "issuer: dcity.govoffice",
            "issuer: dcity.govoffice\nowner: me",
            "line 8: owner: is not a known field",
        ),
        (
            "    obligation:\n      metric: D1",
            "    obligation:\n      metrik: D1",
            "line 13: clauses[0].obligation.metrik: is not a known field",
        ),
        (
            "  - id: c3\n",
            "  - id: c3\n    obligation: 0.5\n",
            "line 23: clauses[2].obligation: must be a valid dictionary or instance of Obligation",
        ),
    ],
)
def test_messages(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in GOOD
    err = load_error(tmp_path, GOOD.replace(old, new, 1))
    assert expected in message(err, tmp_path)


def test_exponent_numbers_are_numbers(tmp_path: Path) -> None:
    record = parse_record(GOOD.replace("target: 0.95", "target: 95e-2"))
    obligation = record.clauses[0].obligation
    assert obligation is not None and obligation.target == 0.95
    err = load_error(tmp_path, GOOD.replace("target: 0.95", "target: 1e400"))
    assert message(err, tmp_path) == (
        "policy.yaml line 15: clauses[0].obligation.target: must be a finite number"
    )


def test_duplicate_yaml_key_is_refused(tmp_path: Path) -> None:
    err = load_error(
        tmp_path, GOOD.replace("      target: 0.95\n", "      target: 0.95\n      target: 0.5\n")
    )
    assert (
        message(err, tmp_path)
        == "policy.yaml line 16: clauses[0].obligation: key 'target' is given twice"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "policy.yaml: empty document, expected a record"),
        ("# nothing here\n", "policy.yaml: empty document, expected a record"),
        ("- a\n- b\n", "policy.yaml line 1: expected a mapping of fields, not a list"),
        ("just text\n", "policy.yaml line 1: expected a mapping of fields, not a single value"),
        ("a: 1\n---\nb: 2\n", "policy.yaml line 2: YAML syntax error: expected a single document"),
    ],
)
def test_not_a_record(tmp_path: Path, text: str, expected: str) -> None:
    assert message(load_error(tmp_path, text), tmp_path).startswith(expected)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RecordError) as info:
        load_record(tmp_path / "absent.yaml")
    assert str(info.value) == f"{tmp_path / 'absent.yaml'}: no such file"


def test_not_utf8_names_the_line_and_byte(tmp_path: Path) -> None:
    path = tmp_path / "policy.yaml"
    path.write_bytes(b"id: x\ntitle: ab\xff\xfe\n")
    with pytest.raises(RecordError) as info:
        load_record(path)
    assert str(info.value) == (
        f"{path} line 2: not UTF-8 text: byte 0xff at byte offset 15 (column 10);"
        " save the file as UTF-8"
    )


def test_a_directory_is_not_a_record(tmp_path: Path) -> None:
    with pytest.raises(RecordError) as info:
        load_record(tmp_path)
    assert str(info.value) == f"{tmp_path}: is a directory, not a file"


@pytest.mark.parametrize(
    ("text", "line", "what"),
    [
        ("id: x\ntitle: &t hello\nissuer: *t\n", 2, "anchors (&t)"),
        ("id: x\nclauses: &a [*a]\n", 2, "anchors (&a)"),
        ("id: x\nissuer: *nowhere\n", 2, "aliases (*nowhere)"),
    ],
)
def test_yaml_anchors_and_aliases_are_refused_at_their_line(
    tmp_path: Path, text: str, line: int, what: str
) -> None:
    err = load_error(tmp_path, text)
    assert message(err, tmp_path).startswith(f"policy.yaml line {line}: YAML")
    assert f"YAML error: {what} are not allowed in govledger files; write the value out" in str(err)


def test_billion_laughs_is_refused_before_any_expansion(tmp_path: Path) -> None:
    rows = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    rows += [f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    err = load_error(tmp_path, "\n".join(rows) + "\n")
    assert message(err, tmp_path).startswith("policy.yaml line 1: YAML")
    assert "anchors (&a0) are not allowed" in str(err)


def test_parse_record_names_its_source() -> None:
    with pytest.raises(RecordError, match=r"^inline line 1: id: policy id"):
        parse_record(
            GOOD.replace("schema_version: 1\nid: dcity.sharing", "id: bad id\nschema_version: 1"),
            source="inline",
        )
    with pytest.raises(RecordError, match=r"^<string>: empty document"):
        parse_record("")


def test_unsafe_tags_are_refused() -> None:
    with pytest.raises(RecordError) as info:
        parse_record("id: !!python/object/apply:os.system ['true']\n")
    assert str(info.value).startswith(
        "<string> line 1: YAML error: could not determine a constructor for the tag"
    )


def test_the_sample_scenario() -> None:
    text = (
        resources.files("ledger.scenarios").joinpath("dcity-sharing-policy.yaml").read_text("utf-8")
    )
    record = parse_record(text, source="dcity-sharing-policy.yaml")
    assert (record.id, record.version, record.kind, record.element) == (
        "dcity.sharing",
        1,
        "policy",
        "data_governance",
    )
    assert record.issuer == "dcity.govoffice"
    assert canonical_bytes(record).count(b'"effective":"2024-01-01T00:00:00Z"') == 1
    assert [c.id for c in record.clauses] == ["c1", "c2", "c3", "c4"]
    obligations = {c.id: c.obligation for c in record.clauses}
    assert obligations["c4"] is None
    assert {k: (o.metric, o.comparator, o.target) for k, o in obligations.items() if o} == {
        "c1": ("D1", ">=", 0.95),
        "c2": ("M3", ">=", 0.9),
        "c3": ("D3", ">=", 0.999),
    }
    c1 = obligations["c1"]
    assert c1 is not None and c1.is_met(0.979)  # the paper's hook-up rate passes
    assert "data type" in record.clause("c4").text
