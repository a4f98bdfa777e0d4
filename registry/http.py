"""JSON GETs against a company register: bounded retries and short, user-facing failures (SPEC §4).

A register either answers the question (200 found, 404 never heard of it, 410 removed) or it does not; in
the second case the user gets one short sentence naming the register, never a stack trace.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
from collections.abc import Mapping
from datetime import date
from types import TracebackType
from typing import Any

import aiohttp

from registry.model import RegisterUnavailable

log = logging.getLogger(__name__)

CLEAR_ANSWERS = frozenset({200, 404, 410})  # statuses that answer the question, not errors
_RETRY_STATUSES = frozenset({429})  # plus every 5xx


class _Retryable(Exception):
    """One attempt failed in a way worth another try; `message` is what the user sees if none is left."""

    def __init__(
        self, message: str, *, key: str, wait: float | None = None, final: bool = False, **values: Any
    ) -> None:
        super().__init__(message)
        self.message = message
        self.key = key  # and `values`: the message for a chat in the user's language (RegisterUnavailable)
        self.values = values
        self.wait = wait  # the register's own Retry-After, when it sent a usable one
        self.final = final  # the register asked us to come back later than anyone will wait


class JsonClient:
    """GETs JSON from one register. Owns an aiohttp session unless given a shared one (then leaves it open).

    `timeout` bounds each attempt (connect, headers and body); a look-up takes at most
    (1 + retries) * timeout plus the backoff pauses, so a chat answer never hangs.
    """

    def __init__(
        self,
        register: str,
        *,
        timeout: float = 5.0,
        retries: int = 2,
        backoff: float = 0.2,
        max_retry_after: float = 2.0,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        self.register = register  # e.g. "the Norwegian register (Brønnøysund)"
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = backoff
        self.max_retry_after = max_retry_after
        self._session = session
        self._owns_session = session is None

    async def get(self, url: str, params: Mapping[str, str] | None = None) -> tuple[int, Any]:
        """(status, parsed JSON or None) for 200/404/410; RegisterUnavailable for anything else."""
        attempt = 0
        while True:
            try:
                return await self._attempt(url, params)
            except _Retryable as failure:
                if failure.final or attempt >= self.retries:
                    raise self.unavailable(failure.message, failure.key, **failure.values) from failure
                delay = failure.wait if failure.wait is not None else self._backoff(attempt)
                log.info("%s: %s; retrying in %.2fs", self.register, failure.message, delay)
                await asyncio.sleep(delay)
                attempt += 1

    def unavailable(self, what_happened: str, key: str, **values: Any) -> RegisterUnavailable:
        register = self.register[:1].upper() + self.register[1:]
        return RegisterUnavailable(f"{register} {what_happened}", key=key, what=register, **values)

    def unreadable(self) -> RegisterUnavailable:
        """For answers that parse as JSON but not as what the register documents."""
        return self.unavailable("sent an answer kundebot could not read.", "register.unreadable")

    async def close(self) -> None:
        if self._owns_session and self._session is not None:
            await self._session.close()
        self._session = None

    async def __aenter__(self) -> JsonClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def _attempt(self, url: str, params: Mapping[str, str] | None) -> tuple[int, Any]:
        try:
            async with self._client().get(
                url,
                params=params,
                headers={"Accept": "application/json"},
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as response:
                body = await response.read()
                status, retry_after = response.status, response.headers.get("Retry-After")
        except TimeoutError as exc:  # aiohttp's timeouts subclass TimeoutError, so this comes first
            raise _Retryable("did not answer in time.", key="register.timeout") from exc
        except aiohttp.ClientError as exc:
            raise _Retryable("could not be reached.", key="register.unreachable") from exc
        if status in CLEAR_ANSWERS:
            return status, self._decode(status, body)
        message = f"answered with an error (HTTP {status})."
        if status >= 500 or status in _RETRY_STATUSES:
            wait = _seconds(retry_after)
            raise _Retryable(
                message,
                key="register.http_error",
                status=status,
                wait=wait,
                final=wait is not None and wait > self.max_retry_after,
            )
        # 400, 403, ...: asking again gets the same answer
        raise self.unavailable(message, "register.http_error", status=status)

    def _decode(self, status: int, body: bytes) -> Any:
        try:
            return json.loads(body) if body.strip() else None
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
            if status != 200:
                return None  # 404 and 410 answer by their status; an odd body changes nothing
            raise self.unreadable() from exc

    def _client(self) -> aiohttp.ClientSession:
        # Created on first use, inside the running event loop, as aiohttp wants.
        if self._session is None:
            self._session = aiohttp.ClientSession()
            self._owns_session = True
        return self._session

    def _backoff(self, attempt: int) -> float:
        # Exponential with jitter, so many bots retrying at once do not arrive in lockstep.
        return float(self.backoff * 2**attempt * random.uniform(0.75, 1.25))


def _seconds(retry_after: str | None) -> float | None:
    """Retry-After in seconds; the HTTP-date form is rare from these registers and falls back to backoff."""
    if retry_after is None or not retry_after.strip().isdigit():
        return None
    return float(retry_after.strip())


# Values read from register answers, shared by the providers. Registers leave fields out or send null,
# and bulk files contain decades of data entry, so every reader accepts anything and returns None.

_SCHEME = re.compile(r"^[a-z][a-z0-9+.\-]*://", re.IGNORECASE)


def text(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return value.strip() or None


def mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def parse_date(value: object) -> date | None:
    """An ISO date ("2024-03-09"); a timestamp's date part is accepted too."""
    raw = text(value)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        return None


def normalise_website(value: object) -> str | None:
    """Registers store "www.firm.no"; a link needs a scheme, and https is what sites serve today."""
    raw = text(value)
    if raw is None:
        return None
    return raw if _SCHEME.match(raw) else f"https://{raw.lstrip('/')}"
