"""The object-detection vocabulary: the values a split, an image's workflow status and an annotation's
kind, source and review state can take. Schemas, services and format readers import them from here;
the tables' CHECK constraints list the same values."""

from __future__ import annotations

from typing import Literal

Split = Literal["train", "val", "test"]
SPLITS: tuple[Split, ...] = ("train", "val", "test")

# An image's workflow status in one dataset.
ImageStatus = Literal["new", "in_progress", "completed", "skipped"]
IMAGE_STATUSES: tuple[ImageStatus, ...] = ("new", "in_progress", "completed", "skipped")
# Still to be annotated: where "next image" looks.
OPEN_STATUSES: tuple[ImageStatus, ...] = ("new", "in_progress")

# What one annotation is; a dataset's `annotation_type` takes the same values.
AnnotationKind = Literal["bbox", "polygon"]
ANNOTATION_KINDS: tuple[AnnotationKind, ...] = ("bbox", "polygon")

AnnotationSource = Literal["manual", "ai", "import"]
ANNOTATION_SOURCES: tuple[AnnotationSource, ...] = ("manual", "ai", "import")

ReviewState = Literal["none", "pending", "accepted", "rejected"]
REVIEW_STATES: tuple[ReviewState, ...] = ("none", "pending", "accepted", "rejected")
# Annotations a version or an export takes: reviewed-in or never under review (AI proposals still
# pending or rejected stay out of training data).
SNAPSHOT_REVIEW_STATES: tuple[ReviewState, ...] = ("none", "accepted")

# Where a library image came from.
ImageSource = Literal["upload", "url", "sync", "import"]
