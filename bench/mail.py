"""Email capture benchmark (SPEC §6): a backfill of a full capture mailbox, against mbsync as the floor.

    .venv/bin/python -m bench.mail                    # 10,000 messages, SQLite
    .venv/bin/python -m bench.mail --messages 2000    # a quick run
    .venv/bin/python -m bench.mail --postgres         # the store on a throw-away PostgreSQL instead
    .venv/bin/python -m bench.mail --batch 50         # IMAP FETCH batch size (default: the worker's 100)

A throw-away Dovecot on 127.0.0.1 (tests/servers/dovecot.py) gets N realistic messages of 1-5 KB, written
straight into its maildir (APPEND would take longer than the benchmark itself): BCC'd sends to contacts,
Gmail/Outlook-style inline forwards of contacts' mail, replies in threads, mail to new people at customers'
domains, free-mail senders, newsletters and mail from unknown senders. The store holds 2,000 customers with
3 contacts each and the firm's 20 users.

Measured:
- parse alone: every message through mail_sync.capture.incoming (parse + mapping), one core;
- backfill: CaptureWorker.sync_once on an empty store: IMAP fetch + parse + link + store, end to end;
- mbsync: Debian's isync pulling the same mailbox into a local maildir (the C floor for the fetch).

Targets (issue #6): backfill >= 1,000 messages/s and within 2x of mbsync's time; parse >= 3,000 messages/s.
Missing one is reported, not an error; messages not captured exactly once exit with status 1.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import AsyncExitStack
from datetime import UTC
from email.utils import format_datetime
from pathlib import Path

from mail_sync.capture import incoming
from mail_sync.config import ImapSettings
from mail_sync.imap import CaptureMailbox
from mail_sync.notify import LogNotifier
from mail_sync.worker import CaptureWorker
from store.db import Store
from store.models import Email, EmailLinkStatus, Role
from store.services import contacts, customers
from store.services.users import create_user
from tests.servers.dovecot import running_dovecot

CAPTURE = "crm@firma.no"
FIRM = "firma.no"
WORDS = (
    "avtale tilbud pris leveranse møte oppfølging prosjekt rammeavtale lisens support fornyelse budsjett "
    "timepriser kontrakt faktura plan workshop demo migrering sikkerhet integrasjon rapport status"
).split()
FIRST = "Kari Ola Per Lise Anna Erik Nils Ingrid Jonas Sara Maria Lars Emma Johan Eva Mats".split()
LAST = "Hansen Olsen Berg Dahl Nilsson Lund Bakke Strand Svensson Holm Moen Lie Haugen Ek".split()


def _text(rng: random.Random, size: int) -> str:
    words: list[str] = []
    length = 0
    while length < size:
        words.append(rng.choice(WORDS))
        length += len(words[-1]) + 1
    lines = [" ".join(words[i : i + 12]) for i in range(0, len(words), 12)]
    return "\r\n".join(lines)


def _message(
    rng: random.Random, n: int, users: list[str], contact_mail: list[str], domains: list[str]
) -> bytes:
    user = rng.choice(users)
    when = format_datetime(time_at(n))
    size = rng.randint(800, 4500)
    kind = rng.random()
    if kind < 0.35:  # BCC'd send to a contact
        to = rng.choice(contact_mail)
        head = f"From: {user}\r\nTo: {to}\r\nSubject: {rng.choice(WORDS).title()} {n}\r\n"
        body = _text(rng, size)
    elif kind < 0.65:  # inline forward of a contact's email
        sender = rng.choice(contact_mail)
        head = f"From: {user}\r\nTo: {CAPTURE}\r\nSubject: Fwd: {rng.choice(WORDS).title()} {n}\r\n"
        body = (
            "FYI\r\n\r\n---------- Forwarded message ---------\r\n"
            f"From: {sender}\r\nDate: Mon, 16 Nov 2026 at 14:05\r\nSubject: {rng.choice(WORDS).title()} {n}\r\n"
            f"To: {user}\r\n\r\n{_text(rng, size)}"
        )
    elif kind < 0.75:  # a reply in a thread started earlier
        head = (
            f"From: {user}\r\nTo: someone{n}@gmail.com\r\nSubject: Re: {rng.choice(WORDS).title()}\r\n"
            f"In-Reply-To: <bench-{max(0, n - rng.randint(1, 50))}@{FIRM}>\r\n"
        )
        body = _text(rng, size)
    elif kind < 0.85:  # a new person at a customer's domain
        head = f"From: {user}\r\nTo: new.person{n}@{rng.choice(domains)}\r\nSubject: Intro {n}\r\n"
        body = _text(rng, size)
    elif kind < 0.93:  # a newsletter forwarded by mistake, straight to the capture address
        head = f"From: news@newsletter.example\r\nTo: {CAPTURE}\r\nSubject: News {n}\r\nList-Unsubscribe: <mailto:u@x>\r\n"
        body = _text(rng, size)
    else:  # an unknown sender
        head = f"From: stranger{n}@unknown.example\r\nTo: {CAPTURE}\r\nSubject: Hello {n}\r\n"
        body = _text(rng, size)
    head += (
        f"Date: {when}\r\nMessage-ID: <bench-{n}@{FIRM}>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    )
    return (head + body + "\r\n").encode()


def time_at(n: int):  # type: ignore[no-untyped-def]
    from datetime import datetime, timedelta

    return datetime(2026, 11, 1, 8, tzinfo=UTC) + timedelta(minutes=n)


async def _seed(
    store: Store, rng: random.Random, customer_count: int
) -> tuple[list[str], list[str], list[str]]:
    users: list[str] = []
    contact_mail: list[str] = []
    domains: list[str] = []
    async with store.transaction() as s:
        from store.actor import Actor

        for k in range(20):
            address = f"user{k}@{FIRM}"
            actor = Actor.of(await create_user(s, name=f"User {k}", email=address, role=Role.SALES))
            users.append(address)
        for c in range(customer_count):
            domain = f"customer{c}.no"
            customer = await customers.create_customer(
                s, actor, f"Customer {c} AS", website=f"https://www.{domain}", allow_similar=True
            )
            domains.append(domain)
            for p in range(3):
                address = f"{rng.choice(FIRST).lower()}.{rng.choice(LAST).lower()}{p}@{domain}"
                await contacts.add_contact(
                    s, actor, customer_id=customer.id, first_name="X", last_name=str(p), emails=[address]
                )
                contact_mail.append(address)
    return users, contact_mail, domains


def _fill(maildir: Path, messages: list[bytes]) -> None:
    """Deliver straight into the maildir (what an MTA does); Dovecot gives them UIDs when it next looks."""
    new = maildir / "new"
    new.mkdir(parents=True, exist_ok=True)
    for n, raw in enumerate(messages):
        (new / f"{1_700_000_000 + n}.M{n}P1.bench").write_bytes(raw)


def _mbsync_seconds(host: str, port: int, user: str, password: str) -> float | None:
    binary = shutil.which("mbsync")
    if binary is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        local = Path(tmp) / "local"
        local.mkdir()
        config = Path(tmp) / "mbsyncrc"
        config.write_text(
            f"IMAPAccount bench\nHost {host}\nPort {port}\nUser {user}\nPass {password}\nSSLType None\n"
            f"AuthMechs LOGIN\n\nIMAPStore remote\nAccount bench\n\nMaildirStore local\nPath {local}/\n"
            f"Inbox {local}/INBOX\n\nChannel pull\nFar :remote:\nNear :local:\nPatterns INBOX\nCreate Near\n"
            "Sync Pull\nSyncState *\n"
        )
        started = time.perf_counter()
        subprocess.run([binary, "-c", str(config), "-a", "-q"], check=True, capture_output=True, timeout=600)
        return time.perf_counter() - started


async def main() -> int:
    args = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    args.add_argument("--messages", type=int, default=10_000)
    args.add_argument("--customers", type=int, default=2_000)
    args.add_argument("--batch", type=int, default=100, help="UIDs per IMAP FETCH")
    args.add_argument("--postgres", action="store_true", help="the store on a throw-away PostgreSQL")
    options = args.parse_args()
    rng = random.Random(6)
    async with AsyncExitStack() as stack:
        if options.postgres:
            from tests.servers.postgres import running_postgres

            server = stack.enter_context(running_postgres())
            server.psql("CREATE DATABASE kundebot_bench")
            url = server.url("kundebot_bench")
        else:
            url = f"sqlite+aiosqlite:///{stack.enter_context(tempfile.TemporaryDirectory())}/bench.db"
        store = Store(url)
        stack.push_async_callback(store.dispose)
        await store.upgrade()
        print(f"Seeding {options.customers:,} customers with 3 contacts each ...", flush=True)
        users, contact_mail, domains = await _seed(store, rng, options.customers)
        raws = [_message(rng, n, users, contact_mail, domains) for n in range(options.messages)]
        average = sum(map(len, raws)) / len(raws)
        print(f"{len(raws):,} messages, {average / 1024:.1f} KB on average", flush=True)

        started = time.perf_counter()
        for raw in raws:
            incoming(raw, {CAPTURE})
        parse_rate = len(raws) / (time.perf_counter() - started)

        server = stack.enter_context(running_dovecot(spare_users=2))
        user = server.new_user()
        settings = ImapSettings(
            host=server.host, port=server.port, ssl=False, user=user, password=server.users[user],
            capture_address=CAPTURE, fetch_batch=options.batch, timeout=60.0,
        )  # fmt: skip
        async with CaptureMailbox(settings) as box:  # creates the mailbox, then fill it behind Dovecot's back
            pass
        _fill(server.maildir(user), raws)
        await asyncio.to_thread(
            subprocess.run, ["chown", "-R", "nobody:nogroup", str(server.home(user))], check=False
        )

        async with CaptureMailbox(settings) as box:  # the fetch alone, for the breakdown
            started = time.perf_counter()
            fetched = [m async for m in box.fetch(await box.uids_after(0))]
            fetch_only = time.perf_counter() - started
        del fetched
        worker = CaptureWorker(store, settings, LogNotifier(), owner="bench")
        async with CaptureMailbox(settings) as box:
            started = time.perf_counter()
            report = await worker.sync_once(box)
            backfill = time.perf_counter() - started
        floor = await asyncio.to_thread(_mbsync_seconds, server.host, server.port, user, server.users[user])

        async with store.reading() as s:
            from sqlalchemy import func, select

            rows = (
                await s.execute(select(Email.link_status, func.count()).group_by(Email.link_status))
            ).all()
            total = sum(n for _, n in rows)
    by_status = {
        str(status.value if isinstance(status, EmailLinkStatus) else status): n for status, n in rows
    }
    rate = report.fetched / backfill
    print(
        f"Parse alone: {parse_rate:,.0f} messages/s (target >= 3,000: {'met' if parse_rate >= 3000 else 'MISSED'})"
    )
    print(
        f"Backfill ({'PostgreSQL' if options.postgres else 'SQLite'}, FETCH batch {options.batch}): "
        f"{report.fetched:,} messages in {backfill:.2f} s = {rate:,.0f} messages/s "
        f"(target >= 1,000: {'met' if rate >= 1000 else 'MISSED'}); {by_status}"
    )
    print(
        f"  of which the IMAP fetch alone takes {fetch_only:.2f} s ({options.messages / fetch_only:,.0f} messages/s)"
    )
    if floor is not None:
        ratio = backfill / floor
        print(
            f"mbsync (C floor): {floor:.2f} s; backfill / mbsync = {ratio:.2f} "
            f"(target <= 2: {'met' if ratio <= 2 else 'MISSED'})"
        )
    else:
        print("mbsync not installed (apt-get install isync): no floor measured")
    if total != options.messages or report.new != options.messages:
        print(
            f"ERROR: {total} emails stored, {report.new} new, for {options.messages} messages",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
