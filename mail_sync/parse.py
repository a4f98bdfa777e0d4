"""Parse one captured email and recover the original behind a forward (SPEC §6).

``parse_message(raw, capture_addresses=...)`` takes the bytes the IMAP worker fetched and returns a
``ParsedEmail``: the message's own headers, its readable text, its attachments (names and sizes only), and
``original``, the email as it was before it reached the capture address: the forwarded message for inline
forwards (``mail_sync.forwards``) and attached ``message/rfc822`` forwards, otherwise the message itself (a BCC
or Cc to the capture address). ``participants`` are the original's addresses without the capture address; those
are what linking works with.

It never raises: whatever cannot be read degrades to empty fields, and a message without a usable Message-ID
gets a stable one derived from its bytes, so processing it twice still links it once.

``analysis(parsed)`` is the stable JSON shape of ``kundebot mail parse FILE.eml --json`` (SPEC §5.3).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, tzinfo
from typing import Any

from mail_sync.addresses import header_addresses, normalise, text_addresses, unique
from mail_sync.dates import parse_header_date, parse_loose_date
from mail_sync.forwards import (
    ForwardBlock,
    find_forward_chain,
    has_forward_prefix,
    has_reply_prefix,
    strip_forward_prefixes,
)
from mail_sync.html_text import html_to_text
from mail_sync.mime import Entity, decode_header, header_text, parse_entity

STABLE_ID_DOMAIN = "kundebot.invalid"
MAX_NESTING = 5  # message/rfc822 inside message/rfc822 ... followed this deep for the original

CALENDAR_TYPES = frozenset({"text/calendar", "application/ics"})
AUTO_PRECEDENCE = frozenset({"bulk", "list", "junk", "auto_reply"})
AUTO_HEADERS = ("list-unsubscribe", "list-id", "x-autoreply", "x-autorespond", "x-autoresponder")
AUTO_SENDERS = frozenset({"mailer-daemon", "postmaster"})
# Subjects of out-of-office replies from clients that do not set Auto-Submitted (en, nb, sv, da, de).
AUTO_SUBJECTS = re.compile(
    r"\s*(?:automatic reply|auto(?:matic)?[- ]?response|out of office|autosvar|automatisk svar|automatisk "
    r"besked|fraværsmelding|frånvaromeddelande|abwesenheitsnotiz|automatische antwort)\b",
    re.IGNORECASE,
)
# Cheap test whether an HTML alternative may hold a forward that its plain-text sibling lost.
_HTML_FORWARD_HINT = re.compile(
    r"forwarded message|videresendt|vidarebefordrat|original message|opprinnelig melding|ursprungligt "
    r"meddelande|divRplyFwdMsg|(?:from|fra|fr&aring;n|från)\s*:",
    re.IGNORECASE,
)
_ANGLE_ID = re.compile(r"<([^<>]*)>")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str  # "" when the part has no name
    content_type: str  # lower-case, e.g. "application/pdf"
    size: int  # bytes after the transfer encoding is undone


@dataclass(frozen=True, slots=True)
class OriginalEmail:
    """The email before it was forwarded; for a BCC'd or directly sent message, the message itself."""

    from_address: str | None
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    date: datetime | None = None  # aware; a forward line without a zone gets the forwarder's zone
    subject: str = ""
    source: str = "message"  # "message", "inline" (a forward block) or "attachment" (message/rfc822)
    message_id: str | None = None  # known for "message" and for an attached message that has one


@dataclass(frozen=True, slots=True)
class ParsedEmail:
    message_id: str  # without angle brackets
    in_reply_to: str | None
    references: list[str]
    subject: str
    from_address: str | None
    to: list[str]
    cc: list[str]
    date: datetime | None
    body_text: str
    attachments: list[Attachment]
    forwarded: bool
    original: OriginalEmail
    participants: list[str]
    bcc_capture: bool
    is_auto: bool
    is_calendar: bool


def parse_message(raw: bytes, *, capture_addresses: Collection[str] = ()) -> ParsedEmail:
    """Parse raw RFC 5322 bytes; never raises."""
    try:
        data = bytes(raw)
    except Exception:
        data = str(raw).encode("utf-8", "surrogateescape")
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n")
    try:
        return _parse(data, _capture_set(capture_addresses))
    except Exception:  # the last line of defence: the parts above are written not to raise
        return _empty(data)


def analysis(parsed: ParsedEmail) -> dict[str, Any]:
    """The capture analysis printed by ``kundebot mail parse FILE.eml --json`` (SPEC §5.3)."""
    original = parsed.original
    return {
        "message_id": parsed.message_id,
        "subject": parsed.subject,
        "forwarded": parsed.forwarded,
        "original": {
            "from": original.from_address,
            "to": list(original.to),
            "cc": list(original.cc),
            "date": original.date.isoformat() if original.date is not None else None,
            "subject": original.subject,
        },
        "participants": list(parsed.participants),
    }


