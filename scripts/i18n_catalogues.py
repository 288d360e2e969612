#!/usr/bin/env python3
"""Keep the message catalogues (ledger/locale/<lang>/LC_MESSAGES/<domain>.po) in step with
the labels in the code and templates.

Each domain lists where its labels are written (:data:`DOMAINS`); Babel extracts every
``_()``/``gettext``/``ngettext`` from them, with Jinja2's extractor for templates.

    python scripts/i18n_catalogues.py            # add new labels, drop obsolete ones
    python scripts/i18n_catalogues.py --check    # exit 1 if any label lacks a translation

``--check`` fails when a label is missing from a catalogue or untranslated, when a
catalogue holds a label the sources no longer have, when a translation is fuzzy, and
when a translation's ``%(name)s`` placeholders differ from its label's.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "ledger" / "locale"

#: domain -> (directory, Babel method map) of the sources its labels are written in.
DOMAINS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "report": ("ledger/audit", [("templates/**.html", "jinja2"), ("**.py", "python")]),
    "dashboard": ("api/pages", [("templates/**.html", "jinja2"), ("**.py", "python")]),
}
#: The languages that need catalogues (English is the source language).
LANGS = ("zh_CN",)
_JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}
_PLACEHOLDER_RE = re.compile(r"%\((\w+)\)s")


def extract(domain: str, root: Path = ROOT) -> Catalog:
    """Every label of ``domain``'s sources, with where each is written."""
    directory, method_map = DOMAINS[domain]
    catalog = Catalog(domain=domain, project="govledger", charset="utf-8")
    options = {pattern: _JINJA_OPTIONS for pattern, method in method_map if method == "jinja2"}
    for filename, lineno, message, comments, context in extract_from_dir(
        root / directory, method_map, options, comment_tags=("Translators:",)
    ):
        catalog.add(
            message,
            None,
            [(f"{directory}/{filename}", lineno)],
            auto_comments=comments,
            context=context,
        )
    return catalog


def po_path(domain: str, lang: str, locale: Path = LOCALE) -> Path:
    return locale / lang / "LC_MESSAGES" / f"{domain}.po"


def _messages(catalog: Catalog) -> Iterator[tuple[object, tuple[str, ...], tuple[str, ...]]]:
    """(id, source forms, translated forms) of every message but the header."""
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        yield message.id, tuple(ids), tuple(s or "" for s in strings)


def problems(domain: str, lang: str, root: Path = ROOT) -> list[str]:
    """Why the catalogue of ``domain`` in ``lang`` is not complete, one line each."""
    path = po_path(domain, lang, root / "ledger" / "locale")
    rel = path.relative_to(root)
    if not path.is_file():
        return [f"{rel}: missing (run scripts/i18n_catalogues.py)"]
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=lang, domain=domain)
    wanted = {key for key, _, _ in _messages(extract(domain, root))}
    have = {key: (ids, strings, catalog[key]) for key, ids, strings in _messages(catalog)}
    out = []
    for key in sorted(wanted - have.keys(), key=str):
        out.append(f"{rel}: no entry for {key!r}")
    for key in sorted(have.keys() - wanted, key=str):
        out.append(f"{rel}: {key!r} is no longer in the sources")
    for key in sorted(wanted & have.keys(), key=str):
        ids, strings, message = have[key]
        if message.fuzzy:
            out.append(f"{rel}: {key!r} is fuzzy")
        if not all(strings) or (len(ids) > 1 and len(strings) != catalog.num_plurals):
            out.append(f"{rel}: {key!r} is not translated")
            continue
        names = set(_PLACEHOLDER_RE.findall(" ".join(ids)))
        for s in strings:
            if set(_PLACEHOLDER_RE.findall(s)) != names:
                out.append(
                    f"{rel}: {key!r} has placeholders {sorted(names)}, its translation {s!r}"
                )
    return out


def update(domain: str, lang: str, root: Path = ROOT) -> Path:
    """Merge the sources' labels into the catalogue: new ones empty, obsolete ones gone."""
    path = po_path(domain, lang, root / "ledger" / "locale")
    template = extract(domain, root)
    if path.is_file():
        with path.open("rb") as fh:
            catalog = read_po(fh, locale=lang, domain=domain)
        creation = catalog.creation_date
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        catalog.creation_date = creation
    else:
        catalog = Catalog(locale=lang, domain=domain, project="govledger", charset="utf-8")
        catalog.update(template, no_fuzzy_matching=True)
    catalog.revision_date = catalog.creation_date
    catalog.fuzzy = False
    catalog.project, catalog.version = "govledger", "0.1.0"
    catalog.copyright_holder = "the govledger authors"
    catalog.msgid_bugs_address = ""
    catalog.last_translator = catalog.language_team = "govledger"
    buffer = io.BytesIO()
    # Without line numbers, a catalogue changes only when a label does.
    write_po(buffer, catalog, width=100, include_previous=False, include_lineno=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="report gaps, change nothing")
    args = parser.parse_args(argv)
    if args.check:
        found = [line for d in DOMAINS for lang in LANGS for line in problems(d, lang)]
        for line in found:
            print(line, file=sys.stderr)
        if found:
            return 1
        print(f"catalogues complete: {', '.join(DOMAINS)} in {', '.join(LANGS)}")
        return 0
    for domain in DOMAINS:
        for lang in LANGS:
            print(f"updated {update(domain, lang).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
