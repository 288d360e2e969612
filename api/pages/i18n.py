"""The dashboard's languages: English (the msgids) and zh-CN, from Babel catalogues.

Every label of the pages is a msgid in English, translated through the ``dashboard``
domain's ``.po`` file of each language (``api/pages/locale/<locale>/LC_MESSAGES``),
read at run time with Babel. A viewer's language comes from ``?lang=`` (remembered in
a cookie), then that cookie, then ``Accept-Language``; English when none matches.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Protocol

from babel.core import Locale, UnknownLocaleError
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

#: The catalogue domain of the dashboard's labels.
DOMAIN = "dashboard"
#: The languages a viewer can choose, as ``lang`` values (BCP 47), English first.
LANGUAGES = ("en", "zh-CN")
DEFAULT_LANGUAGE = "en"
#: The cookie that remembers a viewer's choice.
LANG_COOKIE = "lang"
#: What the language switch shows for each language (in that language).
LANGUAGE_NAMES = {"en": "English", "zh-CN": "中文"}


def N_(message: str) -> str:
    """Mark ``message`` as a msgid for extraction; translated where it is shown."""
    return message


class Translations(Protocol):
    """What ``jinja2.ext.i18n`` needs of a catalogue."""

    def gettext(self, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...


@dataclass(frozen=True)
class CatalogueTranslations:
    """Translations read from a Babel :class:`Catalog`; a missing msgid stays English."""

    catalog: Catalog

    def gettext(self, message: str) -> str:
        found = self.catalog.get(message)
        if found is None or not found.string:
            return message
        return str(found.string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        found = self.catalog.get((singular, plural))
        if found is None or not isinstance(found.string, tuple | list) or not found.string[0]:
            return singular if n == 1 else plural
        # zh-CN has one plural form; a language with two takes the second for n != 1
        index = 0 if n == 1 or len(found.string) == 1 else 1
        return str(found.string[index])


class English:
    """The msgids themselves."""

    def gettext(self, message: str) -> str:
        return message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural


def locale_name(lang: str) -> str:
    """The catalogue folder of ``lang``: ``zh-CN`` → ``zh_CN``."""
    return lang.replace("-", "_")


def catalogue_path(lang: str) -> resources.abc.Traversable:
    return (
        resources.files("api.pages") / "locale" / locale_name(lang) / "LC_MESSAGES" / f"{DOMAIN}.po"
    )


@cache
def catalogue(lang: str) -> Catalog:
    """The parsed ``.po`` catalogue of ``lang`` (not English: its msgids are the text)."""
    with catalogue_path(lang).open("rb") as po:
        return read_po(po, locale=locale_name(lang), domain=DOMAIN)


def translations(lang: str) -> Translations:
    if lang == DEFAULT_LANGUAGE:
        return English()
    return CatalogueTranslations(catalogue(lang))


def _supported(tag: str) -> str | None:
    """The supported language a tag asks for (``zh``, ``zh-Hans``, ``zh-CN`` → zh-CN)."""
    try:
        locale = Locale.parse(tag.strip().replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None
    if (
        locale.language == "zh"
        and locale.script in (None, "Hans")
        and locale.territory
        in (
            None,
            "CN",
            "SG",
        )
    ):
        return "zh-CN"
    if locale.language == "en":
        return "en"
    return None


def _accepted(header: str) -> list[str]:
    """The tags of an ``Accept-Language`` header, most preferred first (q=0 left out)."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(weighted)]


def choose_language(query: str | None, cookie: str | None, accept: str | None) -> str:
    """The viewer's language: ``?lang=``, else the cookie, else ``Accept-Language``."""
    for chosen in (query, cookie):
        if chosen:
            found = _supported(chosen)
            if found is not None:
                return found
    for tag in _accepted(accept or ""):
        found = _supported(tag)
        if found is not None:
            return found
    return DEFAULT_LANGUAGE
