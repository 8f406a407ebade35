"""Retrieval metrics for embedding models (numpy and faiss only; no torch)."""

from shelfscope.ml.metrics import retrieval
from shelfscope.ml.metrics.retrieval import (
    ConfusedPair,
    EvaluationReport,
    HardCase,
    Neighbour,
    evaluation_report,
    retrieval_metrics,
    search,
)

__all__ = [
    "ConfusedPair",
    "EvaluationReport",
    "HardCase",
    "Neighbour",
    "evaluation_report",
    "retrieval",
    "retrieval_metrics",
    "search",
]
