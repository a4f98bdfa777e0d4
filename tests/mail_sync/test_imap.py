"""The capture mailbox (mail_sync.imap) against a real Dovecot; its settings (mail_sync.config)."""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import replace

import pytest

from mail_sync.config import FREE_MAIL_DOMAINS, ImapSettings, free_mail_domains
from mail_sync.imap import (
    CaptureMailbox,
    LoginFailed,
    MailboxUnavailable,
    backoff_delays,
    uid_set,
)
from tests.mail_sync.conftest import AppendMany, appended, eventually, settings_for, small_message
from tests.servers.dovecot import DovecotServer, free_port
from tests.servers.smtp import Certificate

# -- connecting -----------------------------------------------------------------------------------------


async def test_connect_reports_uidvalidity_uidnext_and_the_message_count(imap_settings: ImapSettings) -> None:
    async with CaptureMailbox(imap_settings) as first:
        await first.append(small_message(1))
    async with CaptureMailbox(imap_settings) as mailbox:
        status = mailbox.status
    assert status.uidvalidity > 0
    assert (status.uidnext, status.exists) == (2, 1)


async def test_connect_reports_the_same_uidvalidity_every_time(imap_settings: ImapSettings) -> None:
    async with CaptureMailbox(imap_settings) as first:
        before = first.status.uidvalidity
    async with CaptureMailbox(imap_settings) as second:
        assert second.status.uidvalidity == before


async def test_dovecot_offers_idle_and_move(mailbox: CaptureMailbox) -> None:
    assert mailbox.has_idle
    assert {"IDLE", "MOVE", "UIDPLUS"} <= mailbox.capabilities


async def test_connect_over_tls_trusts_the_configured_ca(
    dovecot: DovecotServer, imap_settings: ImapSettings, certificate: Certificate
) -> None:
    assert dovecot.tls_port is not None
    tls = replace(imap_settings, port=dovecot.tls_port, ssl=True, ca_file=str(certificate.ca_file))
    async with CaptureMailbox(tls) as mailbox:
        uid = await appended(mailbox, small_message(1))
        assert [m.raw async for m in mailbox.fetch([uid])] == [small_message(1)]


async def test_a_server_certificate_that_does_not_verify_raises_mailbox_unavailable(
    dovecot: DovecotServer, imap_settings: ImapSettings
) -> None:
    assert dovecot.tls_port is not None
    with pytest.raises(MailboxUnavailable, match="CERTIFICATE_VERIFY_FAILED"):
        await CaptureMailbox(replace(imap_settings, port=dovecot.tls_port, ssl=True)).connect()


async def test_a_wrong_password_raises_login_failed(imap_settings: ImapSettings) -> None:
    with pytest.raises(LoginFailed, match="refused"):
        await CaptureMailbox(replace(imap_settings, password="wrong")).connect()


async def test_a_missing_folder_raises_mailbox_unavailable(imap_settings: ImapSettings) -> None:
    with pytest.raises(MailboxUnavailable, match="SELECT"):
        await CaptureMailbox(replace(imap_settings, folder="NoSuchFolder")).connect()


async def test_a_refused_connection_raises_mailbox_unavailable_at_once(imap_settings: ImapSettings) -> None:
    began = time.monotonic()
    with pytest.raises(MailboxUnavailable, match="connect"):
        await CaptureMailbox(replace(imap_settings, port=free_port())).connect()
    assert time.monotonic() - began < 2


async def test_commands_after_close_raise_mailbox_unavailable(mailbox: CaptureMailbox) -> None:
    await mailbox.close()
    with pytest.raises(MailboxUnavailable, match="not connected"):
        await mailbox.uids_after(0)


# -- reading --------------------------------------------------------------------------------------------


async def test_an_appended_message_is_fetched_back_byte_for_byte(mailbox: CaptureMailbox) -> None:
    raw = small_message(7) + "Ærlig talt, på fredag. Ünïcödé in 8 bits.\r\n".encode()
    uid = await appended(mailbox, raw)

    assert await mailbox.uids_after(0) == [uid]
    fetched = [m async for m in mailbox.fetch([uid])]
    assert [(m.uid, m.raw) for m in fetched] == [(uid, raw)]


async def test_fetch_returns_the_flags_of_each_message(mailbox: CaptureMailbox) -> None:
    uid = await appended(mailbox, small_message(1), flags=("\\Flagged", "forwarded"))
    [message] = [m async for m in mailbox.fetch([uid])]
    assert {"\\Flagged", "forwarded"} <= message.flags


async def test_fetch_does_not_mark_messages_as_seen(mailbox: CaptureMailbox) -> None:
    uid = await appended(mailbox, small_message(1))
    [_] = [m async for m in mailbox.fetch([uid])]
    assert "\\Seen" not in (await mailbox.flags([uid]))[uid]


