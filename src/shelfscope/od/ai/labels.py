"""Which class a detection's label is: its prompt's class, else the class whose name or alias the label
is (an open-vocabulary model names things itself), else the chosen class for unknown labels, else
none (dropped). Names are looked up once per run, in batches."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from shelfscope.db import Database
from shelfscope.od.ai.schemas import DetectSettings
from shelfscope.od.classes.models import OdClass
from shelfscope.od.classes.schemas import name_key
from shelfscope.od.classes.service import find_classes


def label_key(label: str) -> str:
    return " ".join(label.split()).strip(" .").casefold()


class LabelResolver:
    def __init__(self, db: Database, settings: DetectSettings) -> None:
        self.db = db
        self.prompt_classes = [p.class_id for p in settings.prompts]
        self.unknown_class_id = settings.unknown_class_id
        self.by_label: dict[str, int | None] = {label_key(p.text): p.class_id for p in settings.prompts}
        wanted = {*self.prompt_classes, *([settings.unknown_class_id] if settings.unknown_class_id else [])}
        self.names: dict[int, str] = {}
        if wanted:
            with db.read() as session:
                rows = session.execute(select(OdClass.id, OdClass.name).where(OdClass.id.in_(wanted)))
                self.names = {int(i): str(n) for i, n in rows}

    def resolve_named(self, labels: Iterable[str]) -> None:
        """Look up the labels not seen yet (one query for all of them)."""
        unseen = {label for label in labels if label_key(label) not in self.by_label}
        if not unseen:
            return
        possible = []
        for label in unseen:
            try:
                name_key(label)
            except ValueError:  # not even a possible class name: an unknown label
                continue
            possible.append(label)
        with self.db.read() as session:
            found = find_classes(session, possible) if possible else {}
        for label in unseen:
            match = found.get(label)
            self.by_label[label_key(label)] = match.class_id if match else None
            if match:
                self.names.setdefault(match.class_id, match.class_name)

    def class_of(self, prompt_index: int, label: str) -> int | None:
        if 0 <= prompt_index < len(self.prompt_classes):
            return self.prompt_classes[prompt_index]
        key = label_key(label)
        if key not in self.by_label:
            self.resolve_named([label])
        found = self.by_label.get(key)
        return found if found is not None else self.unknown_class_id

    def name(self, class_id: int) -> str:
        return self.names.get(class_id, f"class {class_id}")
