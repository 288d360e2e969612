"""Settings, read from the environment (``GOVLEDGER_*``) with documented defaults."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ledger.dburl import index_database


def default_home() -> Path:
    return Path.home() / ".govledger"


class Settings(BaseSettings):
    """Where the ledger lives and which chain it talks to.

    - ``GOVLEDGER_HOME``: the data directory (default ``~/.govledger``). It holds
      the embedded chain, the keystore, the stored records and the index.
    - ``GOVLEDGER_RPC_URL``: a JSON-RPC node to use instead of the embedded chain.
    - ``GOVLEDGER_KEYSTORE_PASSWORD``: the keystore password. When unset, a random
      one is generated once into ``<home>/keystore/.password`` (mode 0600).
    - ``GOVLEDGER_DATABASE_URL``: the index database (default SQLite in the home):
      ``sqlite:///PATH`` or ``postgresql://USER:PASSWORD@HOST/DATABASE`` (which needs
      the ``postgres`` extra). It is checked when the settings are read, so a URL the
      index cannot use is refused before anything is created in the home.
    - ``GOVLEDGER_FINALITY_DEPTH``: blocks after which a block counts as final, for
      marking published scores provisional (default: the node's ``finalized`` block).
    """

    model_config = SettingsConfigDict(env_prefix="GOVLEDGER_", extra="ignore")

    home: Path = Field(default_factory=default_home)
    rpc_url: str | None = None
    keystore_password: SecretStr | None = None
    database_url: str | None = Field(default=None, repr=False)  # may hold a password
    read_api_key_required: bool = False
    #: Blocks after which a block counts as final (None: the node's `finalized` block,
    #: or 12 if it reports none; the embedded chain is final at once).
    finality_depth: int | None = Field(default=None, ge=0)

    @field_validator("database_url")
    @classmethod
    def _usable_index_url(cls, url: str | None) -> str | None:
        """Refuse (with :class:`ConfigError`) a URL of no backend or a missing driver."""
        if url:
            index_database(url)
        return url

    def resolved_home(self) -> Path:
        return self.home.expanduser().resolve()

    def index_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.resolved_home() / 'index.sqlite'}"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; tests build their own ``Settings``)."""
    return Settings()
