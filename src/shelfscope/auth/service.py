"""Account logic: passwords, sign-in, sessions, API tokens and one-time setup links."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from shelfscope.auth.models import ApiToken, SetupLink, User, UserSession
from shelfscope.config import Settings
from shelfscope.db.base import utcnow
from shelfscope.errors import Conflict, NotFound, RateLimited, Unauthorized, ValidationFailed

TOKEN_PREFIX = "ssk_"  # noqa: S105 (a marker, not a secret)
_hasher = PasswordHasher()
# Verified against when the username is unknown, so response time does not reveal which names exist.
_DUMMY_HASH = _hasher.hash("shelfscope-no-such-user")
_TOUCH_EVERY = timedelta(minutes=5)


def sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def normalize_username(username: str) -> str:
    return username.strip().lower()


@dataclass(frozen=True)
class Attempt:
    """A sign-in reserved in the limiter: the budgets it counts against and when."""

    keys: tuple[str, ...]
    at: float
    account: str
    address: str


class LoginLimiter:
    """Sign-in attempts per sliding minute, by address and by account.

    An attempt is reserved *before* its password is checked (under one lock, so 80 parallel guesses
    cannot all pass a check that none has failed yet): a reservation counts as a failure unless the
    sign-in succeeds, which releases it.

    Budgets, `per_minute` each:
    - per address: every attempt from one address, whatever the account;
    - per account: attempts from addresses that have never signed in to that account. An address
      that has signed in to an account (the owner's desk, their phone) is exempt from the account's
      budget, so a stranger who fails ten times locks out other strangers, never the owner from a
      known address. Known addresses live in this process (the last MAX_KNOWN per account), like the
      counts; after a restart the owner's address is learned again at their next sign-in.

    A success never clears failures: signing in to one's own account must not refill the budget used
    to guess someone else's.
    """

    MAX_KNOWN = 32

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._attempts: dict[str, deque[float]] = {}
        self._known: dict[str, dict[str, None]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._attempts.setdefault(key, deque())
        while q and now - q[0] > 60:
            q.popleft()
        return q

    def reserve(self, account: str, address: str) -> Attempt:
        """Count an attempt now, or raise RateLimited when a budget it needs is spent."""
        now = time.monotonic()
        with self._lock:
            keys = [f"ip:{address}"]
            if address not in self._known.get(account, {}):
                keys.append(f"user:{account}")
            for key in keys:
                if len(self._recent(key, now)) >= self.per_minute:
                    raise RateLimited(
                        "Too many failed sign-ins; wait a minute and try again.", retry_after=60
                    )
            for key in keys:
                self._attempts[key].append(now)
        return Attempt(tuple(keys), now, account, address)

    def succeeded(self, attempt: Attempt) -> None:
        """Release the attempt's reservation and remember its address as known for the account."""
        with self._lock:
            for key in attempt.keys:
                q = self._attempts.get(key)
                if q is not None and attempt.at in q:
                    q.remove(attempt.at)
            known = self._known.setdefault(attempt.account, {})
            known.pop(attempt.address, None)
            known[attempt.address] = None
            while len(known) > self.MAX_KNOWN:
                del known[next(iter(known))]


@dataclass(frozen=True)
class NewSession:
    user: User
    token: str
    csrf_token: str
    expires_at: datetime


def start_session(session: Session, user: User, settings: Settings, user_agent: str = "") -> NewSession:
    raw = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    expires = utcnow() + timedelta(hours=settings.session_ttl_hours)
    session.add(
        UserSession(
            token_hash=sha256(raw),
            user_id=user.id,
            csrf_token=csrf,
            expires_at=expires,
            user_agent=user_agent[:255],
        )
    )
    user.last_login_at = utcnow()
    return NewSession(user=user, token=raw, csrf_token=csrf, expires_at=expires)


def login(
    session: Session,
    settings: Settings,
    limiter: LoginLimiter,
    username: str,
    password: str,
    client: str,
    user_agent: str = "",
) -> NewSession:
    name = normalize_username(username)
    attempt = limiter.reserve(name, client)
    user = session.scalars(select(User).where(User.username == name)).one_or_none()
    password_ok = verify_password(user.password_hash if user else None, password)
    if user is None or not password_ok or not user.is_active:
        raise Unauthorized("Wrong username or password.")
    new = start_session(session, user, settings, user_agent)
    session.commit()
    limiter.succeeded(attempt)
    return new


def end_session(session: Session, raw_token: str) -> None:
    row = session.scalars(
        select(UserSession).where(UserSession.token_hash == sha256(raw_token))
    ).one_or_none()
    if row is not None:
        session.delete(row)
        session.commit()


def resolve_session(session: Session, raw_token: str) -> tuple[User, UserSession] | None:
    row = session.execute(
        select(User, UserSession)
        .join(UserSession, UserSession.user_id == User.id)
        .where(UserSession.token_hash == sha256(raw_token))
    ).one_or_none()
    if row is None:
        return None
    user, user_session = row
    if user_session.expires_at <= utcnow() or not user.is_active:
        return None
    return user, user_session


def session_needs_touch(user_session: UserSession) -> bool:
    return utcnow() - user_session.last_seen_at > _TOUCH_EVERY


def touch_session(session: Session, session_id: int) -> None:
    """Flushed with the caller's transaction; the caller commits."""
    session.execute(update(UserSession).where(UserSession.id == session_id).values(last_seen_at=utcnow()))


def resolve_api_token(session: Session, raw_token: str) -> tuple[User, ApiToken] | None:
    if not raw_token.startswith(TOKEN_PREFIX):
        return None
    row = session.execute(
        select(User, ApiToken)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == sha256(raw_token), ApiToken.revoked_at.is_(None))
    ).one_or_none()
    if row is None:
        return None
    user, token = row
    if (token.expires_at is not None and token.expires_at <= utcnow()) or not user.is_active:
        return None
    return user, token


