"""Outgoing mail (mail_sync.smtp) through a real aiosmtpd server; its settings (mail_sync.config)."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from mail_sync.config import SmtpSettings
from mail_sync.smtp import MailNotSent, build_message, send
from tests.mail_sync.conftest import SMTP_USERS
from tests.servers.smtp import SmtpServer, free_port

SENDER = "kundebot@firm.test"
TEXT = "God morgen!\n\nTre oppgaver i dag; første: ring Kari på Ærø.\n"
HTML = "<p>God morgen!</p><p>Tre oppgaver i dag; første: ring <b>Kari</b> på Ærø.</p>"


def plain_settings(server: SmtpServer) -> SmtpSettings:
    return SmtpSettings(host=server.host, port=server.port, security="plain", sender=SENDER, timeout=5)


def tls_settings(server: SmtpServer, password: str | None = None) -> SmtpSettings:
    return SmtpSettings(
        host=server.host,
        port=server.port,
        security=server.security,
        sender=SENDER,
        user=SENDER,
        password=SMTP_USERS[SENDER] if password is None else password,
        ca_file=server.ca_file,
        timeout=5,
    )


async def no_sleep(seconds: float) -> None:
    return None


async def test_a_text_and_html_message_arrives_intact(smtp_server: SmtpServer) -> None:
    message = build_message(SENDER, ["kari@acme.no", "ola@acme.no"], "Dagens oversikt – mandag", TEXT, HTML)

    assert await send(plain_settings(smtp_server), message) == {}

    [received] = smtp_server.messages
    assert received.mail_from == SENDER
    assert received.rcpt_tos == ("kari@acme.no", "ola@acme.no")
    parsed = received.message()
    assert parsed["Subject"] == "Dagens oversikt – mandag"
    assert parsed["Message-ID"] == message["Message-ID"]
    assert parsed.get_content_type() == "multipart/alternative"
    plain, html = parsed.get_body(("plain",)), parsed.get_body(("html",))
    assert plain is not None and plain.get_content() == TEXT
    assert html is not None and html.get_content().strip() == HTML


async def test_a_text_only_message_is_not_multipart(smtp_server: SmtpServer) -> None:
    await send(plain_settings(smtp_server), build_message(SENDER, "kari@acme.no", "Hei", TEXT))
    parsed = smtp_server.messages[0].message()
    assert parsed.get_content_type() == "text/plain"
    assert parsed.get_content() == TEXT


async def test_cc_recipients_get_the_message_too(smtp_server: SmtpServer) -> None:
    message = build_message(SENDER, "kari@acme.no", "Hei", TEXT, cc=["sjef@acme.no"])
    await send(plain_settings(smtp_server), message)
    assert smtp_server.messages[0].rcpt_tos == ("kari@acme.no", "sjef@acme.no")


async def test_a_reply_is_threaded_under_the_forwarded_message(smtp_server: SmtpServer) -> None:
    message = build_message(SENDER, "kari@firm.test", "Re: Tilbud", TEXT, in_reply_to="<abc@acme.no>")
    await send(plain_settings(smtp_server), message)
    parsed = smtp_server.messages[0].message()
    assert (parsed["In-Reply-To"], parsed["References"]) == ("<abc@acme.no>", "<abc@acme.no>")


async def test_starttls_with_auth_delivers_over_tls_as_the_logged_in_user(smtp_starttls: SmtpServer) -> None:
    await send(tls_settings(smtp_starttls), build_message(SENDER, "kari@acme.no", "Hei", TEXT))
    [received] = smtp_starttls.messages
    assert (received.tls, received.login) == (True, SENDER)


async def test_implicit_tls_with_auth_delivers(smtp_tls: SmtpServer) -> None:
    await send(tls_settings(smtp_tls), build_message(SENDER, "kari@acme.no", "Hei", TEXT))
    [received] = smtp_tls.messages
    assert (received.tls, received.login) == (True, SENDER)


async def test_a_wrong_password_raises_mail_not_sent_without_retrying(smtp_starttls: SmtpServer) -> None:
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    message = build_message(SENDER, "kari@acme.no", "Hei", TEXT)
    with pytest.raises(MailNotSent, match="login as kundebot@firm.test refused"):
        await send(tls_settings(smtp_starttls, password="wrong"), message, sleep=sleep)
    assert sleeps == []
    assert smtp_starttls.messages == []


async def test_a_certificate_the_client_does_not_trust_raises_mail_not_sent(
    smtp_starttls: SmtpServer,
) -> None:
    settings = replace(tls_settings(smtp_starttls), ca_file=None)
    with pytest.raises(MailNotSent, match="(?i)certificate"):
        await send(settings, build_message(SENDER, "kari@acme.no", "Hei", TEXT))


async def test_a_refused_connection_raises_mail_not_sent_quickly() -> None:
    settings = SmtpSettings(host="127.0.0.1", port=free_port(), security="plain", sender=SENDER, timeout=5)
    began = time.monotonic()
    with pytest.raises(MailNotSent, match="cannot connect") as raised:
        await send(settings, build_message(SENDER, "kari@acme.no", "Hei", TEXT))
    assert time.monotonic() - began < 1
    assert not raised.value.transient


async def test_a_temporary_rejection_is_retried_and_then_delivered(smtp_server: SmtpServer) -> None:
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    smtp_server.reject_next("451 4.3.0 Try again later", times=2)
    await send(plain_settings(smtp_server), build_message(SENDER, "kari@acme.no", "Hei", TEXT), sleep=sleep)
    assert len(smtp_server.messages) == 1
    assert sleeps == [2.0, 4.0]


async def test_temporary_rejections_give_up_after_the_last_attempt(smtp_server: SmtpServer) -> None:
    smtp_server.reject_next("451 4.3.0 Try again later", times=3)
    message = build_message(SENDER, "kari@acme.no", "Hei", TEXT)
    with pytest.raises(MailNotSent, match="451") as raised:
        await send(plain_settings(smtp_server), message, attempts=3, sleep=no_sleep)
    assert raised.value.transient
    assert smtp_server.messages == []


async def test_a_permanent_rejection_is_not_retried(smtp_server: SmtpServer) -> None:
    smtp_server.reject_next("554 5.7.1 Message rejected", times=1)
    with pytest.raises(MailNotSent, match="554"):
        await send(
            plain_settings(smtp_server), build_message(SENDER, "a@acme.no", "Hei", TEXT), sleep=no_sleep
        )
    assert smtp_server.messages == []


async def test_a_sender_with_a_display_name_sends_from_the_bare_address(smtp_server: SmtpServer) -> None:
    settings = replace(plain_settings(smtp_server), sender="Kundebot <kundebot@firm.test>")
    await send(settings, build_message(settings.sender, "kari@acme.no", "Hei", TEXT))
    [received] = smtp_server.messages
    assert received.mail_from == "kundebot@firm.test"
    assert received.message()["From"] == "Kundebot <kundebot@firm.test>"


async def test_from_is_filled_in_from_the_settings_when_missing(smtp_server: SmtpServer) -> None:
    message = build_message(SENDER, "kari@acme.no", "Hei", TEXT)
    del message["From"]
    await send(plain_settings(smtp_server), message)
    assert smtp_server.messages[0].message()["From"] == SENDER


# -- settings -------------------------------------------------------------------------------------------


def test_smtp_settings_are_none_without_smtp_host() -> None:
    assert SmtpSettings.from_env({"SMTP_USER": "bot@firm.no"}) is None


def test_smtp_settings_read_the_environment() -> None:
    settings = SmtpSettings.from_env(
        {
            "SMTP_HOST": "smtp.firm.no",
            "SMTP_PORT": "2525",
            "SMTP_USER": "bot",
            "SMTP_PASSWORD": "secret",
            "SMTP_SECURITY": "TLS",
            "SMTP_FROM": "Kundebot <kundebot@firm.no>",
        }
    )
    assert settings is not None
    assert (settings.host, settings.port, settings.security) == ("smtp.firm.no", 2525, "tls")
    assert (settings.user, settings.password, settings.sender) == (
        "bot",
        "secret",
        "Kundebot <kundebot@firm.no>",
    )
    assert "secret" not in repr(settings)


def test_smtp_settings_default_to_starttls_on_587_and_send_from_the_login() -> None:
    settings = SmtpSettings.from_env({"SMTP_HOST": "h", "SMTP_USER": "bot@firm.no", "SMTP_PASSWORD": "p"})
    assert settings is not None
    assert (settings.port, settings.security, settings.sender) == (587, "starttls", "bot@firm.no")
    on_465 = SmtpSettings.from_env({"SMTP_HOST": "h", "SMTP_PORT": "465", "SMTP_FROM": "bot@firm.no"})
    assert on_465 is not None and on_465.security == "tls"
    plain = SmtpSettings.from_env({"SMTP_HOST": "h", "SMTP_SECURITY": "plain", "SMTP_FROM": "bot@firm.no"})
    assert plain is not None and (plain.port, plain.user) == (25, None)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SMTP_PORT": "smtp"}, "SMTP_PORT must be a port number"),
        ({"SMTP_PORT": "0"}, "SMTP_PORT must be a port number"),
        ({"SMTP_SECURITY": "ssl"}, "SMTP_SECURITY must be starttls, tls or plain"),
        ({"SMTP_FROM": ""}, "SMTP_FROM is required"),
        ({"SMTP_FROM": "kundebot"}, "SMTP_FROM must be an email address"),
        ({"SMTP_USER": "bot", "SMTP_FROM": "bot@firm.no"}, "SMTP_PASSWORD is required"),
    ],
)
def test_bad_smtp_settings_raise_a_value_error_naming_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SmtpSettings.from_env({"SMTP_HOST": "h", "SMTP_FROM": "bot@firm.no"} | env)
