"""What the maturity suites share."""

from __future__ import annotations

#: MATURITY.md v2, "Execution event": the events that record something done under a mechanism.
EXECUTION = (
    "DeliveryRecorded",
    "DrillHeld",
    "OrderAccepted",
    "OrderTransferred",
    "OrderHandled",
    "OrderFeedbackGiven",
    "OrderCompleted",
    "OrderEvaluated",
    "SystemConnected",
    "StatisticAttested",
)
