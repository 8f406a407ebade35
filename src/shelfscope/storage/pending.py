"""Stored objects tied to a database transaction: files written for rows that roll back are removed
with them, and files of deleted rows are removed only once the delete has committed.

Services that write files inside a caller's transaction (product images added by an import, a frame
job or a cutout match) register the keys here; whoever commits or rolls back never has to know.
Savepoints are honoured: a key written inside a savepoint that rolls back is removed then, and one
written inside a released savepoint waits for the outer transaction."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from shelfscope.storage.base import Storage

log = logging.getLogger("shelfscope.storage")

_INFO_KEY = "shelfscope.pending_objects"


@dataclass
class _Pending:
    transaction: SessionTransaction
    storage: Storage
    keys: list[str]
    # "rollback": new objects, removed if their rows roll back; "commit": objects of deleted rows,
    # removed once the delete commits.
    remove_on: Literal["rollback", "commit"]


def _entries(session: Session) -> list[_Pending]:
    entries: list[_Pending] | None = session.info.get(_INFO_KEY)
    if entries is None:
        entries = []
        session.info[_INFO_KEY] = entries
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_soft_rollback", _after_soft_rollback)
        event.listen(session, "after_transaction_end", _after_transaction_end)
    return entries


def _register(
    session: Session, storage: Storage, keys: Iterable[str | None], remove_on: Literal["rollback", "commit"]
) -> None:
    wanted = [k for k in keys if k]
    if not wanted:
        return
    transaction = session.get_nested_transaction() or session.get_transaction()
    if transaction is None:
        # No transaction: nothing can roll back, and nothing is waiting to commit.
        if remove_on == "commit":
            _remove(storage, wanted)
        return
    _entries(session).append(_Pending(transaction, storage, wanted, remove_on))


def remove_on_rollback(session: Session, storage: Storage, keys: Iterable[str | None]) -> None:
    """Objects just written for rows added in the session's open transaction: removed if that
    transaction (or the savepoint they were written in) rolls back or is closed uncommitted."""
    _register(session, storage, keys, "rollback")


def remove_after_commit(session: Session, storage: Storage, keys: Iterable[str | None]) -> None:
    """Objects of rows deleted in the session's open transaction: removed once it commits, never
    before (a row pointing at missing bytes is worse than an orphaned object the verify job finds)."""
    _register(session, storage, keys, "commit")


def _remove(storage: Storage, keys: Iterable[str]) -> None:
    for key in keys:
        try:
            storage.delete(key)
        except Exception:  # cleanup must not hide what the transaction did
            log.exception("could not remove stored object %s", key)


def _within(transaction: SessionTransaction, ended: SessionTransaction) -> bool:
    current: SessionTransaction | None = transaction
    while current is not None:
        if current is ended:
            return True
        current = current.parent
    return False


def _settle(session: Session, ended: SessionTransaction | None, committed: bool) -> None:
    """Act on the entries under `ended` (all of them when None)."""
    entries: list[_Pending] = session.info.get(_INFO_KEY, [])
    keep: list[_Pending] = []
    for entry in entries:
        if ended is not None and not _within(entry.transaction, ended):
            keep.append(entry)
        elif entry.remove_on == ("commit" if committed else "rollback"):
            _remove(entry.storage, entry.keys)
    entries[:] = keep


def _after_commit(session: Session) -> None:
    # Also fired when a savepoint is released: its entries then wait for the outer transaction.
    if session.get_nested_transaction() is None:
        _settle(session, None, committed=True)


def _after_soft_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    _settle(session, previous_transaction, committed=False)


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    # The outer transaction ended without a commit having settled its entries (closed, not rolled
    # back): its new objects have no rows.
    if transaction.parent is None:
        _settle(session, None, committed=False)
