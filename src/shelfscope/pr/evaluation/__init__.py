"""Retrieval evaluation of embedding checkpoints and models (Recall@K, mAP@R, cross-domain, hard cases)."""
