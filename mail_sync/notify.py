"""Telling the capturing user what happened to their email (SPEC §6): linked (to whom), or waiting for their
decision. The Slack app implements this with DMs and buttons (bot.capture_notices); without Slack the notice
goes to the log, or by email through the SMTP sender."""

from __future__ import annotations

import logging
from typing import Protocol

from store.services.email_capture import CaptureResult

log = logging.getLogger("kundebot.mail")


class CaptureNotifier(Protocol):
    async def notify(self, result: CaptureResult) -> None:
        """Called once per newly captured email of a known user, after it is stored."""


class LogNotifier:
    """The console implementation: one log line per captured email."""

    def __init__(self) -> None:
        self.sent: list[CaptureResult] = []

    async def notify(self, result: CaptureResult) -> None:
        self.sent.append(result)
        if result.customer_name:
            log.info("Email %r linked to %s (%s).", result.subject, result.customer_name, result.rule)
        elif result.candidates:
            names = ", ".join(label for _, label in result.candidates)
            log.info("Email %r waits for a decision: %s.", result.subject, names)
        else:
            log.info("Email %r from %s matched no customer.", result.subject, result.original_from)
