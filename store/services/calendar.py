"""Calendar sync in the store (SPEC §7): sources and their leases, turning calendar occurrences into meeting
activities, booked meetings, and the rows behind each user's private feed.

Rules, in one place:
- An occurrence becomes a meeting activity when its organiser or attendees match contacts the calendar's
  owner may see (store.visibility); it is keyed by UID + RECURRENCE-ID with source `calendar`, so the same
  occurrence in several users' calendars is one activity, and each of those users is a participant.
- A change moves it (times, subject, status). A newer copy wins over an older one (SEQUENCE, then
  LAST-MODIFIED/DTSTAMP), so a colleague's stale copy does not move it back.
- STATUS:CANCELLED marks it cancelled; an occurrence gone from one calendar leaves that calendar, and when
  it is in no calendar any more it is marked cancelled. Nothing is deleted, and the body (the user's notes)
  is written only when the activity is created.
- Occurrences before the sync window's start are history: they are never unlinked or cancelled.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar
from urllib.parse import urlsplit

from sqlalchemy import and_, delete, func, or_, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from store import validation
from store.actor import Actor
from store.errors import InvalidInput, NotFound, PermissionDenied
from store.models import (
    Activity,
    ActivityKind,
    CalendarFeed,
    CalendarItem,
    CalendarLink,
    CalendarSource,
    CalendarSourceKind,
    Contact,
    ContactEmail,
    Customer,
    Source,
    User,
    activity_contacts,
    activity_participants,
)
from store.services.activities import log_activity
from store.services.customers import require_writer
from store.types import utcnow
from store.visibility import contact_visible, customer_visible, hidden_customer_ids

MAX_KEY = 500  # activities.external_id and calendar_links.uid
CHUNK = 1000  # values per IN (...) list
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
T = TypeVar("T")


# --- what the calendar side hands over -------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingOccurrence:
    """One occurrence of a calendar event, times in UTC."""

    uid: str
    key: str  # the activity's external id: UID, or UID#RECURRENCE-ID for a recurring event
    start: datetime
    end: datetime
    all_day: bool
    summary: str
    description: str | None
    location: str | None
    cancelled: bool
    organizer: str | None
    attendees: tuple[str, ...]
    declined: tuple[str, ...]
    sequence: int = 0
    stamp: datetime | None = None
    in_window: bool = True  # false: a single event that ended before the window; kept up to date only

    @property
    def emails(self) -> list[str]:
        return list(dict.fromkeys(([self.organizer] if self.organizer else []) + list(self.attendees)))

    @property
    def version(self) -> tuple[int, datetime]:
        return (self.sequence, self.stamp or EPOCH)


@dataclass
class CalendarObject:
    """A calendar object as last read: a CalDAV resource, or one UID of a feed (href `uid:...`)."""

    href: str
    etag: str | None
    uids: list[str]
    occurrences: list[MeetingOccurrence]
    data: str | None = None  # recurring events: the text, to expand again when the window moves
    expanded_until: date | None = None


@dataclass
class ApplyReport:
    created: int = 0
    updated: int = 0
    cancelled: int = 0
    linked: int = 0
    unlinked: int = 0
    objects: int = 0
    removed: int = 0

    def add(self, other: ApplyReport) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def uid_key(uid: str) -> str:
    """A UID as stored: itself, or its SHA-256 when too long for the column."""
    return uid if len(uid) <= MAX_KEY else "sha256:" + _digest(uid)


def external_key(uid: str, recurrence_id: str | None) -> str:
    """The activity's external id: `UID` or `UID#RECURRENCE-ID` (UTC `...Z`, floating, or a date)."""
    key = uid if recurrence_id is None else f"{uid}#{recurrence_id}"
    return key if len(key) <= MAX_KEY else "sha256:" + _digest(key)


