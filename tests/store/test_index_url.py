"""The index URL: which backends are accepted, a missing driver, and no password shown.

A password must not reach a message, whether the URL is refused by the settings,
the database refuses the connection, or the server cannot be reached: in the
error itself, in the CLI's output, and in the API's problem details and log.
"""

from __future__ import annotations

import logging
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url

from api.errors import install_error_handlers
from api.main import create_app
from ledger.cli.main import main
from ledger.core import Ledger
from ledger.dburl import index_database, masked, scrub
from ledger.errors import ConfigError, StoreError
from ledger.settings import Settings
from ledger.store.sql import EventStore
from tests.conftest import TEST_PASSWORD, make_settings
from tests.store.backends import drop_schemas, fresh_owner, postgres_url

SECRET = "hunter2"
REMOTE = f"postgresql://govledger:{SECRET}@db.example:5432/index"
MISSING_DRIVER = (
    "the index database postgresql://govledger:***@db.example:5432/index is PostgreSQL,"
    " but its driver psycopg is not installed; install it with:"
    " pip install 'govledger[postgres]' (from a checkout: pip install -e '.[postgres]')"
)


@pytest.fixture
def no_psycopg(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if the ``postgres`` extra were not installed: ``import psycopg`` fails."""
    monkeypatch.setitem(sys.modules, "psycopg", None)


# -- parsing and masking ------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (REMOTE, "postgresql://govledger:***@db.example:5432/index"),
        ("postgresql://govledger@db/index", "postgresql://govledger@db/index"),
        ("sqlite:////tmp/index.sqlite", "sqlite:////tmp/index.sqlite"),
        (f"postgresql://govledger:{SECRET}@db:notaport/index", "postgresql://govledger:***@"),
    ],
    ids=["password", "no-password", "sqlite", "unparsable"],
)
def test_a_url_is_shown_without_its_password(url: str, shown: str) -> None:
    assert masked(url).startswith(shown)
    assert SECRET not in masked(url)


def test_a_driver_message_is_scrubbed_of_the_password() -> None:
    said = f"could not connect with password={SECRET} to postgresql://u:{SECRET}@h/d"

    assert scrub(said, REMOTE) == "could not connect with password=*** to postgresql://u:***@h/d"


@pytest.mark.parametrize(
    ("url", "driver"),
    [
        (REMOTE, "postgresql+psycopg"),
        ("postgres://govledger@db/index", "postgresql+psycopg"),
        ("postgresql+psycopg://govledger@db/index", "postgresql+psycopg"),
        ("sqlite:///index.sqlite", "sqlite"),
        ("sqlite://", "sqlite"),
    ],
)
def test_postgresql_urls_select_psycopg_3(url: str, driver: str) -> None:
    assert index_database(url).drivername == driver


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            f"mysql://root:{SECRET}@db/index",
            "the index runs on SQLite or PostgreSQL (psycopg 3), not 'mysql'"
            " (mysql://root:***@db/index); use sqlite:///PATH or"
            " postgresql://USER:PASSWORD@HOST/DATABASE",
        ),
        (
            f"postgresql+psycopg2://govledger:{SECRET}@db/index",
            "the index runs on SQLite or PostgreSQL (psycopg 3), not 'postgresql+psycopg2'"
            " (postgresql+psycopg2://govledger:***@db/index); use sqlite:///PATH or"
            " postgresql://USER:PASSWORD@HOST/DATABASE",
        ),
        (
            "index.sqlite",
            "the index database URL 'index.sqlite' is not a database URL"
            " (use sqlite:///PATH or postgresql://USER:PASSWORD@HOST/DATABASE)",
        ),
    ],
    ids=["mysql", "psycopg2", "a-path"],
)
def test_a_url_of_no_supported_backend_is_refused(url: str, message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        index_database(url)

    assert str(raised.value) == message


# -- the driver is missing -------------------------------------------------------------


@pytest.mark.usefixtures("no_psycopg")
def test_without_psycopg_a_postgresql_url_names_the_extra() -> None:
    with pytest.raises(ConfigError) as raised:
        index_database(REMOTE)

    assert str(raised.value) == MISSING_DRIVER


@pytest.mark.usefixtures("no_psycopg")
def test_without_psycopg_the_settings_refuse_a_postgresql_url(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        make_settings(tmp_path / "home", database_url=REMOTE)

    assert str(raised.value) == MISSING_DRIVER
    assert make_settings(tmp_path / "home", database_url="sqlite://").index_url() == "sqlite://"


def test_the_settings_never_show_the_index_password(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, database_url=REMOTE)

    assert SECRET not in repr(settings)
    assert settings.index_url() == REMOTE


@pytest.mark.usefixtures("no_psycopg")
def test_demo_without_psycopg_says_what_to_install_and_creates_no_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    monkeypatch.setenv("GOVLEDGER_DATABASE_URL", REMOTE)
    monkeypatch.setenv("GOVLEDGER_KEYSTORE_PASSWORD", TEST_PASSWORD)
    monkeypatch.setenv("COLUMNS", "400")
    argv = ["govledger", "demo", "--case", "sharing", "--home", str(home)]
    monkeypatch.setattr(sys, "argv", argv)

    with pytest.raises(SystemExit) as exited:
        main()

    out = capsys.readouterr()
    assert exited.value.code == 1
    assert out.err.strip() == f"error: {MISSING_DRIVER}"
    assert not home.exists()


# -- connection errors, on a real server ----------------------------------------------


def _bad_urls(url: str) -> list[tuple[str, str, str]]:
    """(URL, its password, what the server says) for a wrong password and no server."""
    out = []
    for change, reason in (
        ({}, "password authentication failed"),
        ({"host": "127.0.0.1", "port": 1}, "Connection refused"),
    ):
        password = "wrong-" + secrets.token_hex(8)
        bad = make_url(url).set(password=password, **change)
        out.append((bad.render_as_string(hide_password=False), password, reason))
    return out


def test_the_cli_shows_a_connection_error_without_the_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    Ledger.open(make_settings(home)).close()  # a ledger whose index is then misconfigured
    monkeypatch.setenv("GOVLEDGER_KEYSTORE_PASSWORD", TEST_PASSWORD)
    monkeypatch.setenv("COLUMNS", "400")
    for url, password, reason in _bad_urls(postgres_url()):
        monkeypatch.setenv("GOVLEDGER_DATABASE_URL", url)
        monkeypatch.setattr(sys, "argv", ["govledger", "index", "--home", str(home)])

        with pytest.raises(SystemExit) as exited:
            main()

        err = capsys.readouterr().err.strip()
        shown = masked(index_database(url))
        assert exited.value.code == 1
        assert err.startswith(f"error: the index database {shown} (schema govledger_")
        assert ") cannot be opened: " in err and reason in err
        assert password not in err and ":***@" in err


def test_the_api_does_not_start_on_an_unreachable_index_and_says_so_safely(
    tmp_path: Path,
) -> None:
    url, password, reason = _bad_urls(postgres_url())[1]
    app = create_app(make_settings(tmp_path / "home", database_url=url))

    with pytest.raises(StoreError) as raised, TestClient(app):
        pass

    assert f"the index database {masked(index_database(url))} (schema" in str(raised.value)
    assert reason in str(raised.value) and password not in str(raised.value)


@pytest.fixture
def failing_routes() -> Iterator[tuple[TestClient, list[tuple[str, str, str]]]]:
    """An app whose routes open the index with a wrong password / on no server."""
    bad = _bad_urls(postgres_url())
    app = FastAPI()
    install_error_handlers(app)
    for n, (url, _password, _reason) in enumerate(bad):
        app.add_api_route(f"/index/{n}", lambda url=url: EventStore(url, fresh_owner()).count())
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, bad


def test_api_problem_details_of_a_connection_error_show_no_password(
    failing_routes: tuple[TestClient, list[tuple[str, str, str]]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    client, bad = failing_routes
    for n, (url, password, reason) in enumerate(bad):
        caplog.clear()
        with caplog.at_level(logging.ERROR, logger="api"):
            response = client.get(f"/index/{n}")

        body = response.json()
        assert response.status_code == 500
        assert body["title"] == "Internal server error"
        assert password not in response.text
        logged = caplog.text
        assert f"the index database {masked(index_database(url))} (schema" in logged
        assert reason in logged and password not in logged


def test_api_problem_details_of_a_store_failure_show_no_password(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url = postgres_url()
    password = make_url(url).password
    settings: Settings = make_settings(tmp_path / "home", database_url=url)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        store: EventStore = client.app.state.ledger.store  # type: ignore[attr-defined]
        assert store.schema is not None
        assert client.get("/events").status_code == 200
        with store.engine.begin() as conn:  # the index disappears under the running service
            conn.execute(text(f'DROP SCHEMA "{store.schema}" CASCADE'))

        with caplog.at_level(logging.ERROR, logger="api"):  # not the cached first answer
            response = client.get("/events", params={"limit": 7})

    assert response.status_code == 500
    assert response.json()["title"] == "Internal server error"
    assert f"the index database {store.where} cannot be read: " in caplog.text
    assert ":***@" in caplog.text
    if password:
        assert password not in response.text and password not in caplog.text
    drop_schemas(url, [store.schema])
