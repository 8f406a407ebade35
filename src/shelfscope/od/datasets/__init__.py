"""Datasets: named sets of library images with per-image annotation status."""
