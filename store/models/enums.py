"""The closed vocabularies of the domain (SPEC §2, §2.1)."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    ADMIN = "admin"
    SALES = "sales"
    CONSULTANT = "consultant"
    READ_ONLY = "read-only"


class Language(enum.StrEnum):
    EN = "en"
    NB = "nb"
    SV = "sv"


class Visibility(enum.StrEnum):
    EVERYONE = "everyone"
    OWNER = "owner"


class CustomerKind(enum.StrEnum):
    CUSTOMER = "customer"
    SUPPLIER = "supplier"
    PRIVATE = "private"
    PARTNER = "partner"
    PROSPECT = "prospect"


class Country(enum.StrEnum):
    NO = "NO"
    SE = "SE"
    FI = "FI"
    DK = "DK"


class RelationLevel(enum.StrEnum):
    A = "A"
    B = "B"
    C = "C"


class RelationType(enum.StrEnum):
    CUSTOMER = "customer"
    PARTNER = "partner"
    POTENTIAL_CUSTOMER = "potential_customer"
    SUPPLIER = "supplier"


class ActivityKind(enum.StrEnum):
    TASK = "task"
    MEETING = "meeting"
    CALL = "call"
    EMAIL = "email"
    NOTE = "note"


class Source(enum.StrEnum):
    SLACK = "slack"
    CONSOLE = "console"
    EMAIL = "email"
    CALENDAR = "calendar"
    IMPORT = "import"


class CaseStatus(enum.StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


class ProjectStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class InvoiceStatus(enum.StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    PAID = "paid"
    CREDITED = "credited"


class CostKind(enum.StrEnum):
    LABOUR = "labour"
    EXPENSE = "expense"


class EmailLinkStatus(enum.StrEnum):
    LINKED = "linked"
    UNLINKED = "unlinked"
    IGNORED = "ignored"


class MergeKind(enum.StrEnum):
    CUSTOMER = "customer"
    CONTACT = "contact"
