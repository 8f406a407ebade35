"""Object detection domain: images, classes, datasets, annotations, versions, training, models."""
