"""Captured email (SPEC §6): stored exactly once by Message-ID, with its raw message, and linked to contacts,
their customer and the sales case it is about by the rules, in order:

1. plus address: `crm+<customer number>@...` among the recipients forces that customer;
2. exact contact email: a participant is a contact's address;
3. thread: In-Reply-To/References name an email already linked;
4. domain: a participant's domain is a customer's website or its contacts' domain (never free-mail domains,
   never the firm's own).

Linking happens as the capturing user (the forwarder, or the sender of a BCC'd email, matched to a user's
address), so only what that user may see is ever linked or shown. Mail from unknown senders is stored and
never linked. Ambiguity or no match leaves the email waiting for the user's decision.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from rapidfuzz import fuzz
from sqlalchemy import func, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from store.actor import Actor
from store.domains import email_domain
from store.errors import InvalidInput, NotFound
from store.models import (
    Activity,
    ActivityKind,
    CaseStatus,
    Contact,
    ContactEmail,
    Customer,
    Email,
    EmailAttachment,
    EmailLinkStatus,
    SalesCase,
    Source,
    User,
    activity_contacts,
    email_contacts,
)
from store.services import contacts, customers
from store.types import utcnow
from store.visibility import contact_row_visible, contact_visible, customer_row_visible, customer_visible

PLUS_ADDRESS = re.compile(r"^[^@+]+\+([\w.-]+)@", re.IGNORECASE)
# SPEC §6; FREE_MAIL_DOMAINS in the environment adds more (mail_sync.config).
FREE_MAIL_DOMAINS = frozenset(
    {
        "altibox.no", "aol.com", "bahnhof.se", "bredband.net", "broadpark.no", "c2i.net", "chello.no",
        "comhem.se", "elisanet.fi", "fastmail.com", "frisurf.no", "get2net.dk", "getmail.no", "glocalnet.net",
        "gmail.com", "gmx.com", "gmx.net", "googlemail.com", "hey.com", "hotmail.com", "hotmail.dk",
        "hotmail.fi", "hotmail.no", "hotmail.se", "icloud.com", "jubii.dk", "kolumbus.fi", "live.com",
        "live.dk", "live.fi", "live.no", "live.se", "luukku.com", "lyse.net", "mac.com", "mail.com",
        "mail.dk", "me.com", "msn.com", "nextgentel.com", "ofir.dk", "online.no", "outlook.com",
        "passagen.se", "pm.me", "proton.me", "protonmail.com", "saunalahti.fi", "sol.no", "spray.se",
        "start.no", "stofanet.dk", "suomi24.fi", "swipnet.se", "tele2.se", "telenor.no", "telia.com",
        "telia.no", "welho.com", "yahoo.com", "yahoo.dk", "yahoo.no", "yahoo.se", "yandex.com", "ymail.com",
        "zoho.com",
    }
)  # fmt: skip


@dataclass(frozen=True)
class IncomingEmail:
    """What the mail worker recovered from one captured message (the store does not parse MIME)."""

    message_id: str
    raw: bytes
    sender: str | None  # who sent the message to the capture address: the forwarder or the BCC'ing user
    subject: str = ""
    original_from: str | None = None
    to: Sequence[str] = ()
    cc: Sequence[str] = ()
    recipients: Sequence[str] = ()  # the capture message's own To/Cc, where a plus address shows up
    participants: Sequence[str] = ()
    sent_at: datetime | None = None
    in_reply_to: str | None = None
    references: Sequence[str] = ()
    body_text: str = ""
    attachments: Sequence[tuple[str, str, int]] = ()  # (filename, content type, size)
    automatic: bool = False  # newsletter, bounce or auto-reply


@dataclass(frozen=True)
class LinkPolicy:
    free_mail_domains: frozenset[str] = FREE_MAIL_DOMAINS
    own_domains: frozenset[str] = frozenset()  # the firm's own domains (users' addresses are added)


@dataclass
class CaptureResult:
    email_id: int
    new: bool  # False when this Message-ID was captured before (a repeat delivery)
    status: EmailLinkStatus
    rule: str | None
    captured_by: int | None  # the user to tell; None for unknown senders (never announced)
    customer_id: int | None = None
    customer_name: str | None = None
    contact_ids: list[int] = field(default_factory=list)
    sales_case_id: int | None = None
    candidates: list[tuple[int, str]] = field(default_factory=list)  # when the user must decide
    subject: str = ""
    original_from: str | None = None


@dataclass
class _Firm:
    """What every capture of a batch needs about the firm: its users by address and its own domains."""

    users: dict[str, User]
    own_domains: frozenset[str]

    @classmethod
    async def load(cls, session: AsyncSession, policy: LinkPolicy) -> _Firm:
        users = (await session.scalars(select(User).where(User.active.is_(True)))).all()
        by_address = {u.email.lower(): u for u in users}
        domains = {d for address in by_address if (d := email_domain(address))}
        return cls(by_address, frozenset(domains) | policy.own_domains)


async def capture_email(session: AsyncSession, incoming: IncomingEmail, policy: LinkPolicy) -> CaptureResult:
    """Store the email once (a second delivery of the same Message-ID returns the first) and link it."""
    return (await capture_emails(session, [incoming], policy))[0]


async def capture_emails(
    session: AsyncSession, batch: Sequence[IncomingEmail], policy: LinkPolicy
) -> list[CaptureResult]:
    """`capture_email` for a batch (the mail worker's unit of work), in a few statements per batch instead of
    several per email: the firm, known Message-IDs, contacts, threads and domains are read together, and the
    rows written with multi-row inserts. Should another replica store one of the emails at the same moment,
    the batch falls back to one email at a time (each one a savepoint)."""
    firm = await _Firm.load(session, policy)
    keys = [m.message_id[:998] for m in batch]
    known = {
        e.message_id: e
        for e in (await session.scalars(select(Email).where(Email.message_id.in_(set(keys))))).all()
    }
    try:
        async with session.begin_nested():
            return await _capture_batch(session, batch, keys, known, policy, firm)
    except IntegrityError:
        pass
    results: list[CaptureResult] = []
    for key, item in zip(keys, batch, strict=True):
        existing = await _by_message_id(session, key)
        if existing is None:
            try:
                async with session.begin_nested():
                    results += await _capture_batch(session, [item], [key], {}, policy, firm)
                continue
            except IntegrityError:  # the other replica stored this very email a moment ago
                existing = await _by_message_id(session, key)
                if existing is None:
                    raise
        results.append(_result(existing, new=False))
    return results


async def _capture_batch(
    session: AsyncSession,
    batch: Sequence[IncomingEmail],
    keys: list[str],
    known: dict[str, Email],
    policy: LinkPolicy,
    firm: _Firm,
) -> list[CaptureResult]:
    fresh: dict[str, IncomingEmail] = {}
    for key, item in zip(keys, batch, strict=True):
        if key not in known:
            fresh.setdefault(key, item)
    decisions = await _decide_batch(session, fresh, policy, firm)
    rows = [_email_row(key, item, firm, decisions[key]) for key, item in fresh.items()]
    ids: dict[str, int] = {}
    if rows:
        inserted = await session.execute(insert(Email).returning(Email.id, Email.message_id), rows)
        ids = {message_id: email_id for email_id, message_id in inserted.all()}
    attachments = [
        {"email_id": ids[key], "filename": name[:500], "content_type": kind[:200], "size": size}
        for key, item in fresh.items()
        for name, kind, size in item.attachments
    ]
    if attachments:
        await session.execute(insert(EmailAttachment), attachments)
    linked = {key: d for key, d in decisions.items() if d.customer_id is not None}
    links = [
        {"email_id": ids[key], "contact_id": c}
        for key, d in linked.items()
        for c in dict.fromkeys(d.contact_ids)
    ]
    if links:
        await session.execute(insert(email_contacts), links)
    await _activities_for(session, {key: (fresh[key], d, ids[key]) for key, d in linked.items()}, firm)
    results: list[CaptureResult] = []
    seen: set[str] = set()
    for key in keys:
        if key in known or key in seen:
            results.append(
                _result(known[key], new=False) if key in known else _repeat(key, ids, decisions, fresh)
            )
            continue
        seen.add(key)
        d, item = decisions[key], fresh[key]
        user = firm.users.get((item.sender or "").strip().lower())
        results.append(
            CaptureResult(
                email_id=ids[key],
                new=True,
                status=d.status,
                rule=d.rule,
                captured_by=user.id if user else None,
                customer_id=d.customer_id,
                customer_name=d.customer_name,
                contact_ids=d.contact_ids,
                sales_case_id=d.sales_case_id,
                candidates=d.candidates,
                subject=item.subject[:998],
                original_from=item.original_from,
            )
        )
    return results


def _repeat(
    key: str, ids: dict[str, int], decisions: dict[str, _Decision], fresh: dict[str, IncomingEmail]
) -> CaptureResult:
    """The second copy of an email within one batch: the first one's row, not new."""
    d = decisions[key]
    return CaptureResult(
        email_id=ids[key], new=False, status=d.status, rule=d.rule, captured_by=None,
        customer_id=d.customer_id, subject=fresh[key].subject[:998],
    )  # fmt: skip


def _email_row(key: str, item: IncomingEmail, firm: _Firm, decision: _Decision) -> dict[str, object]:
    user = firm.users.get((item.sender or "").strip().lower())
    now = utcnow()
    return {
        "message_id": key,
        "in_reply_to": (item.in_reply_to or None) and item.in_reply_to[:998],
        "references": list(item.references)[:50],
        "from_address": item.original_from,
        "to_addresses": list(item.to),
        "cc_addresses": list(item.cc),
        "sent_at": item.sent_at,
        "subject": item.subject[:998],
        "body_text": item.body_text[:100_000],
        "raw_compressed": zlib.compress(item.raw, 6),
        "captured_by_id": user.id if user else None,
        "customer_id": decision.customer_id,
        "sales_case_id": decision.sales_case_id,
        "link_status": decision.status,
        "link_rule": decision.rule,
        "created_at": now,
        "updated_at": now,
    }


async def _activities_for(
    session: AsyncSession, linked: dict[str, tuple[IncomingEmail, _Decision, int]], firm: _Firm
) -> None:
    """One email activity per linked email, on its customer's card (exactly once per Message-ID)."""
    if not linked:
        return
    existing = set(
        (
            await session.scalars(
                select(Activity.external_id).where(
                    Activity.source == Source.EMAIL, Activity.external_id.in_(list(linked))
                )
            )
        ).all()
    )
    now = utcnow()
    rows = []
    for key, (item, d, _) in linked.items():
        if key in existing:
            continue
        user = firm.users[(item.sender or "").strip().lower()]
        rows.append(
            {
                "kind": ActivityKind.EMAIL,
                "subject": (item.subject or "(no subject)")[:300],
                "body": item.body_text[:5000] or None,
                "start_at": item.sent_at,
                "done": True,
                "cancelled": False,
                "customer_id": d.customer_id,
                "sales_case_id": d.sales_case_id,
                "owner_id": user.id,
                "assignee_id": user.id,
                "source": Source.EMAIL,
                "external_id": key,
                "created_by_id": user.id,
                "created_at": now,
                "updated_at": now,
            }  # fmt: skip
        )
    if not rows:
        return
    inserted = await session.execute(insert(Activity).returning(Activity.id, Activity.external_id), rows)
    by_key = {external_id: activity_id for activity_id, external_id in inserted.all()}
    links = [
        {"activity_id": by_key[key], "contact_id": c}
        for key, (_, d, _) in linked.items()
        if key in by_key
        for c in dict.fromkeys(d.contact_ids)
    ]
    if links:
        await session.execute(insert(activity_contacts), links)


async def _decide_batch(
    session: AsyncSession, fresh: dict[str, IncomingEmail], policy: LinkPolicy, firm: _Firm
) -> dict[str, _Decision]:
    """The linking rules for every new email of a batch, reading what they need once for the whole batch."""
    decisions: dict[str, _Decision] = {}
    by_user: dict[int, list[str]] = {}
    for key, item in fresh.items():
        user = firm.users.get((item.sender or "").strip().lower())
        if user is None:
            decisions[key] = _Decision()  # unknown sender: kept, never linked
        elif item.automatic:
            decisions[key] = _Decision(status=EmailLinkStatus.IGNORED, rule="automatic")
        else:
            by_user.setdefault(user.id, []).append(key)
    users = {u.id: u for u in firm.users.values()}
    outside = {
        key: [a.lower() for a in fresh[key].participants if email_domain(a) not in firm.own_domains]
        for keys in by_user.values()
        for key in keys
    }
    addresses = {a for found in outside.values() for a in found}
    domains = {
        d for found in outside.values() for a in found
        if (d := email_domain(a)) and d not in policy.free_mail_domains and d not in firm.own_domains
    }  # fmt: skip
    thread_keys = {i for key in outside for i in (fresh[key].in_reply_to, *fresh[key].references[:50]) if i}
    # Everything the rules need, read once for all users with what decides visibility; filtered per user below
    # by store.visibility's rule for rows already read.
    customer_cols = (Customer.visibility, Customer.owner_id, Customer.deleted_at.is_not(None))
    contact_cols = (
        Contact.id,
        Contact.customer_id,
        Contact.visibility,
        Contact.owner_id,
        Contact.deleted_at.is_not(None),
    )
    contact_rows: Any = (
        await session.execute(
            select(ContactEmail.email, *contact_cols, *customer_cols)
            .join(Contact, Contact.id == ContactEmail.contact_id)
            .outerjoin(Customer, Customer.id == Contact.customer_id)
            .where(ContactEmail.email.in_(addresses))
            .order_by(Contact.id)
        )
    ).all() if addresses else []  # fmt: skip
    web_rows: Any = (
        await session.execute(select(Customer.web_domain, Customer.id, *customer_cols).where(Customer.web_domain.in_(domains)))
    ).all() if domains else []  # fmt: skip
    domain_contact_rows: Any = (
        await session.execute(
            select(ContactEmail.domain, *contact_cols, *customer_cols)
            .join(Contact, Contact.id == ContactEmail.contact_id)
            .join(Customer, Customer.id == Contact.customer_id)
            .where(ContactEmail.domain.in_(domains))
        )
    ).all() if domains else []  # fmt: skip
    thread_rows: Any = (
        await session.execute(
            select(Email.message_id, Email.customer_id, Email.sales_case_id, *customer_cols)
            .join(Customer, Customer.id == Email.customer_id)
            .where(Email.message_id.in_(thread_keys), Email.link_status == EmailLinkStatus.LINKED)
        )
    ).all() if thread_keys else []  # fmt: skip
    # Visibility of every customer read above, for replies to emails decided earlier in this same batch.
    customer_info: dict[int, tuple[Any, int, bool]] = {}
    for row in contact_rows:
        if row[2] is not None:
            customer_info[row[2]] = (row[6], row[7], row[8])
    for row in web_rows:
        customer_info[row[1]] = (row[2], row[3], row[4])
    for row in domain_contact_rows:
        if row[2] is not None:
            customer_info[row[2]] = (row[6], row[7], row[8])
    for row in thread_rows:
        if row[1] is not None:
            customer_info[row[1]] = (row[3], row[4], row[5])
    in_batch: dict[str, _ThreadRow] = {}
    views: dict[int, _View] = {}
    for key in fresh:
        user = firm.users.get((fresh[key].sender or "").strip().lower())
        if key in decisions or user is None:
            continue
        view = views.get(user.id)
        if view is None:
            # Only the rows this user's emails can use: the user's addresses, domains and thread ids.
            keys_of_user = by_user.get(user.id, [])
            addresses_of = {a for k in keys_of_user for a in outside.get(k, ())}
            domains_of = {d for a in addresses_of if (d := email_domain(a))}
            threads_of = {
                i for k in keys_of_user for i in (fresh[k].in_reply_to, *fresh[k].references[:50]) if i
            }
            view = views[user.id] = _View.of(
                Actor.of(users[user.id]),
                [r for r in contact_rows if r[0] in addresses_of],
                [r for r in web_rows if r[0] in domains_of],
                [r for r in domain_contact_rows if r[0] in domains_of],
                [r for r in thread_rows if r[0] in threads_of],
            )
        item = fresh[key]
        forced = await _plus_address(session, view.actor, item, outside[key])
        if forced is not None:
            decisions[key] = forced
        else:
            threads = dict(view.threads)
            for earlier, row in in_batch.items():
                info = customer_info.get(row.customer_id or 0)
                if info is not None and customer_row_visible(view.actor, *info):
                    threads[earlier] = row
            visible = {t.customer_id for t in threads.values() if t.customer_id is not None}
            decisions[key] = _decide_from(
                item, outside[key], view.contacts_of, threads, visible, view.customers_of_domain
            )
        if decisions[key].customer_id is not None:  # a reply later in the same batch follows this one
            in_batch[key] = _ThreadRow(decisions[key].customer_id, decisions[key].sales_case_id)
            if decisions[key].customer_id not in customer_info:
                found = await session.get(Customer, decisions[key].customer_id)
                if found is not None:
                    customer_info[found.id] = (found.visibility, found.owner_id, found.deleted_at is not None)
    await _complete(session, decisions, fresh)
    return decisions


@dataclass
class _View:
    """What one user may see of the rows a batch read: contacts by address, customers by domain, threads."""

    actor: Actor
    contacts_of: dict[str, list[tuple[int, int | None]]]
    customers_of_domain: dict[str, set[int]]
    threads: dict[str, Any]

    @classmethod
    def of(
        cls, actor: Actor, contact_rows: Any, web_rows: Any, domain_contact_rows: Any, thread_rows: Any
    ) -> _View:
        def customer_ok(row: Any, at: int) -> bool:
            return customer_row_visible(actor, row[at], row[at + 1], row[at + 2])

        def contact_ok(row: Any, at: int) -> bool:
            customer_seen = None if row[at + 1] is None else customer_ok(row, at + 5)
            return contact_row_visible(actor, row[at + 2], row[at + 3], row[at + 4], customer_seen)

        contacts_of: dict[str, list[tuple[int, int | None]]] = {}
        for row in contact_rows:
            if contact_ok(row, 1):
                contacts_of.setdefault(row[0], []).append((row[1], row[2]))
        customers_of_domain: dict[str, set[int]] = {}
        for row in web_rows:
            if row[0] is not None and customer_ok(row, 2):
                customers_of_domain.setdefault(row[0], set()).add(row[1])
        for row in domain_contact_rows:
            if row[0] is not None and row[2] is not None and contact_ok(row, 1):
                customers_of_domain.setdefault(row[0], set()).add(row[2])
        threads = {row[0]: _ThreadRow(row[1], row[2]) for row in thread_rows if customer_ok(row, 3)}
        return cls(actor, contacts_of, customers_of_domain, threads)


@dataclass(frozen=True)
class _ThreadRow:
    customer_id: int | None
    sales_case_id: int | None


def _decide_from(
    item: IncomingEmail,
    outside: list[str],
    contacts_of: dict[str, list[tuple[int, int | None]]],
    threads: dict[str, Any],
    visible_thread_customers: set[int],
    customers_of_domain: dict[str, set[int]],
) -> _Decision:
    """Rules 2-4 of the module's docstring on what `_decide_batch` read (rule 1 needs its own look-up)."""
    by_customer: dict[int, list[int]] = {}
    for address in outside:
        for contact_id, customer_id in contacts_of.get(address, ()):
            if customer_id is not None and contact_id not in by_customer.get(customer_id, []):
                by_customer.setdefault(customer_id, []).append(contact_id)
    if len(by_customer) == 1:
        customer_id, ids = next(iter(by_customer.items()))
        return _Decision(customer_id, ids, "contact_email")
    if len(by_customer) > 1:
        return _Decision(candidate_ids=sorted(by_customer))
    for thread_id in (item.in_reply_to, *reversed(item.references[:50])):
        row = threads.get(thread_id) if thread_id else None
        if row is not None and row.customer_id in visible_thread_customers:
            return _Decision(row.customer_id, [], "thread", sales_case_id=row.sales_case_id)
    ids = sorted({c for a in outside if (d := email_domain(a)) for c in customers_of_domain.get(d, ())})
    if len(ids) == 1:
        return _Decision(ids[0], [], "domain")
    if len(ids) > 1:
        return _Decision(candidate_ids=ids)
    return _Decision()


async def _complete(
    session: AsyncSession, decisions: dict[str, _Decision], fresh: dict[str, IncomingEmail]
) -> None:
    """Customer names, choice labels and the sales case each subject names, for all decisions at once."""
    customer_ids = {d.customer_id for d in decisions.values() if d.customer_id is not None}
    customer_ids |= {c for d in decisions.values() for c in d.candidate_ids}
    if not customer_ids:
        return
    names = {
        row.id: (row.name, row.customer_number)
        for row in (
            await session.execute(
                select(Customer.id, Customer.name, Customer.customer_number).where(
                    Customer.id.in_(customer_ids)
                )
            )
        ).all()
    }
    cases: dict[int, list[tuple[int, str]]] = {}
    for case_id, customer_id, name in (
        await session.execute(
            select(SalesCase.id, SalesCase.customer_id, SalesCase.name).where(
                SalesCase.customer_id.in_(customer_ids),
                SalesCase.status == CaseStatus.OPEN,
                SalesCase.deleted_at.is_(None),
            )
        )
    ).all():
        cases.setdefault(customer_id, []).append((case_id, name))
    for key, d in decisions.items():
        if d.candidate_ids and not d.candidates:
            d.candidates = sorted(
                ((c, f"{names[c][0]} (#{names[c][1]})") for c in d.candidate_ids if c in names),
                key=lambda x: x[1],
            )
        if d.customer_id is None:
            continue
        d.status = EmailLinkStatus.LINKED
        d.customer_name = d.customer_name or names.get(d.customer_id, ("", 0))[0]
        if d.sales_case_id is None:
            d.sales_case_id = _case_named(cases.get(d.customer_id, []), fresh[key].subject)


def _case_named(cases: list[tuple[int, str]], subject: str) -> int | None:
    if not subject.strip() or not cases:
        return None
    best = max(
        ((fuzz.partial_ratio(name.casefold(), subject.casefold()), case_id) for case_id, name in cases)
    )
    return best[1] if best[0] >= 90 else None


@dataclass
class _Decision:
    customer_id: int | None = None
    contact_ids: list[int] = field(default_factory=list)
    rule: str | None = None
    sales_case_id: int | None = None
    candidates: list[tuple[int, str]] = field(default_factory=list)
    customer_name: str | None = None
    candidate_ids: list[int] = field(default_factory=list)
    status: EmailLinkStatus = EmailLinkStatus.UNLINKED


async def _plus_address(
    session: AsyncSession, actor: Actor, incoming: IncomingEmail, outside: list[str]
) -> _Decision | None:
    """Rule 1: crm+10023@firma.no (or crm+bergenbygg@) forces that customer, when the user may see it."""
    for address in incoming.recipients:
        match = PLUS_ADDRESS.match(address)
        if match:
            customer = await _customer_for_tag(session, actor, match[1])
            if customer is not None:
                found = await _contacts_by_email(session, actor, outside, customer.id)
                return _Decision(customer.id, [c.id for c in found], "plus_address")
    return None


async def _customer_for_tag(session: AsyncSession, actor: Actor, tag: str) -> Customer | None:
    """ "crm+10023@": customer number 10023; "crm+bergenbygg@": the customer whose name or website says so."""
    if tag.isdigit():
        return await session.scalar(
            select(Customer).where(Customer.customer_number == int(tag), customer_visible(actor))
        )
    slug = re.sub(r"[\W_]", "", tag).lower()
    if not slug:
        return None
    rows = (
        await session.scalars(
            select(Customer).where(
                customer_visible(actor),
                or_(
                    func.replace(Customer.name_key, " ", "") == slug,
                    Customer.web_domain.like(f"{slug}.%"),
                ),
            )
        )
    ).all()
    return rows[0] if len(rows) == 1 else None


async def _contacts_by_email(
    session: AsyncSession, actor: Actor, addresses: Collection[str], customer_id: int | None = None
) -> list[Contact]:
    if not addresses:
        return []
    stmt = (
        select(Contact)
        .join(ContactEmail, ContactEmail.contact_id == Contact.id)
        .where(ContactEmail.email.in_([a.lower() for a in addresses]), contact_visible(actor))
        .order_by(Contact.id)
    )
    if customer_id is not None:
        stmt = stmt.where(Contact.customer_id == customer_id)
    return list(dict.fromkeys((await session.scalars(stmt)).all()))


async def _link(session: AsyncSession, actor: Actor, email: Email, decision: _Decision) -> None:
    """Link to the contacts, the customer and the sales case; the email shows on the card as an activity.

    Visibility was checked when the rules chose the customer and contacts, so the rows are written directly;
    the activity is exactly-once by (source, Message-ID) like every delivery from outside."""
    assert decision.customer_id is not None
    email.customer_id = decision.customer_id
    email.link_status = EmailLinkStatus.LINKED
    email.link_rule = decision.rule
    email.sales_case_id = decision.sales_case_id or await _sales_case_for(
        session, decision.customer_id, email.subject
    )
    decision.customer_name = await session.scalar(
        select(Customer.name).where(Customer.id == decision.customer_id)
    )
    await session.flush()
    contact_ids = list(dict.fromkeys(decision.contact_ids))
    if contact_ids:
        await session.execute(
            insert(email_contacts), [{"email_id": email.id, "contact_id": c} for c in contact_ids]
        )
    if await session.scalar(
        select(Activity.id).where(Activity.source == Source.EMAIL, Activity.external_id == email.message_id)
    ):
        return
    activity = Activity(
        kind=ActivityKind.EMAIL,
        subject=(email.subject or "(no subject)")[:300],
        body=email.body_text[:5000] or None,
        start_at=email.sent_at,
        done=True,
        customer_id=decision.customer_id,
        sales_case_id=email.sales_case_id,
        owner_id=actor.user_id,
        assignee_id=actor.user_id,
        source=Source.EMAIL,
        external_id=email.message_id,
        created_by_id=actor.user_id,
    )
    session.add(activity)
    await session.flush()
    if contact_ids:
        await session.execute(
            insert(activity_contacts), [{"activity_id": activity.id, "contact_id": c} for c in contact_ids]
        )


async def _sales_case_for(session: AsyncSession, customer_id: int, subject: str) -> int | None:
    """The customer's open sales case the subject names ("Re: Acme renewal 2027 – pricing"), if one does."""
    if not subject.strip():
        return None
    rows = (
        await session.execute(
            select(SalesCase.id, SalesCase.name).where(
                SalesCase.customer_id == customer_id,
                SalesCase.status == CaseStatus.OPEN,
                SalesCase.deleted_at.is_(None),
            )
        )
    ).all()
    return _case_named([(case_id, name) for case_id, name in rows], subject)


async def _by_message_id(session: AsyncSession, message_id: str) -> Email | None:
    return await session.scalar(select(Email).where(Email.message_id == message_id[:998]))


def _result(email: Email, *, new: bool) -> CaptureResult:
    return CaptureResult(
        email_id=email.id,
        new=new,
        status=email.link_status,
        rule=email.link_rule,
        captured_by=email.captured_by_id,
        customer_id=email.customer_id,
        sales_case_id=email.sales_case_id,
        subject=email.subject,
        original_from=email.from_address,
    )


# --- the user's decisions on a waiting email ----------------------------------------------------------------


async def _waiting_email(session: AsyncSession, actor: Actor, email_id: int) -> Email:
    email = await session.get(Email, email_id)
    if email is None or email.captured_by_id != actor.user_id:
        raise NotFound(f"No captured email {email_id} of yours.", key="email.no_id", email_id=email_id)
    return email


async def link_to_customer(session: AsyncSession, actor: Actor, email_id: int, customer_id: int) -> Email:
    """The user chose the customer. Linking twice is harmless: the second time changes nothing."""
    email = await _waiting_email(session, actor, email_id)
    if email.link_status is EmailLinkStatus.LINKED:
        return email
    customer = await customers.get_customer(session, actor, customer_id)
    participants = [a for a in [email.from_address, *email.to_addresses, *email.cc_addresses] if a]
    found = await _contacts_by_email(session, actor, participants, customer.id)
    await _link(session, actor, email, _Decision(customer.id, [c.id for c in found], "manual"))
    return email


async def create_contact_from_sender(
    session: AsyncSession, actor: Actor, email_id: int, customer_id: int, name: str | None = None
) -> Contact:
    """Make the original sender a contact of the customer, then link the email to both."""
    email = await _waiting_email(session, actor, email_id)
    if not email.from_address:
        raise InvalidInput("The email has no sender address to make a contact from.", key="email.no_sender")
    local = email.from_address.split("@")[0].replace(".", " ").replace("_", " ").title()
    first, last = contacts.split_name(name or local)
    contact = await contacts.add_contact(
        session, actor, customer_id=customer_id, first_name=first, last_name=last, emails=[email.from_address]
    )
    await link_to_customer(session, actor, email_id, customer_id)
    return contact


async def ignore_email(session: AsyncSession, actor: Actor, email_id: int) -> Email:
    email = await _waiting_email(session, actor, email_id)
    if email.link_status is EmailLinkStatus.UNLINKED:
        email.link_status = EmailLinkStatus.IGNORED
        email.link_rule = "user"
        await session.flush()
    return email


async def waiting_for(session: AsyncSession, actor: Actor, limit: int = 20) -> list[Email]:
    """Emails the user captured that still wait for a decision, newest first."""
    rows = await session.scalars(
        select(Email)
        .where(Email.captured_by_id == actor.user_id, Email.link_status == EmailLinkStatus.UNLINKED)
        .order_by(Email.id.desc())
        .limit(limit)
    )
    return list(rows)


@dataclass
class CaptureCounts:
    linked: int
    waiting: int  # captured by a user, not linked yet
    ignored: int
    unknown_sender: int


async def capture_counts(session: AsyncSession) -> CaptureCounts:
    rows = await session.execute(
        select(Email.link_status, Email.captured_by_id.is_(None), func.count()).group_by(
            Email.link_status, Email.captured_by_id.is_(None)
        )
    )
    counts = {"linked": 0, "waiting": 0, "ignored": 0, "unknown": 0}
    for status, unknown_sender, n in rows:
        if unknown_sender:
            counts["unknown"] += n
        elif status == EmailLinkStatus.LINKED:
            counts["linked"] += n
        elif status == EmailLinkStatus.IGNORED:
            counts["ignored"] += n
        else:
            counts["waiting"] += n
    return CaptureCounts(counts["linked"], counts["waiting"], counts["ignored"], counts["unknown"])


async def captured_email(session: AsyncSession, actor: Actor, email_id: int) -> Email:
    """One of the user's own captured emails."""
    return await _waiting_email(session, actor, email_id)


async def customer_name(session: AsyncSession, customer_id: int) -> str:
    return str(await session.scalar(select(Customer.name).where(Customer.id == customer_id)) or "")
