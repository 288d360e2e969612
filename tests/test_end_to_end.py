"""The whole path (deploy, anchor, commit, deliver, index, score) on every kind of chain.

One suite, run on the embedded chain and on two real JSON-RPC nodes (hardhat and
anvil), so nothing depends on eth-tester alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger.audit.bundle import check_bundle, export_bundle
from ledger.audit.verify import AuditSources, audit
from ledger.chain.factory import make_web3
from ledger.core import Ledger
from ledger.errors import ContractRevert
from ledger.mechanisms.fields import hex_digest
from ledger.mechanisms.sharing import (
    DeliveryCreate,
    PeriodStatus,
)
from ledger.settings import Settings
from ledger.store import views
from tests.conftest import (
    found_city,
    make_settings,
    publish,
    share_households,
)
from tests.nodes import anvil_node, hardhat_node

DAY = 86_400


def deliver(ledger: Ledger, period: int, record_count: int) -> None:
    """The security bureau delivers ``period`` of ``agr.hh``: the digest of ``week <period>``."""
    digest = hashlib.sha256(f"week {period}".encode()).digest()
    ledger.sharing.record_delivery(
        "dcity.security",
        "agr.hh",
        DeliveryCreate(period=period, record_count=record_count, payload_digest=hex_digest(digest)),
    )


class EndToEndSuite:
    """Subclasses provide ``chain_settings``."""

    @pytest.fixture
    def chain_settings(self, tmp_path: Path) -> Iterator[Settings]:
        raise NotImplementedError

    def test_deploy_anchor_commit_deliver_index_score(self, chain_settings: Settings) -> None:
        with Ledger.open(chain_settings) as ledger:
            anchored = found_city(ledger)
            assert anchored.tx is not None
            first_due = ledger.clock.now() + DAY
            share_households(ledger, "c2", first_due, DAY, disclosure="on-request")
            deliver(ledger, 0, 10)
            with pytest.raises(ContractRevert) as err:
                ledger.sharing.mark_missed("agr.hh", 1)
            assert err.value.name == "NotYetDue"
            assert err.value.arguments == {
                "agreementId": "agr.hh",
                "period": 1,
                "dueAt": first_due + DAY,
            }
            ledger.clock.advance_time(3 * DAY + 60)
            deliver(ledger, 1, 12)  # late
            ledger.sharing.mark_missed("agr.hh", 2)
            assert ledger.sharing.period_status("agr.hh", 2) is PeriodStatus.MISSED

            report = ledger.indexer.sync()
            assert report.added > 0
            again = ledger.indexer.sync()
            assert again.added == 0

            names = [e.event for e in ledger.store.events(contract="DataSharing")]
            assert names == [
                "CatalogItemRegistered",
                "AgreementCommitted",
                "DeliveryRecorded",
                "DeliveryRecorded",
                "DeliveryMissed",
            ]
            [row] = views.agreements(ledger.store)
            assert (row["onTime"], row["late"], row["missed"]) == (1, 1, 1)

            result = ledger.score()
            m3 = next(i for i in result["indicators"] if i["id"] == "M3")
            assert (m3["numerator"], m3["denominator"]) == (1, 3)
            assert m3["status"] == "NOT_RATED"  # 3 deliveries < n_min 10
            assert len(result["result_hash"]) == 64
            assert ledger.policy_book.verify("test.sharing")[0]["ok"] is True

    def test_publish_audit_export_and_check_the_bundle(
        self, chain_settings: Settings, tmp_path: Path
    ) -> None:
        with Ledger.open(chain_settings) as ledger:
            found_city(ledger)
            publication = publish(ledger)
            ledger.indexer.sync()
            report = audit(AuditSources.of(ledger))
            assert report.ok, report.failures
            assert [c.subject for c in report.checks if c.area == "scores"] == [
                f"score {publication.score_id} (city, as of block"
                f" {publication.result['as_of']['block']})",
                f"score {publication.score_id} (city, as of block"
                f" {publication.result['as_of']['block']}) recomputed",
            ]
            export_bundle(AuditSources.of(ledger), "test.sharing", tmp_path / "bundle")
        offline = check_bundle(tmp_path / "bundle")
        assert offline.ok, offline.failures
        handle = make_web3(chain_settings)
        try:
            online = check_bundle(tmp_path / "bundle", handle)
        finally:
            handle.close()
        assert online.ok, online.failures
        assert "chain identity" in [c.subject for c in online.checks if c.area == "chain"]


class TestEmbeddedChain(EndToEndSuite):
    @pytest.fixture
    def chain_settings(self, tmp_path: Path) -> Iterator[Settings]:
        yield make_settings(tmp_path / "home")


class TestHardhatNode(EndToEndSuite):
    @pytest.fixture
    def chain_settings(self, tmp_path: Path) -> Iterator[Settings]:
        with hardhat_node() as url:
            yield make_settings(tmp_path / "home", rpc_url=url)


class TestAnvilNode(EndToEndSuite):
    @pytest.fixture
    def chain_settings(self, tmp_path: Path) -> Iterator[Settings]:
        with anvil_node() as url:
            yield make_settings(tmp_path / "home", rpc_url=url)
