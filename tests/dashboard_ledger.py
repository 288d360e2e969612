"""The dashboard's test ledger: the short D-city case (``demo --case sharing``: its score
published and its findings raised), its departments placed in a jurisdiction tree, and
an effect log of calls sealed into two checkpoints.

:func:`dashboard_home` builds it once per test session (about 15 s); the page tests
and the browser tests both open it.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from ledger.audit.findings import raise_ledger_findings
from ledger.audit.scores import publish_ledger_score
from ledger.core import Ledger
from ledger.scenario.runner import file_digest, load_scenario, run_scenario
from tests.conftest import make_settings

LOG_ID = "dcity.calls"
LOG_OWNER = "dcity.bigdata"
#: L province > D city > its east district (id, parent, tier, name).
JURISDICTIONS = (
    ("l.province", None, "province", "L Province"),
    ("d.city", "l.province", "city", "D City"),
    ("d.east", "d.city", "district", "East District"),
)
PLACEMENTS = {
    "dcity.govoffice": "d.city",
    "dcity.bigdata": "d.city",
    "dcity.security": "d.city",
    "dcity.transport": "d.city",
    "dcity.market": "d.city",
    "dcity.civil": "d.east",
    "dcity.health": "d.east",
}
#: Entries in the first checkpoint, then in the second.
FIRST, SECOND = 5, 3


def call(n: int, at: int) -> dict[str, object]:
    return {
        "kind": "call",
        "agreement": "agr.clinics-bigdata",
        "system": "sys.bigdata",
        "at": at + n,
        "records": 10 + n,
        "permission": "open",
        "latency_ms": 20 + n,
    }


def build(home: Path) -> None:
    """Play the sharing case into ``home`` and add an effect log with two checkpoints."""
    with (
        resources.as_file(resources.files("ledger.scenarios")) as folder,
        Ledger.open(make_settings(home)) as lg,
    ):
        file = Path(folder) / "dcity-sharing.yaml"
        run_scenario(lg, load_scenario(file), file.parent, file_digest(file))
        for jurisdiction, parent, tier, name in JURISDICTIONS:
            lg.jurisdictions.create(jurisdiction, parent, tier, name)
        for department, jurisdiction in PLACEMENTS.items():
            lg.jurisdictions.place(department, jurisdiction)
        lg.indexer.sync()
        raise_ledger_findings(lg, publish_ledger_score(lg).score_id)
        lg.indexer.sync()
        lg.effects.open(LOG_ID, LOG_OWNER, "dcity.sharing", "c1")
        now = lg.clock.now()
        lg.effects.ingest_entries([call(n, now) for n in range(FIRST)])
        lg.effects.seal()
        lg.effects.ingest_entries([call(n, now) for n in range(FIRST, FIRST + SECOND)])
        lg.effects.seal()
        lg.indexer.sync()


def dashboard_home(factory: pytest.TempPathFactory) -> Path:
    """The session's dashboard ledger, built on first use."""
    home = factory.getbasetemp() / "dashboard-ledger"
    done = home / ".built"
    if not done.exists():
        build(home)
        done.touch()
    return home
