"""HTTP routes under /api/v1/auth."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from shelfscope.auth import service
from shelfscope.auth.deps import CSRF_COOKIE, SESSION_COOKIE, CurrentUser
from shelfscope.auth.schemas import (
    FirstRunInfo,
    LoginIn,
    PasswordChangeIn,
    SetupIn,
    SetupInfo,
    SignedIn,
    TokenCreated,
    TokenCreateIn,
    TokenList,
    TokenOut,
    UserOut,
)
from shelfscope.db.base import utcnow
from shelfscope.deps import Ctx, DbSession
from shelfscope.ids import Id
from shelfscope.users.router import router as users_router

router = APIRouter()
router.include_router(users_router, prefix="/users")


def _signed_in(new: service.NewSession, secure: bool) -> JSONResponse:
    body = SignedIn(user=UserOut.model_validate(new.user), csrf_token=new.csrf_token)
    response = JSONResponse(body.model_dump(mode="json"))
    max_age = int((new.expires_at - utcnow()).total_seconds())
    response.set_cookie(
        SESSION_COOKIE, new.token, max_age=max_age, httponly=True, samesite="lax", secure=secure, path="/"
    )
    # Readable by the web app, which echoes it in the X-CSRF-Token header (double submit).
    response.set_cookie(
        CSRF_COOKIE, new.csrf_token, max_age=max_age, httponly=False, samesite="lax", secure=secure, path="/"
    )
    return response


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@router.post("/login", response_model=SignedIn)
def login(body: LoginIn, request: Request, session: DbSession, ctx: Ctx) -> JSONResponse:
    new = service.login(
        session,
        ctx.settings,
        request.app.state.login_limiter,
        body.username,
        body.password,
        _client(request),
        request.headers.get("user-agent", ""),
    )
    return _signed_in(new, ctx.settings.secure_cookies)


@router.post("/logout", status_code=204)
def logout(request: Request, session: DbSession, user: CurrentUser) -> Response:
    service.end_session(session, request.cookies.get(SESSION_COOKIE, ""))
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.get("/me", response_model=SignedIn)
def me(request: Request, user: CurrentUser) -> SignedIn:
    return SignedIn(user=UserOut.model_validate(user), csrf_token=getattr(request.state, "csrf_token", ""))


@router.put("/me/password", status_code=204)
def change_password(
    body: PasswordChangeIn, request: Request, session: DbSession, user: CurrentUser
) -> Response:
    """Signs out every other session and revokes every API token of this user; this session stays."""
    keep = getattr(request.state, "session_id", None)
    service.change_password(session, user, body.current_password, body.new_password, keep)
    return Response(status_code=204)


@router.get("/first-run", response_model=FirstRunInfo)
def first_run(session: DbSession) -> FirstRunInfo:
    """Public: whether this is a fresh install waiting for its first admin (and nothing else)."""
    return FirstRunInfo(setup_required=service.setup_required(session))


@router.get("/setup", response_model=SetupInfo)
def inspect_setup(token: str, session: DbSession) -> SetupInfo:
    purpose, username = service.inspect_setup_link(session, token)
    return SetupInfo.model_validate({"purpose": purpose, "username": username})


@router.post("/setup", response_model=SignedIn)
def complete_setup(body: SetupIn, request: Request, session: DbSession, ctx: Ctx) -> JSONResponse:
    new = service.complete_setup(
        session, ctx.settings, body.token, body.username, body.password, request.headers.get("user-agent", "")
    )
    return _signed_in(new, ctx.settings.secure_cookies)


@router.get("/tokens", response_model=TokenList)
def list_tokens(session: DbSession, user: CurrentUser) -> TokenList:
    return TokenList(items=[TokenOut.model_validate(t) for t in service.list_api_tokens(session, user)])


@router.post("/tokens", response_model=TokenCreated, status_code=201)
def create_token(body: TokenCreateIn, session: DbSession, user: CurrentUser) -> TokenCreated:
    token, secret = service.create_api_token(session, user, body.name, body.expires_in_days)
    return TokenCreated(token=TokenOut.model_validate(token), secret=secret)


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: Id, session: DbSession, user: CurrentUser) -> Response:
    service.revoke_api_token(session, user, token_id)
    return Response(status_code=204)
