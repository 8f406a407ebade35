"""Segmenters: point/box-prompted masks (SAM 2.1)."""
