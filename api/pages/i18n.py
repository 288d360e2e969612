"""The dashboard's languages: English (the msgids) and zh-CN, through :mod:`ledger.i18n`.

Every label of the pages is a msgid in English, translated by the ``dashboard``
domain's catalogue (``ledger/locale/zh_CN/LC_MESSAGES/dashboard.po``; keep it in step
with ``python scripts/i18n_catalogues.py``). A viewer's language comes from ``?lang=``
(remembered in a cookie), then that cookie, then ``Accept-Language``; English when
none names a language the pages speak.
"""

from __future__ import annotations

from typing import Protocol

from ledger.i18n import (
    DEFAULT_LANG,
    SUPPORTED_LANGS,
    UnsupportedLanguageError,
    html_lang,
    negotiate,
    parse_lang,
)
from ledger.i18n import translations as catalogue

#: The catalogue domain of the dashboard's labels.
DOMAIN = "dashboard"
#: The languages a viewer can choose, as ``lang`` values (BCP 47), English first.
LANGUAGES = tuple(html_lang(lang) for lang in SUPPORTED_LANGS)
DEFAULT_LANGUAGE = html_lang(DEFAULT_LANG)
#: The cookie that remembers a viewer's choice.
LANG_COOKIE = "lang"
#: What the language switch shows for each language (in that language).
LANGUAGE_NAMES = {"en": "English", "zh-CN": "中文"}


def N_(message: str) -> str:  # the gettext convention: mark now, translate where shown
    """Mark ``message`` as a msgid for extraction; translated where it is shown."""
    return message


class Translations(Protocol):
    """What ``jinja2.ext.i18n`` needs of a catalogue."""

    def gettext(self, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...


def translations(lang: str) -> Translations:
    """The dashboard's catalogue in ``lang`` (a value of :data:`LANGUAGES`)."""
    return catalogue(DOMAIN, lang)


def _named(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return html_lang(parse_lang(value))
    except UnsupportedLanguageError:
        return None


def choose_language(query: str | None, cookie: str | None, accept: str | None) -> str:
    """The viewer's language: ``?lang=``, else the cookie, else ``Accept-Language``."""
    return _named(query) or _named(cookie) or html_lang(negotiate(accept))
