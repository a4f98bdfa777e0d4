"""Projects, invoices and costs: what the KPIs of SPEC §8 are computed from."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from store.models.base import Base, Record, str_enum
from store.models.customers import Customer
from store.models.enums import CostKind, InvoiceStatus, ProjectStatus
from store.models.users import User
from store.types import Money


class Project(Record, Base):
    __tablename__ = "projects"
    __table_args__ = (Index("ix_projects_status_customer", "status", "customer_id"),)

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[ProjectStatus] = mapped_column(
        str_enum(ProjectStatus, "project_status"), default=ProjectStatus.OPEN
    )
    # Internal projects (the firm's own work) are excluded from every KPI.
    internal: Mapped[bool] = mapped_column(Boolean, default=False, index=True)

    customer: Mapped[Customer] = relationship()
    manager: Mapped[User | None] = relationship(foreign_keys=[manager_id])


class Invoice(Record, Base):
    __tablename__ = "invoices"
    __table_args__ = (
        Index("ix_invoices_date_status", "invoice_date", "status"),
        # Covers the invoicing KPI: numbered invoices by date, with status and amount in the index.
        Index(
            "ix_invoices_numbered_date",
            "invoice_date",
            "status",
            "amount",
            sqlite_where=text("number IS NOT NULL"),
            postgresql_where=text("number IS NOT NULL"),
        ),
        Index("ix_invoices_customer_status", "customer_id", "status"),
    )

    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    number: Mapped[str | None] = mapped_column(String(32), unique=True)  # none while draft
    invoice_date: Mapped[date] = mapped_column(Date)
    status: Mapped[InvoiceStatus] = mapped_column(
        str_enum(InvoiceStatus, "invoice_status"), default=InvoiceStatus.DRAFT
    )
    amount: Mapped[Decimal] = mapped_column(Money)

    project: Mapped[Project | None] = relationship()
    customer: Mapped[Customer] = relationship()


class Cost(Record, Base):
    __tablename__ = "costs"
    # Covers the costs KPI: date, project and amount without touching the table.
    __table_args__ = (Index("ix_costs_date_project_amount", "cost_date", "project_id", "amount"),)

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    cost_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    kind: Mapped[CostKind] = mapped_column(str_enum(CostKind, "cost_kind"), default=CostKind.LABOUR)

    project: Mapped[Project] = relationship()
