"""The customer card and what hangs directly off it: addresses, segmentation, keywords (SPEC §2, §2.1)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from store.domains import website_domain, website_domain_default
from store.models.base import Base, Record, SoftDeleted, str_enum
from store.models.enums import Country, CustomerKind, RelationLevel, RelationType, Visibility
from store.models.users import User
from store.types import Money

customer_keywords = Table(
    "customer_keywords",
    Base.metadata,
    Column("customer_id", ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True),
    Column("keyword_id", ForeignKey("keywords.id", ondelete="CASCADE"), primary_key=True),
)

customer_groupings = Table(
    "customer_groupings",
    Base.metadata,
    Column("customer_id", ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True),
    Column("choice_id", ForeignKey("grouping_choices.id", ondelete="CASCADE"), primary_key=True),
)


class Counter(Base):
    """Named sequences that must be gap-tolerant but never repeat (customer numbers)."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


class Industry(Base):
    """The configurable industry list (NACE/SN2007 codes where known)."""

    __tablename__ = "industries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str | None] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class Keyword(Base):
    __tablename__ = "keywords"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)  # stored casefolded


class GroupingCategory(Record, Base):
    """An admin-defined category of custom grouping, e.g. "Framework agreement" (SPEC §2.1)."""

    __tablename__ = "grouping_categories"

    name: Mapped[str] = mapped_column(String(100), unique=True)
    choices: Mapped[list[GroupingChoice]] = relationship(
        back_populates="category", cascade="all, delete-orphan", order_by="GroupingChoice.name"
    )


class GroupingChoice(Base):
    __tablename__ = "grouping_choices"
    __table_args__ = (UniqueConstraint("category_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("grouping_categories.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    category: Mapped[GroupingCategory] = relationship(back_populates="choices")


class Customer(Record, SoftDeleted, Base):
    """The kundekort."""

    __tablename__ = "customers"
    __table_args__ = (
        UniqueConstraint("org_country", "org_number", name="uq_customers_org"),
        CheckConstraint("(org_number IS NULL) = (org_country IS NULL)", name="org_number_has_country"),
        CheckConstraint("rating IS NULL OR (rating BETWEEN 1 AND 5)", name="rating_range"),
        Index("ix_customers_visibility_owner", "visibility", "owner_id"),
        Index(
            "ix_customers_deleted",
            "deleted_at",
            sqlite_where=text("deleted_at IS NOT NULL"),
            postgresql_where=text("deleted_at IS NOT NULL"),
        ),
        Index("ix_customers_created_at", "created_at"),
    )

    customer_number: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(200))
    first_name: Mapped[str | None] = mapped_column(String(100))
    # Normalised name (case, punctuation and legal form removed) for duplicate checks and search.
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    org_number: Mapped[str | None] = mapped_column(String(20))
    org_country: Mapped[Country | None] = mapped_column(str_enum(Country, "country"))
    kind: Mapped[CustomerKind] = mapped_column(
        str_enum(CustomerKind, "customer_kind"), default=CustomerKind.CUSTOMER
    )
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    visibility: Mapped[Visibility] = mapped_column(
        str_enum(Visibility, "visibility"), default=Visibility.EVERYONE
    )
    industry_id: Mapped[int | None] = mapped_column(ForeignKey("industries.id", ondelete="SET NULL"))
    employees: Mapped[int | None] = mapped_column(Integer)
    revenue: Mapped[Decimal | None] = mapped_column(Money)
    website: Mapped[str | None] = mapped_column(String(300))
    # The website's host without "www.": email from that domain belongs to this customer (SPEC §6).
    web_domain: Mapped[str | None] = mapped_column(String(255), index=True, default=website_domain_default)
    vat_number: Mapped[str | None] = mapped_column(String(32))
    rating: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    payment_terms_days: Mapped[int | None] = mapped_column(Integer)
    invoice_template: Mapped[str | None] = mapped_column(String(100))
    price_list: Mapped[str | None] = mapped_column(String(100))
    e_invoice_address: Mapped[str | None] = mapped_column(String(100))
    relation_level: Mapped[RelationLevel | None] = mapped_column(str_enum(RelationLevel, "relation_level"))
    relation_type: Mapped[RelationType | None] = mapped_column(str_enum(RelationType, "relation_type"))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    # Optimistic locking: a concurrent writer's stale UPDATE matches no row (StaleDataError).
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    owner: Mapped[User] = relationship(foreign_keys=[owner_id], lazy="joined")
    industry: Mapped[Industry | None] = relationship(lazy="joined")
    addresses: Mapped[list[Address]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", order_by="Address.id"
    )
    keywords: Mapped[list[Keyword]] = relationship(secondary=customer_keywords)
    groupings: Mapped[list[GroupingChoice]] = relationship(secondary=customer_groupings)

    @property
    def head_office(self) -> Address | None:
        return next((a for a in self.addresses if a.is_head_office), None)

    @validates("website")
    def _keep_web_domain(self, _: str, website: str | None) -> str | None:
        self.web_domain = website_domain(website)
        return website


class Address(Record, Base):
    __tablename__ = "addresses"
    __table_args__ = (
        # Exactly one head office per customer: the database forbids a second, services keep at least one.
        Index(
            "uq_addresses_one_head_office",
            "customer_id",
            unique=True,
            sqlite_where=text("is_head_office"),
            postgresql_where=text("is_head_office"),
        ),
    )

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    line1: Mapped[str | None] = mapped_column(String(200))
    line2: Mapped[str | None] = mapped_column(String(200))
    line3: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(20))
    city: Mapped[str | None] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2), default="NO")
    is_head_office: Mapped[bool] = mapped_column(Boolean, default=False)
    is_postal: Mapped[bool] = mapped_column(Boolean, default=False)
    is_visiting: Mapped[bool] = mapped_column(Boolean, default=False)
    is_billing: Mapped[bool] = mapped_column(Boolean, default=False)
    is_delivery: Mapped[bool] = mapped_column(Boolean, default=False)
    is_attestation: Mapped[bool] = mapped_column(Boolean, default=False)

    customer: Mapped[Customer] = relationship(back_populates="addresses")

    @property
    def lines(self) -> list[str]:
        return [x for x in (self.line1, self.line2, self.line3) if x]

    def one_line(self) -> str:
        place = " ".join(x for x in (self.postcode, self.city) if x)
        return ", ".join([*self.lines, place] if place else self.lines)
