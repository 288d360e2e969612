"""The dashboard in Chromium: clicking through, proofs verified in the page, languages,
no JavaScript, a 375 px screen, and screenshots of every page.

One server over the dashboard ledger (:mod:`tests.dashboard_ledger`) serves the whole
module. Screenshots go to ``$GOVLEDGER_SCREENSHOTS`` or ``screenshots/`` (ignored by
git), at 1400 px and 375 px wide, for a person to look at.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from api.main import create_app
from tests.browser.conftest import offline_context, serve, watch
from tests.conftest import make_settings
from tests.dashboard_ledger import FIRST, SECOND, dashboard_home

ROOT = Path(__file__).resolve().parents[2]
NARROW = {"width": 375, "height": 812}
WIDE = {"width": 1400, "height": 900}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = dashboard_home(tmp_path_factory)
    with serve(create_app(make_settings(home)), lifespan=True) as url:
        yield url


@pytest.fixture(scope="module")
def facts(base: str) -> dict[str, object]:
    """Ids to visit, read from the JSON API."""
    events = httpx.get(f"{base}/events", params={"limit": 1000}).json()["data"]
    return {
        "event": next(e for e in events if e["event"] == "AgreementCommitted"),
        "finding": httpx.get(f"{base}/findings").json()["data"][0]["finding_id"],
        "policy": httpx.get(f"{base}/policies/dcity.sharing").json(),
    }


def new_page(context: BrowserContext) -> Page:
    """A watched page of an :func:`offline_context` (as the ``page`` fixture is)."""
    page = watch(context.new_page())
    page.external_requests = context.external_requests  # type: ignore[attr-defined]
    return page


def clean(page: Page) -> None:
    """Nothing failed in the page and nothing was asked of another host."""
    assert page.console_errors == []  # type: ignore[attr-defined]
    assert page.external_requests == []  # type: ignore[attr-defined]


def verdict(page: Page) -> str:
    found = page.locator("[data-verdict][data-result]")
    expect(found).to_have_count(1, timeout=10_000)
    return str(found.get_attribute("data-result"))


# -- clicking through -------------------------------------------------------------------


def test_from_the_overview_to_a_level_an_indicator_an_event_its_tx_and_the_clause(
    page: Page, base: str
) -> None:
    page.goto(base + "/")
    expect(page.locator("#maturity .badge")).to_have_text("L1")
    page.get_by_role(
        "link", name="The city's scope: indicators, trend and conversion cycle"
    ).click()
    expect(page).to_have_url(base + "/scope/city")
    expect(page.locator("#maturity .reason")).to_contain_text("not every element is rated")

    page.locator("#table-indicators").get_by_role("link", name="M3", exact=True).click()
    expect(page).to_have_url(base + "/scope/city/indicators/M3")
    expect(page.locator("h1")).to_have_text("M3 · sharing fulfilment")

    page.locator("#table-evidence tbody tr").first.get_by_role("link").nth(0).click()
    expect(page).to_have_url(re.compile(r"/events/0x[0-9a-f]{64}/\d+$"))
    expect(page.locator("h1")).to_have_text(re.compile(r"^DataSharing\.\w+$"))
    tx_link = page.locator("dd a[href^='/tx/']")
    tx = tx_link.inner_text()

    tx_link.click()
    expect(page).to_have_url(f"{base}/tx/{tx}")
    expect(page.locator("h1")).to_have_text("Transaction")

    clause = page.locator("#table-events tbody tr").first.locator("td").nth(5).get_by_role("link")
    name = clause.inner_text()
    clause.click()
    policy, clause_id = name.split("#")
    expect(page).to_have_url(f"{base}/policies/{policy}/1#clause-{clause_id}")
    target = page.locator(f"#clause-{clause_id}")
    expect(target).to_be_visible()
    # the clause is the fragment's target once the navigation completes (expect retries)
    expect(page.locator(":target")).to_have_attribute("id", f"clause-{clause_id}")
    expect(target.locator("blockquote")).not_to_be_empty()
    clean(page)


def test_the_event_page_quotes_the_clause_text_of_its_record(
    page: Page, base: str, facts: dict[str, object]
) -> None:
    e = facts["event"]
    assert isinstance(e, dict)
    record = facts["policy"]["record"]  # type: ignore[index]
    clause = next(c for c in record["clauses"] if c["id"] == e["args"]["clauseId"])
    page.goto(f"{base}/events/{e['tx']}/{e['log_index']}")

    expect(page.locator("#clause blockquote")).to_have_text(clause["text"])
    page.locator("#clause a").first.click()
    expect(page.locator(f"#clause-{clause['id']} blockquote")).to_have_text(clause["text"])
    clean(page)


# -- proofs in the page -------------------------------------------------------------------


def test_an_inclusion_proof_is_verified_in_the_page(page: Page, base: str) -> None:
    page.goto(f"{base}/effects/{FIRST + 1}")
    assert verdict(page) == "verified"
    expect(page.locator("[data-verdict]")).to_have_text("verified")
    steps = page.locator("[data-steps] li")
    expect(steps).to_have_count(3)
    expect(steps.nth(2)).to_have_text("equals the root anchored on chain by checkpoint 2")
    clean(page)


def _tampered(route: Route) -> None:
    body = route.fetch().json()
    first = body["proof"][0]
    body["proof"][0] = first[:-1] + ("0" if first[-1] != "0" else "1")
    route.fulfill(status=200, content_type="application/json", body=json.dumps(body))


def test_a_tampered_inclusion_proof_fails_and_says_where(page: Page, base: str) -> None:
    page.route(f"**/effects/entries/{FIRST + 1}", _tampered)
    page.goto(f"{base}/effects/{FIRST + 1}")

    assert verdict(page) == "failed"
    shown = page.locator("[data-verdict]").inner_text()
    anchored = httpx.get(f"{base}/effects").json()["root"]
    assert shown.startswith(
        "verification failed: the proof leads to another root than the anchored one"
        " — the proof leads to the root "
    )
    assert shown.endswith(f"not to the expected {anchored}")
    clean(page)


def test_a_checkpoint_consistency_proof_is_verified_and_a_tampered_one_fails(
    page: Page, base: str
) -> None:
    page.goto(f"{base}/checkpoints/1")
    page.get_by_role(
        "link", name="Verify in your browser that checkpoint 2 extends checkpoint 1"
    ).click()
    assert verdict(page) == "verified"

    page.route("**/effects/consistency?*", _tampered)
    page.reload()
    assert verdict(page) == "failed"
    expect(page.locator("[data-verdict]")).to_contain_text(
        "verification failed: the proof does not rebuild the"
    )
    clean(page)


def test_a_failed_proof_request_degrades_only_its_panel(page: Page, base: str) -> None:
    problem = {
        "type": "urn:govledger:problem:busy",
        "title": "Ledger busy",
        "status": 503,
        "detail": "the ledger is busy; retry shortly",
    }
    page.route(
        f"**/effects/entries/{FIRST}",
        lambda route: route.fulfill(
            status=503, content_type="application/problem+json", body=json.dumps(problem)
        ),
    )
    page.goto(f"{base}/effects/{FIRST}")

    assert verdict(page) == "unavailable"
    expect(page.locator("[data-verdict]")).to_have_text(
        "the proof could not be fetched: the ledger is busy; retry shortly"
    )
    expect(page.locator("#entry")).to_contain_text('"kind":"call"')
    page.console_errors.clear()  # type: ignore[attr-defined]  # the browser logs the 503
    clean(page)


# -- languages and times ------------------------------------------------------------------


def test_switching_to_chinese_translates_the_page_and_the_charts(page: Page, base: str) -> None:
    page.goto(base + "/scope/city")
    page.get_by_role("link", name="中文").click()

    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1")).to_have_text("范围 city")
    expect(page.locator("#indicators-h")).to_have_text("指标")
    expect(page.locator("#maturity svg text", has_text="制度优势")).to_have_count(1)
    page.goto(base + "/")  # the choice sticks (cookie)
    expect(page.locator("#maturity-h")).to_have_text("全市成熟度")
    clean(page)


def test_accept_language_chooses_chinese(browser: Browser, base: str) -> None:
    context = offline_context(browser, locale="zh-CN", viewport=WIDE)
    try:
        page = new_page(context)
        page.goto(base + "/")
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    finally:
        context.close()


def test_times_show_in_the_viewers_zone_with_utc_on_hover(browser: Browser, base: str) -> None:
    context = offline_context(browser, timezone_id="Asia/Shanghai", locale="en-US", viewport=WIDE)
    try:
        page = new_page(context)
        page.goto(base + "/checkpoints/1")
        first = page.locator("time[data-utc]").first
        utc = str(first.get_attribute("datetime"))
        expect(first).to_have_attribute("title", f"UTC {utc}")
        assert first.inner_text() != utc
        assert "GMT+8" in first.inner_text()
    finally:
        context.close()


def test_pages_work_without_javascript(browser: Browser, base: str) -> None:
    context = offline_context(browser, java_script_enabled=False, viewport=WIDE)
    try:
        page = context.new_page()
        page.goto(base + "/")
        expect(page.locator("#maturity .badge")).to_have_text("L1")
        expect(page.locator("#table-policies tbody tr")).to_have_count(1)
        when = page.locator("time[data-utc]").first
        expect(when).to_have_text(str(when.get_attribute("datetime")))  # UTC as written
        page.get_by_role("link", name="dcity.sharing", exact=True).first.click()
        expect(page.locator("h1")).to_have_text("dcity.sharing · version 1")
        page.goto(base + "/search?q=checkpoint+2")
        expect(page.locator("h1")).to_have_text("Checkpoint 2")
        page.goto(f"{base}/effects/{FIRST}")
        expect(page.locator("#proof")).to_contain_text(
            "Verifying needs JavaScript (WebCrypto SHA-256); the proof is at", use_inner_text=True
        )
        expect(page.locator("#proof")).not_to_contain_text("verifying…", use_inner_text=True)
    finally:
        context.close()


# -- layout -----------------------------------------------------------------------------------


def _pages(facts: dict[str, object]) -> list[str]:
    e = facts["event"]
    assert isinstance(e, dict)
    return [
        "/",
        "/scope/city",
        "/scope/dcity.civil",
        "/scope/city/indicators/M3",
        f"/events/{e['tx']}/{e['log_index']}",
        f"/tx/{e['tx']}",
        f"/blocks/{e['block']}",
        "/policies/dcity.sharing/1",
        "/scores/1",
        f"/findings/{facts['finding']}",
        "/checkpoints/2",
        "/checkpoints/1/consistency/2",
        f"/effects/{FIRST + SECOND - 1}",
        "/jurisdiction-tree",
        "/search?q=bureau",
        "/blocks/999999",
    ]


def test_nothing_overflows_sideways_at_375_px(
    browser: Browser, base: str, facts: dict[str, object]
) -> None:
    context = offline_context(browser, viewport=NARROW)
    try:
        page = new_page(context)
        for path in _pages(facts):
            page.goto(base + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= NARROW["width"], (path, width)
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [WIDE, NARROW], ids=["1400", "375"])
def test_radar_labels_fit_inside_the_chart(
    browser: Browser, base: str, viewport: dict[str, int]
) -> None:
    for lang in ("en", "zh-CN"):
        context = offline_context(browser, viewport=viewport)
        try:
            page = new_page(context)
            page.goto(f"{base}/scope/city?lang={lang}")
            chart = page.locator("#maturity [data-chart=radar]")
            expect(chart.locator("svg text").first).to_be_visible()
            box = chart.bounding_box()
            assert box is not None
            labels = chart.locator("svg text")
            assert labels.count() >= 4
            for i in range(labels.count()):
                label = labels.nth(i).bounding_box()
                assert label is not None
                assert (
                    box["x"] <= label["x"]
                    and label["x"] + label["width"] <= box["x"] + box["width"]
                ), (lang, labels.nth(i).inner_text(), label, box)
                assert (
                    box["y"] <= label["y"]
                    and label["y"] + label["height"] <= box["y"] + box["height"]
                ), (lang, labels.nth(i).inner_text(), label, box)
            clean(page)
        finally:
            context.close()


def test_screenshots_of_every_page_at_1400_and_375_px(
    browser: Browser, base: str, facts: dict[str, object]
) -> None:
    folder = Path(os.environ.get("GOVLEDGER_SCREENSHOTS") or ROOT / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    taken = []
    for width, viewport in (("1400", WIDE), ("375", NARROW)):
        for lang in ("en", "zh-CN"):
            context = offline_context(browser, viewport=viewport, timezone_id="UTC")
            try:
                page = new_page(context)
                # every page in English; in Chinese, those with the most text and a chart
                paths = _pages(facts) if lang == "en" else _pages(facts)[:2] + _pages(facts)[7:8]
                for path in paths:
                    sep = "&" if "?" in path else "?"
                    response = page.goto(f"{base}{path}{sep}lang={lang}")
                    if response is not None and response.status == 404:  # /blocks/999999
                        page.console_errors.clear()  # type: ignore[attr-defined]
                    if page.locator("[data-proof]").count():
                        verdict(page)
                    name = path.strip("/").replace("/", "_").replace("?", "_") or "overview"
                    file = folder / f"{width}-{lang}-{name[:60]}.png"
                    page.screenshot(path=str(file), full_page=True)
                    taken.append(file)
                clean(page)
            finally:
                context.close()
    assert all(f.stat().st_size > 5_000 for f in taken)
    print(f"\n{len(taken)} screenshots in {folder}")
