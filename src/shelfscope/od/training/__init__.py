"""Detector training runs."""
