"""Words that reach the pages as data (spec names, statuses, level reasons), marked for
translation.

The maturity spec names its elements, indicators and levels in English, and the
ledger writes statuses as words; the pages show them through ``_()``, so each is a
msgid of the ``dashboard`` catalogue, listed here for extraction. The engine's level
reasons are sentences: :func:`level_reason` reads them back and says them again in
the viewer's language.
"""

from __future__ import annotations

import re
from collections.abc import Callable

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


#: The maturity engine's level reasons (ledger/maturity/engine.py), as patterns and the
#: msgid each is shown with; the names and the mean's label are translated as well.
_NOT_RATED = re.compile(r"(L\d) because not every element is rated; not rated: (.+)")
_IN_BAND = re.compile(r"(L\d): (M|the arithmetic mean) is in band (L\d)")
_CAPPED = re.compile(
    r"(L\d): (M|the arithmetic mean) is in band (L\d), capped at (L\d)"
    r" by the weakest element: (.+)"
)
REASONS = (
    N_("%(level)s because not every element is rated; not rated: %(names)s"),
    N_("%(level)s: %(mean)s is in band %(band)s"),
    N_(
        "%(level)s: %(mean)s is in band %(band)s, capped at %(cap)s by the weakest element:"
        " %(names)s"
    ),
    N_("the arithmetic mean"),
)


def level_reason(reason: str, gettext: Callable[[str], str]) -> str:
    """The engine's ``level_reason`` in the viewer's language (as it is when its form is
    not one of the engine's three)."""

    def names(text: str) -> str:
        return gettext(", ").join(gettext(n) for n in text.split(", "))

    if found := _NOT_RATED.fullmatch(reason):
        return gettext(REASONS[0]) % {"level": found[1], "names": names(found[2])}
    if found := _CAPPED.fullmatch(reason):
        return gettext(REASONS[2]) % {
            "level": found[1],
            "mean": gettext(found[2]),
            "band": found[3],
            "cap": found[4],
            "names": names(found[5]),
        }
    if found := _IN_BAND.fullmatch(reason):
        return gettext(REASONS[1]) % {
            "level": found[1],
            "mean": gettext(found[2]),
            "band": found[3],
        }
    return reason
