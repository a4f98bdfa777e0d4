"""Users of kundebot (SPEC §2)."""

from __future__ import annotations

from datetime import time

from sqlalchemy import JSON, Boolean, String, Time
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base, Record, str_enum
from store.models.enums import Language, Role


class User(Record, Base):
    __tablename__ = "users"

    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    slack_user_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    time_zone: Mapped[str] = mapped_column(String(64), default="Europe/Oslo")
    language: Mapped[Language] = mapped_column(str_enum(Language, "language"), default=Language.EN)
    role: Mapped[Role] = mapped_column(str_enum(Role, "user_role"), default=Role.SALES)
    digest_time: Mapped[time] = mapped_column(Time, default=time(7, 30))
    digest_channels: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["slack"])
    active: Mapped[bool] = mapped_column(Boolean, default=True)
