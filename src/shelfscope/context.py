"""The application context: the long-lived parts every request, handler and command shares."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from shelfscope.config import Settings
from shelfscope.db import Database
from shelfscope.storage import Storage, open_storage

if TYPE_CHECKING:
    from shelfscope.jobs.runners import JobRunner


@dataclass
class AppContext:
    settings: Settings
    db: Database
    storage: Storage
    runner: JobRunner

    @classmethod
    def from_settings(cls, settings: Settings, *, pooled: bool = True) -> AppContext:
        from shelfscope.jobs.runners import open_runner

        db = Database.from_settings(settings, pooled=pooled)
        storage = open_storage(settings)
        return cls(settings=settings, db=db, storage=storage, runner=open_runner(settings, db))

    def close(self) -> None:
        self.runner.stop()
        self.db.dispose()
