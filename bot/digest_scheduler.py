"""Sends each user's daily digest at their digest time in their time zone, exactly once per local date
(SPEC §8): a Slack DM in Block Kit and, when the user chose it, an email (text and HTML) through SMTP.
Nothing is sent when there is nothing to say. Runs inside `kundebot serve`; replicas share the claims in the
store, so two schedulers never send the same digest."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.render import digest as digest_text
from bot.render.blocks import render
from bot.replies import DigestReply
from mail_sync.config import SmtpSettings
from mail_sync.smtp import MailNotSent, build_message, send
from store.actor import Actor
from store.db import Store
from store.models import User
from store.services import digest
from store.types import utcnow

log = logging.getLogger("kundebot.digest")


@dataclass
class Sent:
    user_id: int
    status: str  # sent, empty, failed
    channels: list[str]


class DigestScheduler:
    def __init__(
        self,
        store: Store,
        slack: AsyncWebClient | None,
        smtp: SmtpSettings | None,
        *,
        owner: str | None = None,
        interval: float = 60.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.slack = slack
        self.smtp = smtp
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"
        self.interval = interval
        self.clock = clock

    async def run(self, stop: asyncio.Event) -> None:
        """Every `interval` (with jitter, so replicas do not tick in step) until `stop`."""
        while not stop.is_set():
            try:
                await self.tick()
            except Exception:  # a bad tick must not end the digests of every later day
                log.exception("Digest tick failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self.interval * random.uniform(0.8, 1.2))

    async def tick(self) -> list[Sent]:
        """Send every digest that is due now and not claimed yet."""
        now = self.clock()
        async with self.store.reading() as s:
            due = await digest.users_due(s, now)
        sent: list[Sent] = []
        for user, local_date in due:
            async with self.store.transaction() as s:
                if not await digest.claim(s, user.id, local_date, self.owner, now):
                    continue  # another replica has it
            sent.append(await self._deliver(user, local_date, now))
        return sent

    async def _deliver(self, user: User, local_date: object, now: datetime) -> Sent:
        actor = Actor.of(user)
        async with self.store.reading() as s:
            found = await digest.build_digest(s, actor, now=now)
        channels: list[str] = []
        status, error = "empty", None
        if not found.empty:
            reply = DigestReply(found, actor.language.value, actor.time_zone)
            try:
                if "slack" in user.digest_channels and user.slack_user_id and self.slack is not None:
                    message = render(reply)
                    await self.slack.chat_postMessage(
                        channel=user.slack_user_id, text=message.text, blocks=message.blocks
                    )
                    channels.append("slack")
                if "email" in user.digest_channels and self.smtp is not None:
                    mail = build_message(
                        self.smtp.sender,
                        user.email,
                        digest_text.title(found, reply.lang),
                        digest_text.as_text(found, reply.lang, reply.time_zone),
                        digest_text.as_html(found, reply.lang, reply.time_zone),
                    )
                    await send(self.smtp, mail)
                    channels.append("email")
                status = "sent" if channels else "failed"
                error = None if channels else "no channel can reach this user (no Slack id, no SMTP)"
            except (SlackApiError, MailNotSent) as exc:
                status, error = ("sent" if channels else "failed"), f"{type(exc).__name__}: {exc}"
                log.warning("Digest for %s: %s", user.email, error)
        async with self.store.transaction() as s:
            await digest.finish(
                s, user.id, found.local_date, self.owner, status=status, channels=channels, error=error
            )
        return Sent(user.id, status, channels)