def _chunks(values: Sequence[T], size: int = CHUNK) -> Iterable[Sequence[T]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _insert(session: AsyncSession, table: Any) -> Any:
    """INSERT ... ON CONFLICT for the session's database (both understand DO NOTHING / DO UPDATE)."""
    if session.get_bind().dialect.name == "postgresql":
        return pg_insert(table)
    return sqlite_insert(table)


# --- sources ----------------------------------------------------------------------------------------------


def url_fingerprint(url: str) -> str:
    return _digest(url.strip())


async def add_source(
    session: AsyncSession,
    actor: Actor,
    *,
    user_id: int,
    kind: CalendarSourceKind | str,
    url: str,
    display_url: str | None = None,
    username: str | None = None,
    secret_encrypted: str | None = None,
    name: str | None = None,
    now: datetime | None = None,
) -> CalendarSource:
    """Add a calendar to a user (oneself, or anyone for an admin). The secret comes encrypted already."""
    require_writer(actor)
    if user_id != actor.user_id and not actor.is_admin:
        raise PermissionDenied("Only admins can add calendars for other users.", key="calendar.admin_only")
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user with id {user_id}.", key="user.no_id", user_id=user_id)
    try:
        the_kind = CalendarSourceKind(kind)
    except ValueError as exc:
        raise InvalidInput(
            f"{kind!r} is not a calendar kind; use caldav or ics.",
            field_name="kind",
            key="calendar.bad_kind",
            kind=kind,
        ) from exc
    clean_url = validation.required_text(url, "url", max_length=2000)
    if clean_url.lower().startswith("webcal://"):  # how calendar apps hand out feed addresses
        clean_url = "https://" + clean_url[len("webcal://") :]
    if not clean_url.lower().startswith(("http://", "https://")):
        raise InvalidInput(
            "A calendar URL starts with http:// or https://.", field_name="url", key="calendar.bad_url"
        )
    if "@" in urlsplit(clean_url).netloc:
        raise InvalidInput(
            "Give the user name and password separately, not inside the URL.",
            field_name="url",
            key="calendar.secret_in_url",
        )
    fingerprint = url_fingerprint(clean_url)
    exists = await session.execute(
        select(CalendarSource.id).where(
            CalendarSource.user_id == user_id, CalendarSource.url_hash == fingerprint
        )
    )
    if exists.first():
        raise InvalidInput(
            "This calendar is already added for this user.", field_name="url", key="calendar.already_added"
        )
    source = CalendarSource(
        user_id=user_id,
        kind=the_kind,
        name=validation.optional_text(name, "name", max_length=200),
        url=display_url or clean_url,
        url_hash=fingerprint,
        username=username or None,
        secret_encrypted=secret_encrypted,
        next_sync_at=now or utcnow(),
        problems=[],
        error_count=0,
        created_by_id=actor.user_id,
    )
    session.add(source)
    await session.flush()
    return source


async def remove_source(session: AsyncSession, actor: Actor, source_id: int) -> None:
    """Forget a calendar; its meetings stay on the customer cards (links go, activities stay)."""
    source = await session.get(CalendarSource, source_id)
    if source is None or (source.user_id != actor.user_id and not actor.is_admin):
        raise NotFound(f"No calendar with id {source_id}.", key="calendar.no_id", source_id=source_id)
    await session.delete(source)
    await session.flush()


async def get_source(session: AsyncSession, source_id: int) -> CalendarSource:
    source = await session.get(CalendarSource, source_id)
    if source is None:
        raise NotFound(f"No calendar with id {source_id}.", key="calendar.no_id", source_id=source_id)
    return source


async def sources(session: AsyncSession, *, user_id: int | None = None) -> list[CalendarSource]:
    stmt = select(CalendarSource).order_by(CalendarSource.user_id, CalendarSource.id)
    if user_id is not None:
        stmt = stmt.where(CalendarSource.user_id == user_id)
    return list((await session.execute(stmt)).scalars())


async def caldav_source_of(session: AsyncSession, user_id: int) -> CalendarSource | None:
    """The calendar meetings booked from chat are written to: the user's first active CalDAV source."""
    return (
        await session.execute(
            select(CalendarSource)
            .where(
                CalendarSource.user_id == user_id,
                CalendarSource.kind == CalendarSourceKind.CALDAV,
                CalendarSource.active.is_(True),
            )
            .order_by(CalendarSource.id)
            .limit(1)
        )
    ).scalar_one_or_none()


async def a_stored_secret(session: AsyncSession) -> str | None:
    """One encrypted secret, if any is stored: to check at start-up that the key opens them."""
    return (
        await session.execute(
            select(CalendarSource.secret_encrypted)
            .where(CalendarSource.secret_encrypted.is_not(None))
            .order_by(CalendarSource.id)
            .limit(1)
        )
    ).scalar_one_or_none()


@dataclass
class SourceStatus:
    id: int
    user_email: str
    kind: str
    name: str | None
    url: str
    active: bool
    last_sync_at: datetime | None
    last_success_at: datetime | None
    next_sync_at: datetime | None
    last_error: str | None
    problems: list[str]
    error_count: int
    items: int
    meetings: int
    leased_by: str | None


async def source_statuses(
    session: AsyncSession, *, user_id: int | None = None, now: datetime | None = None
) -> list[SourceStatus]:
    now = now or utcnow()
    items = (
        select(CalendarItem.source_id, func.count().label("n")).group_by(CalendarItem.source_id).subquery()
    )
    links = (
        select(CalendarLink.source_id, func.count().label("n")).group_by(CalendarLink.source_id).subquery()
    )
    stmt = (
        select(CalendarSource, User.email, items.c.n, links.c.n)
        .join(User, User.id == CalendarSource.user_id)
        .outerjoin(items, items.c.source_id == CalendarSource.id)
        .outerjoin(links, links.c.source_id == CalendarSource.id)
        .order_by(User.email, CalendarSource.id)
    )
    if user_id is not None:
        stmt = stmt.where(CalendarSource.user_id == user_id)
    result = []
    for source, email, n_items, n_links in (await session.execute(stmt)).all():
        leased = (
            source.lease_owner
            if source.lease_expires_at is not None and source.lease_expires_at > now
            else None
        )
        result.append(
            SourceStatus(
                id=source.id,
                user_email=email,
                kind=source.kind.value,
                name=source.name,
                url=source.url,
                active=source.active,
                last_sync_at=source.last_sync_at,
                last_success_at=source.last_success_at,
                next_sync_at=source.next_sync_at,
                last_error=source.last_error,
                problems=list(source.problems or []),
                error_count=source.error_count,
                items=int(n_items or 0),
                meetings=int(n_links or 0),
                leased_by=leased,
            )
        )
    return result


# --- leases: one replica per source at a time (SPEC §10) --------------------------------------------------


async def due_source_ids(session: AsyncSession, *, now: datetime, limit: int = 100) -> list[int]:
    """Sources of active users whose turn has come and that nobody holds, the longest-waiting first."""
    stmt = (
        select(CalendarSource.id)
        .join(User, User.id == CalendarSource.user_id)
        .where(
            User.active.is_(True),
            CalendarSource.active.is_(True),
            or_(CalendarSource.next_sync_at.is_(None), CalendarSource.next_sync_at <= now),
            or_(CalendarSource.lease_expires_at.is_(None), CalendarSource.lease_expires_at < now),
        )
        .order_by(CalendarSource.next_sync_at)
        .limit(limit)
    )
    return list((await session.execute(stmt)).scalars())


async def claim_source(
    session: AsyncSession,
    source_id: int,
    *,
    owner: str,
    now: datetime,
    lease: timedelta,
    only_if_due: bool = True,
) -> bool:
    """Take the source's lease if it is free (or expired). A single conditional UPDATE, so of two replicas
    trying at once exactly one gets it, on SQLite and PostgreSQL alike."""
    conditions = [
        CalendarSource.id == source_id,
        CalendarSource.active.is_(True),
        or_(CalendarSource.lease_expires_at.is_(None), CalendarSource.lease_expires_at < now),
    ]
    if only_if_due:
        conditions.append(or_(CalendarSource.next_sync_at.is_(None), CalendarSource.next_sync_at <= now))
    result = await session.execute(
        update(CalendarSource)
        .where(*conditions)
        .values(lease_owner=owner, lease_expires_at=now + lease)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


async def renew_lease(session: AsyncSession, source_id: int, *, owner: str, until: datetime) -> bool:
    result = await session.execute(
        update(CalendarSource)
        .where(CalendarSource.id == source_id, CalendarSource.lease_owner == owner)
        .values(lease_expires_at=until)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


@dataclass
class SyncState:
    """What the server told us, to start from next time."""

    sync_token: str | None = None
    ctag: str | None = None
    etag: str | None = None
    last_modified: str | None = None


async def save_sync_state(session: AsyncSession, source_id: int, state: SyncState) -> None:
    await session.execute(
        update(CalendarSource)
        .where(CalendarSource.id == source_id)
        .values(
            sync_token=state.sync_token,
            ctag=state.ctag,
            etag=state.etag,
            last_modified=state.last_modified,
        )
        .execution_options(synchronize_session=False)
    )


async def finish_sync(
    session: AsyncSession,
    source_id: int,
    *,
    owner: str | None,
    now: datetime,
    next_sync_at: datetime,
    error: str | None,
    problems: Sequence[str] = (),
) -> None:
    """Record the outcome and let go of the lease (only our own lease)."""
    source = await session.get(CalendarSource, source_id, with_for_update=False)
    if source is None:
        return
    if owner is not None and source.lease_owner not in (owner, None):
        return  # our lease expired and someone else holds it now; they will record their own result
    source.last_sync_at = now
    source.next_sync_at = next_sync_at
    source.lease_owner = None
    source.lease_expires_at = None
    if error is None:
        source.last_success_at = now
        source.last_error = None
        source.error_count = 0
        source.problems = list(problems)
    else:
        source.last_error = error[:2000]
        source.error_count = (source.error_count or 0) + 1
    await session.flush()


# --- items: what each source held last time ---------------------------------------------------------------


async def known_etags(session: AsyncSession, source_id: int) -> dict[str, str | None]:
    rows = await session.execute(
        select(CalendarItem.href, CalendarItem.etag).where(CalendarItem.source_id == source_id)
    )
    return {href: etag for href, etag in rows.all()}


async def items_to_expand(
    session: AsyncSession, source_id: int, *, until: date, exclude: Iterable[str] = ()
) -> list[tuple[str, str | None, str]]:
    """Recurring objects expanded only up to an earlier day than `until`: (href, etag, text)."""
    skip = set(exclude)
    rows = await session.execute(
        select(CalendarItem.href, CalendarItem.etag, CalendarItem.data).where(
            CalendarItem.source_id == source_id,
            CalendarItem.expanded_until.is_not(None),
            CalendarItem.expanded_until < until,
            CalendarItem.data.is_not(None),
        )
    )
    return [(h, e, d) for h, e, d in rows.all() if h not in skip and d]


# --- applying a batch of changes --------------------------------------------------------------------------

ContactRef = tuple[int, int | None]  # (contact id, its customer id)


@dataclass
class _Existing:
    """The columns of a calendar activity that sync compares and writes."""

    id: int
    external_id: str
    start_at: datetime | None
    end_at: datetime | None
    subject: str
    cancelled: bool
    all_day: bool
    done: bool
    customer_id: int | None
    deleted: bool


_EXISTING_COLUMNS = (
    Activity.id,
    Activity.external_id,
    Activity.start_at,
    Activity.end_at,
    Activity.subject,
    Activity.cancelled,
    Activity.all_day,
    Activity.done,
    Activity.customer_id,
    Activity.deleted_at,
)


def _subject(occurrence: MeetingOccurrence) -> str:
    return (occurrence.summary or "(no subject)")[:300]


def _body(occurrence: MeetingOccurrence) -> str | None:
    parts = [f"Location: {occurrence.location}" if occurrence.location else None, occurrence.description]
    return "\n\n".join(p for p in parts if p)[:100_000] or None


def _primary_customer(
    occurrence: MeetingOccurrence, matched: Sequence[ContactRef], by_email: dict[str, list[ContactRef]]
) -> int | None:
    """The organiser's customer when the organiser is a contact, else the customer with most contacts
    (the lowest id on a tie)."""
    for _, customer_id in by_email.get(occurrence.organizer or "", []):
        if customer_id is not None:
            return customer_id
    counts = Counter(c for _, c in matched if c is not None)
    if not counts:
        return None
    best = max(counts.values())
    return min(c for c, n in counts.items() if n == best)


class _Apply:
    """One batch of one source, step by step (see `apply_objects`)."""

    def __init__(
        self,
        session: AsyncSession,
        source: CalendarSource,
        owner: Actor,
        owner_email: str,
        window_start: datetime,
        now: datetime,
    ) -> None:
        self.session = session
        self.source_id = source.id
        self.owner = owner
        self.own_email = owner_email.lower()
        self.window_start = window_start
        self.now = now
        self.report = ApplyReport()
        self.present: dict[str, MeetingOccurrence] = {}  # external id -> newest copy in this batch
        self.links: dict[str, int] = {}  # external id -> activity, for what this source held of these UIDs
        self.activities: dict[str, _Existing] = {}
        self.contacts_by_email: dict[str, list[ContactRef]] = {}
        self.users_by_email: dict[str, int] = {}
        self.matched: dict[str, list[ContactRef]] = {}

    async def load(self, objects: Sequence[CalendarObject], removed_hrefs: Sequence[str]) -> None:
        session = self.session
        old_uids: set[str] = set()
        for hrefs in _chunks([o.href for o in objects] + list(removed_hrefs)):
            rows = await session.execute(
                select(CalendarItem.uids).where(
                    CalendarItem.source_id == self.source_id, CalendarItem.href.in_(hrefs)
                )
            )
            for (uids,) in rows.all():
                old_uids.update(uids or [])
        touched = sorted({uid_key(u) for u in old_uids} | {uid_key(u) for o in objects for u in o.uids})
        for uids_chunk in _chunks(touched):
            linked = await session.execute(
                select(Activity.external_id, CalendarLink.activity_id)
                .join(Activity, Activity.id == CalendarLink.activity_id)
                .where(CalendarLink.source_id == self.source_id, CalendarLink.uid.in_(uids_chunk))
            )
            self.links.update({str(ext): aid for ext, aid in linked.all()})
        for obj in objects:
            for occ in obj.occurrences:
                if occ.key not in self.present or occ.version >= self.present[occ.key].version:
                    self.present[occ.key] = occ
        emails = sorted({e for occ in self.present.values() for e in occ.emails if e != self.own_email})
        self.contacts_by_email = await self._contacts_for(emails)
        self.users_by_email = await self._users_for(emails)
        self.activities = await self._activities_for(sorted(set(self.present) | set(self.links)))
        for key, occ in self.present.items():
            found = [c for e in occ.emails if e != self.own_email for c in self.contacts_by_email.get(e, [])]
            self.matched[key] = list(dict.fromkeys(found))

    async def _contacts_for(self, emails: Sequence[str]) -> dict[str, list[ContactRef]]:
        """Contacts with these emails that the calendar's owner may see."""
        found: dict[str, list[ContactRef]] = defaultdict(list)
        for chunk in _chunks(emails):
            rows = await self.session.execute(
                select(ContactEmail.email, Contact.id, Contact.customer_id)
                .join(Contact, Contact.id == ContactEmail.contact_id)
                .where(ContactEmail.email.in_(chunk), contact_visible(self.owner))
                .order_by(Contact.id)
            )
            for email, contact_id, customer_id in rows.all():
                found[email].append((contact_id, customer_id))
        return found

    async def _users_for(self, emails: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for chunk in _chunks(emails):
            rows = await self.session.execute(
                select(User.email, User.id).where(User.email.in_(chunk), User.active.is_(True))
            )
            found.update({email: user_id for email, user_id in rows.all()})
        return found

    async def _activities_for(self, keys: Sequence[str]) -> dict[str, _Existing]:
        found: dict[str, _Existing] = {}
        for chunk in _chunks(keys):
            rows = await self.session.execute(
                select(*_EXISTING_COLUMNS).where(
                    Activity.source == Source.CALENDAR, Activity.external_id.in_(chunk)
                )
            )
            for row in rows.all():
                found[row.external_id] = _Existing(
                    id=row.id,
                    external_id=row.external_id,
                    start_at=row.start_at,
                    end_at=row.end_at,
                    subject=row.subject,
                    cancelled=row.cancelled,
                    all_day=row.all_day,
                    done=row.done,
                    customer_id=row.customer_id,
                    deleted=row.deleted_at is not None,
                )
        return found

    async def create(self) -> set[str]:
        """Activities for matched occurrences that have none yet: matched, not declined by the calendar's
        owner, inside the window. INSERT ... ON CONFLICT DO NOTHING, so a colleague's sync creating the
        same occurrence at the same moment is harmless."""
        rows = [
            {
                "kind": ActivityKind.MEETING,
                "subject": _subject(occ),
                "body": _body(occ),
                "start_at": occ.start,
                "end_at": occ.end,
                "all_day": occ.all_day,
                "done": occ.end <= self.now,
                "cancelled": occ.cancelled,
                "customer_id": _primary_customer(occ, self.matched[key], self.contacts_by_email),
                "owner_id": self.owner.user_id,
                "assignee_id": self.owner.user_id,
                "source": Source.CALENDAR,
                "external_id": key,
                "created_by_id": self.owner.user_id,
                "created_at": self.now,
                "updated_at": self.now,
            }
            for key, occ in self.present.items()
            if key not in self.activities
            and self.matched[key]
            and self.own_email not in occ.declined
            and occ.in_window
        ]
        if not rows:
            return set()
        stmt = _insert(self.session, Activity.__table__).on_conflict_do_nothing(
            index_elements=["source", "external_id"]
        )
        for chunk in _chunks(rows, 500):
            await self.session.execute(stmt, list(chunk))
        created = await self._activities_for([str(r["external_id"]) for r in rows])
        self.report.created = len(created)
        self.activities.update(created)
        return set(created)

    async def _newest_elsewhere(self, ids: Sequence[int]) -> dict[int, tuple[int, datetime]]:
        """The newest version of each activity other sources saw."""
        newest: dict[int, tuple[int, datetime]] = {}
        for chunk in _chunks(ids):
            rows = await self.session.execute(
                select(CalendarLink.activity_id, CalendarLink.sequence, CalendarLink.stamp).where(
                    CalendarLink.activity_id.in_(chunk), CalendarLink.source_id != self.source_id
                )
            )
            for aid, seq, stamp in rows.all():
                version = (seq or 0, stamp or EPOCH)
                newest[aid] = max(newest.get(aid, version), version)
        return newest

    async def _hidden_customers(self, ids: Sequence[int]) -> set[int]:
        hidden: set[int] = set()
        for chunk in _chunks(ids):
            rows = await self.session.execute(
                select(Customer.id).where(Customer.id.in_(chunk), ~customer_visible(self.owner))
            )
            hidden.update(rows.scalars())
        return hidden

    async def refresh(self, fresh: set[str]) -> None:
        """Link this source to every occurrence it holds that has an activity, add participants, and move
        what changed (unless another calendar already showed a newer version)."""
        tracked = sorted(
            ((k, a) for k, a in self.activities.items() if k in self.present and not a.deleted),
            key=lambda ka: ka[1].id,
        )
        newest = await self._newest_elsewhere([a.id for _, a in tracked])
        hidden = await self._hidden_customers(sorted({a.customer_id for _, a in tracked if a.customer_id}))
        links: list[dict[str, Any]] = []
        joining: list[dict[str, Any]] = []
        declined: list[int] = []
        contacts: dict[int, set[int]] = {}
        for key, activity in tracked:
            occ = self.present[key]
            links.append(
                {
                    "source_id": self.source_id,
                    "activity_id": activity.id,
                    "uid": uid_key(occ.uid),
                    "sequence": occ.sequence,
                    "stamp": occ.stamp,
                }
            )
            self.report.linked += key not in self.links
            if self.own_email in occ.declined:
                declined.append(activity.id)
            else:
                joining.append({"activity_id": activity.id, "user_id": self.owner.user_id})
            for email in occ.attendees:
                colleague = self.users_by_email.get(email)
                if colleague is not None and email not in occ.declined:
                    joining.append({"activity_id": activity.id, "user_id": colleague})
            if occ.version < newest.get(activity.id, (-1, EPOCH)):
                continue
            if self.matched[key]:
                contacts[activity.id] = {c for c, _ in self.matched[key]}
            values = self._changes(activity, occ, self.matched[key], hidden)
            if values:
                if key not in fresh:
                    self.report.updated += 1
                    self.report.cancelled += values.get("cancelled") is True
                await self.session.execute(
                    update(Activity)
                    .where(Activity.id == activity.id)
                    .values(**values, updated_at=self.now)
                    .execution_options(synchronize_session=False)
                )
        if links:
            stmt = _insert(self.session, CalendarLink.__table__)
            stmt = stmt.on_conflict_do_update(
                index_elements=["source_id", "activity_id"],
                set_={
                    "uid": stmt.excluded.uid,
                    "sequence": stmt.excluded.sequence,
                    "stamp": stmt.excluded.stamp,
                },
            )
            for chunk in _chunks(links, 500):
                await self.session.execute(stmt, list(chunk))
        if joining:
            unique = list({(r["activity_id"], r["user_id"]): r for r in joining}.values())
            stmt = _insert(self.session, activity_participants).on_conflict_do_nothing()
            for chunk in _chunks(unique, 500):
                await self.session.execute(stmt, list(chunk))
        if declined:
            await _drop_participant(self.session, self.source_id, self.owner.user_id, declined)
        if contacts:
            await _set_visible_contacts(self.session, self.owner, contacts)

    def _changes(
        self, activity: _Existing, occ: MeetingOccurrence, matched: Sequence[ContactRef], hidden: set[int]
    ) -> dict[str, Any]:
        wanted: dict[str, Any] = {
            "start_at": occ.start,
            "end_at": occ.end,
            "all_day": occ.all_day,
            "subject": _subject(occ),
            "cancelled": occ.cancelled,
            "done": occ.end <= self.now,
        }
        values = {name: value for name, value in wanted.items() if getattr(activity, name) != value}
        # The customer follows the contacts, unless it is one the owner may not see (set from a
        # colleague's calendar) or still among this calendar's contacts.
        customers = {c for _, c in matched if c is not None}
        current = activity.customer_id
        if customers and (current is None or (current not in customers and current not in hidden)):
            primary = _primary_customer(occ, matched, self.contacts_by_email)
            if primary is not None and primary != current:
                values["customer_id"] = primary
        return values

    async def let_go(self) -> None:
        """Occurrences of the touched UIDs this source held and no longer shows (deleted, no longer in the
        series, removed object) leave it; before the window's start they are history and stay."""
        ids = []
        for key, activity_id in self.links.items():
            if key in self.present or key not in self.activities:
                continue
            start = self.activities[key].start_at
            if start is None or start >= self.window_start:
                ids.append(activity_id)
        if ids:
            self.report.unlinked = len(ids)
            self.report.cancelled += await _unlink(
                self.session, self.source_id, self.owner.user_id, ids, self.now
            )

    async def remember(self, objects: Sequence[CalendarObject], removed_hrefs: Sequence[str]) -> None:
        rows = [
            {
                "source_id": self.source_id,
                "href": o.href,
                "etag": o.etag,
                "uids": list(o.uids),
                "data": o.data,
                "expanded_until": o.expanded_until,
            }
            for o in objects
        ]
        if rows:
            stmt = _insert(self.session, CalendarItem.__table__)
            stmt = stmt.on_conflict_do_update(
                index_elements=["source_id", "href"],
                set_={
                    "etag": stmt.excluded.etag,
                    "uids": stmt.excluded.uids,
                    "data": stmt.excluded.data,
                    "expanded_until": stmt.excluded.expanded_until,
                },
            )
            for chunk in _chunks(rows, 500):
                await self.session.execute(stmt, list(chunk))
        for hrefs in _chunks(list(removed_hrefs)):
            await self.session.execute(
                delete(CalendarItem).where(
                    CalendarItem.source_id == self.source_id, CalendarItem.href.in_(hrefs)
                )
            )


async def apply_objects(
    session: AsyncSession,
    source: CalendarSource,
    owner: Actor,
    owner_email: str,
    objects: Sequence[CalendarObject],
    *,
    removed_hrefs: Sequence[str] = (),
    window_start: datetime,
    now: datetime | None = None,
) -> ApplyReport:
    """Bring the store in line with one source's changed and removed objects, in the caller's transaction.

    Idempotent: applying the same batch twice changes nothing the second time.
    """
    step = _Apply(session, source, owner, owner_email, window_start, now or utcnow())
    step.report.objects, step.report.removed = len(objects), len(removed_hrefs)
    await step.load(objects, removed_hrefs)
    fresh = await step.create()
    await step.refresh(fresh)
    await step.let_go()
    await step.remember(objects, removed_hrefs)
    return step.report


async def _drop_participant(
    session: AsyncSession, source_id: int, user_id: int, activity_ids: Sequence[int]
) -> None:
    """The user is no longer in these meetings, unless another of their calendars still holds them."""
    for chunk in _chunks(sorted(activity_ids)):
        still = (
            select(CalendarLink.activity_id)
            .join(CalendarSource, CalendarSource.id == CalendarLink.source_id)
            .where(
                CalendarSource.user_id == user_id,
                CalendarLink.source_id != source_id,
                CalendarLink.activity_id.in_(chunk),
            )
        )
        await session.execute(
            delete(activity_participants).where(
                activity_participants.c.user_id == user_id,
                activity_participants.c.activity_id.in_(chunk),
                activity_participants.c.activity_id.not_in(still),
            )
        )


async def _unlink(
    session: AsyncSession, source_id: int, user_id: int, activity_ids: Sequence[int], now: datetime
) -> int:
    """Let go of occurrences this source no longer holds; those no calendar holds any more are cancelled.
    Returns how many were cancelled."""
    ids = sorted(set(activity_ids))
    for chunk in _chunks(ids):
        await session.execute(
            delete(CalendarLink).where(
                CalendarLink.source_id == source_id, CalendarLink.activity_id.in_(chunk)
            )
        )
    await _drop_participant(session, source_id, user_id, ids)
    cancelled = 0
    for chunk in _chunks(ids):
        held = select(CalendarLink.activity_id).where(CalendarLink.activity_id.in_(chunk))
        result = await session.execute(
            update(Activity)
            .where(
                Activity.id.in_(chunk),
                Activity.id.not_in(held),
                Activity.cancelled.is_(False),
                Activity.deleted_at.is_(None),
            )
            .values(cancelled=True, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        cancelled += int(getattr(result, "rowcount", 0) or 0)
    return cancelled


async def _set_visible_contacts(session: AsyncSession, owner: Actor, wanted: dict[int, set[int]]) -> None:
    """Make each activity's contacts that the owner may see equal `wanted`; contacts only others may see
    (added from their calendars) are left alone."""
    ids = sorted(wanted)
    current: dict[int, set[int]] = defaultdict(set)
    for chunk in _chunks(ids):
        rows = await session.execute(
            select(activity_contacts.c.activity_id, activity_contacts.c.contact_id)
            .join(Contact, Contact.id == activity_contacts.c.contact_id)
            .where(activity_contacts.c.activity_id.in_(chunk), contact_visible(owner))
        )
        for aid, cid in rows.all():
            current[aid].add(cid)
    adding = [{"activity_id": a, "contact_id": c} for a in ids for c in sorted(wanted[a] - current[a])]
    removing = [(a, c) for a in ids for c in sorted(current[a] - wanted[a])]
    if adding:
        stmt = _insert(session, activity_contacts).on_conflict_do_nothing()
        for rows_chunk in _chunks(adding, 500):
            await session.execute(stmt, list(rows_chunk))
    for pairs in _chunks(removing, 500):
        await session.execute(
            delete(activity_contacts).where(
                tuple_(activity_contacts.c.activity_id, activity_contacts.c.contact_id).in_(list(pairs))
            )
        )


# --- meetings booked from chat ----------------------------------------------------------------------------


async def create_booked_meeting(
    session: AsyncSession,
    actor: Actor,
    *,
    uid: str,
    subject: str,
    start: datetime,
    end: datetime,
    customer_id: int | None = None,
    contact_ids: Sequence[int] = (),
    participant_ids: Sequence[int] = (),
    body: str | None = None,
) -> Activity:
    """The activity of a meeting booked from chat, keyed by the UID its calendar event will carry."""
    activity = await log_activity(
        session,
        actor,
        kind=ActivityKind.MEETING,
        subject=subject,
        customer_id=customer_id,
        body=body,
        start_at=start,
        end_at=end,
        contact_ids=contact_ids,
        done=False,
        source=Source.CALENDAR,
        external_id=external_key(uid, None),
    )
    rows = [
        {"activity_id": activity.id, "user_id": u} for u in dict.fromkeys([actor.user_id, *participant_ids])
    ]
    await session.execute(_insert(session, activity_participants).on_conflict_do_nothing(), rows)
    return activity


async def record_written_object(
    session: AsyncSession, source_id: int, *, href: str, etag: str | None, uid: str, activity_id: int
) -> None:
    """A booked meeting was written to a calendar: remember the object and that the source holds it, so
    the next sync finds it known (same ETag) or at least the same activity (same UID)."""
    stmt = _insert(session, CalendarItem.__table__)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["source_id", "href"],
            set_={"etag": stmt.excluded.etag, "uids": stmt.excluded.uids},
        ),
        {
            "source_id": source_id,
            "href": href,
            "etag": etag,
            "uids": [uid],
            "data": None,
            "expanded_until": None,
        },
    )
    link = _insert(session, CalendarLink.__table__)
    await session.execute(
        link.on_conflict_do_nothing(),
        {
            "source_id": source_id,
            "activity_id": activity_id,
            "uid": uid_key(uid),
            "sequence": 0,
            "stamp": None,
        },
    )


async def participants(session: AsyncSession, activity_id: int) -> list[int]:
    rows = await session.execute(
        select(activity_participants.c.user_id)
        .where(activity_participants.c.activity_id == activity_id)
        .order_by(activity_participants.c.user_id)
    )
    return list(rows.scalars())


# --- the private feed -------------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return _digest(token)


async def issue_feed_token(session: AsyncSession, user_id: int) -> str:
    """A new secret token for the user's feed (the previous one stops working). Only its hash is kept,
    so the URL can be shown once and never again."""
    token = secrets.token_urlsafe(32)
    feed = (
        await session.execute(select(CalendarFeed).where(CalendarFeed.user_id == user_id))
    ).scalar_one_or_none()
    if feed is None:
        session.add(CalendarFeed(user_id=user_id, token_hash=_token_hash(token), created_by_id=user_id))
    else:
        feed.token_hash = _token_hash(token)
    await session.flush()
    return token


async def user_for_feed_token(session: AsyncSession, token: str) -> User | None:
    """The active user whose feed this token opens, or None (for any reason: the caller says 404)."""
    if not token or len(token) > 200:
        return None
    return (
        await session.execute(
            select(User)
            .join(CalendarFeed, CalendarFeed.user_id == User.id)
            .where(CalendarFeed.token_hash == _token_hash(token), User.active.is_(True))
        )
    ).scalar_one_or_none()


@dataclass(frozen=True)
class FeedEntry:
    id: int
    kind: ActivityKind
    subject: str
    start_at: datetime | None
    end_at: datetime | None
    due_date: date | None
    all_day: bool
    done: bool
    cancelled: bool
    customer: str | None
    updated_at: datetime
    created_at: datetime


async def feed_entries(
    session: AsyncSession, actor: Actor, *, since: datetime, limit: int = 5000
) -> list[FeedEntry]:
    """Meetings and dated tasks the user owns, is assigned or takes part in, and may see, from `since`."""
    mine = select(activity_participants.c.activity_id).where(activity_participants.c.user_id == actor.user_id)
    stmt = (
        select(
            Activity.id,
            Activity.kind,
            Activity.subject,
            Activity.start_at,
            Activity.end_at,
            Activity.due_date,
            Activity.all_day,
            Activity.done,
            Activity.cancelled,
            Customer.name.label("customer"),
            Activity.updated_at,
            Activity.created_at,
        )
        .outerjoin(Customer, Customer.id == Activity.customer_id)
        .where(
            Activity.deleted_at.is_(None),
            or_(
                and_(Activity.kind == ActivityKind.MEETING, Activity.start_at >= since),
                and_(Activity.kind == ActivityKind.TASK, Activity.due_date >= since.date()),
                and_(Activity.kind == ActivityKind.TASK, Activity.start_at >= since),
            ),
            or_(
                Activity.owner_id == actor.user_id,
                Activity.assignee_id == actor.user_id,
                Activity.id.in_(mine),
            ),
            or_(Activity.customer_id.is_(None), Activity.customer_id.not_in(hidden_customer_ids(actor))),
        )
        .order_by(Activity.start_at, Activity.due_date, Activity.id)
        .limit(limit)
    )
    return [FeedEntry(**row._asdict()) for row in (await session.execute(stmt)).all()]
