"""The audit report in a real browser, at the D-city year's size: the contents and groups
without JavaScript, the trail's filter with it, printing with every hash whole."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from ledger.audit.report import render_report
from tests.audit.dcity_sized import EVENT_COUNT, dcity_sized_data
from tests.browser.conftest import kept, offline_context, watch

DATA = dcity_sized_data()
EVENTS = DATA["events"]


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """file: URLs of the report in English and in Chinese."""
    folder = tmp_path_factory.mktemp("report")
    urls = {}
    for lang in ("en", "zh-CN"):
        path = folder / f"report.{lang}.html"
        path.write_text(render_report(DATA, lang), encoding="utf-8")
        urls[lang] = path.as_uri()
    return urls


def visible_events(page: Page | Locator) -> list[dict[str, str]]:
    """What the reader sees of the events (in ``page`` or a part of it)."""
    where = page if isinstance(page, Page) else page.locator("xpath=.")
    return where.locator("li.event").evaluate_all(
        """els => els.filter(el => el.checkVisibility()).map(el => ({
            clause: el.dataset.clause, department: el.dataset.department,
            event: el.dataset.event}))""",
    )


def test_without_javascript_the_groups_are_there_and_links_open_them(
    browser: Browser, reports: dict[str, str]
) -> None:
    context = offline_context(browser, java_script_enabled=False)
    try:
        page = watch(context.new_page())
        page.goto(reports["en"])
        assert not page.locator("#trail-filter").is_visible()
        assert page.locator("details.clause").count() == 7
        assert page.locator("details.group[open]").count() == 0
        assert visible_events(page) == []  # every group starts closed
        # A link of the contents opens its group, one of the overview opens the month
        # and the clause around it.
        page.click("nav#contents a[href='#clause-2']")
        assert page.locator("details.clause:has(> #clause-2)").get_attribute("open") == ""
        assert page.locator("#clause-2").is_visible()
        month = page.locator("#trail-by-month a").last
        target = (month.get_attribute("href") or "")[1:]
        month.click()
        clause = target.rsplit("-", 2)[0]
        assert page.locator(f"details.month:has(> #{target})").get_attribute("open") == ""
        assert page.locator(f"details.clause:has(> #{clause})").get_attribute("open") == ""
        assert int(month.inner_text()) == len(visible_events(page.locator(f"#{target}")))
        assert len(visible_events(page)) > 0
        assert context.external_requests == []  # type: ignore[attr-defined]
    finally:
        context.close()


def test_the_filter_narrows_the_trail_by_clause_department_event_and_text(
    page: Page, reports: dict[str, str]
) -> None:
    page.goto(reports["en"])
    status = page.locator("#trail-filter-status")
    assert page.locator("#trail-filter").is_visible()
    assert status.inner_text() == ""

    page.select_option("#trail-filter select[name=clause]", "c10")
    wanted = [e for e in EVENTS if e["args"].get("clauseId") == "c10"]
    shown = visible_events(page)
    assert len(shown) == len(wanted) > 100
    assert {e["clause"] for e in shown} == {"c10"}
    assert status.inner_text() == f"{len(wanted)} of {EVENT_COUNT} events shown"
    assert page.locator("details.clause:not([hidden])").count() == 1
    # The overview counts what is left.
    totals = page.eval_on_selector_all(
        "#trail-by-month tbody tr:not([hidden]) td.total", "tds => tds.map(t => +t.textContent)"
    )
    assert sum(totals) == len(wanted)

    page.select_option("#trail-filter select[name=department]", "dcity.health")
    page.select_option("#trail-filter select[name=event]", "DeliveryRecorded")
    wanted = [
        e
        for e in wanted
        if e["event"] == "DeliveryRecorded" and e["args"].get("providerId") == "dcity.health"
    ]
    assert len(visible_events(page)) == len(wanted) > 0
    assert status.inner_text() == f"{len(wanted)} of {EVENT_COUNT} events shown"

    page.click("#trail-filter button[type=reset]")
    expect(status).to_have_text("")  # the reset applies after the form's own reset
    assert page.locator("li.event[hidden]").count() == 0
    assert page.locator("details.group[open]").count() == 0  # as before the filter

    # Any text: a whole transaction hash finds its one event (the hash is whole in the
    # page's text and title even though the screen shows it abbreviated).
    event = EVENTS[1234]
    page.fill("#trail-filter input[name=text]", event["tx_hash"])
    assert visible_events(page) == [
        {
            "clause": event["args"].get("clauseId", ""),
            "department": next(
                (event["args"][k] for k in ("departmentId", "providerId", "ownerId", "handlerId")
                 if k in event["args"]),
                "",
            ),
            "event": event["event"],
        }
    ]  # fmt: skip
    page.fill("#trail-filter input[name=text]", "no such thing")
    assert visible_events(page) == []
    assert page.locator("#trail-filter-none").is_visible()
    assert status.inner_text() == f"0 of {EVENT_COUNT} events shown"
    assert page.console_errors == []  # type: ignore[attr-defined]


def test_the_filter_speaks_chinese_in_the_chinese_report(
    page: Page, reports: dict[str, str]
) -> None:
    page.goto(reports["zh-CN"])
    assert page.locator("nav#contents h2").inner_text() == "目录"
    page.select_option("#trail-filter select[name=clause]", "loop")
    n = sum(1 for e in EVENTS if e["args"].get("clauseId") == "loop")
    assert (
        page.locator("#trail-filter-status").inner_text() == f"显示 {EVENT_COUNT} 个事件中的 {n} 个"
    )
    # CJK text is drawn with a CJK font (not as boxes): each character has a real width.
    widths = page.evaluate(
        """() => {
          const c = document.createElement('canvas').getContext('2d');
          c.font = '16px sans-serif';
          return ['目', '录', 'x'].map(ch => c.measureText(ch).width);
        }"""
    )
    assert widths[0] > widths[2] and widths[0] == widths[1]


def test_printed_every_part_is_open_and_every_hash_whole(
    page: Page, reports: dict[str, str]
) -> None:
    page.goto(reports["en"])
    event = EVENTS[0]
    tx = page.locator(f"abbr.hex[title='{event['tx_hash']}']").first
    every_hash = "els => els.map(e => [e.checkVisibility(), e.innerText, e.title])"
    page.emulate_media(media="print")
    # Closed groups print open (CSS alone), and every hash prints whole: as its title says.
    hashes = page.locator("abbr.hex").evaluate_all(every_hash)
    assert len(hashes) > 3 * EVENT_COUNT
    assert all(visible and text == title for visible, text, title in hashes)
    assert tx.inner_text() == event["tx_hash"]
    assert not page.locator("#trail-filter").is_visible()
    page.emulate_media(media="screen")
    assert not tx.is_visible()  # in its closed group
    page.click("nav#contents a[href='#clause-1']")
    page.locator("details.clause:has(> #clause-1) details.month summary").first.click()
    shown = [h for h in page.locator("abbr.hex").evaluate_all(every_hash) if h[0]]
    assert shown  # on screen: the ends of each hash around an ellipsis
    assert all(text == f"{title[:6]}…{title[-4:]}" for _, text, title in shown)
    # The script opens every part before printing and closes them again after.
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.locator("details:not([open])").count() == 0
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert page.locator("details.group[open]").count() == 2  # the two opened by hand
    # What the filter hides stays out of the print; the rest prints, open.
    page.select_option("#trail-filter select[name=event]", "FindingRaised")
    page.select_option("#trail-filter select[name=department]", "dcity.water")
    wanted = [
        e
        for e in EVENTS
        if e["event"] == "FindingRaised" and e["args"].get("departmentId") == "dcity.water"
    ]
    page.emulate_media(media="print")
    assert len(visible_events(page)) == len(wanted) > 0
    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF-")
    assert 1 < len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) < 12
    assert page.console_errors == []  # type: ignore[attr-defined]
    if (where := kept("report-filtered.pdf")) is not None:
        where.write_bytes(pdf)


@pytest.mark.parametrize("width", [375, 1400])
def test_the_report_fits_the_width(browser: Browser, reports: dict[str, str], width: int) -> None:
    context = offline_context(browser, viewport={"width": width, "height": 900})
    try:
        page = watch(context.new_page())
        for lang, url in reports.items():
            page.goto(url)
            page.click("nav#contents a[href='#clause-1']")
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow == 0, (lang, width)
            if (where := kept(f"report-{lang}-{width}.png")) is not None:
                page.screenshot(path=str(where))
        assert page.console_errors == []  # type: ignore[attr-defined]
    finally:
        context.close()