async def test_fetch_in_batches_returns_every_message_in_uid_order(
    imap_settings: ImapSettings, append_many: AppendMany, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with CaptureMailbox(replace(imap_settings, fetch_batch=100)) as mailbox:
        uids = await append_many(mailbox, 450)
        fetches = 0
        call = mailbox._call

        async def counting_call(what: str, *args: object, **kwargs: object) -> object:
            nonlocal fetches
            fetches += what == "UID FETCH"
            return await call(what, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(mailbox, "_call", counting_call)
        fetched = [m async for m in mailbox.fetch(reversed(uids))]

    assert [m.uid for m in fetched] == uids
    assert [m.raw for m in fetched] == [small_message(n) for n in range(450)]
    assert fetches == 5


async def test_fetch_skips_uids_that_do_not_exist(mailbox: CaptureMailbox) -> None:
    uid = await appended(mailbox, small_message(1))
    assert [m.uid async for m in mailbox.fetch([uid, uid + 10, uid + 11])] == [uid]


async def test_uids_after_returns_only_the_newer_uids_in_order(
    mailbox: CaptureMailbox, append_many: AppendMany
) -> None:
    uids = await append_many(mailbox, 5)
    assert await mailbox.uids_after(uids[1]) == uids[2:]


async def test_uids_after_the_last_uid_is_empty_although_star_matches_the_last_message(
    mailbox: CaptureMailbox, append_many: AppendMany
) -> None:
    uids = await append_many(mailbox, 3)
    assert await mailbox.uids_after(uids[-1]) == []
    assert await mailbox.uids_after(uids[-1] + 100) == []


async def test_uids_after_in_an_empty_folder_is_empty(mailbox: CaptureMailbox) -> None:
    assert await mailbox.uids_after(0) == []


# -- marking processed ----------------------------------------------------------------------------------


async def test_mark_processed_sets_the_keyword_and_keeps_the_message(
    mailbox: CaptureMailbox, append_many: AppendMany
) -> None:
    uids = await append_many(mailbox, 3)
    await mailbox.mark_processed(uids[:2])

    flags = await mailbox.flags(uids)
    assert ["$KundebotProcessed" in flags[uid] for uid in uids] == [True, True, False]
    assert not any("\\Deleted" in f for f in flags.values())
    assert await mailbox.uids_after(0) == uids


async def test_uids_unprocessed_leaves_out_messages_with_the_keyword(
    mailbox: CaptureMailbox, append_many: AppendMany
) -> None:
    uids = await append_many(mailbox, 3)
    await mailbox.mark_processed([uids[1]])
    assert await mailbox.uids_unprocessed() == [uids[0], uids[2]]


async def test_mark_processed_with_a_folder_moves_the_messages_there_without_deleting(
    imap_settings: ImapSettings, append_many: AppendMany
) -> None:
    moving = replace(imap_settings, move_to="Kundebot Processed")
    async with CaptureMailbox(moving) as mailbox:
        uids = await append_many(mailbox, 3)
        await mailbox.mark_processed(uids[:2])
        assert await mailbox.uids_after(0) == [uids[2]]

    async with CaptureMailbox(replace(imap_settings, folder="Kundebot Processed")) as processed:
        moved = [m async for m in processed.fetch(await processed.uids_after(0))]
    assert [m.raw for m in moved] == [small_message(0), small_message(1)]
    assert all("$KundebotProcessed" in m.flags and "\\Deleted" not in m.flags for m in moved)


async def test_connect_creates_the_processed_folder_when_missing(imap_settings: ImapSettings) -> None:
    async with CaptureMailbox(replace(imap_settings, move_to="Done")):
        pass
    async with CaptureMailbox(replace(imap_settings, folder="Done")) as done:
        assert done.status.exists == 0


# -- waiting for mail -----------------------------------------------------------------------------------


async def test_wait_for_new_wakes_up_when_another_client_appends_during_idle(
    mailbox: CaptureMailbox, imap_settings: ImapSettings
) -> None:
    async def deliver_while_idling() -> None:
        await eventually(lambda: mailbox.idling)
        async with CaptureMailbox(imap_settings) as other:
            await other.append(small_message(1))

    delivery = asyncio.create_task(deliver_while_idling())
    began = time.monotonic()
    assert await mailbox.wait_for_new(timeout=10) is True
    assert time.monotonic() - began < 5
    await delivery
    assert len(await mailbox.uids_after(0)) == 1
    assert not mailbox.idling


async def test_wait_for_new_returns_false_when_nothing_arrives_before_the_timeout(
    mailbox: CaptureMailbox,
) -> None:
    began = time.monotonic()
    assert await mailbox.wait_for_new(timeout=0.3) is False
    assert 0.3 <= time.monotonic() - began < 3
    assert await mailbox.uids_after(0) == []  # the connection is usable after IDLE


async def test_wait_for_new_returns_at_once_for_mail_that_arrived_before_the_call(
    mailbox: CaptureMailbox, imap_settings: ImapSettings
) -> None:
    async with CaptureMailbox(imap_settings) as other:
        await other.append(small_message(1))
    assert await mailbox.wait_for_new(timeout=10) is True


async def test_wait_for_new_ignores_mail_already_returned_by_uids_after(
    mailbox: CaptureMailbox, imap_settings: ImapSettings
) -> None:
    async with CaptureMailbox(imap_settings) as other:
        await other.append(small_message(1))
    await mailbox.uids_after(0)
    assert await mailbox.wait_for_new(timeout=0.2) is False


async def test_cancelling_wait_for_new_ends_idle_and_leaves_the_connection_usable(
    mailbox: CaptureMailbox, append_many: AppendMany
) -> None:
    waiting = asyncio.create_task(mailbox.wait_for_new(timeout=30))
    await eventually(lambda: mailbox.idling)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    uids = await append_many(mailbox, 1)
    assert await mailbox.uids_after(0) == uids


async def test_wait_for_new_polls_every_poll_interval_without_idle(imap_settings: ImapSettings) -> None:
    sleeps: list[float] = []
    settings = replace(imap_settings, poll_interval=45.0)

    async with CaptureMailbox(settings) as other:

        async def sleep(seconds: float) -> None:
            sleeps.append(seconds)
            if len(sleeps) == 2:
                await other.append(small_message(1))

        async with CaptureMailbox(settings, use_idle=False, sleep=sleep) as mailbox:
            assert await mailbox.wait_for_new(timeout=600) is True
            assert not mailbox.idling
    assert sleeps == [45.0, 45.0]


async def test_polling_gives_up_at_the_timeout(imap_settings: ImapSettings) -> None:
    async with CaptureMailbox(replace(imap_settings, poll_interval=0.05), use_idle=False) as mailbox:
        assert await mailbox.wait_for_new(timeout=0.2) is False


# -- faults ---------------------------------------------------------------------------------------------


async def test_stopping_the_server_during_idle_raises_mailbox_unavailable(own_dovecot: DovecotServer) -> None:
    settings = settings_for(own_dovecot, "crm@kundebot.test")
    async with CaptureMailbox(settings) as mailbox:
        waiting = asyncio.create_task(mailbox.wait_for_new(timeout=30))
        await eventually(lambda: mailbox.idling)
        began = time.monotonic()
        await asyncio.to_thread(own_dovecot.stop)
        with pytest.raises(MailboxUnavailable, match="connection lost"):
            await waiting
        assert time.monotonic() - began < 3
        assert not mailbox.connected


async def test_stopping_the_server_between_commands_raises_mailbox_unavailable(
    own_dovecot: DovecotServer,
) -> None:
    async with CaptureMailbox(settings_for(own_dovecot, "crm@kundebot.test")) as mailbox:
        own_dovecot.stop()
        with pytest.raises(MailboxUnavailable):
            await mailbox.uids_after(0)
        with pytest.raises(MailboxUnavailable, match="connect"):
            await mailbox.connect()


async def test_connect_works_again_after_the_server_restarts_with_the_same_mail(
    own_dovecot: DovecotServer,
) -> None:
    settings = settings_for(own_dovecot, "crm@kundebot.test")
    mailbox = CaptureMailbox(settings)
    before = await mailbox.connect()
    uid = await appended(mailbox, small_message(1))
    await asyncio.to_thread(own_dovecot.stop)
    await asyncio.to_thread(own_dovecot.start)

    after = await mailbox.connect()
    assert after.uidvalidity == before.uidvalidity
    assert [m.raw async for m in mailbox.fetch(await mailbox.uids_after(0))] == [small_message(1)]
    assert await mailbox.uids_after(0) == [uid]
    await mailbox.close()


async def test_recreating_the_mailbox_changes_uidvalidity(
    dovecot: DovecotServer, imap_settings: ImapSettings
) -> None:
    async with CaptureMailbox(imap_settings) as mailbox:
        before = mailbox.status
        await mailbox.append(small_message(1))
    dovecot.recreate_mailbox(imap_settings.user, "INBOX")
    async with CaptureMailbox(imap_settings) as mailbox:
        assert mailbox.status.uidvalidity != before.uidvalidity
        assert [m.raw async for m in mailbox.fetch(await mailbox.uids_after(0))] == [small_message(1)]


async def test_a_mailbox_recreated_under_a_connected_client_drops_its_connection(
    dovecot: DovecotServer, mailbox: CaptureMailbox, imap_settings: ImapSettings
) -> None:
    await appended(mailbox, small_message(1))
    before = mailbox.status.uidvalidity
    dovecot.recreate_mailbox(imap_settings.user)
    with pytest.raises(MailboxUnavailable, match="connection lost"):
        await mailbox.uids_after(0)
    assert (await mailbox.connect()).uidvalidity != before


async def test_each_test_mailbox_starts_empty(dovecot: DovecotServer) -> None:
    async with CaptureMailbox(settings_for(dovecot, dovecot.new_user())) as mailbox:
        assert mailbox.status.exists == 0


# -- helpers --------------------------------------------------------------------------------------------


def test_backoff_delays_double_up_to_the_cap() -> None:
    delays = backoff_delays(1.0, 30.0, rng=lambda: 1.0)
    assert list(itertools.islice(delays, 8)) == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]


def test_backoff_delays_are_drawn_below_the_ceiling() -> None:
    assert list(itertools.islice(backoff_delays(2.0, 10.0, rng=lambda: 0.5), 4)) == [1.0, 2.0, 4.0, 5.0]
    assert all(0 <= d <= 300 for d in itertools.islice(backoff_delays(), 50))


def test_uid_set_writes_runs_as_ranges() -> None:
    assert uid_set([10, 1, 2, 3, 7, 9, 3]) == "1:3,7,9:10"


# -- settings -------------------------------------------------------------------------------------------


def test_imap_settings_are_none_without_imap_host() -> None:
    assert ImapSettings.from_env({"IMAP_USER": "crm@firm.no"}) is None


def test_imap_settings_read_the_environment() -> None:
    settings = ImapSettings.from_env(
        {
            "IMAP_HOST": "imap.firm.no",
            "IMAP_PORT": "1993",
            "IMAP_USER": "crm@firm.no",
            "IMAP_PASSWORD": " secret ",
            "IMAP_FOLDER": "Capture",
            "CAPTURE_ADDRESS": "crm+capture@firm.no",
            "IMAP_PROCESSED_FOLDER": "Capture/Done",
        }
    )
    assert settings is not None
    assert (settings.host, settings.port, settings.ssl) == ("imap.firm.no", 1993, True)
    assert (settings.user, settings.password, settings.folder) == ("crm@firm.no", " secret ", "Capture")
    assert (settings.capture_address, settings.move_to) == ("crm+capture@firm.no", "Capture/Done")
    assert settings.processed_keyword == "$KundebotProcessed"
    assert "secret" not in repr(settings)


def test_imap_settings_default_to_ssl_on_993_and_capture_the_login_address() -> None:
    settings = ImapSettings.from_env({"IMAP_HOST": "h", "IMAP_USER": "crm@firm.no", "IMAP_PASSWORD": "p"})
    assert settings is not None
    assert (settings.port, settings.ssl, settings.capture_address) == (993, True, "crm@firm.no")
    plain = ImapSettings.from_env(
        {"IMAP_HOST": "h", "IMAP_USER": "u", "IMAP_PASSWORD": "p", "IMAP_SSL": "no"}
    )
    assert plain is not None and (plain.port, plain.ssl) == (143, False)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"IMAP_PORT": "imaps"}, "IMAP_PORT must be a port number"),
        ({"IMAP_PORT": "70000"}, "IMAP_PORT must be a port number"),
        ({"IMAP_SSL": "maybe"}, "IMAP_SSL must be true or false"),
        ({"IMAP_USER": ""}, "IMAP_USER is required"),
        ({"IMAP_PASSWORD": ""}, "IMAP_PASSWORD is required"),
        ({"IMAP_PROCESSED_FOLDER": "INBOX"}, "must differ"),
    ],
)
def test_bad_imap_settings_raise_a_value_error_naming_the_variable(env: dict[str, str], message: str) -> None:
    base = {"IMAP_HOST": "h", "IMAP_USER": "u", "IMAP_PASSWORD": "p"}
    with pytest.raises(ValueError, match=message):
        ImapSettings.from_env(base | env)


def test_free_mail_domains_include_the_nordic_providers_and_the_environment_adds_more() -> None:
    assert {"gmail.com", "outlook.com", "live.no", "online.no", "telia.com"} <= FREE_MAIL_DOMAINS
    extended = free_mail_domains({"FREE_MAIL_DOMAINS": " Example.ORG, @mail.test ,,"})
    assert {"example.org", "mail.test", "gmail.com"} <= extended
    assert "" not in extended