def token_needs_touch(token: ApiToken) -> bool:
    return token.last_used_at is None or utcnow() - token.last_used_at > _TOUCH_EVERY


def touch_token(session: Session, token_id: int) -> None:
    """Flushed with the caller's transaction; the caller commits."""
    session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=utcnow()))


def create_api_token(
    session: Session, user: User, name: str, expires_in_days: int | None
) -> tuple[ApiToken, str]:
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(days=expires_in_days) if expires_in_days else None
    token = ApiToken(
        user_id=user.id, name=name, token_hash=sha256(secret), prefix=secret[:10], expires_at=expires
    )
    session.add(token)
    session.commit()
    return token, secret


def list_api_tokens(session: Session, user: User) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.id)
        )
    )


def revoke_api_token(session: Session, user: User, token_id: int) -> None:
    token = session.get(ApiToken, token_id)
    if token is None or token.revoked_at is not None or (token.user_id != user.id and user.role != "admin"):
        raise NotFound(f"API token {token_id} does not exist.", token_id=token_id)
    token.revoked_at = utcnow()
    session.commit()


# --- setup links ---------------------------------------------------------------------------------


def count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


def setup_required(session: Session) -> bool:
    """True on a fresh install: nobody can sign in until the first-admin link is used."""
    return count_users(session) == 0


def create_setup_link(session: Session, settings: Settings, purpose: str, user_id: int | None) -> str:
    raw = secrets.token_urlsafe(32)
    session.add(
        SetupLink(
            token_hash=sha256(raw),
            purpose=purpose,
            user_id=user_id,
            expires_at=utcnow() + timedelta(hours=settings.setup_link_ttl_hours),
        )
    )
    return raw


def setup_url(settings: Settings, raw_token: str) -> str:
    return f"{settings.resolved_public_url}/setup?token={raw_token}"


def first_admin_link(session: Session, settings: Settings) -> str | None:
    """With no users yet: a fresh one-time link that makes its opener the first admin.

    Earlier unused first-admin links stop working, so only the latest printed link is valid.
    """
    if count_users(session) > 0:
        return None
    session.execute(
        update(SetupLink)
        .where(SetupLink.purpose == "first_admin", SetupLink.used_at.is_(None))
        .values(used_at=utcnow())
    )
    raw = create_setup_link(session, settings, "first_admin", None)
    session.commit()
    return setup_url(settings, raw)


def _live_link(session: Session, raw_token: str) -> SetupLink:
    link = session.scalars(select(SetupLink).where(SetupLink.token_hash == sha256(raw_token))).one_or_none()
    if link is None or link.used_at is not None or link.expires_at <= utcnow():
        raise NotFound("This setup link is invalid, expired or already used. Ask an admin for a new one.")
    if link.purpose == "first_admin" and count_users(session) > 0:
        raise NotFound("This first-run link is no longer valid: an admin already exists.")
    return link


def inspect_setup_link(session: Session, raw_token: str) -> tuple[str, str | None]:
    link = _live_link(session, raw_token)
    user = session.get(User, link.user_id) if link.user_id else None
    return link.purpose, user.username if user else None


def complete_setup(
    session: Session,
    settings: Settings,
    raw_token: str,
    username: str | None,
    password: str,
    user_agent: str = "",
) -> NewSession:
    link = _live_link(session, raw_token)
    if link.purpose == "first_admin":
        if not username:
            raise ValidationFailed.field("username", "choose a username for the first admin")
        user = User(
            username=normalize_username(username),
            display_name=username,
            role="admin",
            password_hash=hash_password(password),
        )
        session.add(user)
        session.flush()
    else:
        found = session.get(User, link.user_id) if link.user_id else None
        if found is None:
            raise NotFound("The user of this setup link no longer exists.")
        user = found
        user.password_hash = hash_password(password)
        revoke_other_credentials(session, user.id, None)
    # Guarded so two concurrent uses of one link cannot both succeed.
    used = session.execute(
        update(SetupLink).where(SetupLink.id == link.id, SetupLink.used_at.is_(None)).values(used_at=utcnow())
    )
    if used.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise Conflict("This setup link was used a moment ago.")
    new = start_session(session, user, settings, user_agent)
    session.commit()
    return new


def revoke_other_credentials(session: Session, user_id: int, keep_session_id: int | None) -> None:
    """After a password change: every other browser session ends and every API token is revoked
    (someone who had the old password may hold either). Flushed with the caller's transaction."""
    others = delete(UserSession).where(UserSession.user_id == user_id)
    if keep_session_id is not None:
        others = others.where(UserSession.id != keep_session_id)
    session.execute(others)
    session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def change_password(
    session: Session, user: User, current: str, new: str, keep_session_id: int | None = None
) -> None:
    """Sets the new password and signs out everywhere else: the session making the change
    (`keep_session_id`) stays signed in; other sessions end and API tokens are revoked."""
    if not verify_password(user.password_hash, current):
        raise ValidationFailed.field("current_password", "does not match your current password")
    user.password_hash = hash_password(new)
    revoke_other_credentials(session, user.id, keep_session_id)
    session.commit()
