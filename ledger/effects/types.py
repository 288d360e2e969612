"""Value types of the effect log that the maturity engine reads.

The engine depends on these, not on the log's storage or service. This module
imports nothing of the project's own but the plain event record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ledger.store.records import EventRecord


class EffectCounts(Protocol):
    """What the effect-log indicators read from the log (``ledger.effects.store.EffectStore``)."""

    def calls_within_permission(
        self,
        granted: Mapping[str, int],
        first_seq: int = 0,
        last_seq: int | None = None,
        *,
        since: int | None = None,
        until: int | None = None,
    ) -> Mapping[str, Any]: ...

    def heartbeats_per_system(
        self,
        first_seq: int = 0,
        last_seq: int | None = None,
        *,
        since: int | None = None,
        until: int | None = None,
    ) -> Mapping[str, int]: ...


@dataclass(frozen=True)
class EffectView:
    """An effect log as far as its anchored checkpoints cover it at ``as_of``."""

    log_id: str
    #: Tree size of the latest checkpoint anchored by ``as_of`` (0: none).
    covered: int
    #: The checkpoint event that anchored it (evidence), if any.
    checkpoint: EventRecord | None
    counts: EffectCounts | None
