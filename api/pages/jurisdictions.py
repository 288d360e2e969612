"""The jurisdiction tree page.

This ledger's Directory holds no jurisdiction tree yet, so the page lists the
departments (each a scope of its own) and says what it is waiting for.
"""

from __future__ import annotations

from typing import Any

from api.pages.views import departments_table
from ledger.core import Ledger


def jurisdictions_page(lg: Ledger) -> dict[str, Any]:
    return {"tree": None, "departments": departments_table(lg)}
