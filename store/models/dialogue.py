"""Conversation state kept in the store (SPEC §5.2): a half-filled request survives a restart, and every
write the bot makes on a user's behalf can be undone for a while."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base, Record
from store.types import UTCDateTime


class DialogueState(Record, Base):
    """What the bot is waiting for in one conversation (a user in a console, DM, channel or thread)."""

    __tablename__ = "dialogue_states"
    __table_args__ = (
        UniqueConstraint("user_id", "conversation", name="uq_dialogue_states_user_conversation"),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    conversation: Mapped[str] = mapped_column(String(200))
    state: Mapped[dict[str, Any]] = mapped_column(JSON)


class UndoAction(Record, Base):
    """How to take back one write; usable by the same user until `expires_at`, at most once."""

    __tablename__ = "undo_actions"
    __table_args__ = (Index("ix_undo_actions_user_conversation", "user_id", "conversation", "created_at"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    conversation: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(500))
    action: Mapped[dict[str, Any]] = mapped_column(JSON)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
