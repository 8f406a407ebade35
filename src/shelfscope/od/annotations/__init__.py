"""Annotations: boxes (and later polygons) on dataset images, manual, imported or AI-proposed."""
