"""From a parsed message to what the store captures (store.services.email_capture.IncomingEmail).

The key an email is stored under: its own Message-ID when it was BCC'd or sent straight to the capture
address; for a forward, the original's identity, so the same email forwarded twice (by one user or two) is one
Email row. An inline forward has lost the original's Message-ID, so its key is a hash of the original's
sender, date and subject; an attached message/rfc822 keeps its own Message-ID.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection

from mail_sync.parse import ParsedEmail, parse_message
from store.services.email_capture import IncomingEmail

_SUBJECT_PREFIX = re.compile(r"^\s*((fwd?|fw|vs|vb|wg|sv|re|aw|antw)\s*:\s*)+", re.IGNORECASE)


def capture_key(parsed: ParsedEmail) -> str:
    """The Message-ID the email is stored under (see the module's docstring)."""
    if not parsed.forwarded:
        return parsed.message_id
    original = parsed.original
    if original.source == "attachment" and original.message_id:
        return original.message_id
    if original.from_address and original.date is not None:
        subject = _SUBJECT_PREFIX.sub("", original.subject).strip().casefold()
        basis = f"{original.from_address}\n{original.date.isoformat()}\n{subject}"
        return f"fwd-{hashlib.sha256(basis.encode()).hexdigest()[:32]}@kundebot.invalid"
    return parsed.message_id  # not enough of the original to recognise it again


def incoming(raw: bytes, capture_addresses: Collection[str]) -> IncomingEmail:
    """Parse one raw message (never raises) into what the store captures."""
    parsed = parse_message(raw, capture_addresses=capture_addresses)
    original = parsed.original
    return IncomingEmail(
        message_id=capture_key(parsed),
        raw=raw,
        sender=parsed.from_address,
        subject=original.subject or parsed.subject,
        original_from=original.from_address,
        to=list(original.to),
        cc=list(original.cc),
        recipients=[*parsed.to, *parsed.cc],
        participants=list(parsed.participants),
        sent_at=original.date or parsed.date,
        in_reply_to=parsed.in_reply_to,
        references=list(parsed.references),
        body_text=parsed.body_text,
        attachments=[(a.filename, a.content_type, a.size) for a in parsed.attachments],
        automatic=parsed.is_auto and not parsed.forwarded,
    )
