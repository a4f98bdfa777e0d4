"""The local copy of company registers (SPEC §4): the Enhetsregisteret bulk download, kept current by the
change feed, plus a short cache of online look-ups."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base
from store.types import UTCDateTime


class RegisterUnit(Base):
    """One unit of a company register, as the register describes it (not a customer)."""

    __tablename__ = "register_units"
    __table_args__ = (UniqueConstraint("country", "number", name="uq_register_units_country_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    country: Mapped[str] = mapped_column(String(2))
    number: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(500))
    name_key: Mapped[str] = mapped_column(String(500))  # store.names.name_key(name), for fuzzy search
    org_form: Mapped[str | None] = mapped_column(String(20))
    org_form_name: Mapped[str | None] = mapped_column(String(200))
    business_address: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    postal_address: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    industry_code: Mapped[str | None] = mapped_column(String(20))
    industry_name: Mapped[str | None] = mapped_column(String(300))
    employees: Mapped[int | None] = mapped_column(Integer)
    website: Mapped[str | None] = mapped_column(String(300))
    bankrupt: Mapped[bool] = mapped_column(Boolean, default=False)
    under_liquidation: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted_on: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(20))  # bulk, feed, api
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RegisterLookup(Base):
    """A short cache of online answers, including "unknown" and "removed", so repeated look-ups of one number
    within minutes do not hit the register again."""

    __tablename__ = "register_lookups"
    __table_args__ = (Index("ix_register_lookups_country_number", "country", "number", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    country: Mapped[str] = mapped_column(String(2))
    number: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10))  # found, unknown, removed
    removed_on: Mapped[date | None] = mapped_column(Date)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RegisterFeedState(Base):
    """How far the change feed of a register has been applied."""

    __tablename__ = "register_feed_state"

    register: Mapped[str] = mapped_column(String(20), primary_key=True)  # "brreg"
    last_update_id: Mapped[int | None] = mapped_column(Integer)
    last_change_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
