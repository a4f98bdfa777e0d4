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
    __table_args__ = (
        Index("ix_projects_status_customer", "status", "customer_id"),
        # Cover the KPIs' "open, non-internal project" and "any non-internal project of this customer".
        Index("ix_projects_status_internal_customer", "status", "internal", "customer_id"),
        Index("ix_projects_customer_internal", "customer_id", "internal"),
    )

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
        # The invoicing KPI reads only numbered invoices; these partial indexes cover its three access paths
        # (by date, by customer, by project) so it never touches the table. `number` is in each because
        # SQLite uses a partial index as covering only when every column the query names is in it.
        Index(
            "ix_invoices_numbered_date",
            "invoice_date",
            "status",
            "amount",
            "number",
            sqlite_where=text("number IS NOT NULL"),
            postgresql_where=text("number IS NOT NULL"),
        ),
        Index(
            "ix_invoices_numbered_customer",
            "customer_id",
            "status",
            "project_id",
            "invoice_date",
            "amount",
            "number",
            sqlite_where=text("number IS NOT NULL"),
            postgresql_where=text("number IS NOT NULL"),
        ),
        Index(
            "ix_invoices_numbered_project",
            "project_id",
            "status",
            "customer_id",
            "invoice_date",
            "amount",
            "number",
            sqlite_where=text("number IS NOT NULL"),
            postgresql_where=text("number IS NOT NULL"),
        ),
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
    # Cover the costs KPI from both sides: all costs of a period, and the costs of excluded projects.
    __table_args__ = (
        Index("ix_costs_date_project_amount", "cost_date", "project_id", "amount"),
        Index("ix_costs_project_date_amount", "project_id", "cost_date", "amount"),
    )

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    cost_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(Money)
    kind: Mapped[CostKind] = mapped_column(str_enum(CostKind, "cost_kind"), default=CostKind.LABOUR)

    project: Mapped[Project] = relationship()
