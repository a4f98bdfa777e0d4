"""Outgoing mail over SMTP (aiosmtplib): the email digest and replies to forwarders (SPEC §6, §8).

    message = build_message(settings.sender, "kari@firm.no", "Your digest", text, html)
    await send(settings, message)

`send` honours SmtpSettings.security (STARTTLS required, implicit TLS, or plain) and logs in when a user is
set. Transient failures (the server disconnects, times out or answers 4xx) are retried a bounded number of
times; everything else, and the last transient failure, is raised as `MailNotSent`. A refused connection is
not retried: nothing listens there, and the caller's own schedule (the next digest run) is the retry.
"""

from __future__ import annotations

import asyncio
import email.policy
import email.utils
import logging
from collections.abc import Awaitable, Callable, Sequence
from email.message import EmailMessage

import aiosmtplib

from mail_sync.config import SmtpSettings

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


class MailNotSent(Exception):
    """The message was not accepted by the SMTP server (for any recipient)."""

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


def build_message(
    sender: str,
    to: str | Sequence[str],
    subject: str,
    text: str,
    html: str | None = None,
    *,
    cc: Sequence[str] = (),
    reply_to: str | None = None,
    in_reply_to: str | None = None,
) -> EmailMessage:
    """A text message, or multipart/alternative with an HTML part; Message-ID and Date included.

    `in_reply_to` (a Message-ID) threads a reply to a forwarded email in the forwarder's mail client.
    """
    message = EmailMessage(policy=email.policy.default)  # aiosmtplib sends it with CRLF line ends
    message["From"] = sender
    message["To"] = [to] if isinstance(to, str) else list(to)
    if cc:
        message["Cc"] = list(cc)
    if reply_to:
        message["Reply-To"] = reply_to
    message["Subject"] = subject
    message["Date"] = email.utils.formatdate(localtime=False, usegmt=True)
    domain = sender.rpartition("@")[2].strip(">") or None
    message["Message-ID"] = email.utils.make_msgid(domain=domain)
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


async def send(
    settings: SmtpSettings,
    message: EmailMessage,
    *,
    attempts: int = 3,
    retry_delay: float = 2.0,
    sleep: Sleep = asyncio.sleep,
) -> dict[str, str]:
    """Send `message` (From is set to settings.sender when missing) from settings.sender's address.

    Returns the recipients the server refused ({address: reply}) when it accepted the others; raises
    MailNotSent when it accepted none or the transaction failed. Up to `attempts` tries for transient
    failures, `retry_delay`, then twice that, between them.
    """
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    if "From" not in message:
        message["From"] = settings.sender
    envelope_sender = email.utils.parseaddr(settings.sender)[1] or settings.sender  # "Name <a@b>" -> a@b
    delay = retry_delay
    for attempt in range(1, attempts + 1):
        try:
            refused, _ = await aiosmtplib.send(
                message,
                sender=envelope_sender,
                hostname=settings.host,
                port=settings.port,
                username=settings.user,
                password=settings.password if settings.user else None,
                use_tls=settings.security == "tls",
                start_tls=settings.security == "starttls",
                validate_certs=True,
                cert_bundle=settings.ca_file,
                timeout=settings.timeout,
            )
        except aiosmtplib.SMTPException as e:
            failure = _failure(settings, e)
            if not failure.transient or attempt == attempts:
                raise failure from e
            log.warning(
                "SMTP send failed (attempt %d of %d), retrying in %.1fs: %s", attempt, attempts, delay, e
            )
            await sleep(delay)
            delay *= 2
            continue
        except OSError as e:  # e.g. an ssl.SSLError from a certificate that does not verify
            raise MailNotSent(f"SMTP {settings.host}:{settings.port}: {e}") from e
        return {address: response.message for address, response in refused.items()}
    raise AssertionError("unreachable")


def _failure(settings: SmtpSettings, e: aiosmtplib.SMTPException) -> MailNotSent:
    where = f"SMTP {settings.host}:{settings.port}"
    if isinstance(e, aiosmtplib.SMTPAuthenticationError):
        return MailNotSent(f"{where}: login as {settings.user} refused ({e.code} {e.message})")
    if isinstance(e, aiosmtplib.SMTPConnectTimeoutError | aiosmtplib.SMTPTimeoutError):
        return MailNotSent(f"{where}: timed out: {e}", transient=True)
    if isinstance(e, aiosmtplib.SMTPConnectError):
        return MailNotSent(f"{where}: cannot connect: {e}")
    if isinstance(e, aiosmtplib.SMTPServerDisconnected):
        return MailNotSent(f"{where}: the server disconnected: {e}", transient=True)
    if isinstance(e, aiosmtplib.SMTPRecipientsRefused):
        codes = [r.code for r in e.recipients]
        details = "; ".join(f"{r.recipient}: {r.code} {r.message}" for r in e.recipients)
        return MailNotSent(
            f"{where}: every recipient refused: {details}", transient=all(400 <= c < 500 for c in codes)
        )
    if isinstance(e, aiosmtplib.SMTPResponseException):
        return MailNotSent(f"{where}: {e.code} {e.message}", transient=400 <= e.code < 500)
    return MailNotSent(f"{where}: {e}")
