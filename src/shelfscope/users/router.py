"""HTTP routes under /api/v1/auth/users: user management, admins only."""

from __future__ import annotations

from fastapi import APIRouter

from shelfscope.auth.deps import AdminUser
from shelfscope.auth.schemas import UserOut
from shelfscope.deps import Ctx, DbSession
from shelfscope.ids import Id
from shelfscope.users import service
from shelfscope.users.schemas import SetupLinkOut, UserCreateIn, UserList, UserUpdateIn

router = APIRouter()


@router.get("", response_model=UserList)
def list_users(session: DbSession, admin: AdminUser) -> UserList:
    return UserList(items=[UserOut.model_validate(u) for u in service.list_users(session)])


@router.post("", response_model=SetupLinkOut, status_code=201)
def create_user(body: UserCreateIn, session: DbSession, ctx: Ctx, admin: AdminUser) -> SetupLinkOut:
    user, link = service.create_user(session, ctx.settings, body.username, body.role, body.display_name)
    return SetupLinkOut(user=UserOut.model_validate(user), setup_link=link.url, expires_at=link.expires_at)


@router.patch("/{user_id}", response_model=UserOut)
def update_user(user_id: Id, body: UserUpdateIn, session: DbSession, admin: AdminUser) -> UserOut:
    user = service.update_user(session, admin, user_id, body.display_name, body.role, body.is_active)
    return UserOut.model_validate(user)


@router.post("/{user_id}/setup-link", response_model=SetupLinkOut, status_code=201)
def issue_setup_link(user_id: Id, session: DbSession, ctx: Ctx, admin: AdminUser) -> SetupLinkOut:
    user, link = service.issue_setup_link(session, ctx.settings, user_id)
    return SetupLinkOut(user=UserOut.model_validate(user), setup_link=link.url, expires_at=link.expires_at)
