"""Detector trainers: one module per architecture family (rfdetr, rtdetrv2, yolo_nas), each a `Trainer`
(base.py) run by the `od.training.run` job on the `ml` queue. `catalogue.py` (torch-free) names the
architectures; `protocol.py` is the JSON-lines protocol an out-of-process trainer speaks."""
