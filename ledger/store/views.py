"""Read models built from indexed events: the catalog, agreements and their deliveries."""

from __future__ import annotations

from typing import Any

from ledger.store.sql import EventStore


def catalog(store: EventStore, department_id: str | None = None) -> list[dict[str, Any]]:
    rows = []
    for rec in store.events(contract="DataSharing", names=["CatalogItemRegistered"]):
        if department_id is not None and rec.args["providerId"] != department_id:
            continue
        rows.append(
            {
                **rec.args,
                "block": rec.block_number,
                "tx": rec.tx_hash,
                "registeredAt": rec.block_time,
            }
        )
    return rows


def agreements(store: EventStore, department_id: str | None = None) -> list[dict[str, Any]]:
    """Agreements with their delivery tallies, in commitment order."""
    found: dict[str, dict[str, Any]] = {}
    names = ["AgreementCommitted", "DeliveryRecorded", "DeliveryMissed", "AgreementRevoked"]
    for rec in store.events(contract="DataSharing", names=names):
        aid = rec.args["agreementId"]
        if rec.event == "AgreementCommitted":
            found[aid] = {
                **rec.args,
                "block": rec.block_number,
                "tx": rec.tx_hash,
                "committedAt": rec.block_time,
                "onTime": 0,
                "late": 0,
                "missed": 0,
                "revoked": False,
                "deliveries": [],
            }
            continue
        row = found.get(aid)
        if row is None:
            continue
        if rec.event == "DeliveryRecorded":
            row["onTime" if rec.args["onTime"] else "late"] += 1
            row["deliveries"].append(
                {
                    "period": rec.args["period"],
                    "dueAt": rec.args["dueAt"],
                    "status": "delivered",
                    "onTime": rec.args["onTime"],
                    "recordCount": rec.args["recordCount"],
                    "payloadDigest": rec.args["payloadDigest"],
                    "at": rec.block_time,
                    "tx": rec.tx_hash,
                }
            )
        elif rec.event == "DeliveryMissed":
            row["missed"] += 1
            row["deliveries"].append(
                {
                    "period": rec.args["period"],
                    "dueAt": rec.args["dueAt"],
                    "status": "missed",
                    "at": rec.block_time,
                    "tx": rec.tx_hash,
                }
            )
        elif rec.event == "AgreementRevoked":
            row["revoked"] = True
            row["revokedAt"] = rec.args["revokedAt"]
    rows = list(found.values())
    if department_id is not None:
        rows = [r for r in rows if department_id in (r["providerId"], r["consumerId"])]
    return rows
