"""Who is acting: every service call takes one, and visibility is decided from it."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from store.models import Language, Role, User


@dataclass(frozen=True)
class Actor:
    user_id: int
    role: Role
    time_zone: str = "Europe/Oslo"
    language: Language = Language.EN
    name: str = ""

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user.id, Role(user.role), user.time_zone, Language(user.language), user.name)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def can_write(self) -> bool:
        return self.role is not Role.READ_ONLY

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)
