"""Domain errors: each carries a short, specific message a user can read in chat."""

from __future__ import annotations

from dataclasses import dataclass, field


class StoreError(Exception):
    """Base class; `str(error)` is the user-facing message."""


class InvalidInput(StoreError):
    """The input breaks a rule (empty name, malformed email, bad organisation number...)."""

    def __init__(self, message: str, *, field_name: str | None = None) -> None:
        super().__init__(message)
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

    def __init__(self, message: str, *, existing_id: int | None, existing_number: int | None) -> None:
        super().__init__(message)
        self.existing_id = existing_id
        self.existing_number = existing_number


@dataclass
class SimilarCustomersExist(StoreError):
    """Names close to the new one exist; the caller should show them and ask before creating."""

    name: str
    similar: list[SimilarName] = field(default_factory=list)

    def __str__(self) -> str:
        names = ", ".join(f"{s.name} (#{s.customer_number})" for s in self.similar[:5])
        return f"Customers with a similar name already exist: {names}."


class Ambiguous(StoreError):
    """A reference (name) matches several records equally well; `choices` lists (id, label)."""

    def __init__(self, message: str, choices: list[tuple[int, str]]) -> None:
        super().__init__(message)
        self.choices = choices
