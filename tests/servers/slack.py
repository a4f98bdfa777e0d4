"""A fake Slack Web API on 127.0.0.1, for slack_sdk's AsyncWebClient and bolt's `respond()`.

Point a client at it with `AsyncWebClient(token="xoxb-...", base_url=api.api_url)` (or set SLACK_API_URL
to `api.api_url`, which is `api.base_url + "/api/"`: slack_sdk joins methods with urljoin, so the final
slash matters). Every call is recorded, like bolt-python's `tests/mock_web_api_server`:

    /api/<method>           GET or POST, parameters from the query, a form body or a JSON body (slack_sdk
                            sends chat.* and views.* as JSON, users.info and conversations.history as GET,
                            files.* as query parameters); the token from `Authorization: Bearer ...` or a
                            `token` parameter. No token: not_authed; one not starting with "xox": invalid_auth.
    /response/<id>          a response_url (`api.response_url(id)`); recorded as method "response_url";
                            answers "ok" as text, like Slack's hooks.
    /upload/v1/<file id>    the upload URL files.getUploadURLExternal hands out (files_upload_v2, step 2).

The answers have the shapes of Slack's documented success responses and keep a little state, so a reply
can be updated, a history read back and a modal updated with its hash:

    auth.test                      the bot's identity (user_id, bot_id, team_id, team, url)
    chat.postMessage               channel, ts, message; a user ID as channel answers that user's DM "D..."
    chat.postEphemeral             message_ts
    chat.update                    channel, ts, text, message; message_not_found for an unknown ts
    chat.getPermalink              https://<domain>.slack.com/archives/<channel>/p<ts without the dot>
    conversations.history          messages posted (or added with `add_message`) there, newest first (before `latest` when given)
    conversations.open             with `users` (one user ID): that user's DM channel "D..." (as chat.postMessage)
    users.info / users.lookupByEmail  users added with `add_user`; `locale` only with include_locale,
                                   as in the real API; else user_not_found / users_not_found
    views.open / views.push        the view with id, hash, state, root_view_id ...
    views.update                   the same id; hash_conflict when a stale `hash` is sent
    views.publish                  the user's Home tab view
    files.getUploadURLExternal     upload_url (on this server) and file_id
    files.completeUploadExternal   a file object per uploaded file
    any other method               {"ok": true}

Per test, a method can answer HTTP 429 with Retry-After, or {"ok": false, "error": ...}:

    api.rate_limit("chat.postMessage", retry_after=1, times=1)
    api.fail("views.open", error="expired_trigger_id")
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from aiohttp import web
from multidict import CIMultiDict

# The workspace and app the fake stands in for; tests/bot/slack_requests.py sends requests from the same.
TEAM_ID = "T0KUNDE01"
TEAM_NAME = "Fjordlys Rådgivning"
TEAM_DOMAIN = "fjordlys"
APP_ID = "A0KUNDEBOT"
BOT_ID = "B0KUNDEBOT"
BOT_USER_ID = "U0KUNDEBOT"
BOT_NAME = "kundebot"
SCOPES = "app_mentions:read,chat:write,commands,files:write,im:history,users:read,users:read.email"

RESPONSE_URL = "response_url"  # the method name response_url posts are recorded under

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
Params = dict[str, Any]


@dataclass(frozen=True)
class SlackCall:
    """One request the fake received: a Web API method (or "response_url") and what was sent."""

    method: str
    params: Params  # query, form and JSON body merged; values as sent (a form's JSON stays a string)
    headers: CIMultiDict[str]
    http_method: str = "POST"
    path: str = ""
    client_port: int | None = None  # the sender's port: which connection it came on

    @property
    def token(self) -> str | None:
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            return auth.removeprefix("Bearer ")
        token = self.params.get("token")
        return str(token) if token is not None else None

    def json_param(self, name: str) -> Any:
        """A parameter that may arrive as a JSON string (form/query) or as JSON (a JSON body)."""
        value = self.params.get(name)
        return json.loads(value) if isinstance(value, str) else value


@dataclass
class _Rule:
    status: int
    body: Params
    headers: dict[str, str] = field(default_factory=dict)
    times: int | None = None  # None: every time


@dataclass
class _User:
    id: str
    name: str
    email: str
    tz: str
    locale: str
    is_bot: bool = False
    deleted: bool = False

    def as_slack(self, *, include_locale: bool) -> Params:
        now = datetime.now(ZoneInfo(self.tz))
        offset = now.utcoffset()
        handle = self.email.split("@", 1)[0]
        first, _, last = self.name.partition(" ")
        user: Params = {
            "id": self.id,
            "team_id": TEAM_ID,
            "name": handle,
            "deleted": self.deleted,
            "color": "9f69e7",
            "real_name": self.name,
            "tz": self.tz,
            "tz_label": now.tzname(),
            "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
            "profile": {
                "title": "",
                "phone": "",
                "real_name": self.name,
                "real_name_normalized": self.name,
                "display_name": handle,
                "display_name_normalized": handle,
                "first_name": first,
                "last_name": last,
                "email": self.email,
                "team": TEAM_ID,
            },
            "is_admin": False,
            "is_owner": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "updated": 1700000000,
            "is_email_confirmed": True,
        }
        if include_locale:
            user["locale"] = self.locale
        return user


class FakeSlackApi:
    def __init__(self) -> None:
        self.base_url = ""  # set once listening
        self.recorded: list[SlackCall] = []
        self.uploads: dict[str, bytes] = {}  # file id -> bytes received at its upload URL
        self._rules: dict[str, list[_Rule]] = {}
        self._users: dict[str, _User] = {}
        self._history: dict[str, list[Params]] = {}  # channel -> messages, oldest first
        self._views: dict[str, Params] = {}
        self._home_views: dict[str, str] = {}  # user -> view id
        self._files: dict[str, Params] = {}  # file id -> filename, length, ...
        self._ids = itertools.count(1)
        self._ts = itertools.count(1)
        self._recorded_changed: asyncio.Condition | None = None
        self._methods: dict[str, Callable[[SlackCall], Params]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.postEphemeral": self._post_ephemeral,
            "chat.update": self._update,
            "chat.getPermalink": self._permalink,
            "conversations.history": self._history_of,
            "conversations.open": self._open_conversation,
            "users.info": self._users_info,
            "users.lookupByEmail": self._users_lookup_by_email,
            "views.open": self._views_open,
            "views.push": self._views_open,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "files.getUploadURLExternal": self._upload_url,
            "files.completeUploadExternal": self._complete_upload,
        }

    # --- setup and per-test controls ---------------------------------------------------------------

    def add_user(
        self,
        id: str,
        name: str,
        email: str,
        tz: str = "Europe/Oslo",
        locale: str = "nb-NO",
        *,
        is_bot: bool = False,
        deleted: bool = False,
    ) -> None:
        """A workspace member users.info and users.lookupByEmail answer for."""
        self._users[id] = _User(id, name, email, tz, locale, is_bot, deleted)

    def add_message(
        self, channel: str, text: str, *, user: str, ts: str | None = None, thread_ts: str | None = None
    ) -> str:
        """A message already in `channel` (for conversations.history, chat.update); returns its ts."""
        message: Params = {"type": "message", "user": user, "text": text, "ts": ts or self._next_ts()}
        if thread_ts:
            message["thread_ts"] = thread_ts
        self._history.setdefault(channel, []).append(message)
        return str(message["ts"])

    @property
    def api_url(self) -> str:
        """The Web API base URL for AsyncWebClient(base_url=...) or SLACK_API_URL (note the final slash)."""
        return self.base_url + "/api/"

    def response_url(self, id: str) -> str:
        """A response_url on this server; posts to it are recorded as method "response_url"."""
        return f"{self.base_url}/response/{id}"

    def rate_limit(self, method: str, retry_after: int = 1, times: int | None = 1) -> None:
        """Answer `method` with HTTP 429 and Retry-After, `times` times (None: always)."""
        rule = _Rule(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)}, times)
        self._rules.setdefault(method, []).append(rule)

    def fail(self, method: str, error: str = "channel_not_found", times: int | None = None) -> None:
        """Answer `method` with HTTP 200 {"ok": false, "error": error}, `times` times (None: always)."""
        self._rules.setdefault(method, []).append(_Rule(200, {"ok": False, "error": error}, times=times))

    def dm_channel(self, user_id: str) -> str:
        """The ID of the bot's direct-message channel with `user_id`."""
        return "D" + user_id.removeprefix("U").removeprefix("W")

    # --- what was called ---------------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[SlackCall]:
        return [c for c in self.recorded if method is None or c.method == method]

    def responses(self, id: str | None = None) -> list[SlackCall]:
        """Posts to response URLs (all, or those to `response_url(id)`)."""
        path = None if id is None else f"/response/{id}"
        return [c for c in self.calls(RESPONSE_URL) if path is None or c.path == path]

    # A test reads better with the limit in the call than in an `asyncio.timeout` block around it.
    async def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[SlackCall]:  # noqa: ASYNC109
        """Wait until `method` was called `count` times (replies come after the ack); its calls."""
        changed = self._changed()
        try:
            async with changed:
                await asyncio.wait_for(changed.wait_for(lambda: len(self.calls(method)) >= count), timeout)
        except TimeoutError:
            seen = [c.method for c in self.recorded]
            raise AssertionError(
                f"{method} called {len(self.calls(method))} times, not {count}: {seen}"
            ) from None
        return self.calls(method)

    # --- serving -----------------------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{id}", self._response_url)
        app.router.add_post("/upload/v1/{file_id}", self._upload)
        return app

    def _changed(self) -> asyncio.Condition:
        if self._recorded_changed is None:
            self._recorded_changed = asyncio.Condition()
        return self._recorded_changed

    async def _record(self, call: SlackCall) -> None:
        self.recorded.append(call)
        changed = self._changed()
        async with changed:
            changed.notify_all()

    async def _api(self, request: web.Request) -> web.StreamResponse:
        call = SlackCall(
            method=request.match_info["method"],
            params=await _params(request),
            headers=CIMultiDict(request.headers),
            http_method=request.method,
            path=request.path,
        )
        await self._record(call)
        headers = {"X-OAuth-Scopes": SCOPES, "X-Accepted-OAuth-Scopes": ""}
        rule = self._next_rule(call.method)
        if rule is not None:
            return web.json_response(rule.body, status=rule.status, headers={**headers, **rule.headers})
        if call.token is None:
            return web.json_response({"ok": False, "error": "not_authed"}, headers=headers)
        if not call.token.startswith("xox"):
            return web.json_response({"ok": False, "error": "invalid_auth"}, headers=headers)
        answer = self._methods.get(call.method, lambda call: {"ok": True})
        return web.json_response(answer(call), headers=headers)

    async def _response_url(self, request: web.Request) -> web.StreamResponse:
        await self._record(
            SlackCall(
                RESPONSE_URL,
                await _params(request),
                CIMultiDict(request.headers),
                "POST",
                request.path,
                _client_port(request),
            )
        )
        rule = self._next_rule(RESPONSE_URL)
        if rule is not None:
            return web.json_response(rule.body, status=rule.status, headers=rule.headers)
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.StreamResponse:
        file_id = request.match_info["file_id"]
        data = await request.read()
        self.uploads[file_id] = data
        params = {"file_id": file_id, "length": len(data)}
        await self._record(SlackCall("upload", params, CIMultiDict(request.headers), "POST", request.path))
        return web.Response(text=f"OK - {len(data)}")

    def _next_rule(self, method: str) -> _Rule | None:
        rules = self._rules.get(method)
        if not rules:
            return None
        rule = rules[0]
        if rule.times is not None:
            rule.times -= 1
            if rule.times <= 0:
                rules.pop(0)
        return rule

    # --- methods -----------------------------------------------------------------------------------

    def _next_ts(self) -> str:
        return f"{int(time.time())}.{next(self._ts):06d}"

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}0K{next(self._ids):07d}"

    def _channel(self, call: SlackCall, name: str = "channel") -> str:
        channel = str(call.params.get(name, ""))
        return self.dm_channel(channel) if channel.startswith(("U", "W")) else channel

    def _auth_test(self, call: SlackCall) -> Params:
        return {
            "ok": True,
            "url": f"https://{TEAM_DOMAIN}.slack.com/",
            "team": TEAM_NAME,
            "user": BOT_NAME,
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _bot_message(self, call: SlackCall, ts: str) -> Params:
        message: Params = {
            "type": "message",
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "text": call.params.get("text", ""),
            "ts": ts,
            "team": TEAM_ID,
            "bot_profile": {
                "id": BOT_ID,
                "app_id": APP_ID,
                "name": BOT_NAME,
                "deleted": False,
                "team_id": TEAM_ID,
            },
        }
        for name in ("blocks", "attachments", "thread_ts", "metadata"):
            if name in call.params:
                message[name] = call.json_param(name)
        return message

    def _post_message(self, call: SlackCall) -> Params:
        channel = self._channel(call)
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not any(call.params.get(name) for name in ("text", "blocks", "attachments")):
            return {"ok": False, "error": "no_text"}
        message = self._bot_message(call, self._next_ts())
        self._history.setdefault(channel, []).append(message)
        return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}

    def _post_ephemeral(self, call: SlackCall) -> Params:
        if not self._channel(call):
            return {"ok": False, "error": "channel_not_found"}
        if not call.params.get("user"):
            return {"ok": False, "error": "user_not_in_channel"}
        return {"ok": True, "message_ts": self._next_ts()}

    def _update(self, call: SlackCall) -> Params:
        channel, ts = self._channel(call), str(call.params.get("ts", ""))
        for i, old in enumerate(self._history.get(channel, [])):
            if old["ts"] == ts:
                message = {**old, **self._bot_message(call, ts), "edited": {"user": BOT_USER_ID, "ts": ts}}
                self._history[channel][i] = message
                return {"ok": True, "channel": channel, "ts": ts, "text": message["text"], "message": message}
        return {"ok": False, "error": "message_not_found"}

    def _permalink(self, call: SlackCall) -> Params:
        channel, ts = self._channel(call), str(call.params.get("message_ts", ""))
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        url = f"https://{TEAM_DOMAIN}.slack.com/archives/{channel}/p{ts.replace('.', '')}"
        return {"ok": True, "channel": channel, "permalink": url}

    def _history_of(self, call: SlackCall) -> Params:
        messages = list(reversed(self._history.get(self._channel(call), [])))
        latest = call.params.get("latest")
        if latest:  # only messages before it (or at it, with inclusive)
            inclusive = str(call.params.get("inclusive", "")).lower() in ("1", "true")
            messages = [
                m for m in messages if float(m["ts"]) < float(latest) or (inclusive and m["ts"] == latest)
            ]
        limit = int(call.params.get("limit", 100))
        return {
            "ok": True,
            "messages": messages[:limit],
            "has_more": len(messages) > limit,
            "pin_count": 0,
            "response_metadata": {"next_cursor": ""},
        }

    def _open_conversation(self, call: SlackCall) -> Params:
        users = [u for u in str(call.params.get("users", "")).split(",") if u]
        if len(users) != 1:  # a group DM (several users) or a channel: not needed by kundebot
            return {"ok": False, "error": "users_list_not_supplied" if not users else "not_supported"}
        channel = self.dm_channel(users[0])
        return {
            "ok": True,
            "no_op": True,
            "already_open": True,
            "channel": {"id": channel, "is_im": True, "user": users[0], "created": 1700000000},
        }

    def _users_info(self, call: SlackCall) -> Params:
        user = self._users.get(str(call.params.get("user", "")))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        include_locale = str(call.params.get("include_locale", "")).lower() in ("1", "true")
        return {"ok": True, "user": user.as_slack(include_locale=include_locale)}

    def _users_lookup_by_email(self, call: SlackCall) -> Params:
        email = str(call.params.get("email", "")).lower()
        for user in self._users.values():
            if user.email.lower() == email:
                return {"ok": True, "user": user.as_slack(include_locale=False)}
        return {"ok": False, "error": "users_not_found"}

    def _view(self, submitted: Params, view_id: str, previous_view_id: str | None = None) -> Params:
        view: Params = {
            "id": view_id,
            "team_id": TEAM_ID,
            "type": "modal",
            "blocks": [],
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            "clear_on_close": False,
            "notify_on_close": False,
            **submitted,
            "state": {"values": {}},
            "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
            "previous_view_id": previous_view_id,
            "root_view_id": view_id,
            "app_id": APP_ID,
            "app_installed_team_id": TEAM_ID,
            "bot_id": BOT_ID,
        }
        self._views[view_id] = view
        return view

    def _views_open(self, call: SlackCall) -> Params:
        view = call.json_param("view")
        if not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments"}
        if not (call.params.get("trigger_id") or call.params.get("interactivity_pointer")):
            return {"ok": False, "error": "invalid_arguments"}
        return {"ok": True, "view": self._view(view, self._next_id("V"))}

    def _views_update(self, call: SlackCall) -> Params:
        view = call.json_param("view")
        if not isinstance(view, dict):
            return {"ok": False, "error": "invalid_arguments"}
        view_id = call.params.get("view_id")
        if not view_id and call.params.get("external_id"):
            external = call.params["external_id"]
            view_id = next((v["id"] for v in self._views.values() if v.get("external_id") == external), None)
        if not view_id or view_id not in self._views:
            return {"ok": False, "error": "not_found"}
        sent_hash = call.params.get("hash")
        if sent_hash and sent_hash != self._views[view_id]["hash"]:
            return {"ok": False, "error": "hash_conflict"}
        return {"ok": True, "view": self._view(view, view_id, self._views[view_id].get("previous_view_id"))}

    def _views_publish(self, call: SlackCall) -> Params:
        view, user = call.json_param("view"), str(call.params.get("user_id", ""))
        if not isinstance(view, dict) or not user:
            return {"ok": False, "error": "invalid_arguments"}
        if user not in self._home_views:
            self._home_views[user] = self._next_id("V")
        view_id = self._home_views[user]
        return {"ok": True, "view": self._view({"type": "home", **view}, view_id)}

    def _upload_url(self, call: SlackCall) -> Params:
        if not call.params.get("filename") or not call.params.get("length"):
            return {"ok": False, "error": "invalid_arguments"}
        file_id = self._next_id("F")
        self._files[file_id] = {"name": call.params["filename"], "length": int(call.params["length"])}
        return {"ok": True, "upload_url": f"{self.base_url}/upload/v1/{file_id}", "file_id": file_id}

    def _complete_upload(self, call: SlackCall) -> Params:
        listed = call.json_param("files")
        if not isinstance(listed, list) or not listed:
            return {"ok": False, "error": "invalid_arguments"}
        channel = call.params.get("channel_id") or call.params.get("channels")
        files = []
        for item in listed:
            file_id = item["id"]
            known = self._files.get(file_id)
            if known is None or file_id not in self.uploads:
                return {"ok": False, "error": "file_not_found"}
            name = known["name"]
            files.append(
                {
                    "id": file_id,
                    "created": int(time.time()),
                    "timestamp": int(time.time()),
                    "name": name,
                    "title": item.get("title") or name,
                    "mimetype": _mimetype(name),
                    "filetype": name.rsplit(".", 1)[-1] if "." in name else "binary",
                    "user": BOT_USER_ID,
                    "size": len(self.uploads[file_id]),
                    "url_private": f"https://files.slack.com/files-pri/{TEAM_ID}-{file_id}/{name}",
                    "permalink": f"https://{TEAM_DOMAIN}.slack.com/files/{BOT_USER_ID}/{file_id}/{name}",
                    "channels": str(channel).split(",") if channel else [],
                }
            )
        return {"ok": True, "files": files}


