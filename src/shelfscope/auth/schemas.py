"""Request and response shapes of the auth API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from shelfscope.text import clean_name, clean_text

Role = Literal["admin", "annotator", "viewer"]
USERNAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{1,63}$"
# Names people type follow the one set of text rules (shelfscope.text): no control or bidi characters.
TokenName = Annotated[str, AfterValidator(lambda v: clean_name(v, max_length=128))]
DisplayName = Annotated[str, AfterValidator(lambda v: clean_text(v, max_length=128))]


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    role: Role
    is_active: bool
    has_password: bool
    last_login_at: datetime | None
    created_at: datetime


class SignedIn(BaseModel):
    user: UserOut
    csrf_token: str


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class FirstRunInfo(BaseModel):
    setup_required: bool


class SetupInfo(BaseModel):
    purpose: Literal["first_admin", "set_password"]
    username: str | None


class SetupIn(BaseModel):
    token: str = Field(min_length=10, max_length=200)
    username: str | None = Field(default=None, pattern=USERNAME_PATTERN)
    password: str = Field(min_length=8, max_length=1024)


class PasswordChangeIn(BaseModel):
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=8, max_length=1024)


class TokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None


class TokenList(BaseModel):
    items: list[TokenOut]


class TokenCreateIn(BaseModel):
    name: TokenName
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)


class TokenCreated(BaseModel):
    token: TokenOut
    secret: str
