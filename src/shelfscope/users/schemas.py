"""Request and response shapes of the user management API (admins only)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from shelfscope.auth.schemas import USERNAME_PATTERN, DisplayName, Role, UserOut


class UserList(BaseModel):
    items: list[UserOut]


class UserCreateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(pattern=USERNAME_PATTERN)
    display_name: DisplayName = ""
    role: Role = "annotator"


class UserUpdateIn(BaseModel):
    # A misspelt field would otherwise be dropped and the request would change nothing silently.
    model_config = ConfigDict(extra="forbid")

    display_name: DisplayName | None = None
    role: Role | None = None
    is_active: bool | None = None


class SetupLinkOut(BaseModel):
    """A one-time link to set a password: shown once, never retrievable again."""

    user: UserOut
    setup_link: str
    expires_at: datetime
