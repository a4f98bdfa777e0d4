"""Captured emails (SPEC §2, §6): the raw message is always kept, linked or not."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, Integer, LargeBinary, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from store.models.base import Base, Record, str_enum
from store.models.contacts import Contact
from store.models.customers import Customer
from store.models.enums import EmailLinkStatus
from store.types import UTCDateTime

email_contacts = Table(
    "email_contacts",
    Base.metadata,
    Column("email_id", ForeignKey("emails.id", ondelete="CASCADE"), primary_key=True),
    Column("contact_id", ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Email(Record, Base):
    __tablename__ = "emails"

    message_id: Mapped[str] = mapped_column(String(998), unique=True)
    in_reply_to: Mapped[str | None] = mapped_column(String(998), index=True)
    references: Mapped[list[str]] = mapped_column(JSON, default=list)
    from_address: Mapped[str | None] = mapped_column(String(320))
    to_addresses: Mapped[list[str]] = mapped_column(JSON, default=list)
    cc_addresses: Mapped[list[str]] = mapped_column(JSON, default=list)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    subject: Mapped[str] = mapped_column(String(998), default="")
    body_text: Mapped[str] = mapped_column(Text, default="")
    raw_compressed: Mapped[bytes] = mapped_column(LargeBinary)  # zlib of the raw RFC 5322 message
    captured_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )
    sales_case_id: Mapped[int | None] = mapped_column(ForeignKey("sales_cases.id", ondelete="SET NULL"))
    link_status: Mapped[EmailLinkStatus] = mapped_column(
        str_enum(EmailLinkStatus, "email_link_status"), default=EmailLinkStatus.UNLINKED
    )
    link_rule: Mapped[str | None] = mapped_column(String(32))  # which rule of SPEC §6 linked it

    customer: Mapped[Customer | None] = relationship()
    contacts: Mapped[list[Contact]] = relationship(secondary=email_contacts)
    attachments: Mapped[list[EmailAttachment]] = relationship(
        back_populates="email", cascade="all, delete-orphan"
    )


class EmailAttachment(Base):
    __tablename__ = "email_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email_id: Mapped[int] = mapped_column(ForeignKey("emails.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(500))
    content_type: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)
    email: Mapped[Email] = relationship(back_populates="attachments")
