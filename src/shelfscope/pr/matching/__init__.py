"""Matching: each unmatched cutout's likely products, confirmed or rejected by a person."""
