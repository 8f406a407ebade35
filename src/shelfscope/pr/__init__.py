"""Product recognition: the product catalogue, cutouts from shelf photos, PR datasets, and (later)
embedding training and matching."""
