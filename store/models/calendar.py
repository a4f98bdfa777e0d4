"""Calendar sync (SPEC §7): each user's calendar sources, what was last seen in them, which activities they
hold, the internal participants of an activity, and each user's private iCalendar feed.

A calendar occurrence is one activity for everybody (source `calendar`, external id UID + RECURRENCE-ID);
`calendar_links` records which users' sources currently hold it, so the same meeting in three colleagues'
calendars is one activity with three participants, and it is marked cancelled only when it is cancelled or
gone from every calendar that had it.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base, Record, str_enum
from store.types import UTCDateTime


class CalendarSourceKind(enum.StrEnum):
    CALDAV = "caldav"
    ICS = "ics"


# Internal users taking part in an activity (besides its owner and assignee): the colleagues whose calendars
# hold the same meeting, or who were booked into it.
activity_participants = Table(
    "activity_participants",
    Base.metadata,
    Column("activity_id", ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class CalendarSource(Record, Base):
    """One CalDAV calendar or iCalendar feed of one user.

    Secrets (the CalDAV password; a feed's whole URL, which usually is a capability) are kept only in
    `secret_encrypted`, a Fernet token of a small JSON object; `url` is what may be shown.
    """

    __tablename__ = "calendar_sources"
    __table_args__ = (
        UniqueConstraint("user_id", "url_hash", name="uq_calendar_sources_user_url"),
        Index("ix_calendar_sources_due", "active", "next_sync_at"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[CalendarSourceKind] = mapped_column(str_enum(CalendarSourceKind, "calendar_source_kind"))
    name: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(2000))  # shown in status; a feed's is redacted
    url_hash: Mapped[str] = mapped_column(String(64))  # sha256 of the real URL: one source per URL and user
    username: Mapped[str | None] = mapped_column(String(320))
    secret_encrypted: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # What the server said last time: CalDAV sync-token and CTag, the feed's ETag and Last-Modified.
    sync_token: Mapped[str | None] = mapped_column(String(1000))
    ctag: Mapped[str | None] = mapped_column(String(1000))
    etag: Mapped[str | None] = mapped_column(String(1000))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    # Status, shown by `kundebot calendar status`.
    last_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    problems: Mapped[list[str]] = mapped_column(JSON, default=list)  # events that could not be read fully
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    next_sync_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # One replica works on a source at a time (SPEC §10).
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:  # never the secret
        return f"<CalendarSource {self.id} {self.kind} user={self.user_id} {self.url}>"


class CalendarItem(Base):
    """One calendar object last seen in a source: a CalDAV resource (href) or, for a feed, one UID.

    Recurring events keep their text so the window can move forward without fetching them again.
    """

    __tablename__ = "calendar_items"
    __table_args__ = (
        UniqueConstraint("source_id", "href", name="uq_calendar_items_source_href"),
        Index("ix_calendar_items_source_expanded", "source_id", "expanded_until"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("calendar_sources.id", ondelete="CASCADE"))
    href: Mapped[str] = mapped_column(String(1000))
    etag: Mapped[str | None] = mapped_column(String(1000))
    uids: Mapped[list[str]] = mapped_column(JSON, default=list)
    data: Mapped[str | None] = mapped_column(Text)  # recurring events only
    expanded_until: Mapped[date | None] = mapped_column(Date)  # recurring events only

    def __repr__(self) -> str:
        return f"<CalendarItem {self.id} source={self.source_id} {self.href}>"


class CalendarLink(Base):
    """A source holds an activity's occurrence; `sequence` and `stamp` say which version it saw."""

    __tablename__ = "calendar_links"
    __table_args__ = (Index("ix_calendar_links_source_uid", "source_id", "uid"),)

    source_id: Mapped[int] = mapped_column(
        ForeignKey("calendar_sources.id", ondelete="CASCADE"), primary_key=True
    )
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    uid: Mapped[str] = mapped_column(String(500))
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    stamp: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CalendarFeed(Record, Base):
    """A user's private iCalendar feed; only the SHA-256 of the secret token is stored."""

    __tablename__ = "calendar_feeds"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    last_fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<CalendarFeed user={self.user_id}>"
