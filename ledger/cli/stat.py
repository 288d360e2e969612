"""``govledger stat``: attested statistics (shares in [0, 1], versioned)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ledger.cli.common import (
    ClauseOpt,
    HomeOpt,
    JsonOpt,
    PolicyOpt,
    clause_of,
    input_file,
    list_rows,
    opened,
    parse_option,
    sha256_file,
)
from ledger.cli.output import console
from ledger.mechanisms.attestations import StatisticCreate, share_to_ppm
from ledger.mechanisms.fields import build, hex_digest
from ledger.store import views

stat_app = typer.Typer(help="Attested statistics (shares in [0, 1]).", no_args_is_help=True)


@stat_app.command("attest")
def stat_attest(
    key: Annotated[str, typer.Argument(help="Statistic key, e.g. fibre.home.")],
    department: Annotated[str, typer.Option(help="The statistician's department.")],
    value: Annotated[float, typer.Option(help="A share in [0, 1], e.g. 0.9.")],
    period: Annotated[str, typer.Option(help="The period, e.g. 2025.")],
    source: Annotated[
        Path, input_file("The source the value comes from; its SHA-256 goes on chain.")
    ],
    policy: PolicyOpt,
    clause: ClauseOpt,
    home: HomeOpt = None,
) -> None:
    """Attest a statistic, superseding its previous version."""
    parse_option(share_to_ppm, value, "--value")
    statistic = build(
        StatisticCreate,
        key=key,
        value=value,
        period=period,
        source_digest=hex_digest(sha256_file(source)),
        policy_id=policy,
        clause_id=clause,
    )
    with opened(home) as ledger:
        ref = ledger.attestations.attest(department, statistic)
        version = ledger.attestations.latest(key).version
    console.print(
        f"attested {key} = {value:.2%} for {period} (version {version}) in block {ref.block_number}"
    )


@stat_app.command("list")
def stat_list(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """List each statistic's attestation in force, with its versions (from the index)."""
    list_rows(
        home,
        as_json,
        lambda ledger: views.statistics(ledger.store),
        "Attested statistics",
        ["key", "value", "period", "version", "clause", "attester", "source digest"],
        lambda r: [
            r["key"],
            f"{r['value']:.2%}",
            r["period"],
            r["version"],
            clause_of(r),
            r["attesterId"] or r["attester"],
            r["sourceDigest"],
        ],
    )
