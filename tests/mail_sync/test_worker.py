"""The capture worker against a real Dovecot and the store (SQLite and PostgreSQL): linking rules, exactly once
across restarts, UIDVALIDITY changes, a server that goes away, and replicas."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mail_sync.config import ImapSettings
from mail_sync.imap import CaptureMailbox
from mail_sync.notify import LogNotifier
from mail_sync.worker import CaptureWorker
from store.actor import Actor
from store.db import Store
from store.models import Activity, Email, EmailLinkStatus
from store.services import contacts, customers, sales
from store.services import email_capture as capture
from store.services import mailbox as mailbox_state
from tests.conftest import make_actor
from tests.mail_sync.conftest import appended, settings_for
from tests.servers.dovecot import DovecotServer

CORPUS = Path(__file__).resolve().parents[1] / "data" / "mail"
CAPTURE = "crm@firma.no"


def quick_backoff() -> Iterator[float]:
    while True:
        yield 0.1


@dataclasses.dataclass
class Firm:
    kari: Actor
    acme_id: int
    per_id: int


@pytest.fixture
async def firm(store: Store) -> Firm:
    """Kari at the firm; Acme AS (acme.no) with the contact Per Olsen."""
    kari = await make_actor(store, "Kari Hansen")
    async with store.transaction() as s:
        from store.models import User

        user = await s.get(User, kari.user_id)
        assert user is not None
        user.email = "kari.hansen@firma.no"
        acme = await customers.create_customer(s, kari, "Acme AS", website="https://www.acme.no")
        per = await contacts.add_contact(
            s, kari, customer_id=acme.id, first_name="Per", last_name="Olsen", emails=["per.olsen@acme.no"]
        )
        return Firm(kari, acme.id, per.id)


@pytest.fixture
def settings(imap_settings: ImapSettings) -> ImapSettings:
    return dataclasses.replace(imap_settings, capture_address=CAPTURE, fetch_batch=50)


def worker(
    store: Store, settings: ImapSettings, notifier: LogNotifier | None = None, **kw: object
) -> CaptureWorker:
    """A worker; the same `owner` unless told otherwise (a restarted process on the same host takes its lease
    back at once, a different replica would wait for it to expire)."""
    kw.setdefault("owner", "test-host")
    return CaptureWorker(store, settings, notifier or LogNotifier(), backoff=quick_backoff, **kw)  # type: ignore[arg-type]


def message(
    sender: str = "kari.hansen@firma.no",
    to: str = "per.olsen@acme.no",
    *,
    subject: str = "Framework agreement",
    bcc_capture: bool = True,
    in_reply_to: str | None = None,
    message_id: str | None = None,
    body: str = "Hi Per, see the attached proposal.",
) -> bytes:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to if bcc_capture else f"{to}, {CAPTURE}"
    mail["Subject"] = subject
    mail["Date"] = format_datetime(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    mail["Message-ID"] = message_id or make_msgid(domain="firma.no")
    if in_reply_to:
        mail["In-Reply-To"] = in_reply_to
        mail["References"] = in_reply_to
    mail.set_content(body)
    return bytes(mail)


async def emails(store: Store) -> list[Email]:
    async with store.reading() as s:
        return list((await s.scalars(select(Email).order_by(Email.id))).all())


async def count(store: Store, model: type) -> int:
    async with store.reading() as s:
        return int((await s.execute(select(func.count()).select_from(model))).scalar_one())  # type: ignore[arg-type]


async def test_a_forward_from_a_contact_is_linked_to_the_contact_and_its_customer(
    store: Store, firm: Firm, settings: ImapSettings, mailbox: CaptureMailbox
) -> None:
    await appended(mailbox, (CORPUS / "gmail_forward_nb.eml").read_bytes())
    notices = LogNotifier()
    async with CaptureMailbox(settings) as box:
        report = await worker(store, settings, notices).sync_once(box)
    assert (report.fetched, report.new) == (1, 1)
    [email] = await emails(store)
    assert (email.link_status, email.link_rule, email.customer_id) == (
        EmailLinkStatus.LINKED, "contact_email", firm.acme_id,
    )  # fmt: skip
    assert email.from_address == "per.olsen@acme.no" and email.captured_by_id == firm.kari.user_id
    async with store.reading() as s:
        activity = (await s.scalars(select(Activity))).one()
        await s.refresh(activity, ["contacts"])
    assert activity.kind == "email" and [c.id for c in activity.contacts] == [firm.per_id]
    assert [n.customer_name for n in notices.sent] == ["Acme AS"]


async def test_a_bcc_send_is_linked_through_its_recipients(
    store: Store, firm: Firm, settings: ImapSettings, mailbox: CaptureMailbox
) -> None:
    await appended(mailbox, (CORPUS / "bcc_send_en.eml").read_bytes())
    async with CaptureMailbox(settings) as box:
        await worker(store, settings).sync_once(box)
    [email] = await emails(store)
    assert (email.link_rule, email.customer_id) == ("contact_email", firm.acme_id)


async def test_a_restart_neither_skips_nor_repeats(
    store: Store, firm: Firm, settings: ImapSettings, mailbox: CaptureMailbox
) -> None:
    for n in range(3):
        await appended(mailbox, message(subject=f"Note {n}"))
    async with CaptureMailbox(settings) as box:
        assert (await worker(store, settings).sync_once(box)).new == 3
    async with CaptureMailbox(settings) as box:  # a new process
        assert (await worker(store, settings).sync_once(box)).fetched == 0
        await appended(mailbox, message(subject="Note 3"))
        assert (await worker(store, settings).sync_once(box)).new == 1
    assert await count(store, Email) == 4
    flags = await mailbox.flags(await mailbox.uids_after(0))
    assert all(settings.processed_keyword in f for f in flags.values())  # marked, never deleted


async def test_the_same_email_forwarded_twice_is_one_email(
    store: Store, firm: Firm, settings: ImapSettings, mailbox: CaptureMailbox
) -> None:
    raw = (CORPUS / "gmail_forward_nb.eml").read_bytes()
    again = raw.replace(b"CAF3xQk9c3wZq2o1lr9Kx6aU", b"CAF3xQk9ANOTHERFORWARD00").replace(
        b"Hei, legger denne inn i CRM.", b"Denne ogs\xc3\xa5, takk."
    )
    await appended(mailbox, raw)
    await appended(mailbox, again)
    notices = LogNotifier()
    async with CaptureMailbox(settings) as box:
        report = await worker(store, settings, notices).sync_once(box)
    assert (report.new, report.repeats) == (1, 1)
    assert await count(store, Email) == 1 and len(notices.sent) == 1
    assert await count(store, Activity) == 1


async def test_a_new_uidvalidity_reads_everything_again_without_duplicates(
    store: Store, firm: Firm, settings: ImapSettings, mailbox: CaptureMailbox, dovecot: DovecotServer
) -> None:
    for n in range(5):
        await appended(mailbox, message(subject=f"Note {n}"))
    async with CaptureMailbox(settings) as box:
        before = box.status.uidvalidity
        await worker(store, settings).sync_once(box)
    await mailbox.close()
    dovecot.recreate_mailbox(settings.user)
    async with CaptureMailbox(settings) as box:
        assert box.status.uidvalidity != before
        report = await worker(store, settings).sync_once(box)
    assert (report.fetched, report.new, report.repeats) == (5, 0, 5)
    assert await count(store, Email) == 5
    async with store.reading() as s:
        assert (await mailbox_state.progress(s, worker(store, settings).mailbox)).uidvalidity != before


async def test_mail_from_an_unknown_sender_is_kept_but_never_linked_or_announced(
    store: Store, firm: Firm, settings: ImapSettings, mailbox: CaptureMailbox
) -> None:
    await appended(mailbox, message(sender="spoofer@evil.example", to=CAPTURE))
    notices = LogNotifier()
    async with CaptureMailbox(settings) as box:
        await worker(store, settings, notices).sync_once(box)
    [email] = await emails(store)
    assert (email.captured_by_id, email.customer_id, email.link_status) == (
        None,
        None,
        EmailLinkStatus.UNLINKED,
    )
    assert email.raw_compressed and notices.sent == []


async def test_a_reply_in_a_linked_thread_is_linked_to_the_same_customer(
    store: Store, firm: Firm, settings: ImapSettings, mailbox: CaptureMailbox
) -> None:
    first = message(message_id="<thread-start@firma.no>")
    reply = message(
        to="someone@gmail.com", subject="Re: Framework agreement", in_reply_to="<thread-start@firma.no>"
    )
    await appended(mailbox, first)
    await appended(mailbox, reply)
    async with CaptureMailbox(settings) as box:
        await worker(store, settings).sync_once(box)
    assert [(e.link_rule, e.customer_id) for e in await emails(store)] == [
        ("contact_email", firm.acme_id), ("thread", firm.acme_id),
    ]  # fmt: skip


async def test_the_domain_of_the_website_links_a_new_person_and_free_mail_never_does(
    store: Store, firm: Firm, settings: ImapSettings, mailbox: CaptureMailbox
) -> None:
    await appended(mailbox, message(to="new.person@acme.no"))
    await appended(mailbox, message(to="somebody@gmail.com"))
    async with CaptureMailbox(settings) as box:
        await worker(store, settings).sync_once(box)
    by_domain, free_mail = await emails(store)
    assert (by_domain.link_rule, by_domain.customer_id) == ("domain", firm.acme_id)
    assert (free_mail.link_status, free_mail.customer_id) == (EmailLinkStatus.UNLINKED, None)


async def test_two_customers_on_one_domain_wait_for_the_users_choice(
    store: Store, firm: Firm, settings: ImapSettings, mailbox: CaptureMailbox
) -> None:
    async with store.transaction() as s:
        await customers.create_customer(
            s, firm.kari, "Acme Holding AS", website="acme.no", allow_similar=True
        )
    await appended(mailbox, message(to="new.person@acme.no"))
    notices = LogNotifier()
    async with CaptureMailbox(settings) as box:
        await worker(store, settings, notices).sync_once(box)
    [notice] = notices.sent
    assert notice.status == EmailLinkStatus.UNLINKED
    assert sorted(label.split(" (")[0] for _, label in notice.candidates) == ["Acme AS", "Acme Holding AS"]
    async with store.transaction() as s:
        await capture.link_to_customer(s, firm.kari, notice.email_id, firm.acme_id)
        await capture.link_to_customer(s, firm.kari, notice.email_id, firm.acme_id)  # a second click
    [email] = await emails(store)
    assert (email.link_status, email.link_rule) == (EmailLinkStatus.LINKED, "manual")
    assert await count(store, Activity) == 1


async def test_a_plus_address_forces_the_customer(
    store: Store, firm: Firm, settings: ImapSettings, mailbox: CaptureMailbox
) -> None:
    async with store.transaction() as s:
        bergen = await customers.create_customer(s, firm.kari, "Bergen Bygg AS", website="bergenbygg.no")
    await appended(mailbox, (CORPUS / "cc_capture_plus_address_nb.eml").read_bytes())
    number_address = message(to="per.olsen@acme.no", bcc_capture=True).replace(
        b"To: per.olsen@acme.no", f"To: per.olsen@acme.no, crm+{bergen.customer_number}@firma.no".encode()
    )
    await appended(mailbox, number_address)
    async with CaptureMailbox(settings) as box:
        await worker(store, settings).sync_once(box)
    assert [(e.link_rule, e.customer_id) for e in await emails(store)] == [
        ("plus_address", bergen.id), ("plus_address", bergen.id),
    ]  # fmt: skip


async def test_the_sales_case_the_subject_names_gets_the_email(
    store: Store, firm: Firm, settings: ImapSettings, mailbox: CaptureMailbox
) -> None:
    async with store.transaction() as s:
        case = await sales.create_sales_case(s, firm.kari, customer_id=firm.acme_id, name="Rammeavtale 2027")
    await appended(mailbox, message(subject="Re: Rammeavtale 2027 – timepriser"))
    async with CaptureMailbox(settings) as box:
        await worker(store, settings).sync_once(box)
    [email] = await emails(store)
    assert email.sales_case_id == case.id


async def test_broken_messages_are_kept_and_the_worker_goes_on(
    store: Store, firm: Firm, settings: ImapSettings, mailbox: CaptureMailbox
) -> None:
    garbage = [
        b"\x00\xff\xfe not a message at all",
        b"From: kari.hansen@firma.no\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nbroken",
        b"Subject: =?utf-8?b?!!!?=\r\nMessage-ID: <>\r\n\r\nbody",
    ]
    for raw in garbage:
        await appended(mailbox, raw)
    await appended(mailbox, message())
    async with CaptureMailbox(settings) as box:
        report = await worker(store, settings).sync_once(box)
    assert report.fetched == 4 and await count(store, Email) == 4
    assert (await emails(store))[-1].link_status == EmailLinkStatus.LINKED


async def test_the_backfill_survives_the_server_going_away(
    store: Store, firm: Firm, own_dovecot: DovecotServer
) -> None:
    user = own_dovecot.new_user()
    settings = dataclasses.replace(settings_for(own_dovecot, user), capture_address=CAPTURE, fetch_batch=50)
    total = 2000
    async with CaptureMailbox(settings) as box:
        for n in range(total):
            await box.append(message(subject=f"Backfill {n}", message_id=f"<backfill-{n}@firma.no>"))
    notices = LogNotifier()
    stop = asyncio.Event()
    task = asyncio.create_task(worker(store, settings, notices).run(stop))
    try:
        await _until_captured(store, 300)
        await asyncio.to_thread(own_dovecot.stop)
        await asyncio.sleep(0.5)
        await asyncio.to_thread(own_dovecot.start)
        await _until_captured(store, total, limit=120)
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
    async with store.reading() as s:
        ids = (await s.scalars(select(Email.message_id))).all()
    assert len(ids) == len(set(ids)) == total
    assert len(notices.sent) == total and len({n.email_id for n in notices.sent}) == total


async def test_mail_that_arrives_after_a_dropped_idle_connection_is_picked_up(
    store: Store, firm: Firm, own_dovecot: DovecotServer
) -> None:
    user = own_dovecot.new_user()
    settings = dataclasses.replace(settings_for(own_dovecot, user), capture_address=CAPTURE)
    stop = asyncio.Event()
    task = asyncio.create_task(worker(store, settings).run(stop))
    try:
        async with CaptureMailbox(settings) as box:
            await box.append(message(subject="Before"))
        await _until_captured(store, 1)
        await asyncio.to_thread(own_dovecot.stop)  # the worker is in IDLE now
        await asyncio.sleep(0.3)
        await asyncio.to_thread(own_dovecot.start)
        async with CaptureMailbox(settings) as box:
            await box.append(message(subject="After"))
        await _until_captured(store, 2)
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
    assert sorted(e.subject for e in await emails(store)) == ["After", "Before"]


async def test_two_replicas_capture_each_message_once(
    store: Store, firm: Firm, settings: ImapSettings, mailbox: CaptureMailbox
) -> None:
    for n in range(150):
        await appended(mailbox, message(subject=f"Replica {n}"))
    notices = LogNotifier()
    stop = asyncio.Event()
    tasks = [
        asyncio.create_task(worker(store, settings, notices, owner=f"replica-{k}").run(stop)) for k in (1, 2)
    ]
    try:
        await _until_captured(store, 150, limit=60)
        await asyncio.sleep(0.5)
    finally:
        stop.set()
        await asyncio.gather(*(asyncio.wait_for(t, 30) for t in tasks))
    assert await count(store, Email) == 150
    assert len(notices.sent) == 150


async def _until_captured(store: Store, n: int, limit: float = 30.0) -> None:
    async with asyncio.timeout(limit):
        while await count(store, Email) < n:  # noqa: ASYNC110 - another task writes the store
            await asyncio.sleep(0.05)
