"""Words that reach the pages as data (spec names, statuses), marked for translation.

The maturity spec names its elements, indicators and levels in English, and the
ledger writes statuses as words; the pages show them through ``_()``, so each is a
msgid of the ``dashboard`` catalogue, listed here for extraction.
"""

from __future__ import annotations

from api.pages.i18n import N_

ELEMENTS = (
    N_("institutional advantage"),
    N_("operating mechanism"),
    N_("technical support"),
    N_("data governance"),
)
INDICATORS = (
    N_("conversion cycle"),
    N_("linkage"),
    N_("execution"),
    N_("closed loop"),
    N_("drill adherence"),
    N_("sharing fulfilment"),
    N_("cross-department response"),
    N_("interconnection"),
    N_("availability"),
    N_("attested uptake"),
    N_("hook-up rate"),
    N_("sharing volume"),
    N_("permission discipline"),
    N_("satisfaction"),
)
LEVELS = (
    N_("Initial"),
    N_("Managed"),
    N_("Defined"),
    N_("Quantitatively managed"),
    N_("Optimizing"),
)
TIERS = (
    N_("province"),
    N_("city"),
    N_("district"),
    N_("street"),
    N_("community"),
    N_("grid"),
)
STATUSES = (
    N_("on track"),
    N_("behind"),
    N_("rated"),
    N_("not rated"),
    N_("Open"),
    N_("Responded"),
    N_("Accepted"),
    N_("Overdue"),
    N_("executed"),
    N_("not executed"),
    N_("final"),
    N_("provisional"),
    N_("in force"),
    N_("revoked"),
    N_("anchored"),
    N_("record missing"),
    N_("succeeded"),
    N_("reverted"),
)
