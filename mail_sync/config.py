"""Settings of the capture mailbox (IMAP) and of outgoing mail (SMTP), read from the environment.

    IMAP_HOST, IMAP_PORT (993, or 143 without SSL), IMAP_USER, IMAP_PASSWORD, IMAP_FOLDER (INBOX),
    IMAP_SSL (true unless IMAP_PORT is 143), CAPTURE_ADDRESS (default IMAP_USER),
    IMAP_PROCESSED_FOLDER (move processed mail there instead of only flagging it), IMAP_CA_FILE
    SMTP_HOST, SMTP_PORT (587, 465 for tls, 25 for plain), SMTP_USER, SMTP_PASSWORD,
    SMTP_SECURITY (starttls | tls | plain; default starttls, tls on port 465), SMTP_FROM (default SMTP_USER),
    SMTP_CA_FILE
    FREE_MAIL_DOMAINS: extra comma-separated domains never used to link mail to a customer by domain

`ImapSettings.from_env()` and `SmtpSettings.from_env()` return None when the host is not set (the feature is
off) and raise ValueError naming the variable when a value is wrong.
"""

from __future__ import annotations

import email.utils
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, get_args

from store.services.email_capture import FREE_MAIL_DOMAINS

SmtpSecurity = Literal["starttls", "tls", "plain"]

DEFAULT_PROCESSED_KEYWORD = "$KundebotProcessed"

# The list itself lives with the linking rules (store.services.email_capture.FREE_MAIL_DOMAINS).


def free_mail_domains(env: Mapping[str, str] = os.environ) -> frozenset[str]:
    """FREE_MAIL_DOMAINS extended by the environment's comma-separated `FREE_MAIL_DOMAINS`."""
    extra = {_domain(d) for d in env.get("FREE_MAIL_DOMAINS", "").split(",")}
    return FREE_MAIL_DOMAINS | {d for d in extra if d}


def _domain(value: str) -> str:
    return value.strip().lstrip("@").rstrip(".").lower()


@dataclass(frozen=True)
class ImapSettings:
    host: str
    user: str
    password: str = field(repr=False)
    port: int = 993
    ssl: bool = True
    folder: str = "INBOX"
    capture_address: str = ""  # empty: the login (`user`)
    processed_keyword: str = DEFAULT_PROCESSED_KEYWORD
    move_to: str | None = None
    fetch_batch: int = 100
    idle_timeout: float = 600.0  # re-issue IDLE at least this often (RFC 2177: before 29 minutes)
    poll_interval: float = 60.0  # without IDLE
    ca_file: str | None = None  # trust this CA (a self-hosted server's own) instead of the system's
    timeout: float = 30.0  # per command; a FETCH may take longer while data keeps arriving

    def __post_init__(self) -> None:
        if not self.capture_address:
            object.__setattr__(self, "capture_address", self.user)
        _check_port("IMAP_PORT", self.port)
        if self.fetch_batch < 1:
            raise ValueError(f"fetch_batch must be at least 1, not {self.fetch_batch}")
        for name in ("idle_timeout", "poll_interval", "timeout"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, not {getattr(self, name)}")
        if not self.processed_keyword or any(c in self.processed_keyword for c in ' ()[]{}%*"\\'):
            raise ValueError(f"not a valid IMAP keyword: {self.processed_keyword!r}")
        if self.move_to is not None and self.move_to == self.folder:
            raise ValueError("IMAP_PROCESSED_FOLDER must differ from IMAP_FOLDER")

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> ImapSettings | None:
        host = env.get("IMAP_HOST", "").strip()
        if not host:
            return None
        port_text = env.get("IMAP_PORT", "").strip()
        port = _port("IMAP_PORT", port_text) if port_text else None
        ssl_text = env.get("IMAP_SSL", "").strip()
        ssl = _bool("IMAP_SSL", ssl_text) if ssl_text else port != 143
        return cls(
            host=host,
            port=port if port is not None else (993 if ssl else 143),
            ssl=ssl,
            user=_required(env, "IMAP_USER", "IMAP_HOST"),
            password=_required(env, "IMAP_PASSWORD", "IMAP_HOST", strip=False),
            folder=env.get("IMAP_FOLDER", "").strip() or "INBOX",
            capture_address=env.get("CAPTURE_ADDRESS", "").strip(),
            move_to=env.get("IMAP_PROCESSED_FOLDER", "").strip() or None,
            ca_file=env.get("IMAP_CA_FILE", "").strip() or None,
        )


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    sender: str
    port: int = 587
    security: SmtpSecurity = "starttls"
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: str | None = None
    timeout: float = 30.0

    def __post_init__(self) -> None:
        _check_port("SMTP_PORT", self.port)
        if self.security not in get_args(SmtpSecurity):
            raise ValueError(f"SMTP_SECURITY must be starttls, tls or plain, not {self.security!r}")
        if self.user and self.password is None:
            raise ValueError("SMTP_PASSWORD is required when SMTP_USER is set")
        if "@" not in email.utils.parseaddr(self.sender)[1]:
            raise ValueError(f"SMTP_FROM must be an email address, not {self.sender!r}")

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> SmtpSettings | None:
        host = env.get("SMTP_HOST", "").strip()
        if not host:
            return None
        port_text = env.get("SMTP_PORT", "").strip()
        port = _port("SMTP_PORT", port_text) if port_text else None
        security_text = env.get("SMTP_SECURITY", "").strip().lower()
        if security_text and security_text not in get_args(SmtpSecurity):
            raise ValueError(f"SMTP_SECURITY must be starttls, tls or plain, not {security_text!r}")
        security: SmtpSecurity
        if security_text == "tls" or (not security_text and port == 465):
            security = "tls"
        elif security_text == "plain":
            security = "plain"
        else:
            security = "starttls"
        user = env.get("SMTP_USER", "").strip() or None
        sender = env.get("SMTP_FROM", "").strip() or (user if user and "@" in user else "")
        if not sender:
            raise ValueError(
                "SMTP_FROM is required when SMTP_HOST is set (or an SMTP_USER that is an address)"
            )
        password = env.get("SMTP_PASSWORD")
        if user and password is None:
            raise ValueError("SMTP_PASSWORD is required when SMTP_USER is set")
        return cls(
            host=host,
            port=port if port is not None else {"tls": 465, "plain": 25, "starttls": 587}[security],
            security=security,
            user=user,
            password=password if user else None,
            sender=sender,
            ca_file=env.get("SMTP_CA_FILE", "").strip() or None,
        )


def _required(env: Mapping[str, str], name: str, because: str, strip: bool = True) -> str:
    value = env.get(name, "")
    if strip:
        value = value.strip()
    if not value:
        raise ValueError(f"{name} is required when {because} is set")
    return value


def _port(name: str, text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise ValueError(f"{name} must be a port number (1-65535), not {text!r}") from None
    _check_port(name, port)
    return port


def _check_port(name: str, port: int) -> None:
    if not 1 <= port <= 65535:
        raise ValueError(f"{name} must be a port number (1-65535), not {port}")


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _bool(name: str, text: str) -> bool:
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"{name} must be true or false (1/0, yes/no, on/off), not {text!r}")
