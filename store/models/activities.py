"""Activities: tasks, meetings, calls, emails and notes on the customer card (SPEC §2)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Column, Date, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from store.models.base import Base, Record, SoftDeleted, str_enum
from store.models.contacts import Contact
from store.models.customers import Customer
from store.models.enums import ActivityKind, Source
from store.types import UTCDateTime

activity_contacts = Table(
    "activity_contacts",
    Base.metadata,
    Column("activity_id", ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True),
    Column("contact_id", ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Activity(Record, SoftDeleted, Base):
    __tablename__ = "activities"
    __table_args__ = (
        # A Slack message, email or calendar occurrence becomes at most one activity.
        UniqueConstraint("source", "external_id", name="uq_activities_source_external_id"),
        Index("ix_activities_owner_kind_start", "owner_id", "kind", "start_at"),
        Index("ix_activities_customer_start", "customer_id", "start_at"),
        Index("ix_activities_assignee_done_due", "assignee_id", "done", "due_date"),
        Index("ix_activities_assignee_kind_start", "assignee_id", "kind", "start_at"),
        Index("ix_activities_created_at", "created_at"),  # the digest's "new since yesterday"
    )

    kind: Mapped[ActivityKind] = mapped_column(str_enum(ActivityKind, "activity_kind"))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text)
    start_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_date: Mapped[date | None] = mapped_column(Date)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)
    # A whole-day calendar event: start_at/end_at are midnights in the time zone of the user who synced it.
    all_day: Mapped[bool] = mapped_column(Boolean, default=False)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    sales_case_id: Mapped[int | None] = mapped_column(
        ForeignKey("sales_cases.id", ondelete="SET NULL"), index=True
    )
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    source: Mapped[Source] = mapped_column(str_enum(Source, "activity_source"), default=Source.CONSOLE)
    external_id: Mapped[str | None] = mapped_column(String(500))

    customer: Mapped[Customer | None] = relationship()
    contacts: Mapped[list[Contact]] = relationship(secondary=activity_contacts)
