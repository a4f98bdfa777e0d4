"""Domain errors: each carries a short, specific message a user can read in chat.

`str(error)` is the English message (logs, the command line and its `--json` output). An error a chat user
can meet also carries a message `key` and the `values` its message uses, so the chat can say the same in
the user's language: the catalogue's entry `"error." + key` (bot/i18n.py), formatted with `values`. A value
named `what` is an English field word ("customer name"); the catalogue translates it too (`error.what.*`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

NO_VALUES: Mapping[str, Any] = MappingProxyType({})  # a message's values when it has none


class StoreError(Exception):
    """Base class; `str(error)` is the English message, `key` and `values` the message for the catalogue."""

    key: str | None = None
    values: Mapping[str, Any] = NO_VALUES

    def __init__(self, message: str = "", *, key: str | None = None, **values: Any) -> None:
        super().__init__(message)
        self.key = key
        self.values = MappingProxyType(dict(values))


class InvalidInput(StoreError):
    """The input breaks a rule (empty name, malformed email, bad organisation number...)."""

    def __init__(
        self, message: str, *, field_name: str | None = None, key: str | None = None, **values: Any
    ) -> None:
        super().__init__(message, key=key, **values)
        self.field_name = field_name


class NotFound(StoreError):
    """Nothing the acting user may see matches (hidden records are reported as not found)."""


class PermissionDenied(StoreError):
    pass


class ChangedMeanwhile(StoreError):
    """Optimistic locking: someone else saved the record after this user loaded it."""


@dataclass
class SimilarName:
    customer_id: int
    customer_number: int
    name: str
    score: float


class DuplicateCustomer(StoreError):
    """The organisation number is already registered; `existing_id` is None when the user may not see it."""

    def __init__(
        self,
        message: str,
        *,
        existing_id: int | None,
        existing_number: int | None,
        key: str | None = None,
        **values: Any,
    ) -> None:
        super().__init__(message, key=key, **values)
        self.existing_id = existing_id
        self.existing_number = existing_number


@dataclass
class SimilarCustomersExist(StoreError):
    """Names close to the new one exist; the caller should show them and ask before creating."""

    name: str
    similar: list[SimilarName] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.key = "customer.similar"
        self.values = MappingProxyType({"names": self._names()})

    def _names(self) -> str:
        return ", ".join(f"{s.name} (#{s.customer_number})" for s in self.similar[:5])

    def __str__(self) -> str:
        return f"Customers with a similar name already exist: {self._names()}."


class Ambiguous(StoreError):
    """A reference (name) matches several records equally well; `choices` lists (id, label)."""

    def __init__(
        self, message: str, choices: list[tuple[int, str]], *, key: str | None = None, **values: Any
    ) -> None:
        super().__init__(message, key=key, **values)
        self.choices = choices
