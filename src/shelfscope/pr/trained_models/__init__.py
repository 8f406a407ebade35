"""Registered product-recognition embedding models and their comparison."""
