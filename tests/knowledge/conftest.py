"""What the knowledge suites share."""

from __future__ import annotations

#: The first eleven lines of D-city's data-sharing policy in YAML, up to clause c1's text.
SHARING_HEAD = """\
schema_version: 1
id: dcity.sharing
version: 1
kind: policy
element: data_governance
title: D-city government data sharing measures
issuer: dcity.govoffice
effective: 2024-01-01T00:00:00Z
clauses:
  - id: c1
    text: Share what you register.
"""
