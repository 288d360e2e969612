"""The auditor's HTML report: sections, verdict, timeline, chart, escaping, determinism."""

from __future__ import annotations

import base64
import copy
import hashlib
import re
from collections.abc import Callable
from dataclasses import fields, is_dataclass, replace
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.audit import report
from ledger.audit.report import render_report
from ledger.maturity.engine import IndicatorInput, compute_result
from ledger.maturity.spec import Spec, load_spec

SPEC = load_spec()
#: The real spec with every goalpost at ``id: 0 -> 1``, so an indicator's score is its raw.
UNIT = replace(
    SPEC, indicators=tuple(replace(i, f="id", worst=0.0, best=1.0) for i in SPEC.indicators)
)
ELEMENT_SCORES = {
    "institutional_advantage": 0.9,
    "operating_mechanism": 0.55,
    "technical_support": 0.3,
    "data_governance": 0.15,
}
PLOT_HEIGHT = 240  # the chart's 0..1 scale, in SVG units

T0 = 1_790_000_000  # 2026-09-21T14:13:20Z
DAY = 86_400
GENESIS = "0x" + "11" * 32
POLICY_ID = "dcity.sharing"


def tx(n: int) -> str:
    return "0x" + f"{n:02x}" * 32


def iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def score_result(spec: Spec = UNIT, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """A real result: every indicator of an element at that element's score, except
    the indicators in ``drop``, which have no input."""
    inputs: dict[str, IndicatorInput] = {}
    for ind in spec.indicators:
        if ind.id in drop:
            continue
        inputs[ind.id] = IndicatorInput(
            id=ind.id,
            raw=ELEMENT_SCORES[ind.element],
            numerator=ind.n_min,
            denominator=ind.n_min,
            n=ind.n_min,
            evidence=[(100 + len(inputs), tx(0xEE), 0)],
        )
    return compute_result(
        spec,
        inputs,
        scope=None,
        window_start=T0 - 90 * DAY,
        window_end=T0 + 3 * DAY,
        as_of_block=99,
        as_of_hash="0x" + "cd" * 32,
        as_of_time=T0 + 3 * DAY,
        chain_id=131277322940537,
    )


SCORE = score_result()

EVENTS: list[dict[str, Any]] = [
    {
        "block_number": 12,
        "block_hash": "0x" + "b1" * 32,
        "block_time": T0,
        "tx_hash": tx(0x12),
        "log_index": 0,
        "contract": "PolicyRegistry",
        "event": "PolicyAnchored",
        "args": {
            "version": 1,
            "policyId": POLICY_ID,
            "digest": "0x" + "d1" * 32,
            "kind": "policy",
            "element": "data_governance",
            "effectiveAt": T0 - 30 * DAY,
            "clauseIds": ["c1", "c2"],
            "clauseDigests": ["0x" + "c1" * 32, "0x" + "c2" * 32],
        },
    },
    {
        "block_number": 14,
        "block_hash": "0x" + "b2" * 32,
        "block_time": T0 + 60,
        "tx_hash": tx(0x14),
        "log_index": 1,
        "contract": "DataSharing",
        "event": "AgreementCommitted",
        "args": {
            "agreementId": "agr-7",
            "policyId": POLICY_ID,
            "providerId": "dcity.bigdata",
            "clauseId": "c1",
            "permission": 2,
            "periods": 12,
        },
    },
    {
        "block_number": 14,
        "block_hash": "0x" + "b2" * 32,
        "block_time": T0 + 60,
        "tx_hash": tx(0x14),
        "log_index": 0,
        "contract": "DataSharing",
        "event": "CatalogItemRegistered",
        "args": {"itemId": "item-1", "providerId": "dcity.bigdata", "permission": 2},
    },
    {
        "block_number": 30,
        "block_hash": "0x" + "b3" * 32,
        "block_time": T0 + 2 * DAY,
        "tx_hash": tx(0x30),
        "log_index": 3,
        "contract": "DataSharing",
        "event": "DeliveryRecorded",
        "args": {
            "agreementId": "agr-7",
            "period": 1,
            "recordCount": 5000,
            "onTime": True,
            "payloadDigest": "0x" + "ab" * 32,
            "note": 'late by "one" day & counted',
        },
    },
    {
        "block_number": 41,
        "block_hash": "0x" + "b4" * 32,
        "block_time": T0 + 3 * DAY,
        "tx_hash": tx(0x41),
        "log_index": 0,
        "contract": "Findings",
        "event": "FindingRaised",
        "args": {"findingId": "F1-1", "departmentId": "dcity.bigdata", "metric": "D1"},
    },
]


def report_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "generated_at": "2026-11-27T03:00:00Z",
        "chain": {"chain_id": 131277322940537, "genesis_hash": GENESIS},
        "policy": {
            "id": POLICY_ID,
            "title": "Data sharing between departments",
            "issuer": "dcity.bigdata",
            "kind": "policy",
            "element": "data_governance",
            "versions": [
                {
                    "version": 1,
                    "digest": "0x" + "d1" * 32,
                    "block": 12,
                    "tx": tx(0x12),
                    "time": T0,
                    "effective": "2026-08-22T00:00:00Z",
                }
            ],
        },
        # Not in order: the report sorts them.
        "events": copy.deepcopy([EVENTS[3], EVENTS[1], EVENTS[4], EVENTS[0], EVENTS[2]]),
        "checkpoints": [
            {"index": 1, "tree_size": 1000, "root": "0x" + "f1" * 32, "timestamp": T0 + DAY},
            {"index": 2, "tree_size": 1234, "root": "0x" + "f2" * 32, "timestamp": T0 + 2 * DAY},
        ],
        "effect_entries": 1234,
        "score": copy.deepcopy(SCORE),
        "publication": {"score_id": 1, "block": 99, "tx": tx(0x99), "provisional": False},
        "findings": [
            {
                "finding_id": "F1-1",
                "status": "Overdue",
                "policy_id": POLICY_ID,
                "clause_id": "c1",
                "metric": "D1",
                "department_id": "dcity.bigdata",
                "deadline": T0 + 10 * DAY,
                "was_overdue": True,
            },
            {
                "finding_id": "F1-2",
                "status": "Accepted",
                "policy_id": POLICY_ID,
                "clause_id": "c2",
                "metric": "M3",
                "department_id": "dcity.health",
                "deadline": T0 + 20 * DAY,
                "was_overdue": False,
            },
        ],
        "checks": [
            {
                "check": "record dcity.sharing v1",
                "ok": True,
                "detail": "digest matches the anchored one",
                "where": "records/dcity.sharing.v1.json",
            },
            {
                "check": "index dcity.sharing",
                "ok": True,
                "detail": "5 events, identical to the chain",
                "where": None,
            },
            {
                "check": "score 1",
                "ok": True,
                "detail": "recomputed result_hash matches",
                "where": "scores/1.json",
            },
        ],
    }
    data.update(changes)
    return data


