"""The Slack fakes against the real clients: slack_sdk's AsyncWebClient and a tiny slack_bolt AsyncApp.

tests/servers/slack.py stands in for Slack's Web API; tests/bot/slack_requests.py signs requests as Slack
does. If these pass, a scenario test driving kundebot through them talks to Slack the way Slack talks.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond, AsyncSay
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from tests.bot.slack_requests import (
    CHANNEL_ID,
    USER_ID,
    SlackPayload,
    app_mention,
    block_actions,
    bot_message,
    direct_message,
    message_shortcut,
    sign,
    slash_command,
    url_verification,
    view_submission,
)
from tests.servers.slack import BOT_ID, BOT_USER_ID, TEAM_ID, FakeSlackApi, running_slack_api, running_web_app

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TOKEN = "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy"


@pytest.fixture
async def api() -> AsyncIterator[FakeSlackApi]:
    async with running_slack_api() as fake:
        yield fake


@pytest.fixture
def client(api: FakeSlackApi) -> AsyncWebClient:
    return AsyncWebClient(token=TOKEN, base_url=api.api_url)


# --- the Web API, through slack_sdk ------------------------------------------------------------------


async def test_auth_test_answers_the_bots_identity(client: AsyncWebClient, api: FakeSlackApi) -> None:
    response = await client.auth_test()
    assert (response["user_id"], response["bot_id"], response["team_id"]) == (BOT_USER_ID, BOT_ID, TEAM_ID)
    assert api.calls("auth.test")[0].token == TOKEN


async def test_chat_post_message_is_recorded_with_its_arguments(
    client: AsyncWebClient, api: FakeSlackApi
) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Fjordlys AS*"}}]
    response = await client.chat_postMessage(channel=CHANNEL_ID, text="Fjordlys AS", blocks=blocks)

    assert response["channel"] == CHANNEL_ID
    assert response["message"]["ts"] == response["ts"]
    assert response["message"]["bot_id"] == BOT_ID
    [call] = api.calls("chat.postMessage")
    assert call.params == {"channel": CHANNEL_ID, "text": "Fjordlys AS", "blocks": blocks}
    assert call.headers["authorization"] == f"Bearer {TOKEN}"
    assert call.headers["Content-Type"].startswith("application/json")


async def test_a_message_to_a_user_id_lands_in_their_dm_and_can_be_updated_and_read_back(
    client: AsyncWebClient, api: FakeSlackApi
) -> None:
    posted = await client.chat_postMessage(channel=USER_ID, text="Møte med Fjordlys kl. 10")
    assert posted["channel"] == api.dm_channel(USER_ID)

    updated = await client.chat_update(channel=posted["channel"], ts=posted["ts"], text="Møte flyttet til 11")
    history = await client.conversations_history(channel=posted["channel"])
    link = await client.chat_getPermalink(channel=posted["channel"], message_ts=posted["ts"])

    assert updated["ts"] == posted["ts"]
    assert [m["text"] for m in history["messages"]] == ["Møte flyttet til 11"]
    assert link["permalink"].endswith(f"/archives/{posted['channel']}/p{posted['ts'].replace('.', '')}")
    with pytest.raises(SlackApiError) as error:
        await client.chat_update(channel=posted["channel"], ts="1.000001", text="?")
    assert error.value.response["error"] == "message_not_found"


async def test_users_info_describes_an_added_user(client: AsyncWebClient, api: FakeSlackApi) -> None:
    api.add_user("U0AKSEL001", "Aksel Virtanen", "aksel@fjordlys.fi", tz="Europe/Helsinki", locale="fi-FI")

    response = await client.users_info(user="U0AKSEL001", include_locale=True)

    user = response["user"]
    assert (user["real_name"], user["tz"], user["locale"]) == ("Aksel Virtanen", "Europe/Helsinki", "fi-FI")
    assert user["tz_offset"] in (7200, 10800)  # EET or EEST
    assert user["profile"]["email"] == "aksel@fjordlys.fi"
    assert api.calls("users.info")[0].http_method == "GET"


async def test_users_info_leaves_out_the_locale_unless_asked_like_slack(
    client: AsyncWebClient, api: FakeSlackApi
) -> None:
    api.add_user("U0AKSEL001", "Aksel Virtanen", "aksel@fjordlys.fi")
    response = await client.users_info(user="U0AKSEL001")
    assert "locale" not in response["user"]


async def test_users_info_of_an_unknown_user_is_user_not_found(client: AsyncWebClient) -> None:
    with pytest.raises(SlackApiError) as error:
        await client.users_info(user="U0NOBODY01")
    assert error.value.response["error"] == "user_not_found"


async def test_a_call_without_a_token_is_not_authed(api: FakeSlackApi) -> None:
    anonymous = AsyncWebClient(base_url=api.api_url)
    with pytest.raises(SlackApiError) as error:
        await anonymous.chat_postMessage(channel=CHANNEL_ID, text="hei")
    assert error.value.response["error"] == "not_authed"


async def test_a_failed_method_answers_ok_false_with_the_error(
    client: AsyncWebClient, api: FakeSlackApi
) -> None:
    api.fail("chat.postMessage", error="channel_not_found")
    with pytest.raises(SlackApiError) as error:
        await client.chat_postMessage(channel="C0GONE0001", text="hei")
    assert error.value.response.status_code == 200
    assert error.value.response["error"] == "channel_not_found"


async def test_a_rate_limited_call_is_retried_after_retry_after_seconds(api: FakeSlackApi) -> None:
    client = AsyncWebClient(
        token=TOKEN,
        base_url=api.api_url,
        retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)],
    )
    api.rate_limit("chat.postMessage", retry_after=1, times=1)

    started = time.monotonic()
    response = await client.chat_postMessage(channel=CHANNEL_ID, text="hei")
    waited = time.monotonic() - started

    assert response["ok"]
    assert len(api.calls("chat.postMessage")) == 2
    assert waited >= 1


async def test_a_rate_limit_without_a_retry_handler_is_a_429_error(
    client: AsyncWebClient, api: FakeSlackApi
) -> None:
    api.rate_limit("users.info", retry_after=30)
    with pytest.raises(SlackApiError) as error:
        await client.users_info(user=USER_ID)
    assert error.value.response.status_code == 429
    assert error.value.response.headers["Retry-After"] == "30"


async def test_a_modal_is_opened_and_updated_with_its_hash(client: AsyncWebClient, api: FakeSlackApi) -> None:
    view = {
        "type": "modal",
        "callback_id": "new_customer",
        "title": {"type": "plain_text", "text": "Ny kunde"},
        "blocks": [],
    }
    opened = await client.views_open(trigger_id="1.2.abc", view=view)
    view_id, first_hash = opened["view"]["id"], opened["view"]["hash"]

    updated = await client.views_update(view_id=view_id, hash=first_hash, view=view)
    assert updated["view"]["id"] == view_id
    assert updated["view"]["callback_id"] == "new_customer"
    with pytest.raises(SlackApiError) as error:
        await client.views_update(view_id=view_id, hash=first_hash, view=view)  # stale now
    assert error.value.response["error"] == "hash_conflict"


async def test_files_upload_v2_goes_through_its_three_steps(
    client: AsyncWebClient, api: FakeSlackApi
) -> None:
    response = await client.files_upload_v2(
        channel=CHANNEL_ID, filename="kunder.csv", content="navn\nFjordlys AS\n"
    )

    assert response["file"]["name"] == "kunder.csv"
    assert response["file"]["channels"] == [CHANNEL_ID]
    [uploaded] = api.uploads.values()
    assert uploaded == b"navn\nFjordlys AS\n"
    assert [c.method for c in api.calls()] == [
        "files.getUploadURLExternal",
        "upload",
        "files.completeUploadExternal",
    ]


async def test_wait_for_fails_with_what_was_called_instead(api: FakeSlackApi, client: AsyncWebClient) -> None:
    await client.auth_test()
    with pytest.raises(AssertionError, match=r"chat.postMessage called 0 times, not 1: \['auth.test'\]"):
        await api.wait_for("chat.postMessage", timeout=0.1)


# --- signing ------------------------------------------------------------------------------------------


def every_kind_of_request(response_url: str) -> list[SlackPayload]:
    return [
        slash_command("/kunde", "Fjordlys & Co, 923 609 016", response_url=response_url),
        app_mention("<@U0KUNDEBOT> hvem er Fjordlys?"),
        direct_message("logg samtale med Fjordlys"),
        bot_message("Fjordlys AS lagt til"),
        block_actions("confirm", "customer:42", response_url=response_url),
        view_submission("new_customer", {"name": {"name": "Fjordlys AS"}}),
        message_shortcut("log_message", message_text="Kari ringte om fornyelsen", response_url=response_url),
        url_verification(),
    ]


def test_signatures_match_slack_sdks_signature_verifier() -> None:
    verifier = SignatureVerifier(SECRET)
    for payload in every_kind_of_request("http://127.0.0.1:9/response/x"):
        request = payload.signed(SECRET)
        assert verifier.is_valid_request(request.body, request.headers), payload.data
        timestamp = request.headers["X-Slack-Request-Timestamp"]
        assert sign(SECRET, timestamp, request.body) == verifier.generate_signature(
            timestamp=timestamp, body=request.body
        )


def test_tampered_requests_fail_slack_sdks_signature_verifier() -> None:
    verifier = SignatureVerifier(SECRET)
    payload = slash_command("/kunde", "Fjordlys", response_url="http://127.0.0.1:9/response/x")
    for request in (
        payload.signed(SECRET, bad_signature=True),
        payload.signed(SECRET, age=6 * 60),
        payload.signed(SECRET, without=("X-Slack-Signature",)),
        payload.signed(SECRET, without=("X-Slack-Request-Timestamp",)),
    ):
        assert not verifier.is_valid_request(request.body, request.headers), request.headers


def test_retry_headers_are_added_and_the_body_stays_the_same() -> None:
    event = app_mention("<@U0KUNDEBOT> hei")
    first, retry = event.signed(SECRET), event.signed(SECRET, retry_num=1, retry_reason="http_timeout")
    assert retry.body == first.body
    assert (retry.headers["X-Slack-Retry-Num"], retry.headers["X-Slack-Retry-Reason"]) == (
        "1",
        "http_timeout",
    )
    assert "X-Slack-Retry-Num" not in first.headers


# --- a bolt app served over HTTP, talking to the fake ----------------------------------------------------


@dataclass
class BoltApp:
    url: str
    session: aiohttp.ClientSession
    heard: list[tuple[str, Any]]  # what the listeners saw; they run after the ack

    async def hears(self, count: int) -> list[tuple[str, Any]]:
        deadline = time.monotonic() + 2.0
        while len(self.heard) < count:
            assert time.monotonic() < deadline, f"heard {self.heard}, expected {count}"
            await asyncio.sleep(0.01)
        return self.heard


@pytest.fixture
async def bolt(api: FakeSlackApi) -> AsyncIterator[BoltApp]:
    app = AsyncApp(signing_secret=SECRET, client=AsyncWebClient(token=TOKEN, base_url=api.api_url))
    heard: list[tuple[str, Any]] = []

    @app.command("/kunde")
    async def kunde(ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        await respond(f"Søker etter {command['text']}")

    @app.event("app_mention")
    async def mentioned(event: dict[str, Any], say: AsyncSay) -> None:
        await say(f"Hei <@{event['user']}>", thread_ts=event["ts"])

    @app.event("message")
    async def message(event: dict[str, Any]) -> None:
        heard.append(("message", f"{event.get('channel_type')}: {event['text']}"))

    @app.action("confirm")
    async def confirm(ack: AsyncAck, action: dict[str, Any]) -> None:
        await ack()
        heard.append(("confirm", action["value"]))

    @app.view("new_customer")
    async def new_customer(ack: AsyncAck, view: dict[str, Any]) -> None:
        await ack()
        heard.append(("new_customer", view["state"]["values"]["name"]["name"]["value"]))

    @app.shortcut("log_message")
    async def log_message(ack: AsyncAck, shortcut: dict[str, Any]) -> None:
        await ack()
        heard.append(("log_message", shortcut["message"]["text"]))

    async with (
        running_web_app(app.web_app(path="/slack/events")) as base_url,
        aiohttp.ClientSession() as session,
    ):
        yield BoltApp(base_url + "/slack/events", session, heard)


async def test_a_signed_slash_command_is_acked_and_respond_reaches_the_response_url(
    bolt: BoltApp, api: FakeSlackApi
) -> None:
    command = slash_command("/kunde", "Fjordlys", response_url=api.response_url("cmd-1"))

    reply = await command.signed(SECRET).post(bolt.session, bolt.url)

    assert reply.status == 200
    [response] = await api.wait_for("response_url")
    assert response.path == "/response/cmd-1"
    assert response.params["text"] == "Søker etter Fjordlys"
    assert api.responses("cmd-1") == [response]


@pytest.mark.parametrize(
    "tamper",
    [
        {"bad_signature": True},
        {"without": ("X-Slack-Signature", "X-Slack-Request-Timestamp")},
        {"age": 6 * 60},
    ],
    ids=["bad signature", "missing headers", "six minutes old"],
)
async def test_a_request_slack_did_not_sign_just_now_is_rejected_with_401(
    bolt: BoltApp, api: FakeSlackApi, tamper: dict[str, Any]
) -> None:
    command = slash_command("/kunde", "Fjordlys", response_url=api.response_url("cmd-1"))

    reply = await command.signed(SECRET, **tamper).post(bolt.session, bolt.url)

    assert reply.status == 401
    assert api.responses() == []


async def test_an_app_mention_is_answered_in_its_thread_through_chat_post_message(
    bolt: BoltApp, api: FakeSlackApi
) -> None:
    mention = app_mention("<@U0KUNDEBOT> hvem er Fjordlys?", user=USER_ID)

    reply = await mention.signed(SECRET).post(bolt.session, bolt.url)

    assert reply.status == 200
    [call] = await api.wait_for("chat.postMessage")
    assert call.params["text"] == f"Hei <@{USER_ID}>"
    assert call.params["thread_ts"] == mention.data["event"]["ts"]


async def test_interactions_reach_their_listeners(bolt: BoltApp, api: FakeSlackApi) -> None:
    url = api.response_url("i-1")
    for payload in (
        block_actions("confirm", "customer:42", response_url=url),
        view_submission("new_customer", {"name": {"name": "Fjordlys AS"}}),
        message_shortcut("log_message", message_text="Kari ringte", response_url=url),
        direct_message("hei"),
    ):
        reply = await payload.signed(SECRET).post(bolt.session, bolt.url)
        assert reply.status == 200, payload.data

    assert await bolt.hears(4) == [
        ("confirm", "customer:42"),
        ("new_customer", "Fjordlys AS"),
        ("log_message", "Kari ringte"),
        ("message", "im: hei"),
    ]


async def test_the_bots_own_message_is_ignored_by_bolt_and_another_bots_is_not(bolt: BoltApp) -> None:
    own = await bot_message("Fjordlys AS lagt til").signed(SECRET).post(bolt.session, bolt.url)
    other = (
        await bot_message("deploy ferdig", bot_id="B0OTHERBOT", user="U0OTHERBOT")
        .signed(SECRET)
        .post(bolt.session, bolt.url)
    )

    assert (own.status, other.status) == (200, 200)
    assert await bolt.hears(1) == [("message", "im: deploy ferdig")]  # own was dropped before its ack


async def test_url_verification_is_answered_with_the_challenge(bolt: BoltApp) -> None:
    reply = await url_verification("abc123").signed(SECRET).post(bolt.session, bolt.url)
    assert reply.status == 200
    assert reply.json() == {"challenge": "abc123"}
