"""Index database URLs: which backends the index runs on, and how a URL is shown.

The index runs on SQLite (``sqlite:///path``, the default in the data directory)
or on PostgreSQL (``postgresql://user:password@host/db``) through psycopg 3, which
the ``postgres`` extra installs. A URL is never shown with its password: every
message renders it through :func:`masked`.
"""

from __future__ import annotations

import importlib
import re

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from ledger.errors import ConfigError

#: The extra that installs the PostgreSQL driver.
POSTGRES_EXTRA = "postgres"

#: What stands for a password in a shown URL (SQLAlchemy's choice).
HIDDEN = "***"

_POSTGRES = ("postgresql", "postgres", "postgresql+psycopg")
_SQLITE = ("sqlite", "sqlite+pysqlite")
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z0-9+.-]+://)(?P<user>[^:/@]*):[^@/]*@")


def masked(url: str | URL) -> str:
    """``url`` with its password (if any) replaced by ``***``.

    A text that does not even parse as a URL is masked by pattern, so a typo in a
    URL cannot bring its password into a message either.
    """
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return _USERINFO.sub(rf"\g<scheme>\g<user>:{HIDDEN}@", url)


def scrub(text: str, url: str | URL) -> str:
    """``text`` (say, a driver's error message) with ``url``'s password masked in it."""
    try:
        password = url.password if isinstance(url, URL) else make_url(url).password
    except (ArgumentError, ValueError):
        password = None
    if password:
        text = text.replace(str(password), HIDDEN)
    return _USERINFO.sub(rf"\g<scheme>\g<user>:{HIDDEN}@", text)


def index_database(url: str) -> URL:
    """The SQLAlchemy URL of an index database, checked before anything is opened.

    ``postgresql://`` (and ``postgres://``) select psycopg 3. Raises
    :class:`ConfigError` for a URL that does not parse, a backend the index does not
    run on, or PostgreSQL without its driver (naming the extra that installs it).
    """
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as err:
        raise ConfigError(
            f"the index database URL {masked(url)!r} is not a database URL"
            " (use sqlite:///PATH or postgresql://USER:PASSWORD@HOST/DATABASE)"
        ) from err
    if parsed.drivername in _SQLITE:
        return parsed
    if parsed.drivername not in _POSTGRES:
        raise ConfigError(
            f"the index runs on SQLite or PostgreSQL (psycopg 3), not {parsed.drivername!r}"
            f" ({masked(parsed)}); use sqlite:///PATH or postgresql://USER:PASSWORD@HOST/DATABASE"
        )
    try:
        importlib.import_module("psycopg")
    except ImportError as err:
        raise ConfigError(
            f"the index database {masked(parsed)} is PostgreSQL, but its driver psycopg is not"
            f" installed; install it with: pip install 'govledger[{POSTGRES_EXTRA}]'"
            f" (from a checkout: pip install -e '.[{POSTGRES_EXTRA}]')"
        ) from err
    return parsed.set(drivername="postgresql+psycopg")