def stable_message_id(data: bytes) -> str:
    """A Message-ID for a message without one: the same bytes (line endings aside) give the same id."""
    digest = hashlib.sha256(data.replace(b"\r\n", b"\n")).hexdigest()[:32]
    return f"{digest}@{STABLE_ID_DOMAIN}"


# --------------------------------------------------------------------------------------------- internals


@dataclass(slots=True)
class _Parts:
    """The leaves of a message's MIME tree, sorted into body text, attachments and forwarded messages."""

    plain: list[Entity] = field(default_factory=list)
    html: list[Entity] = field(default_factory=list)
    attachments: list[Entity] = field(default_factory=list)
    messages: list[Entity] = field(default_factory=list)  # message/rfc822 parts that can be forwards
    calendar: bool = False


def _parse(data: bytes, capture: frozenset[str]) -> ParsedEmail:
    root = parse_entity(data)
    own = _headers(root)
    parts = _Parts()
    _sort_parts(root, parts, in_report=False)

    html_text: str | None = None
    body_text = "\n".join(part.text() for part in parts.plain).strip()
    if not body_text and parts.html:  # HTML only, or an empty text/plain alternative
        html_text = body_text = _html_text(parts.html)

    to_capture_only = bool(own.to or own.cc) and all(_is_capture(a, capture) for a in own.to + own.cc)
    chain = _inline_chain(own.subject, body_text, to_capture_only=to_capture_only)
    if not chain and parts.html and html_text is None and not has_reply_prefix(own.subject):
        raw_html = "\n".join(part.text() for part in parts.html)
        if _HTML_FORWARD_HINT.search(raw_html):
            chain = _inline_chain(own.subject, html_to_text(raw_html), to_capture_only=to_capture_only)

    zone = own.date.tzinfo if own.date is not None else UTC
    original: OriginalEmail | None = None
    if chain:
        original = _from_block(chain[-1], zone, fallback_subject=strip_forward_prefixes(own.subject))
    elif parts.messages:
        original = _from_attached(parts.messages[0], depth=1)
    forwarded = original is not None or has_forward_prefix(own.subject)
    message_id = own.message_id or stable_message_id(data)
    if original is None:
        subject = strip_forward_prefixes(own.subject) if forwarded else own.subject
        original = OriginalEmail(
            own.from_address, list(own.to), list(own.cc), own.date, subject, "message", message_id
        )

    addresses = [*([original.from_address] if original.from_address else []), *original.to, *original.cc]
    participants = [address for address in unique(addresses) if not _is_capture(address, capture)]
    in_to_or_cc = any(_is_capture(address, capture) for address in own.to + own.cc)
    return ParsedEmail(
        message_id=message_id,
        in_reply_to=own.in_reply_to,
        references=own.references,
        subject=own.subject,
        from_address=own.from_address,
        to=own.to,
        cc=own.cc,
        date=own.date,
        body_text=body_text,
        attachments=[_attachment(part) for part in parts.attachments],
        forwarded=forwarded,
        original=original,
        participants=participants,
        bcc_capture=bool(capture) and not in_to_or_cc and not forwarded,
        is_auto=_is_auto(root, own),
        is_calendar=parts.calendar,
    )


@dataclass(slots=True)
class _Headers:
    message_id: str | None
    in_reply_to: str | None
    references: list[str]
    subject: str
    from_address: str | None
    to: list[str]
    cc: list[str]
    date: datetime | None


def _headers(entity: Entity) -> _Headers:
    from_addresses = _address_header(entity, "from") or _address_header(entity, "sender")
    date_raw = entity.header("date")
    return _Headers(
        message_id=_message_id(entity),
        in_reply_to=next(iter(_ids(entity.header("in-reply-to"))), None),
        references=unique(_ids(entity.header("references"))),
        subject=decode_header(entity.header("subject")),
        from_address=from_addresses[0] if from_addresses else None,
        to=_address_header(entity, "to"),
        cc=_address_header(entity, "cc"),
        date=parse_header_date(header_text(date_raw)) if date_raw is not None else None,
    )


def _address_header(entity: Entity, name: str) -> list[str]:
    found: list[str] = []
    for raw in entity.headers_named(name):
        found.extend(header_addresses(header_text(raw)))
    return unique(found)


def _message_id(entity: Entity) -> str | None:
    """The first non-empty Message-ID (duplicated headers happen), without brackets or whitespace."""
    for raw in entity.headers_named("message-id"):
        ids = _ids(raw)
        if ids:
            return ids[0]
    return None


def _ids(raw: bytes | None) -> list[str]:
    if not raw:
        return []
    text = header_text(raw)
    found = [_WHITESPACE.sub("", inner) for inner in _ANGLE_ID.findall(text)]
    if not found:  # ids written without brackets
        found = [token.strip("<>") for token in text.split() if "@" in token]
    return [value for value in found if value]


