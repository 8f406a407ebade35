"""AI assistance for annotating: zero-shot detection, batch auto-annotation, SAM masks, review."""
