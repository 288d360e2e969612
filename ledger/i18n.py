"""The languages the ledger's pages speak: Babel message catalogues and negotiation.

Labels are written in English in the templates and the code (``_("Trail")``); a
catalogue per *domain* (a set of pages: ``report`` for the audit report, ``dashboard``
for the API's pages) and language translates them. Catalogues are gettext PO files in
the package, ``ledger/locale/<lang>/LC_MESSAGES/<domain>.po``, compiled in memory when
first used (no ``.mo`` to keep in step). English is the source language and needs none.

- :func:`translations` gives the catalogue of a domain in a language, for
  ``jinja2.ext.i18n`` (``env.install_gettext_translations``) or for code;
- :func:`parse_lang` reads a language a user names (``zh-CN``, ``zh_cn``, ``en``);
- :func:`negotiate` picks the language from an ``Accept-Language`` header;
- :func:`html_lang` gives the BCP 47 tag for ``<html lang>``.

``scripts/i18n_catalogues.py`` extracts every label into the catalogues and checks that
each one has a translation.
"""

from __future__ import annotations

import gettext
import io
import re
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Final, Literal

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from ledger.errors import LedgerValueError

__all__ = [
    "DEFAULT_LANG",
    "SUPPORTED_LANGS",
    "Lang",
    "UnsupportedLanguageError",
    "catalogue_file",
    "html_lang",
    "negotiate",
    "parse_lang",
    "translations",
]

#: A language the pages speak, as a gettext locale name.
Lang = Literal["en", "zh_CN"]
#: Every language the pages speak; the first is the source language and the default.
SUPPORTED_LANGS: Final[tuple[Lang, ...]] = ("en", "zh_CN")
DEFAULT_LANG: Final[Lang] = "en"
#: A language tag: letters, digits, ``-`` or ``_`` (``zh-Hans-CN``, ``en_US``).
_TAG_RE = re.compile(r"[A-Za-z]{1,8}(?:[-_][A-Za-z0-9]{1,8})*")
_Q_RE = re.compile(r"q=(0(?:\.\d{0,3})?|1(?:\.0{0,3})?)")


class UnsupportedLanguageError(LedgerValueError):
    """A language the pages do not speak (``lang`` keeps what was asked for)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        super().__init__(
            f"unsupported language {lang!r}: choose one of "
            + ", ".join(html_lang(s) for s in SUPPORTED_LANGS)
        )


def parse_lang(value: str) -> Lang:
    """The supported language ``value`` names, in any case, with ``-`` or ``_``:
    ``zh-CN``, ``zh_cn`` and ``zh_CN`` are ``zh_CN``. Raises
    :class:`UnsupportedLanguageError` for anything else (``fr``, ``zh-TW``, ``""``)."""
    wanted = value.strip().replace("-", "_").lower()
    for lang in SUPPORTED_LANGS:
        if lang.lower() == wanted:
            return lang
    raise UnsupportedLanguageError(value)


def html_lang(lang: Lang) -> str:
    """The BCP 47 tag of ``lang`` (``zh_CN`` -> ``zh-CN``), for ``<html lang>``."""
    return lang.replace("_", "-")


def negotiate(accept_language: str | None) -> Lang:
    """The supported language a reader prefers, from an ``Accept-Language`` header.

    Ranges are taken by quality (``q``, default 1; ``q=0`` means "not this"), ties in
    the header's order. A range matches a supported language exactly (``zh-CN``) or by
    its primary language (``zh``, ``zh-Hans``, ``zh-TW``, ``en-GB``: Chinese readers get
    the simplified catalogue rather than English). ``*``, an empty or missing header, a
    malformed one and one with no match give :data:`DEFAULT_LANG`. Never raises.
    """
    ranges: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip()
        if not (_TAG_RE.fullmatch(tag) or tag == "*"):
            continue
        quality = 1.0
        for param in params.split(";"):
            param = param.strip().lower().replace(" ", "")
            if param.startswith("q="):
                match = _Q_RE.fullmatch(param)
                quality = float(match.group(1)) if match else 0.0
        if quality > 0:
            ranges.append((-quality, position, tag))
    for _, _, tag in sorted(ranges):
        if tag == "*":
            return DEFAULT_LANG
        wanted = tag.replace("_", "-").lower()
        for lang in SUPPORTED_LANGS:
            if html_lang(lang).lower() == wanted:
                return lang
        primary = wanted.split("-")[0]
        for lang in SUPPORTED_LANGS:
            if lang.split("_")[0].lower() == primary:
                return lang
    return DEFAULT_LANG


def catalogue_file(domain: str, lang: Lang) -> Traversable:
    """Where the catalogue of ``domain`` in ``lang`` lives in the package."""
    return files("ledger") / "locale" / lang / "LC_MESSAGES" / f"{domain}.po"


def translations(domain: str, lang: str) -> gettext.NullTranslations:
    """The catalogue of ``domain`` (``report``, ``dashboard``) in ``lang`` (see
    :func:`parse_lang`): ``gettext``/``ngettext`` and the rest. English, the source
    language, translates nothing. Raises :class:`UnsupportedLanguageError` for a
    language the pages do not speak and :class:`LedgerValueError` when the package has
    no catalogue of ``domain`` in it."""
    return _translations(domain, parse_lang(lang))


@cache
def _translations(domain: str, lang: Lang) -> gettext.NullTranslations:
    if lang == DEFAULT_LANG:
        return gettext.NullTranslations()
    if not re.fullmatch(r"[a-z][a-z0-9_]*", domain):
        raise LedgerValueError(f"malformed message domain {domain!r}")
    source = catalogue_file(domain, lang)
    if not source.is_file():
        raise LedgerValueError(f"no {html_lang(lang)} catalogue for the domain {domain!r}")
    with source.open("rb") as po:
        catalog = read_po(po, locale=lang, domain=domain)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)  # fuzzy entries are left out, as msgfmt does
    compiled.seek(0)
    return Translations(compiled, domain=domain)
