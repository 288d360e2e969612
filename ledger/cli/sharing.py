"""``govledger item|agreement``: data catalog items, data-sharing agreements and deliveries."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated

import typer

from ledger.cli.common import HomeOpt, JsonOpt, clause_of, list_rows, opened, parse_option, send
from ledger.cli.output import console
from ledger.mechanisms.fields import build, hex_digest
from ledger.mechanisms.sharing import (
    AgreementCreate,
    CatalogItemCreate,
    DeliveryCreate,
    parse_permission,
)
from ledger.store import views

ProviderOpt = Annotated[str, typer.Option("--department", help="The providing department.")]
AgreementArg = Annotated[str, typer.Argument(help="Agreement id.")]
PeriodOpt = Annotated[int, typer.Option(help="Period index, from 0.")]

item_app = typer.Typer(help="Data catalog items.", no_args_is_help=True)

agreement_app = typer.Typer(help="Data-sharing agreements and deliveries.", no_args_is_help=True)


@item_app.command("register")
def item_register(
    department_id: ProviderOpt,
    item_id: Annotated[str, typer.Argument(help="Catalog item id.")],
    data_type: Annotated[str, typer.Option("--type", help="Data type, e.g. license.")],
    permission: Annotated[
        str, typer.Option(help="open, conditional or restricted.")
    ] = "conditional",
    disclosure: Annotated[str, typer.Option(help="Disclosure method.")] = "on-request",
    home: HomeOpt = None,
) -> None:
    """Register a catalog item provided by a department."""
    perm = parse_option(parse_permission, permission)
    item = build(
        CatalogItemCreate,
        item_id=item_id,
        data_type=data_type,
        permission=perm.name.lower(),
        disclosure=disclosure,
    )
    send(
        home,
        lambda ledger: ledger.sharing.register_item(department_id, item),
        f"registered item {item_id}",
    )


@item_app.command("list")
def item_list(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """List catalog items (from the index)."""
    list_rows(
        home,
        as_json,
        lambda ledger: views.catalog(ledger.store),
        "Catalog",
        ["item", "provider", "type", "permission", "disclosure"],
        lambda r: [r["itemId"], r["providerId"], r["dataType"], r["permission"], r["disclosure"]],
    )


@agreement_app.command("commit")
def agreement_commit(
    department_id: ProviderOpt,
    agreement_id: AgreementArg,
    item: Annotated[str, typer.Option(help="Catalog item id.")],
    consumer: Annotated[str, typer.Option(help="Consuming department id.")],
    policy: Annotated[str, typer.Option(help="Policy id the agreement executes.")],
    clause: Annotated[str, typer.Option(help="Clause id the agreement executes.")],
    first_due_in: Annotated[
        int, typer.Option(help="Seconds from now to the first due time.")
    ] = 86400,
    period: Annotated[int, typer.Option(help="Seconds between deliveries.")] = 7 * 86400,
    periods: Annotated[int, typer.Option(help="Number of deliveries.")] = 12,
    calls_per_period: Annotated[int, typer.Option(help="Expected API calls a period.")] = 0,
    permission: Annotated[str, typer.Option(help="Permission granted.")] = "conditional",
    home: HomeOpt = None,
) -> None:
    """Commit a data-sharing agreement under a policy clause in force."""
    perm = parse_option(parse_permission, permission)
    with opened(home) as ledger:
        terms = build(
            AgreementCreate,
            agreement_id=agreement_id,
            item_id=item,
            consumer_id=consumer,
            policy_id=policy,
            clause_id=clause,
            permission=perm.name.lower(),
            first_due_at=ledger.clock.now() + first_due_in,
            period_seconds=period,
            periods=periods,
            calls_per_period=calls_per_period,
        )
        ref = ledger.sharing.commit_agreement(department_id, terms)
    console.print(f"committed agreement {agreement_id} in block {ref.block_number}")


@agreement_app.command("deliver")
def agreement_deliver(
    department_id: ProviderOpt,
    agreement_id: AgreementArg,
    period: PeriodOpt,
    records: Annotated[int, typer.Option(help="Number of records delivered.")],
    payload: Annotated[
        Path | None, typer.Option(help="File delivered; only its SHA-256 goes on chain.")
    ] = None,
    home: HomeOpt = None,
) -> None:
    """Record the delivery of one period."""
    data = payload.read_bytes() if payload is not None else b""
    delivery = build(
        DeliveryCreate,
        period=period,
        record_count=records,
        payload_digest=hex_digest(hashlib.sha256(data).digest()),
    )
    send(
        home,
        lambda ledger: ledger.sharing.record_delivery(department_id, agreement_id, delivery),
        f"recorded delivery {agreement_id}#{period}",
    )


@agreement_app.command("miss")
def agreement_miss(
    agreement_id: AgreementArg,
    period: PeriodOpt,
    home: HomeOpt = None,
) -> None:
    """Mark an overdue delivery missed (anyone may)."""
    send(
        home,
        lambda ledger: ledger.sharing.mark_missed(agreement_id, period),
        f"marked {agreement_id}#{period} missed",
    )


@agreement_app.command("list")
def agreement_list(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """List agreements with their delivery record (from the index)."""
    list_rows(
        home,
        as_json,
        lambda ledger: views.agreements(ledger.store),
        "Agreements",
        [
            "agreement",
            "provider",
            "consumer",
            "item",
            "clause",
            "periods",
            "on time",
            "late",
            "missed",
            "revoked",
        ],
        lambda r: [
            r["agreementId"],
            r["providerId"],
            r["consumerId"],
            r["itemId"],
            clause_of(r),
            r["periods"],
            r["onTime"],
            r["late"],
            r["missed"],
            r["revoked"],
        ],
    )