async def _params(request: web.Request) -> Params:
    """Query parameters, then a form or JSON body, as one dict (the body wins)."""
    params: Params = dict(request.query)
    body = await request.text()
    if not body:
        return params
    if request.content_type == "application/json" or body.lstrip().startswith("{"):
        parsed = json.loads(body)
        if isinstance(parsed, Mapping):
            params.update(parsed)
        return params
    params.update(parse_qsl(body, keep_blank_values=True))
    return params


def _mimetype(name: str) -> str:
    kinds = {
        "pdf": "application/pdf",
        "csv": "text/csv",
        "txt": "text/plain",
        "png": "image/png",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    return kinds.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream")


@contextlib.asynccontextmanager
async def running_web_app(app: web.Application) -> AsyncIterator[str]:
    """Serve an aiohttp app on 127.0.0.1 on a free port for the duration of the block; its base URL."""
    runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=0.5, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()


@contextlib.asynccontextmanager
async def running_slack_api() -> AsyncIterator[FakeSlackApi]:
    """A FakeSlackApi listening on 127.0.0.1 on a free port for the duration of the block."""
    api = FakeSlackApi()
    async with running_web_app(api.app()) as base_url:
        api.base_url = base_url
        yield api


def _client_port(request: web.Request) -> int | None:
    peer = request.transport.get_extra_info("peername") if request.transport else None
    return int(peer[1]) if peer else None
