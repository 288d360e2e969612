"""Scenarios: a city's departments, policies, mechanisms and timeline, played onto a ledger."""
