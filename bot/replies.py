"""What the conversation answers, independent of the surface: the console renders these with Rich, the
Slack app with Block Kit. Handlers build replies; renderers never touch the store."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from registry.model import RegisterUnit
from store.services.customers import CustomerCard, CustomerHit
from store.services.dashboard import Dashboard, Pipeline, StageTotal
from store.services.digest import Digest
from store.services.kpi import KpiSummary


class Tone(StrEnum):
    INFO = "info"
    SUCCESS = "success"
    ERROR = "error"


@dataclass
class Text:
    message: str
    tone: Tone = Tone.INFO


@dataclass
class Choice:
    """A question with numbered options (buttons in Slack); the next message picks one."""

    question: str
    options: list[str]


@dataclass
class Confirm:
    """A yes/no question about a pending action."""

    question: str
    # The language the question is in when it is not the user's setting (the dialogue answers in the language a
    # message was written in): its yes/no buttons and hint follow it.
    lang: str | None = None


@dataclass
class CustomerCardReply:
    card: CustomerCard
    org_formatted: str | None


@dataclass
class CustomerList:
    query: str
    hits: list[CustomerHit]
    offset: int = 0
    more: bool = False
    register_hits: list[RegisterUnit] = field(default_factory=list)  # not yet customers


@dataclass
class KpiReply:
    summary: KpiSummary
    dashboard: Dashboard
    time_zone: str  # meetings are shown in the user's local time
    lang: str = "nb"  # numbers in the user's format (bot.render.formats); "nb" is the format of old


@dataclass
class PipelineReply:
    stages: list[StageTotal]
    month: Pipeline
    quarter: Pipeline
    lang: str = "nb"  # numbers in the user's format (bot.render.formats)


@dataclass
class RegisterCard:
    """What a company register says about an organisation number (SPEC §4)."""

    unit: RegisterUnit
    formatted_number: str
    source: str  # "local", "cache" or the register's name


@dataclass
class Help:
    topic: str | None
    entries: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class CaptureNotice:
    """What became of an email the user forwarded or BCC'd to the capture address (SPEC §6)."""

    email_id: int
    subject: str
    original_from: str | None
    customer_id: int | None = None
    customer_name: str | None = None
    rule: str | None = None  # which linking rule matched; None: waiting for the user's decision
    candidates: list[tuple[int, str]] = field(default_factory=list)  # (customer id, label) to choose from


@dataclass
class WaitingEmails:
    """The user's captured emails that still wait for a decision (`link`)."""

    emails: list[CaptureNotice]


@dataclass
class DigestReply:
    """The daily digest (SPEC §8), as a DM, an email or a `digest` preview."""

    digest: Digest
    lang: str
    time_zone: str


Reply = (
    Text
    | Choice
    | Confirm
    | CustomerCardReply
    | CustomerList
    | KpiReply
    | PipelineReply
    | RegisterCard
    | Help
    | CaptureNotice
    | WaitingEmails
    | DigestReply
)
