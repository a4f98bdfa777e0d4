"""Replies to Slack's response URLs on one HTTP session for the whole app.

bolt's `respond()` opens a new aiohttp session, and so a new connection, for every reply; under load that
was a good part of a reply's cost. `PooledRespond` is the same call on a session the app keeps open.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.webhook import WebhookResponse
from slack_sdk.webhook.async_client import AsyncWebhookClient


class ReplySession:
    """One aiohttp session, opened on first use (inside the serving event loop) and closed with the app."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    def get(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


class PooledRespond(AsyncRespond):
    """`respond(text=..., blocks=..., response_type=..., replace_original=...)` as bolt's, on `sessions`."""

    def __init__(self, response_url: str, sessions: ReplySession) -> None:
        super().__init__(response_url=response_url)
        self._sessions = sessions

    async def __call__(self, text: str | dict[str, Any] = "", **fields: Any) -> WebhookResponse:  # type: ignore[override]
        message = dict(text) if isinstance(text, dict) else {"text": text, **fields}
        message = {k: _plain(v) for k, v in message.items() if v is not None}
        client = AsyncWebhookClient(url=str(self.response_url), session=self._sessions.get())
        return await client.send_dict(message)


def _plain(value: Any) -> Any:
    """Block Kit objects (slack_sdk models) as the dicts Slack reads; our own blocks are dicts already."""
    if isinstance(value, list | tuple):
        return [v.to_dict() if hasattr(v, "to_dict") else v for v in value]
    return value
