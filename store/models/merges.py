"""The record of every merge (SPEC §3): who merged what into what, and which links moved."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Integer
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import Base, Record, str_enum
from store.models.enums import MergeKind


class MergeRecord(Record, Base):
    __tablename__ = "merge_records"

    kind: Mapped[MergeKind] = mapped_column(str_enum(MergeKind, "merge_kind"))
    survivor_id: Mapped[int] = mapped_column(Integer, index=True)
    merged_id: Mapped[int] = mapped_column(Integer, index=True)
    merged_snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)  # the merged record's fields
    moved: Mapped[dict[str, list[int]]] = mapped_column(JSON)  # table -> ids that now point at survivor
