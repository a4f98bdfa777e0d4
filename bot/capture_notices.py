"""Capture notices in Slack (SPEC §6): the capturing user gets a DM from the bot, linked (with the card one
click away) or asking for a decision with buttons. A user without Slack gets the notice by email when SMTP
is configured, else it is logged. Notices never go to a channel: they may name customers others cannot see."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.i18n import quoted, say
from bot.render.blocks import render
from bot.replies import CaptureNotice
from mail_sync.config import SmtpSettings
from mail_sync.smtp import MailNotSent, build_message, send
from store.actor import Actor
from store.db import Store
from store.services.email_capture import CaptureResult
from store.services.users import user_by_id

log = logging.getLogger("kundebot.mail")


def notice(result: CaptureResult) -> CaptureNotice:
    return CaptureNotice(
        email_id=result.email_id,
        subject=result.subject,
        original_from=result.original_from,
        customer_id=result.customer_id,
        customer_name=result.customer_name,
        rule=result.rule,
        candidates=list(result.candidates),
    )


class SlackCaptureNotifier:
    def __init__(self, store: Store, client: AsyncWebClient | None, smtp: SmtpSettings | None = None) -> None:
        self.store = store
        self.client = client
        self.smtp = smtp

    async def notify(self, result: CaptureResult) -> None:
        if result.captured_by is None:
            return  # unknown senders are never announced
        async with self.store.reading() as s:
            user = await user_by_id(s, result.captured_by)
        reply = notice(result)
        if user.slack_user_id and self.client is not None:
            message = render(reply, Actor.of(user).language.value)
            try:
                await self.client.chat_postMessage(
                    channel=user.slack_user_id, text=message.text, blocks=message.blocks
                )
                return
            except SlackApiError as exc:
                log.warning(
                    "Could not DM %s about email %s: %s",
                    user.email,
                    result.email_id,
                    exc.response.get("error"),
                )
        if self.smtp is not None and result.customer_id is None:
            await self._email(user.email, reply, Actor.of(user).language.value)
            return
        log.info("Email %s of %s: %s", result.email_id, user.email, reply)

    async def _email(self, address: str, reply: CaptureNotice, lang: str) -> None:
        """A reply to the forwarder when the capture needs their action and Slack cannot reach them."""
        number = reply.email_id
        lines = [say(lang, "capture.email_intro", subject=quoted(lang, reply.subject))]
        for customer_id, label in reply.candidates:
            lines.append(
                "  - " + say(lang, "capture.email_candidate", label=label, number=number, id=customer_id)
            )
        lines.append(say(lang, "capture.email_link", number=number))
        assert self.smtp is not None
        try:
            await send(
                self.smtp,
                build_message(
                    self.smtp.sender,
                    address,
                    say(lang, "capture.email_subject", subject=reply.subject),
                    "\n".join(lines),
                ),
            )
        except MailNotSent as exc:
            log.warning("Could not email %s about email %s: %s", address, reply.email_id, exc)
