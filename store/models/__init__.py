"""All models, importable from one place (and registered on one metadata for Alembic)."""

from store.models.activities import Activity, activity_contacts
from store.models.base import Base
from store.models.calendar import (
    CalendarFeed,
    CalendarItem,
    CalendarLink,
    CalendarSource,
    CalendarSourceKind,
    activity_participants,
)
from store.models.contacts import Contact, ContactEmail, ContactPhone, ContactRole, contact_keywords
from store.models.customers import (
    Address,
    Counter,
    Customer,
    GroupingCategory,
    GroupingChoice,
    Industry,
    Keyword,
    customer_groupings,
    customer_keywords,
)
from store.models.deliveries import HandledDelivery
from store.models.dialogue import DialogueState, UndoAction
from store.models.digest import DigestDelivery
from store.models.emails import Email, EmailAttachment, email_contacts
from store.models.enums import (
    ActivityKind,
    CaseStatus,
    CostKind,
    Country,
    CustomerKind,
    EmailLinkStatus,
    InvoiceStatus,
    Language,
    MergeKind,
    ProjectStatus,
    RelationLevel,
    RelationType,
    Role,
    Source,
    Visibility,
)
from store.models.mail import MailboxState
from store.models.merges import MergeRecord
from store.models.projects import Cost, Invoice, Project
from store.models.register import RegisterFeedState, RegisterLookup, RegisterUnit
from store.models.sales import SalesCase, SalesProcess, SalesStage
from store.models.users import User

__all__ = [
    "DialogueState",
    "HandledDelivery",
    "DigestDelivery",
    "UndoAction",
    "Activity",
    "ActivityKind",
    "Address",
    "Base",
    "CalendarFeed",
    "CalendarItem",
    "CalendarLink",
    "CalendarSource",
    "CalendarSourceKind",
    "CaseStatus",
    "Contact",
    "ContactEmail",
    "ContactPhone",
    "ContactRole",
    "Cost",
    "CostKind",
    "Counter",
    "Country",
    "Customer",
    "CustomerKind",
    "Email",
    "EmailAttachment",
    "EmailLinkStatus",
    "GroupingCategory",
    "GroupingChoice",
    "Industry",
    "Invoice",
    "InvoiceStatus",
    "Keyword",
    "Language",
    "MergeKind",
    "MailboxState",
    "MergeRecord",
    "Project",
    "ProjectStatus",
    "RegisterFeedState",
    "RegisterLookup",
    "RegisterUnit",
    "RelationLevel",
    "RelationType",
    "Role",
    "SalesCase",
    "SalesProcess",
    "SalesStage",
    "Source",
    "User",
    "Visibility",
    "activity_contacts",
    "activity_participants",
    "contact_keywords",
    "customer_groupings",
    "customer_keywords",
    "email_contacts",
]
