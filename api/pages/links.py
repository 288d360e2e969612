"""The permanent URL of every thing the dashboard shows, in one place.

Every page links ids through these, so a URL scheme changes here or nowhere.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

#: The scope of the whole city (every other scope is a department id).
CITY = "city"


def _seg(value: object) -> str:
    return quote(str(value), safe="@")


def scope_url(scope: str | None) -> str:
    return f"/scope/{_seg(scope or CITY)}"


def indicator_url(scope: str | None, indicator: str) -> str:
    return f"{scope_url(scope)}/indicators/{_seg(indicator)}"


def department_url(department: str) -> str:
    return scope_url(department)


def event_url(tx: str, log_index: int) -> str:
    return f"/events/{_seg(tx)}/{int(log_index)}"


def tx_url(tx: str) -> str:
    return f"/tx/{_seg(tx)}"


def block_url(number: int) -> str:
    return f"/blocks/{int(number)}"


def policy_url(policy: str, version: int) -> str:
    return f"/policies/{_seg(policy)}/{int(version)}"


def clause_anchor(clause: str) -> str:
    return f"clause-{clause}"


def clause_url(policy: str, version: int, clause: str) -> str:
    return f"{policy_url(policy, version)}#{_seg(clause_anchor(clause))}"


def score_url(score_id: int) -> str:
    return f"/scores/{int(score_id)}"


def finding_url(finding_id: str) -> str:
    return f"/findings/{_seg(finding_id)}"


def checkpoint_url(index: int) -> str:
    return f"/checkpoints/{int(index)}"


def effect_url(sequence: int) -> str:
    return f"/effects/{int(sequence)}"


def consistency_url(first: int, second: int) -> str:
    return f"/checkpoints/{int(first)}/consistency/{int(second)}"


def jurisdiction_url(jurisdiction: str) -> str:
    """A jurisdiction's page: its scope (``@`` and its id)."""
    return scope_url("@" + jurisdiction)


def search_url(query: str) -> str:
    return "/search?" + urlencode({"q": query})


#: What the templates reach as ``url.<name>(...)``.
URLS = {
    name: fn
    for name, fn in {
        "scope": scope_url,
        "indicator": indicator_url,
        "department": department_url,
        "event": event_url,
        "tx": tx_url,
        "block": block_url,
        "policy": policy_url,
        "clause": clause_url,
        "score": score_url,
        "finding": finding_url,
        "checkpoint": checkpoint_url,
        "effect": effect_url,
        "consistency": consistency_url,
        "jurisdiction": jurisdiction_url,
        "search": search_url,
    }.items()
}
