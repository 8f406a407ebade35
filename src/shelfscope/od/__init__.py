"""Object detection domain: images, classes, datasets, annotations, versions, imports, exports,
training and trained models."""
