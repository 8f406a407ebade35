"""The `dataset` dependency: every route with a `{dataset_id}` answers 404 the same way, once."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from shelfscope.auth.deps import CurrentUser
from shelfscope.deps import DbSession
from shelfscope.ids import Id
from shelfscope.od.datasets.lookup import require_dataset


def dataset(dataset_id: Id, session: DbSession, user: CurrentUser) -> int:
    """The path's dataset id once the dataset is known to exist. Depends on the signed-in user so a
    stranger gets 401, never a hint of which datasets exist; routes that need a role list their user
    before this, so a viewer gets 403 before a 404."""
    require_dataset(session, dataset_id)
    return dataset_id


DatasetId = Annotated[int, Depends(dataset)]