# -- parsing helpers -----------------------------------------------------------------

VOID = {"meta", "br", "hr", "img", "input", "link", "wbr", "col", "source"}


class Tree(HTMLParser):
    """Records every start tag with its attributes, text by enclosing tag, and nesting
    errors (an end tag that does not close the innermost open element)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.starts: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[tuple[tuple[str, ...], str]] = []
        self.decl: list[str] = []

    def handle_decl(self, decl: str) -> None:
        self.decl.append(decl)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.starts.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.starts.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.texts.append((tuple(self.stack), data))

    def elements(self, tag: str, cls: str | None = None) -> list[dict[str, str | None]]:
        return [
            attrs
            for t, attrs in self.starts
            if t == tag and (cls is None or cls in (attrs.get("class") or "").split())
        ]

    def text_in(self, tag: str) -> list[str]:
        return [text for stack, text in self.texts if tag in stack]


def parse(page: str) -> Tree:
    tree = Tree()
    tree.feed(page)
    tree.close()
    return tree


def section(page: str, ident: str) -> str:
    match = re.search(rf'<section id="{ident}">.*?</section>', page, re.S)
    assert match is not None, ident
    return match.group()


def abbreviated(value: str) -> str:
    """A long hex value as the page writes it: its ends around an ellipsis on screen,
    its middle in a span that print shows."""
    return (
        f'<abbr class="hex mono" title="{value}">{value[:6]}<span class="gap">…</span>'
        f'<span class="mid">{value[6:-4]}</span>{value[-4:]}</abbr>'
    )


# -- the document --------------------------------------------------------------------


def test_document_parses_with_balanced_tags_and_sections_in_order() -> None:
    page = render_report(report_data())
    tree = parse(page)
    assert page.startswith("<!DOCTYPE html>\n")
    assert tree.decl == ["DOCTYPE html"]
    assert tree.errors == []
    assert tree.stack == []
    for tag in ("html", "head", "body", "main", "header", "svg", "table", "ol"):
        assert tree.elements(tag), tag
    assert [a["id"] for a in tree.elements("section")] == [
        "checks",
        "versions",
        "trail",
        "checkpoints",
        "score",
        "findings",
    ]
    assert page.index('<header id="summary">') < page.index('<section id="checks">')


def test_self_contained_only_its_own_script_no_external_resource() -> None:
    page = render_report(report_data())
    tree = parse(page)
    # One script, the package's own, inline, and allowed by its hash alone.
    assert tree.elements("script") == [{}]
    code = (Path(report.__file__).parent / "static" / "report.js").read_text(encoding="utf-8")
    assert report.script() == code
    assert page.count("<script") == 1
    assert f"<script>{code}</script>" in page
    digest = base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()
    (csp,) = [a for a in tree.elements("meta") if a.get("http-equiv") == "Content-Security-Policy"]
    assert csp["content"] == (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        f"script-src 'sha256-{digest}'"
    )
    assert not tree.elements("link")
    for _, attrs in tree.starts:
        assert not {"src", "action"} & attrs.keys()
        assert (attrs.get("href") or "#").startswith("#")  # links stay inside the page
        assert not any(k.startswith("on") for k in attrs)
    # The only URL is the SVG namespace, which is a name, not a load.
    assert re.findall(r"https?://[^\s\"']+", page) == ["http://www.w3.org/2000/svg"]


def test_header_names_the_policy_chain_and_generation_time() -> None:
    page = render_report(report_data())
    header = page[page.index("<header") : page.index("</header>")]
    assert "<h1>Audit report: dcity.sharing</h1>" in header
    assert '<p class="subtitle">Data sharing between departments</p>' in header
    assert "<dt>Issuer</dt><dd>dcity.bigdata</dd>" in header
    assert "<dt>Chain id</dt><dd>131277322940537</dd>" in header
    assert f"<dd>{abbreviated(GENESIS)}</dd>" in header
    assert "<title>Audit report: dcity.sharing</title>" in page


# -- the verdict and the checks ------------------------------------------------------


def test_verdict_when_every_check_passed() -> None:
    page = render_report(report_data())
    (verdict,) = parse(page).elements("p", "verdict")
    assert verdict["class"] == "verdict pass"
    assert '<p class="verdict pass" role="status">Verification: all 3 checks passed</p>' in page
    assert "FAIL" not in page


def test_verdict_counts_the_failed_checks() -> None:
    data = report_data()
    data["checks"][1] = {
        "check": "index dcity.sharing",
        "ok": False,
        "detail": "event missing from the index",
        "where": "block 30 tx 0x3030 log 3",
    }
    data["checks"].append(
        {"check": "checkpoint 2", "ok": False, "detail": "root differs", "where": None}
    )
    page = render_report(data)
    assert '<p class="verdict fail" role="status">Verification: 2 of 4 checks failed</p>' in page
    rows = re.findall(r"<tr(?: class=\"failed\")?><td><span class=\"badge (\w+)\">", page)
    assert rows == ["pass", "fail", "pass", "fail"]
    checks = section(page, "checks")
    assert (
        '<tr class="failed"><td><span class="badge fail">FAIL</span></td>'
        "<td>index dcity.sharing</td><td>event missing from the index</td>"
        "<td><code>block 30 tx 0x3030 log 3</code></td></tr>"
    ) in checks
    assert (
        '<tr><td><span class="badge pass">pass</span></td><td>record dcity.sharing v1</td>'
        "<td>digest matches the anchored one</td>"
        "<td><code>records/dcity.sharing.v1.json</code></td></tr>"
    ) in checks


@pytest.mark.parametrize("ok", [None, "true", 1, "yes"])
def test_only_ok_true_passes(ok: Any) -> None:
    data = report_data()
    data["checks"][0]["ok"] = ok
    assert "Verification: 1 of 3 checks failed" in render_report(data)


def test_verdict_singular_and_no_checks() -> None:
    one = report_data()
    one["checks"] = one["checks"][:1]
    assert "Verification: all 1 check passed" in render_report(one)
    one["checks"][0]["ok"] = False
    assert "Verification: 1 of 1 check failed" in render_report(one)
    page = render_report(report_data(checks=[]))
    assert '<p class="verdict none" role="status">Verification: no checks were run</p>' in page


# -- versions, checkpoints -----------------------------------------------------------


def test_versions_table() -> None:
    versions = section(render_report(report_data()), "versions")
    assert (
        f'<tr><td class="num">1</td><td>{abbreviated("0x" + "d1" * 32)}</td>'
        f'<td class="num">12</td><td>{abbreviated(tx(0x12))}</td>'
        f'<td><time datetime="{iso(T0)}">{iso(T0)}</time></td>'
        '<td><time datetime="2026-08-22T00:00:00Z">2026-08-22T00:00:00Z</time></td></tr>'
    ) in versions


def test_checkpoints_and_entry_count() -> None:
    part = section(render_report(report_data()), "checkpoints")
    assert "<p>Effect-log entries: <strong>1,234</strong></p>" in part
    assert (
        f'<tr><td class="num">2</td><td class="num">1,234</td><td>{abbreviated("0x" + "f2" * 32)}'
        f'</td><td><time datetime="{iso(T0 + 2 * DAY)}">{iso(T0 + 2 * DAY)}</time></td></tr>'
    ) in part
    empty = section(render_report(report_data(checkpoints=[], effect_entries=0)), "checkpoints")
    assert "<strong>0</strong>" in empty
    assert '<p class="empty">no checkpoints</p>' in empty


# -- the trail -----------------------------------------------------------------------


def test_trail_is_grouped_by_clause_then_month_each_in_block_and_log_order() -> None:
    data = report_data()
    # DeliveryRecorded executes c1 too, a month later; the rest name no clause.
    delivery = next(e for e in data["events"] if e["event"] == "DeliveryRecorded")
    delivery["args"]["clauseId"] = "c1"
    delivery["block_time"] = T0 + 31 * DAY
    trail = section(render_report(data), "trail")
    groups = re.findall(
        r'<details class="group clause">\n<summary><h3>(.*?)</h3> <span class="count">(.*?)'
        r'</span></summary>\n<div class="group-body" id="(clause-\d+)">',
        trail,
    )
    assert groups == [
        ("Clause <code>c1</code>", "2 events · 2026-09 to 2026-10", "clause-1"),
        ("Events that name no clause", "3 events · 2026-09", "clause-2"),
    ]
    months = re.findall(r'<ol class="timeline" id="([\w-]+)">', trail)
    assert months == ["clause-1-2026-09", "clause-1-2026-10", "clause-2-2026-09"]
    names = re.findall(r'<span class="name">(\w+)</span>', trail)
    assert names == [
        "AgreementCommitted",
        "DeliveryRecorded",
        "PolicyAnchored",
        "CatalogItemRegistered",
        "FindingRaised",
    ]
    for name, month in (
        ("DeliveryRecorded", "clause-1-2026-10"),
        ("FindingRaised", "clause-2-2026-09"),
    ):
        before = trail[: trail.index(f'<span class="name">{name}</span>')]
        assert re.findall(r'<ol class="timeline" id="([\w-]+)">', before)[-1] == month
    assert (
        "<p>5 events, grouped by the clause each executes, then by month (UTC), each in block"
        " and log order.</p>"
    ) in trail
    # The overview: a row per month, a column per clause group, counts linking to the group.
    overview = trail[trail.index('<div id="trail-by-month">') : trail.index("</table>")]
    assert (
        '<thead><tr><th>Month</th><th class="num">Clause <code>c1</code></th>'
        '<th class="num">Events that name no clause</th><th class="num">All</th></tr></thead>'
    ) in overview
    overview = overview[overview.index("<tbody>") :]
    assert re.findall(r"<tr><th>(.*?)</th>(.*?)</tr>", overview) == [
        (
            '<time datetime="2026-09">2026-09</time>',
            '<td class="num" data-group="clause-1-2026-09"><a href="#clause-1-2026-09">1</a></td>'
            '<td class="num" data-group="clause-2-2026-09"><a href="#clause-2-2026-09">3</a></td>'
            '<td class="num total">4</td>',
        ),
        (
            '<time datetime="2026-10">2026-10</time>',
            '<td class="num" data-group="clause-1-2026-10"><a href="#clause-1-2026-10">1</a></td>'
            '<td class="num">·</td><td class="num total">1</td>',
        ),
    ]


def test_each_event_shows_time_contract_args_and_reference() -> None:
    trail = section(render_report(report_data()), "trail")
    digest = "0x" + "ab" * 32
    assert (
        '<li class="event" data-clause="" data-department="" data-event="DeliveryRecorded">'
        f'<span class="when"><time datetime="{iso(T0 + 2 * DAY)}">{iso(T0 + 2 * DAY)}</time></span>'
        '<span class="contract">DataSharing</span>.<span class="name">DeliveryRecorded</span>'
        '<span class="args">'
        '<span class="arg"><span class="key">agreementId</span>=<span class="value">“agr-7”'
        "</span></span>"
        '<span class="arg"><span class="key">note</span>=<span class="value">'
        "“late by &#34;one&#34; day &amp; counted”</span></span>"
        '<span class="arg"><span class="key">onTime</span>=<span class="value">true</span></span>'
        f'<span class="arg"><span class="key">payloadDigest</span>=<span class="value">'
        f"{abbreviated(digest)}</span></span>"
        '<span class="arg"><span class="key">period</span>=<span class="value">1</span></span>'
        '<span class="arg"><span class="key">recordCount</span>=<span class="value">5000'
        "</span></span>"
        "</span>"
        f'<span class="ref">block 30 ({abbreviated("0x" + "b3" * 32)})'
        f" · tx {abbreviated(tx(0x30))} · log 3</span>"
        "</li>"
    ) in trail


def test_list_args_are_bracketed_with_hex_abbreviated() -> None:
    trail = section(render_report(report_data()), "trail")
    c1, c2 = "0x" + "c1" * 32, "0x" + "c2" * 32
    assert (
        '<span class="key">clauseDigests</span>=<span class="value">'
        f"[{abbreviated(c1)}, {abbreviated(c2)}]</span>"
    ) in trail
    assert '<span class="key">clauseIds</span>=<span class="value">[“c1”, “c2”]</span>' in trail


def test_hex_is_abbreviated_with_full_value_in_title() -> None:
    page = render_report(report_data())
    full = tx(0x30)
    assert '<abbr class="hex mono" title="0x30303030' in page
    assert abbreviated(full) in page
    abbrs = parse(page).elements("abbr", "hex")
    assert all(re.fullmatch(r"0x[0-9a-f]{13,}", a["title"] or "") for a in abbrs)
    # Short hex stays in full.
    data = report_data()
    data["events"] = [dict(EVENTS[4], args={"selector": "0x1234abcd"})]
    assert '<span class="value"><code>0x1234abcd</code></span>' in render_report(data)


def test_long_text_args_are_cut_with_the_full_value_in_a_title() -> None:
    long = "x" * 100 + ' "end"'
    data = report_data()
    data["events"] = [dict(EVENTS[4], args={"text": long})]
    page = render_report(data)
    titles = [a["title"] for a in parse(page).elements("span", "cut") if a.get("title") == long]
    assert titles == [long]  # the attribute round-trips exactly
    # On screen the start and an ellipsis; the rest in a span that print shows.
    assert (
        "“"
        + "x" * 79
        + '<span class="gap">…</span><span class="mid">'
        + "x" * 21
        + " &#34;end&#34;</span>”"
    ) in page


def test_no_events() -> None:
    trail = section(render_report(report_data(events=[])), "trail")
    assert '<p class="empty">no events</p>' in trail
    assert "<ol" not in trail


# -- the chart and the score ---------------------------------------------------------


def bars(page: str) -> list[dict[str, str | None]]:
    return parse(page).elements("rect", "bar")


def test_chart_has_four_bars_proportional_to_the_element_scores() -> None:
    data = report_data()
    page = render_report(data)
    found = bars(page)
    assert [b["data-element"] for b in found] == [e.id for e in SPEC.elements]
    assert [b["class"] for b in found] == ["bar rated"] * 4
    for bar, el in zip(found, data["score"]["elements"], strict=True):
        assert el["score"] == ELEMENT_SCORES[el["id"]]
        assert float(bar["height"] or "") == pytest.approx(el["score"] * PLOT_HEIGHT, abs=0.005)
        # bars stand on the same baseline
        assert float(bar["y"] or "") + float(bar["height"] or "") == pytest.approx(274)
    heights = [float(b["height"] or "") for b in found]
    assert heights == [216, 132, 72, 36]


def test_chart_labels_name_score_and_level() -> None:
    page = render_report(report_data())
    svg = page[page.index("<svg") : page.index("</svg>")]
    labels = re.findall(r'<text class="score-label"[^>]*>([^<]*)</text>', svg)
    assert labels == ["0.900 · L5", "0.550 · L3", "0.300 · L2", "0.150 · L1"]
    names = re.findall(r'<text class="name-label"[^>]*>(.*?)</text>', svg)
    assert [re.sub(r"<[^>]+>", "|", n).strip("|").replace("||", " / ") for n in names] == [
        "institutional / advantage",
        "operating / mechanism",
        "technical support",
        "data governance",
    ]


def test_chart_draws_the_five_level_bands() -> None:
    page = render_report(report_data())
    bands = parse(page).elements("rect", "band")
    assert [b["data-level"] for b in bands] == ["L1", "L2", "L3", "L4", "L5"]
    assert [float(b["height"] or "") for b in bands] == [48.0] * 5
    assert [float(b["y"] or "") for b in bands] == [226, 178, 130, 82, 34]
    for code, name in (("L1", "Initial"), ("L4", "Quantitatively managed"), ("L5", "Optimizing")):
        assert f">{code} {name}</text>" in page


def test_not_rated_element_is_drawn_distinctly() -> None:
    # T2 and T3 without input: technical support has 1 of 3 indicators rated.
    score = score_result(drop=("T2", "T3"))
    page = render_report(report_data(score=score))
    found = bars(page)
    assert [b["class"] for b in found] == ["bar rated", "bar rated", "bar not-rated", "bar rated"]
    hatched = found[2]
    assert hatched["data-element"] == "technical_support"
    assert "data-score" not in hatched
    assert hatched["fill"] == "url(#not-rated-hatch)"
    assert hatched["stroke-dasharray"] == "5 3"
    labels = re.findall(r'<text class="score-label"[^>]*>([^<]*)</text>', page)
    assert labels[2] == "not rated"
    part = section(page, "score")
    assert "<td>technical support</td><td>NOT RATED</td>" in part
    assert "1 of 3 indicators rated, fewer than the 2 needed" in part
    assert score["M"] is None
    assert "<dt>M (geometric mean)</dt><dd><strong>—</strong></dd>" in part
    assert "<dd><strong>L1 Initial</strong></dd>" in part


def test_score_figures_and_hashes() -> None:
    data = report_data()
    score = data["score"]
    part = section(render_report(data), "score")
    assert f"<dd><strong>{score['M']}</strong></dd>" in part
    assert f"<dt>Arithmetic mean</dt><dd>{score['arithmetic_mean']}</dd>" in part
    assert score["arithmetic_mean"] == 0.475
    assert "<dt>Overall level</dt><dd><strong>L1 Initial</strong></dd>" in part
    # Bare hex (no 0x) as the result writes it, in full: the values an auditor compares.
    assert f"<dt>Evidence root</dt><dd><code>{score['evidence_root']}</code></dd>" in part
    assert f"<dt>Result hash</dt><dd><code>{score['result_hash']}</code></dd>" in part
    assert part.index('<figure class="chart">') < part.index("<dt>M (geometric mean)</dt>")
    assert part.index("<dt>Result hash</dt>") < part.index('<p class="publication">')


def test_publication_final_and_provisional() -> None:
    final = section(render_report(report_data()), "score")
    assert (
        f'<p class="publication">Publication: score 1, block 99, tx {abbreviated(tx(0x99))},'
        ' <span class="final">final</span></p>'
    ) in final
    assert "provisional" not in final
    data = report_data(
        publication={"score_id": 2, "block": 120, "tx": tx(0x77), "provisional": True}
    )
    part = section(render_report(data), "score")
    assert (
        f"Publication: score 2, block 120, tx {abbreviated(tx(0x77))},"
        ' <span class="provisional">provisional</span>'
    ) in part


def test_no_published_score() -> None:
    page = render_report(report_data(score=None, publication=None))
    part = section(page, "score")
    assert '<p class="empty">no published score</p>' in part
    assert "<svg" not in page
    assert "not published" in part


# -- findings ------------------------------------------------------------------------


def test_findings_table_with_status() -> None:
    part = section(render_report(report_data()), "findings")
    deadline = iso(T0 + 10 * DAY)
    assert (
        '<tr><td><code>F1-1</code></td><td><span class="badge overdue">Overdue</span></td>'
        "<td><code>dcity.sharing</code></td><td><code>c1</code></td><td>D1</td>"
        f'<td><code>dcity.bigdata</code></td><td><time datetime="{deadline}">{deadline}</time>'
        "</td><td>yes</td></tr>"
    ) in part
    assert '<span class="badge accepted">Accepted</span>' in part
    empty = section(render_report(report_data(findings=[])), "findings")
    assert '<p class="empty">no findings</p>' in empty


# -- untrusted text ------------------------------------------------------------------


def test_title_and_args_are_escaped() -> None:
    data = report_data()
    data["policy"]["title"] = "<script>alert(1)</script>"
    data["events"] = [
        dict(
            EVENTS[4],
            contract="<b>Findings</b>",
            args={'"><img src=x onerror=alert(1)>': 'say "hi" & <go>', "n": 1},
        )
    ]
    data["checks"][0]["detail"] = "</td></tr></table><script>x</script>"
    data["findings"][0]["status"] = '<i class="x">Open</i>'
    page = render_report(data)
    assert page.count("<script") == 1  # the page's own, last in <body>
    assert page.index("<script") > page.index("</main>")
    assert "<img" not in page
    assert "<b>" not in page
    assert "<i " not in page
    assert '<p class="subtitle">&lt;script&gt;alert(1)&lt;/script&gt;</p>' in page
    assert "say &#34;hi&#34; &amp; &lt;go&gt;" in page
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;x&lt;/script&gt;" in page
    assert '<span class="badge other">&lt;i class=&#34;x&#34;&gt;Open&lt;/i&gt;</span>' in page
    tree = parse(page)
    assert tree.errors == []
    assert tree.stack == []
    assert "<script>alert(1)</script>" in tree.text_in("header")


def test_attribute_values_are_escaped() -> None:
    data = report_data()
    data["events"] = [dict(EVENTS[4], block_hash='0x" onmouseover="alert(1)')]
    data["score"]["elements"][0]["id"] = 'x" onload="alert(1)'
    page = render_report(data)
    tree = parse(page)
    for _, attrs in tree.starts:
        assert not any(k.startswith("on") for k in attrs)
    assert '<span class="ref">block 41 (<code>0x&#34; onmouseover=&#34;alert(1)</code>)' in page
    assert bars(page)[0]["data-element"] == 'x" onload="alert(1)'


def test_hidden_controls_are_made_visible() -> None:
    data = report_data()
    data["policy"]["title"] = "pay \u202egnp.exe\x00"
    page = render_report(data)
    assert "\u202e" not in page
    assert "\x00" not in page
    assert '<p class="subtitle">pay [U+202E]gnp.exe[U+0000]</p>' in page


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=120), key=st.text(min_size=1, max_size=20))
def test_no_raw_angle_bracket_from_input_survives(text: str, key: str) -> None:
    def page_with(value: str, arg_key: str) -> str:
        data = report_data(score=None)
        data["policy"]["title"] = value
        data["events"] = [dict(EVENTS[4], args={arg_key: value, "list": [value]})]
        data["findings"][0]["clause_id"] = value
        return render_report(data)

    page = page_with(text, key)
    # The same data with every "<" replaced has the same markup: the input added no tag.
    neutral = page_with(text.replace("<", "_"), key.replace("<", "_"))
    assert page.count("<") == neutral.count("<")
    tree = parse(page)
    assert tree.errors == []
    assert tree.stack == []


# -- determinism ---------------------------------------------------------------------


def test_same_data_gives_the_same_bytes() -> None:
    data = report_data()
    first = render_report(data)
    assert render_report(copy.deepcopy(data)) == first
    # Another order of the events, and of the keys of their args, changes nothing.
    shuffled = copy.deepcopy(data)
    shuffled["events"] = [
        dict(e, args=dict(reversed(list(e["args"].items())))) for e in reversed(data["events"])
    ]
    assert render_report(shuffled) == first
    assert data == report_data()  # the input is not modified


def hostile(field: str) -> str:
    """Markup that would add an element, an attribute and an entity if not escaped,
    and a direction override that would reorder the auditor's view."""
    return f"<x-{field} onclick=\"alert('{field}')\">&amp;{field}</x-{field}>\u202e"


