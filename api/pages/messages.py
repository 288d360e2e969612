"""The dashboard's msgids, extracted from its templates and modules with Babel.

``python -m api.pages.messages`` rewrites the zh-CN catalogue's template
(``api/pages/locale/dashboard.pot``) and merges it into each language's ``.po``,
keeping the translations made so far; a test checks that every msgid the pages use
has a zh-CN translation.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from api.pages.i18n import DEFAULT_LANGUAGE, DOMAIN, LANGUAGE_NAMES, LANGUAGES, locale_name

#: How each file of the package is read: templates by Jinja2, modules for ``N_``.
METHODS = [("templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "false"}}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def package_dir() -> Path:
    return Path(str(resources.files("api.pages")))


def msgids() -> Iterator[tuple[str, str, int]]:
    """Every msgid used by the pages: (msgid, file, line)."""
    for filename, lineno, message, _comments, _context in extract_from_dir(
        package_dir(), METHODS, OPTIONS, KEYWORDS, strip_comment_tags=True
    ):
        for one in message if isinstance(message, tuple) else (message,):
            if one:
                yield one, filename, lineno


def template_catalog() -> Catalog:
    catalog = Catalog(domain=DOMAIN, project="govledger dashboard")
    for message, filename, lineno in msgids():
        catalog.add(message, locations=[(filename, lineno)])
    return catalog


def update() -> None:
    """Write the ``.pot`` and merge it into each language's ``.po``."""
    template = template_catalog()
    locale = package_dir() / "locale"
    with (locale / f"{DOMAIN}.pot").open("wb") as out:
        write_po(out, template, omit_header=True, sort_output=True)
    for lang in LANGUAGES:
        if lang == DEFAULT_LANGUAGE:
            continue
        path = locale / locale_name(lang) / "LC_MESSAGES" / f"{DOMAIN}.po"
        if path.exists():
            with path.open("rb") as po:
                catalog = read_po(po, locale=locale_name(lang), domain=DOMAIN)
        else:
            catalog = Catalog(locale=locale_name(lang), domain=DOMAIN)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.fuzzy = False
        catalog.header_comment = (
            f"# {LANGUAGE_NAMES[lang]} labels of the govledger dashboard (domain {DOMAIN}).\n"
            "# Update with `python -m api.pages.messages`, then translate what is empty."
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as po:
            write_po(po, catalog, omit_header=False, sort_output=True, ignore_obsolete=True)


if __name__ == "__main__":
    update()
    sys.exit(0)
