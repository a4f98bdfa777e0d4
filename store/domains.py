"""Internet domains of customers and contacts, for linking captured email by domain (SPEC §6)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit


def email_domain(address: str | None) -> str | None:
    """ "Kari@Acme.NO" -> "acme.no"."""
    if not address or "@" not in address:
        return None
    domain = address.rpartition("@")[2].strip().strip(".").lower()
    return domain or None


def website_domain(website: str | None) -> str | None:
    """ "https://www.acme.no/om-oss" -> "acme.no" ("www." is not part of the firm's mail domain)."""
    if not website or not website.strip():
        return None
    text = website.strip().lower()
    try:
        host = urlsplit(text if "//" in text else f"//{text}").hostname or ""
    except ValueError:  # "http://[" and other text that is no URL at all
        return None
    host = host.strip(".")
    if host.startswith("www."):
        host = host[4:]
    return host or None


def email_domain_default(context: Any) -> str | None:
    """Column default: the domain of the row's email, for ORM and Core inserts alike."""
    return email_domain(context.get_current_parameters().get("email"))


def website_domain_default(context: Any) -> str | None:
    return website_domain(context.get_current_parameters().get("website"))