def shown(value: str) -> str:
    """``value`` as an auditor reads it on the page."""
    return value.replace("\u202e", "[U+202E]")


def hostile_data(
    make: Callable[[str], str] = hostile,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Report data with ``make(field)`` in every field the report shows, and in the
    finding's details, which it does not show; and those strings by field."""
    data = report_data()
    used: dict[str, str] = {}

    def put(target: dict[str, Any], key: str, field: str) -> None:
        used[field] = target[key] = make(field)

    put(data, "generated_at", "generated")
    put(data["chain"], "chain_id", "chain")
    put(data["chain"], "genesis_hash", "genesis")
    policy = data["policy"]
    for key in ("id", "title", "issuer", "kind", "element"):
        put(policy, key, f"policy-{key}")
    for key in ("version", "digest", "block", "tx", "time", "effective"):
        put(policy["versions"][0], key, f"version-{key}")
    event = copy.deepcopy(EVENTS[0])
    for key in ("contract", "event", "block_hash", "block_time", "tx_hash", "block_number"):
        put(event, key, f"event-{key}")
    put(event, "log_index", "event-log_index")
    event["args"] = {
        make("arg-key"): 1,
        "clauseText": make("clause-text"),
        "clauseIds": [make("clause-id")],
        "terms": {make("map-key"): make("map-value")},
    }
    used |= {f: make(f) for f in ("arg-key", "clause-text", "clause-id", "map-key", "map-value")}
    data["events"] = [event]
    for key in ("index", "tree_size", "root", "timestamp"):
        put(data["checkpoints"][0], key, f"checkpoint-{key}")
    put(data, "effect_entries", "entries")
    score = data["score"]
    for key in ("scope", "spec_version", "spec_hash", "level", "level_name", "level_reason"):
        put(score, key, f"score-{key}")
    for key in ("evidence_root", "result_hash", "M", "arithmetic_mean"):
        put(score, key, f"score-{key}")
    for key in ("start", "end"):
        put(score["window"], key, f"window-{key}")
    for key in ("block", "hash", "time"):
        put(score["as_of"], key, f"as-of-{key}")
    element = score["elements"][0]
    for key in ("id", "name", "level", "level_name", "reason", "rated", "total"):
        put(element, key, f"element-{key}")
    put(score["elements"][1], "score", "element-score")  # not a number: not rated
    for key in ("score_id", "block", "tx"):
        put(data["publication"], key, f"publication-{key}")
    finding = data["findings"][0]
    for key in ("finding_id", "status", "policy_id", "clause_id", "metric", "department_id"):
        put(finding, key, f"finding-{key}")
    put(finding, "deadline", "finding-deadline")
    finding["details"] = {"obligation": make("finding-details"), "observed": 0.4}
    for key in ("check", "detail", "where"):
        put(data["checks"][0], key, f"check-{key}")
    return data, used


def test_hostile_strings_in_every_field_come_out_escaped() -> None:
    data, used = hostile_data()
    page = render_report(data)
    tree = parse(page)
    # No element, attribute or entity came from the data: the markup is that of the
    # same data with every hostile string replaced by a harmless one.
    assert "<x-" not in page
    assert "\u202e" not in page
    assert tree.errors == []
    assert tree.stack == []
    assert not [tag for tag, _ in tree.starts if tag.startswith("x-")]
    for _, attrs in tree.starts:
        assert not any(k.startswith("on") for k in attrs)
    tame, _ = hostile_data(lambda field: re.sub(r"\S", "a", hostile(field)))  # same length
    tame_tree = parse(render_report(tame))
    assert [(t, sorted(a)) for t, a in tree.starts] == [(t, sorted(a)) for t, a in tame_tree.starts]
    # Every shown field reads back exactly, as text or as an attribute value.
    texts = [text for _, text in tree.texts]
    values = [v for _, attrs in tree.starts for v in attrs.values() if v is not None]
    for field, value in used.items():
        readable = shown(value)
        assert any(readable in t for t in texts + values), field
    # The escaped forms, in text and in attributes.
    assert (
        '<p class="subtitle">&lt;x-policy-title onclick=&#34;alert(&#39;policy-title&#39;)&#34;&gt;'
        "&amp;amp;policy-title&lt;/x-policy-title&gt;[U+202E]</p>"
    ) in page
    (bar, *_) = bars(page)
    assert bar["data-element"] == shown(used["element-id"])
    assert "[U+202E] (<code>&lt;x-event-block_hash onclick=" in page
    # The finding's details are not part of the report.
    assert "finding-details" not in page


def test_the_page_inlines_the_stylesheet_file() -> None:
    css = (Path(report.__file__).parent / "static" / "report.css").read_text(encoding="utf-8")
    # What autoescape would spoil: quoted font names and child selectors.
    assert '"Segoe UI"' in css
    assert "ol.timeline > li" in css
    assert report.stylesheet() == css
    page = render_report(report_data())
    assert page.count("<style") == 1
    assert f"<style>\n{css}</style>" in page
    assert "".join(parse(page).text_in("style")) == "\n" + css


class Marking:
    """Translations that mark every message they translate."""

    def gettext(self, message: str) -> str:
        return f"⟦{message}⟧"

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return f"⟦{singular if n == 1 else plural}⟧"


def strings_of(value: Any) -> set[str]:
    """Every string in a view model."""
    if isinstance(value, str):
        return {value}
    if isinstance(value, report.Shown) and value.kind in ("hex", "cut"):
        # Shown in parts: a hex value's ends and middle, cut text's start and rest.
        full, text = value.full, value.text
        parts = (full[:6], full[6:-4], full[-4:]) if value.kind == "hex" else (full[len(text) :],)
        return {text, full, *parts}
    if is_dataclass(value):
        return set().union(*(strings_of(getattr(value, f.name)) for f in fields(value)))
    if isinstance(value, tuple):
        return set().union(set(), *(strings_of(v) for v in value))
    return set()


def catalogue() -> list[str]:
    """The messages of the report's templates, as a translator would get them."""
    env = report.report_environment()
    templates = Path(report.__file__).parent / "templates"
    messages = []
    for path in sorted(templates.glob("*.html")):
        found = env.extract_translations(path.read_text())  # type: ignore[attr-defined]
        for _line, _function, message in found:
            forms = [message] if isinstance(message, str) else message
            messages.extend(m for m in forms if isinstance(m, str))
    return messages


PAGE_VARIANTS = {
    "full": report_data(),
    "provisional": report_data(
        publication={"score_id": 2, "block": 120, "tx": tx(0x77), "provisional": True}
    ),
    "failed": report_data(
        checks=[
            {"check": "c1", "ok": False, "detail": "d", "where": None},
            {"check": "c2", "ok": True, "detail": "d", "where": None},
        ]
    ),
    "one failed": report_data(checks=[{"check": "c", "ok": False, "detail": "d", "where": None}]),
    "one passed": report_data(checks=[{"check": "c", "ok": True, "detail": "d", "where": None}]),
    "not rated": report_data(score=score_result(drop=("T2", "T3"))),
    "no elements": report_data(score=dict(copy.deepcopy(SCORE), elements=[])),
    "empty": report_data(
        checks=[],
        events=[dict(EVENTS[0], args={}, block_time=None)],
        checkpoints=[],
        score=None,
        publication=None,
        findings=[],
    ),
    "nothing": report_data(events=[], policy=dict(report_data()["policy"], versions=[])),
}


@pytest.mark.parametrize("variant", PAGE_VARIANTS)
def test_every_label_goes_through_the_translations(variant: str) -> None:
    data = PAGE_VARIANTS[variant]
    view = report.report_view(data)
    marked = report.render_view(view, report.report_environment(Marking()))
    # The identity translations installed by default change nothing else.
    assert marked.replace("⟦", "").replace("⟧", "") == render_report(data)
    # Outside the marks (which may hold markup, and marks), the page's text and
    # titles are the data's and nothing else.
    head, style_and_rest = marked.split("<style>")
    body, script_and_rest = style_and_rest.split("</style>")[1].split("<script>")
    unmarked = head + body + script_and_rest.split("</script>")[1]
    while (fewer := re.sub(r"⟦[^⟦⟧]*⟧", "", unmarked)) != unmarked:
        unmarked = fewer
    assert "⟦" not in unmarked
    assert "⟧" not in unmarked
    tree = parse(unmarked)
    assert tree.errors == []
    visible = [text for _, text in tree.texts]
    visible += [attrs["title"] or "" for _, attrs in tree.starts if "title" in attrs]
    data_strings = sorted(strings_of(view), key=len, reverse=True)
    for text in visible:
        rest = text
        for s in data_strings:
            rest = rest.replace(s, "")
        assert not re.search(r"[A-Za-z]", rest), (text, rest)


def test_every_message_of_the_catalogue_is_shown_somewhere() -> None:
    pages = "".join(
        report.render_view(report.report_view(d), report.report_environment(Marking()))
        for d in PAGE_VARIANTS.values()
    )
    messages = catalogue()
    assert "Verification checks" in messages
    assert "%(failed)s of %(num)s checks failed" in messages
    for message in messages:
        # A placeholder stands for any value.
        pattern = re.sub(r"%\\\(\w+\\\)s", ".*?", re.escape(message))
        assert re.search(f"⟦{pattern}⟧", pages), message
