"""What the parser returns: an intent, the message's language and the slots found (SPEC §5.2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

INTENTS = (
    "create_customer", "find_customer", "show_customer", "add_contact", "log_activity", "create_task",
    "schedule_meeting", "lookup_org", "kpi_summary", "pipeline_summary", "update_sales_case",
    "create_sales_case", "help", "cancel", "small_talk", "unknown",
)  # fmt: skip

SLOT_NAMES = (
    "customer", "org_number", "contact_name", "email", "phone", "title", "activity_kind", "subject", "when",
    "amount", "currency", "stage", "probability",
)  # fmt: skip

_SALES = ("customer", "subject", "amount", "currency", "stage", "probability", "when")
_ACTIVITY = ("activity_kind", "customer", "subject", "when", "contact_name")
# The slots each intent carries; anything else the message mentions is not part of the request.
INTENT_SLOTS: dict[str, tuple[str, ...]] = {
    "create_customer": ("customer", "org_number"),
    "find_customer": ("customer", "org_number"),
    "show_customer": ("customer", "org_number"),
    "add_contact": ("customer", "contact_name", "email", "phone", "title"),
    "log_activity": _ACTIVITY,
    "create_task": _ACTIVITY,
    "schedule_meeting": _ACTIVITY,
    "lookup_org": ("org_number",),
    "create_sales_case": _SALES,
    "update_sales_case": _SALES,
}


@dataclass
class Parse:
    intent: str
    lang: str
    slots: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        order = {name: i for i, name in enumerate(SLOT_NAMES)}
        slots = dict(sorted(self.slots.items(), key=lambda item: order.get(item[0], len(order))))
        return {"intent": self.intent, "lang": self.lang, "slots": slots}
