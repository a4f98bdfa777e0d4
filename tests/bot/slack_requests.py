"""Requests as Slack sends them to the app's request URL, signed with the app's signing secret.

Each builder returns an unsigned `SlackPayload` (the exact body and its parsed form); `.signed(secret)`
makes the request, with X-Slack-Request-Timestamp and X-Slack-Signature `v0=` + hex HMAC-SHA256 of
`v0:{timestamp}:{body}`. The same payload can be signed again, as Slack does when it retries an event:

    request = slash_command("/kunde", "Fjordlys", response_url=api.response_url("c1")).signed(SECRET)
    reply = await request.post(session, app_url)

    event = app_mention("<@U0KUNDEBOT> hvem er Fjordlys?")
    await event.signed(SECRET).post(session, app_url)
    await event.signed(SECRET, retry_num=1, retry_reason="http_timeout").post(session, app_url)

Ways to make Slack's checks fail: `signed(SECRET, bad_signature=True)`, `signed(SECRET, age=360)` (six
minutes old), `signed(SECRET, without=("X-Slack-Signature",))`.

Shapes follow Slack's documentation (slash commands, the Events API wrapper, app_mention, message.im,
interaction payloads) and the payloads in bolt-python's tests/scenario_tests_async.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import aiohttp

from tests.servers.slack import APP_ID, BOT_ID, BOT_NAME, BOT_USER_ID, TEAM_DOMAIN, TEAM_ID

USER_ID = "U0KARI0001"  # the default human sending requests
USER_NAME = "kari.nordmann"
CHANNEL_ID = "C0SALG0001"
CHANNEL_NAME = "salg"
DM_CHANNEL_ID = "D0KARI0001"  # the bot's DM with USER_ID
VERIFICATION_TOKEN = "Jhj5dZrVaK7ZwHHjRyZWjbDl"  # deprecated, but Slack still sends it

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

_sequence = itertools.count(1)

Payload = dict[str, Any]


def sign(secret: str, timestamp: int | str, body: str | bytes) -> str:
    """Slack's v0 signature: `v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{body}` keyed by the secret."""
    raw = body.encode() if isinstance(body, str) else body
    base = b"v0:" + str(timestamp).encode() + b":" + raw
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class SlackReply:
    status: int
    body: str
    headers: Mapping[str, str]

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class SlackRequest:
    body: str
    headers: dict[str, str]

    async def post(self, session: aiohttp.ClientSession, url: str) -> SlackReply:
        """POST the exact signed bytes to `url` (the app's request URL)."""
        async with session.post(url, data=self.body.encode(), headers=self.headers) as response:
            return SlackReply(response.status, await response.text(), dict(response.headers))


@dataclass(frozen=True)
class SlackPayload:
    body: str  # exactly what is sent (and signed)
    content_type: str
    data: Payload = field(compare=False)  # the payload as parsed by the app (for assertions)

    def signed(
        self,
        secret: str,
        *,
        timestamp: int | None = None,
        age: float = 0,
        bad_signature: bool = False,
        without: Iterable[str] = (),
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
    ) -> SlackRequest:
        """The request Slack would send: signed at `timestamp` (default now minus `age` seconds).

        bad_signature signs with the wrong secret; `without` drops headers by name; `retry_num` adds
        X-Slack-Retry-Num and X-Slack-Retry-Reason as on Slack's retries of an unacknowledged event.
        """
        ts = int(time.time() - age) if timestamp is None else timestamp
        signature = sign(secret + "-wrong" if bad_signature else secret, ts, self.body)
        headers = {
            "Content-Type": self.content_type,
            "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
            "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": signature,
        }
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = retry_reason
        dropped = {name.lower() for name in without}
        return SlackRequest(self.body, {k: v for k, v in headers.items() if k.lower() not in dropped})


def _form(fields: Payload) -> SlackPayload:
    return SlackPayload(urlencode(fields), FORM, fields)


def _interaction(payload: Payload) -> SlackPayload:
    """Interactivity posts a form with one field, `payload`, holding the JSON."""
    return SlackPayload(urlencode({"payload": json.dumps(payload)}), FORM, payload)


def _trigger_id() -> str:
    n = next(_sequence)
    return f"{n}.{n * 7919}.{uuid.uuid4().hex}"


def _ts() -> str:
    return f"{int(time.time())}.{next(_sequence):06d}"


def _team() -> Payload:
    return {"id": TEAM_ID, "domain": TEAM_DOMAIN}


def _user(user_id: str, user_name: str) -> Payload:
    return {"id": user_id, "username": user_name, "name": user_name, "team_id": TEAM_ID}


