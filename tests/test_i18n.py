"""ledger/i18n.py: languages named and negotiated, catalogues loaded from the package."""

from __future__ import annotations

import gettext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.errors import LedgerValueError
from ledger.i18n import (
    DEFAULT_LANG,
    SUPPORTED_LANGS,
    UnsupportedLanguageError,
    catalogue_file,
    html_lang,
    negotiate,
    parse_lang,
    translations,
)


@pytest.mark.parametrize(
    ("named", "lang"),
    [
        ("en", "en"),
        ("EN", "en"),
        ("zh-CN", "zh_CN"),
        ("zh_CN", "zh_CN"),
        ("zh-cn", "zh_CN"),
        (" zh_cn ", "zh_CN"),
    ],
)
def test_a_language_is_named_in_any_case_with_a_hyphen_or_an_underscore(
    named: str, lang: str
) -> None:
    assert parse_lang(named) == lang


@pytest.mark.parametrize("named", ["fr", "zh", "zh-TW", "en-US", "", "zh_CN_x", "../zh_CN"])
def test_another_language_is_refused_with_the_choices(named: str) -> None:
    with pytest.raises(UnsupportedLanguageError) as err:
        parse_lang(named)
    assert isinstance(err.value, LedgerValueError)
    assert err.value.lang == named
    assert str(err.value) == f"unsupported language {named!r}: choose one of en, zh-CN"


def test_html_lang_is_bcp_47() -> None:
    assert [html_lang(lang) for lang in SUPPORTED_LANGS] == ["en", "zh-CN"]


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        (None, "en"),
        ("", "en"),
        ("*", "en"),
        ("zh-CN", "zh_CN"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh_CN"),
        ("en-US,en;q=0.9,zh-CN;q=0.8", "en"),
        ("zh", "zh_CN"),
        ("zh-Hans-CN", "zh_CN"),
        ("zh-TW,en;q=0.5", "zh_CN"),  # Chinese over English, even in another script
        ("fr-FR,fr;q=0.9,zh-CN;q=0.8,en;q=0.7", "zh_CN"),  # the first supported, by q
        ("en;q=0.2, zh-cn;q=0.7", "zh_CN"),
        ("zh-CN;q=0, en", "en"),  # q=0: not this one
        ("de, fr", "en"),  # nothing supported: the default
        ("zh-CN;q=1.5, en;q=0.5", "en"),  # a malformed q counts as 0
        ("zh-CN;q=abc", "en"),
        ("en , zh-CN", "en"),  # ties keep the header's order
        ("x" * 200, "en"),
        ("zh-CN;level=1;q=0.8", "zh_CN"),
        (";;,,,", "en"),
    ],
)
def test_accept_language_is_negotiated(header: str | None, lang: str) -> None:
    assert negotiate(header) == lang


@given(st.text(max_size=300))
def test_negotiation_never_fails_and_always_picks_a_supported_language(header: str) -> None:
    assert negotiate(header) in SUPPORTED_LANGS


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["en", "en-GB", "zh", "zh-CN", "fr", "de-DE", "*"]),
            st.integers(min_value=0, max_value=1000),
        ),
        max_size=6,
    )
)
def test_the_highest_quality_supported_range_wins(ranges: list[tuple[str, int]]) -> None:
    header = ", ".join(f"{tag};q={q / 1000:.3f}" for tag, q in ranges)
    expected = DEFAULT_LANG
    best = -1
    for tag, q in ranges:  # first of the highest q wins; q=0 never
        if q > best and q > 0 and (tag == "*" or tag.split("-")[0] in ("en", "zh")):
            best = q
            expected = "zh_CN" if tag.startswith("zh") else "en"
    assert negotiate(header) == expected


def test_english_is_the_source_language_and_translates_nothing() -> None:
    en = translations("report", "en")
    assert isinstance(en, gettext.NullTranslations)
    assert en.gettext("Trail") == "Trail"
    assert en.ngettext("%(num)s event", "%(num)s events", 2) == "%(num)s events"


def test_the_report_catalogue_in_chinese() -> None:
    zh = translations("report", "zh-CN")
    assert zh.gettext("Trail") == "执行轨迹"
    assert zh.gettext("Clause %(clause)s") == "条款 %(clause)s"
    # One plural form in Chinese.
    for n in (1, 2, 100):
        assert zh.ngettext("%(num)s event", "%(num)s events", n) == "%(num)s 个事件"
    assert zh.gettext("a label nobody wrote") == "a label nobody wrote"
    assert translations("report", "zh_CN") is zh  # loaded once
    assert catalogue_file("report", "zh_CN").is_file()


def test_a_domain_without_a_catalogue_is_a_clear_error() -> None:
    with pytest.raises(LedgerValueError) as err:
        translations("nonesuch", "zh-CN")
    assert str(err.value) == "no zh-CN catalogue for the domain 'nonesuch'"
    with pytest.raises(LedgerValueError) as err:
        translations("../report", "zh-CN")
    assert str(err.value) == "malformed message domain '../report'"
    with pytest.raises(UnsupportedLanguageError):
        translations("report", "fr")
