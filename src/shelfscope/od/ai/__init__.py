"""AI auto-annotation: zero-shot detectors propose boxes on a dataset's images; people review them."""