# --- slash commands --------------------------------------------------------------------------------


def slash_command(
    command: str,
    text: str = "",
    *,
    response_url: str,
    user_id: str = USER_ID,
    user_name: str = USER_NAME,
    channel_id: str = CHANNEL_ID,
    channel_name: str = CHANNEL_NAME,
    trigger_id: str | None = None,
) -> SlackPayload:
    """A slash command: a form body; `response_url` usually `api.response_url(...)` of the fake."""
    return _form(
        {
            "token": VERIFICATION_TOKEN,
            "team_id": TEAM_ID,
            "team_domain": TEAM_DOMAIN,
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": user_name,
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id or _trigger_id(),
        }
    )


# --- Events API ------------------------------------------------------------------------------------


def event_callback(
    event: Payload, *, event_id: str | None = None, event_time: int | None = None
) -> SlackPayload:
    """The Events API wrapper around `event` (a JSON body), addressed to the bot of the fake workspace."""
    now = int(time.time())
    body = {
        "token": VERIFICATION_TOKEN,
        "team_id": TEAM_ID,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev0K{next(_sequence):08d}",
        "event_time": event_time or now,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{uuid.uuid4().hex}",
    }
    return SlackPayload(json.dumps(body), JSON, body)


def _rich_text(text: str) -> list[Payload]:
    section = {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
    return [{"type": "rich_text", "block_id": uuid.uuid4().hex[:4], "elements": [section]}]


def _user_message(
    type: str, text: str, user: str, channel: str, ts: str | None, thread_ts: str | None
) -> Payload:
    ts = ts or _ts()
    event: Payload = {
        "client_msg_id": str(uuid.uuid4()),
        "type": type,
        "text": text,
        "user": user,
        "ts": ts,
        "team": TEAM_ID,
        "blocks": _rich_text(text),
        "channel": channel,
        "event_ts": ts,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def app_mention(
    text: str,
    *,
    user: str = USER_ID,
    channel: str = CHANNEL_ID,
    ts: str | None = None,
    thread_ts: str | None = None,
    event_id: str | None = None,
) -> SlackPayload:
    """An app_mention event; `text` should contain `<@U0KUNDEBOT>` like Slack's."""
    event = _user_message("app_mention", text, user, channel, ts, thread_ts)
    return event_callback(event, event_id=event_id)


def direct_message(
    text: str,
    *,
    user: str = USER_ID,
    channel: str = DM_CHANNEL_ID,
    ts: str | None = None,
    thread_ts: str | None = None,
    event_id: str | None = None,
) -> SlackPayload:
    """A message.im event: a person writing to the bot in its DM (channel_type "im")."""
    event = _user_message("message", text, user, channel, ts, thread_ts)
    event["channel_type"] = "im"
    return event_callback(event, event_id=event_id)


def bot_message(
    text: str,
    *,
    bot_id: str = BOT_ID,
    user: str | None = BOT_USER_ID,
    channel: str = DM_CHANNEL_ID,
    channel_type: str = "im",
    classic: bool = False,
    event_id: str | None = None,
) -> SlackPayload:
    """A message from a bot: by default kundebot's own (what Slack echoes back after chat.postMessage).

    classic=True is a legacy bot message (subtype "bot_message", a username and no user).
    """
    ts = _ts()
    event: Payload = {"type": "message", "text": text, "ts": ts, "channel": channel, "event_ts": ts}
    if classic:
        event.update(subtype="bot_message", username="classic-bot", bot_id=bot_id)
    else:
        app_id = APP_ID if bot_id == BOT_ID else "A0OTHERAPP"
        name = BOT_NAME if bot_id == BOT_ID else "other-app"
        event.update(
            bot_id=bot_id,
            user=user,
            app_id=app_id,
            team=TEAM_ID,
            bot_profile={"id": bot_id, "deleted": False, "name": name, "app_id": app_id, "team_id": TEAM_ID},
        )
    event["channel_type"] = channel_type
    return event_callback(event, event_id=event_id)


def url_verification(challenge: str = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P") -> SlackPayload:
    """The handshake Slack sends when the request URL is set; the app must echo `challenge`."""
    body = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
    return SlackPayload(json.dumps(body), JSON, body)


# --- interactivity ---------------------------------------------------------------------------------


def block_actions(
    action_id: str,
    value: str | None = None,
    *,
    response_url: str,
    block_id: str = "actions",
    action_type: str = "button",
    user_id: str = USER_ID,
    user_name: str = USER_NAME,
    channel_id: str = CHANNEL_ID,
    channel_name: str = CHANNEL_NAME,
    message_ts: str | None = None,
    message_text: str = "",
    action: Payload | None = None,
) -> SlackPayload:
    """A click on a block element of a message (by default a button carrying `value`).

    `action` replaces the generated action (e.g. a static_select with `selected_option`).
    """
    message_ts = message_ts or _ts()
    clicked = action or {
        "action_id": action_id,
        "block_id": block_id,
        "text": {"type": "plain_text", "text": action_id, "emoji": True},
        "value": value,
        "type": action_type,
        "action_ts": _ts(),
    }
    return _interaction(
        {
            "type": "block_actions",
            "user": _user(user_id, user_name),
            "api_app_id": APP_ID,
            "token": VERIFICATION_TOKEN,
            "container": {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel_id,
                "is_ephemeral": False,
            },
            "trigger_id": _trigger_id(),
            "team": _team(),
            "enterprise": None,
            "is_enterprise_install": False,
            "channel": {"id": channel_id, "name": channel_name},
            "message": {
                "type": "message",
                "user": BOT_USER_ID,
                "bot_id": BOT_ID,
                "text": message_text,
                "ts": message_ts,
                "team": TEAM_ID,
            },
            "state": {"values": {}},
            "response_url": response_url,
            "actions": [clicked],
        }
    )


def _state_values(values: Mapping[str, Mapping[str, Any]]) -> Payload:
    """block_id -> action_id -> value; a plain string becomes a plain_text_input's value."""
    return {
        block_id: {
            action_id: {"type": "plain_text_input", "value": v}
            if isinstance(v, str) or v is None
            else dict(v)
            for action_id, v in actions.items()
        }
        for block_id, actions in values.items()
    }


def view_submission(
    callback_id: str,
    values: Mapping[str, Mapping[str, Any]],
    *,
    private_metadata: str = "",
    view_id: str = "V0K0000001",
    user_id: str = USER_ID,
    user_name: str = USER_NAME,
    response_urls: Iterable[Payload] = (),
    view: Payload | None = None,
) -> SlackPayload:
    """A modal submitted with `values` (block_id -> action_id -> value or a full state element).

    `view` adds to or overrides the fields of the submitted view (blocks, title, hash ...).
    """
    submitted: Payload = {
        "id": view_id,
        "team_id": TEAM_ID,
        "type": "modal",
        "blocks": [],
        "private_metadata": private_metadata,
        "callback_id": callback_id,
        "state": {"values": _state_values(values)},
        "hash": f"{int(time.time())}.{uuid.uuid4().hex[:8]}",
        "title": {"type": "plain_text", "text": "kundebot", "emoji": True},
        "clear_on_close": False,
        "notify_on_close": False,
        "close": {"type": "plain_text", "text": "Avbryt", "emoji": True},
        "submit": {"type": "plain_text", "text": "Lagre", "emoji": True},
        "previous_view_id": None,
        "root_view_id": view_id,
        "app_id": APP_ID,
        "external_id": "",
        "app_installed_team_id": TEAM_ID,
        "bot_id": BOT_ID,
        **(view or {}),
    }
    return _interaction(
        {
            "type": "view_submission",
            "team": _team(),
            "user": _user(user_id, user_name),
            "api_app_id": APP_ID,
            "token": VERIFICATION_TOKEN,
            "trigger_id": _trigger_id(),
            "view": submitted,
            "response_urls": list(response_urls),
            "is_enterprise_install": False,
            "enterprise": None,
        }
    )


def message_shortcut(
    callback_id: str,
    *,
    message_text: str,
    response_url: str,
    message_user: str = USER_ID,
    message_ts: str | None = None,
    user_id: str = USER_ID,
    user_name: str = USER_NAME,
    channel_id: str = CHANNEL_ID,
    channel_name: str = CHANNEL_NAME,
) -> SlackPayload:
    """A message shortcut ("message_action") chosen on a message by `message_user`."""
    message_ts = message_ts or _ts()
    return _interaction(
        {
            "type": "message_action",
            "token": VERIFICATION_TOKEN,
            "action_ts": _ts(),
            "team": _team(),
            "user": {"id": user_id, "name": user_name, "username": user_name, "team_id": TEAM_ID},
            "channel": {"id": channel_id, "name": channel_name},
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": callback_id,
            "trigger_id": _trigger_id(),
            "message_ts": message_ts,
            "message": {
                "client_msg_id": str(uuid.uuid4()),
                "type": "message",
                "text": message_text,
                "user": message_user,
                "ts": message_ts,
                "team": TEAM_ID,
                "blocks": _rich_text(message_text),
            },
            "response_url": response_url,
        }
    )
