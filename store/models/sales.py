"""Sales processes, their ordered stages, and sales cases (SPEC §2)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from store.models.base import Base, Record, SoftDeleted, str_enum
from store.models.customers import Customer
from store.models.enums import CaseStatus
from store.models.users import User
from store.types import Money


class SalesProcess(Base):
    __tablename__ = "sales_processes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    stages: Mapped[list[SalesStage]] = relationship(
        back_populates="process", order_by="SalesStage.position", cascade="all, delete-orphan"
    )


class SalesStage(Base):
    __tablename__ = "sales_stages"
    __table_args__ = (UniqueConstraint("process_id", "position"), UniqueConstraint("process_id", "name"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_id: Mapped[int] = mapped_column(ForeignKey("sales_processes.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)
    probability: Mapped[int] = mapped_column(Integer)  # the default probability of a case at this stage
    # Reaching a won/lost stage closes the case with that status.
    outcome: Mapped[CaseStatus] = mapped_column(str_enum(CaseStatus, "case_status"))
    process: Mapped[SalesProcess] = relationship(back_populates="stages")


class SalesCase(Record, SoftDeleted, Base):
    __tablename__ = "sales_cases"
    __table_args__ = (
        CheckConstraint("probability BETWEEN 0 AND 100", name="probability_range"),
        CheckConstraint("value >= 0", name="value_not_negative"),
        Index("ix_sales_cases_status_customer", "status", "customer_id", "deleted_at"),
        Index("ix_sales_cases_status_closed", "status", "closed_date"),
        Index("ix_sales_cases_seller_status_expected", "seller_id", "status", "expected_order_date"),
    )

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    seller_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    value: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    currency: Mapped[str] = mapped_column(String(3), default="NOK")
    probability: Mapped[int] = mapped_column(Integer, default=10)
    stage_id: Mapped[int] = mapped_column(ForeignKey("sales_stages.id"))
    expected_order_date: Mapped[date | None] = mapped_column(Date)
    lead_source: Mapped[str | None] = mapped_column(String(100))
    department: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[CaseStatus] = mapped_column(str_enum(CaseStatus, "case_status"), default=CaseStatus.OPEN)
    closed_date: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    customer: Mapped[Customer] = relationship()
    seller: Mapped[User] = relationship(foreign_keys=[seller_id])
    stage: Mapped[SalesStage] = relationship(lazy="joined")
