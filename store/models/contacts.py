"""People at customers (SPEC §2): several emails (one primary), phones in E.164, roles and keywords."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from store.domains import email_domain_default
from store.models.base import Base, Record, SoftDeleted, str_enum
from store.models.customers import Address, Customer, Keyword
from store.models.enums import Visibility

contact_keywords = Table(
    "contact_keywords",
    Base.metadata,
    Column("contact_id", ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True),
    Column("keyword_id", ForeignKey("keywords.id", ondelete="CASCADE"), primary_key=True),
)


class Contact(Record, SoftDeleted, Base):
    __tablename__ = "contacts"

    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100), default="")
    title: Mapped[str | None] = mapped_column(String(200))
    # Unlinking from a customer keeps the contact (SPEC §2); deleting is a separate action.
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )
    address_id: Mapped[int | None] = mapped_column(ForeignKey("addresses.id", ondelete="SET NULL"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    visibility: Mapped[Visibility] = mapped_column(
        str_enum(Visibility, "visibility"), default=Visibility.EVERYONE
    )
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    customer: Mapped[Customer | None] = relationship()
    address: Mapped[Address | None] = relationship()
    emails: Mapped[list[ContactEmail]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", order_by="ContactEmail.id"
    )
    phones: Mapped[list[ContactPhone]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", order_by="ContactPhone.id"
    )
    roles: Mapped[list[ContactRole]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", order_by="ContactRole.role"
    )
    keywords: Mapped[list[Keyword]] = relationship(secondary=contact_keywords)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def primary_email(self) -> str | None:
        primary = next((e for e in self.emails if e.is_primary), None)
        return primary.email if primary else (self.emails[0].email if self.emails else None)


class ContactEmail(Base):
    __tablename__ = "contact_emails"
    __table_args__ = (
        UniqueConstraint("contact_id", "email"),
        Index(
            "uq_contact_emails_one_primary",
            "contact_id",
            unique=True,
            sqlite_where=text("is_primary"),
            postgresql_where=text("is_primary"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320), index=True)  # stored lower-case
    # The part after "@", so email capture finds a customer by domain without scanning every address.
    domain: Mapped[str | None] = mapped_column(String(255), index=True, default=email_domain_default)
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    contact: Mapped[Contact] = relationship(back_populates="emails")


class ContactPhone(Base):
    __tablename__ = "contact_phones"
    __table_args__ = (UniqueConstraint("contact_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(32), index=True)  # E.164
    kind: Mapped[str] = mapped_column(String(20), default="mobile")
    contact: Mapped[Contact] = relationship(back_populates="phones")


class ContactRole(Base):
    """A role such as "decision maker", used to group contacts across customers (SPEC §2.1)."""

    __tablename__ = "contact_roles"
    __table_args__ = (UniqueConstraint("contact_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(100), index=True)  # stored casefolded
    contact: Mapped[Contact] = relationship(back_populates="roles")
