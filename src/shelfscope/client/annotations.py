"""An image's boxes in a dataset: read them, write them (with the revision check), convert them to and
from `supervision.Detections`."""

from __future__ import annotations

from shelfscope.client._transport import Transport


class Annotations:
    def __init__(self, transport: Transport) -> None:
        self._t = transport
