"""What the scenario suites share: the head of a small town's scenario file."""

from __future__ import annotations

SMALL_TOWN = """\
schema_version: 1
name: NAME
departments:
  - {id: t.office, name: Office, roles: [ISSUER]}
  - {id: t.water, name: Water Bureau}
  - {id: t.housing, name: Housing Bureau}
policies:
  - record:
      {schema_version: 1, id: t.share, version: 1, kind: policy, element: data_governance,
       title: Sharing, issuer: t.office, effective: '2026-01-01T00:00:00Z',
       clauses: [{id: c1, text: Share.}]}
catalog:
  - {id: item.meters, provider: t.water, type: meter-readings, permission: open}
"""


def small_town(name: str) -> str:
    """Lines 1-13 of a scenario named ``name``: an office that issues, a water bureau that
    provides meter readings, a housing bureau, and one data-sharing policy ``t.share``."""
    return SMALL_TOWN.replace("name: NAME", f"name: {name}", 1)
