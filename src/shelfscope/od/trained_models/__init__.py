"""The model registry: trained detectors, their artifacts and metrics."""
