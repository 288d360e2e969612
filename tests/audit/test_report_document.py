"""The audit report as a document, at the D-city year's size: contents, the trail grouped by
clause and month with an overview, collapsible parts, print rules, and every label in zh-CN."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest

from ledger.audit import report
from ledger.audit.report import render_report
from ledger.i18n import translations
from tests.audit.dcity_sized import CLAUSES, DEPARTMENTS, EVENT_COUNT, dcity_sized_data
from tests.audit.test_report import PAGE_VARIANTS, Tree, iso, parse, section, strings_of

DATA = dcity_sized_data()


@pytest.fixture(scope="module")
def page() -> str:
    return render_report(DATA)


@pytest.fixture(scope="module")
def page_zh() -> str:
    return render_report(DATA, "zh-CN")


@pytest.fixture(scope="module")
def tree(page: str) -> Tree:
    return parse(page)


def _clause(event: dict[str, Any]) -> str | None:
    clause: str | None = event["args"].get("clauseId")
    return clause


def test_the_contents_link_every_part_and_every_clause_group(page: str, tree: Tree) -> None:
    nav = page[page.index('<nav id="contents"') : page.index("</nav>")]
    links = re.findall(r'<a href="#([\w-]+)">', nav)
    ordered = sorted(CLAUSES, key=lambda c: (re.sub(r"\d+", "", c), int(re.sub(r"\D", "", c) or 0)))
    assert ordered == ["c1", "c2", "c3", "c10", "drills", "loop"]
    assert links == [
        "checks",
        "versions",
        "trail",
        "trail-by-month",
        *(f"clause-{n}" for n in range(1, len(CLAUSES) + 2)),
        "checkpoints",
        "score",
        "findings",
    ]
    counts = Counter(_clause(e) for e in DATA["events"])
    shown = re.findall(
        r'<li><a href="#clause-\d+">(.*?)</a> <span class="count">\((\d+) events\)', nav
    )
    assert shown == [(f"Clause <code>{c}</code>", str(counts[c])) for c in ordered] + [
        ("Events that name no clause", str(counts[None]))
    ]
    assert sum(int(n) for _, n in shown) == EVENT_COUNT
    assert (
        f'<a href="#trail">Trail</a> <span class="count">({EVENT_COUNT:,} events)'
        in nav.replace(f"({EVENT_COUNT} events)", f"({EVENT_COUNT:,} events)")
    )
    # Every link in the page leads to an element of the page.
    ids = [a["id"] for _, a in tree.starts if a.get("id")]
    assert len(ids) == len(set(ids))
    targets = {a["href"][1:] for _, a in tree.starts if (a.get("href") or "").startswith("#")}
    assert targets <= set(ids)


def test_every_event_is_under_its_clause_and_month_once(page: str) -> None:
    trail = section(page, "trail")
    tree = parse(trail)
    assert tree.errors == []
    placed: list[tuple[str, str, str]] = []
    clause_name = month = ""
    for tag, attrs in tree.starts:
        if tag == "div" and attrs.get("class") == "group-body":
            clause_name = attrs["id"] or ""
        elif tag == "ol" and attrs.get("class") == "timeline":
            month = attrs["id"] or ""
        elif tag == "li" and attrs.get("class") == "event":
            placed.append((clause_name, month, attrs["data-clause"] or ""))
    assert len(placed) == EVENT_COUNT
    groups = {c: f"clause-{n}" for n, c in enumerate(sorted(set(CLAUSES), key=report._natural), 1)}
    groups[""] = f"clause-{len(CLAUSES) + 1}"
    expected = sorted(
        (
            groups[_clause(e) or ""],
            f"{groups[_clause(e) or '']}-{iso(e['block_time'])[:7]}",
            _clause(e) or "",
        )
        for e in DATA["events"]
    )
    assert sorted(placed) == expected
    # Thirteen months (the year runs from a September to the next), in time order.
    months = re.findall(r'<tr><th><time datetime="([\d-]+)">', trail)
    assert months == sorted(set(months))
    assert len(months) == 13


def test_the_overview_counts_every_event_by_month_and_clause(page: str) -> None:
    trail = section(page, "trail")
    table = trail[trail.index("<tbody>") : trail.index("</tbody>")]
    rows = re.findall(r'<tr><th><time datetime="([\d-]+)">.*?</th>(.*?)</tr>', table)
    grand = 0
    for month, cells in rows:
        numbers = [int(n) for n in re.findall(r">(\d+)</(?:a|td)>", cells)]
        *by_clause, total = numbers
        assert sum(by_clause) == total
        in_month = [e for e in DATA["events"] if iso(e["block_time"]).startswith(month)]
        assert total == len(in_month)
        grand += total
    assert grand == EVENT_COUNT


def test_the_filter_offers_every_clause_department_and_event(page: str) -> None:
    form = page[page.index('<form id="trail-filter"') : page.index("</form>")]
    assert "hidden>" in form.split("\n")[0]  # shown by the script only
    options: dict[str, list[str]] = {key: [] for key in ("clause", "department", "event")}
    for name in options:
        select = form[form.index(f'<select name="{name}">') :]
        select = select[: select.index("</select>")]
        options[name] = re.findall(r'<option value="([^"]*)">', select)
    assert options["clause"] == ["", *sorted(CLAUSES, key=report._natural)]
    assert options["department"] == ["", *DEPARTMENTS]
    assert options["event"] == ["", *sorted({e["event"] for e in DATA["events"]})]


def test_parts_collapse_groups_start_closed(tree: Tree) -> None:
    parts = tree.elements("details", "part")
    assert len(parts) == 6
    assert all("open" in a for a in parts)
    groups = tree.elements("details", "group")
    assert len(groups) > 60
    assert not any("open" in a for a in groups)


def test_the_print_rules_print_whole_hashes_and_every_part(page: str, tree: Tree) -> None:
    style = "".join(tree.text_in("style"))
    screen, printed = style.split("@media print {")
    assert "abbr.hex .mid, .cut .mid { display: none; }" in screen
    assert "abbr.hex .gap, .cut .gap { display: none; }" in printed
    assert "abbr.hex .mid, .cut .mid { display: inline; }" in printed
    assert "details::details-content { content-visibility: visible; display: contents; }" in printed
    assert "form.filter" in printed
    # Every long hash of the page carries its whole value in the markup, none only in a title.
    for full, head, mid, tail in re.findall(
        r'<abbr class="hex mono" title="(0x[0-9a-f]+)">(0x[0-9a-f]{4})<span class="gap">…</span>'
        r'<span class="mid">([0-9a-f]+)</span>([0-9a-f]{4})</abbr>',
        page,
    ):
        assert head + mid + tail == full
    assert page.count('<abbr class="hex') == len(
        re.findall(r'<span class="mid">', page)
    ) - page.count('<span class="cut"')
    assert 'title="block hash' not in page


def test_the_chinese_report_has_the_same_markup_in_other_words(page_zh: str, tree: Tree) -> None:
    assert page_zh.startswith('<!DOCTYPE html>\n<html lang="zh-CN">')
    # The chart's names fit on one line in Chinese: its <tspan>s aside, the same elements.
    zh_tree = parse(page_zh)
    assert [t for t, _ in zh_tree.starts if t != "tspan"] == [
        t for t, _ in tree.starts if t != "tspan"
    ]
    assert "数据治理" in page_zh and "初始级" in page_zh  # the spec's names too
    assert 'data-template="显示 {total} 个事件中的 {shown} 个"' in page_zh
    assert f"（{EVENT_COUNT} 个事件）" in page_zh


SMALL = dict(DATA, events=DATA["events"][:80])


@pytest.mark.parametrize("variant", [*PAGE_VARIANTS, "dcity"])
def test_the_chinese_report_translates_every_label(variant: str) -> None:
    data = SMALL if variant == "dcity" else PAGE_VARIANTS[variant]
    page = render_report(data, "zh-CN")
    view = report.report_view(data, translations("report", "zh-CN").gettext)
    # Outside the data, no English word is left in the text, titles or placeholders (UTC,
    # M and ID are abbreviations the Chinese labels keep).
    tree = parse(page)
    shown = [t for stack, t in tree.texts if "style" not in stack and "script" not in stack]
    shown += [a[k] or "" for _, a in tree.starts for k in ("title", "placeholder") if k in a]
    data_strings = sorted(strings_of(view), key=len, reverse=True)
    for text in dict.fromkeys(shown):
        rest = text
        for s in data_strings:
            rest = rest.replace(s, "")
        rest = re.sub(r"\b(UTC|M|ID)\b", "", rest)
        assert not re.search(r"[A-Za-z]", rest), (text, rest)
