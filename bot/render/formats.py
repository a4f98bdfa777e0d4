"""Number formats shared by every surface (console, Slack)."""

from __future__ import annotations

from decimal import Decimal


def money(amount: Decimal) -> str:
    """Norwegian-style grouping: 1 234 567 kr (whole kroner in overviews)."""
    return f"{amount:,.0f}".replace(",", " ") + " kr"