def _sort_parts(entity: Entity, parts: _Parts, *, in_report: bool) -> None:
    if entity.children:
        report = in_report or entity.content_type == "multipart/report"
        for child in entity.children:
            _sort_parts(child, parts, in_report=report)
        return
    content_type = entity.content_type
    if content_type in CALENDAR_TYPES:
        parts.calendar = True
    disposition, _ = entity.disposition()
    is_attachment = disposition.lower() == "attachment" or bool(entity.filename())
    if content_type == "text/plain" and not is_attachment:
        parts.plain.append(entity)
    elif content_type == "text/html" and not is_attachment:
        parts.html.append(entity)
    else:
        parts.attachments.append(entity)
        if content_type == "message/rfc822" and not in_report:
            parts.messages.append(entity)


def _inline_chain(subject: str, text: str, *, to_capture_only: bool) -> list[ForwardBlock]:
    """The inline forward blocks of a message's text. A reply ("Re:", "SV:") forwards nothing, even when its
    quoted thread holds a forward; Outlook's reply-or-forward block counts when the subject says "FW:" or the
    message went to the capture address alone."""
    if has_reply_prefix(subject):
        return []
    weak_allowed = has_forward_prefix(subject) or to_capture_only
    return find_forward_chain(text, weak_allowed=weak_allowed)


def _is_capture(address: str, capture: frozenset[str]) -> bool:
    """The capture address, also with a "+tag" (crm+acme@firma.no for crm@firma.no)."""
    if address in capture:
        return True
    local, _, domain = address.rpartition("@")
    return "+" in local and f"{local.partition('+')[0]}@{domain}" in capture


def _html_text(html_parts: list[Entity]) -> str:
    return "\n".join(html_to_text(part.text()) for part in html_parts).strip()


def _attachment(entity: Entity) -> Attachment:
    return Attachment(entity.filename(), entity.content_type, len(entity.decoded_body()))


def _from_block(block: ForwardBlock, zone: tzinfo | None, *, fallback_subject: str) -> OriginalEmail:
    fields = block.fields
    senders = text_addresses(fields.get("from", ""))
    subject = _WHITESPACE.sub(" ", fields["subject"]).strip() if "subject" in fields else fallback_subject
    return OriginalEmail(
        from_address=senders[0] if senders else None,
        to=text_addresses(fields.get("to", "")),
        cc=text_addresses(fields.get("cc", "")),
        date=parse_loose_date(fields.get("date", ""), zone),
        subject=subject,
        source="inline",
    )


def _from_attached(entity: Entity, *, depth: int) -> OriginalEmail:
    """The original behind an attached message/rfc822: the attached message, or what it forwards in turn."""
    inner = parse_entity(entity.decoded_body().replace(b"\r\n", b"\n"))
    own = _headers(inner)
    parts = _Parts()
    _sort_parts(inner, parts, in_report=False)
    text = "\n".join(part.text() for part in parts.plain).strip() or _html_text(parts.html)
    chain = _inline_chain(own.subject, text, to_capture_only=False)
    zone = own.date.tzinfo if own.date is not None else UTC
    if chain:
        original = _from_block(chain[-1], zone, fallback_subject=strip_forward_prefixes(own.subject))
        return replace(original, source="attachment")
    if parts.messages and depth < MAX_NESTING:
        return _from_attached(parts.messages[0], depth=depth + 1)
    return OriginalEmail(
        own.from_address, own.to, own.cc, own.date, own.subject, "attachment", own.message_id
    )


def _is_auto(root: Entity, own: _Headers) -> bool:
    """Newsletters, bounces and auto-replies: mail nobody wrote to the capturing user."""
    auto_submitted = root.header("auto-submitted")
    if auto_submitted is not None and not header_text(auto_submitted).strip().lower().startswith("no"):
        return True
    if any(root.header(name) is not None for name in AUTO_HEADERS):
        return True
    precedence = root.header("precedence")
    if precedence is not None and header_text(precedence).strip().lower() in AUTO_PRECEDENCE:
        return True
    if root.content_type == "multipart/report":
        return True
    if own.from_address is not None and own.from_address.partition("@")[0] in AUTO_SENDERS:
        return True
    return_path = root.header("return-path")
    if return_path is not None and return_path.strip() == b"<>":
        return True
    return AUTO_SUBJECTS.match(own.subject) is not None


def _capture_set(addresses: Collection[str]) -> frozenset[str]:
    if isinstance(addresses, str):  # one address passed bare
        addresses = (addresses,)
    found = (normalise(address) for address in addresses or () if isinstance(address, str))
    return frozenset(address for address in found if address)


def _empty(data: bytes) -> ParsedEmail:
    return ParsedEmail(
        message_id=stable_message_id(data),
        in_reply_to=None,
        references=[],
        subject="",
        from_address=None,
        to=[],
        cc=[],
        date=None,
        body_text="",
        attachments=[],
        forwarded=False,
        original=OriginalEmail(None),
        participants=[],
        bcc_capture=False,
        is_auto=False,
        is_calendar=False,
    )
