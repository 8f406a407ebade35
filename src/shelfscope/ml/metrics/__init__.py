"""Retrieval metrics for embedding models (numpy and faiss only; no torch)."""

from shelfscope.ml.metrics import retrieval
from shelfscope.ml.metrics.retrieval import retrieval_metrics, search

__all__ = ["retrieval", "retrieval_metrics", "search"]
