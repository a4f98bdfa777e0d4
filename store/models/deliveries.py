"""Inbound deliveries already handled (Slack's event ids): a retried delivery (X-Slack-Retry-Num) finds its id
here and is not handled again, whichever replica it reaches."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base
from store.types import UTCDateTime


class HandledDelivery(Base):
    __tablename__ = "handled_deliveries"
    __table_args__ = (Index("ix_handled_deliveries_received_at", "received_at"),)

    source: Mapped[str] = mapped_column(String(32), primary_key=True)  # "slack"
    delivery_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
