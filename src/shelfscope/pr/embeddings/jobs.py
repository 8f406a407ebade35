"""Job handlers of pr/embeddings."""
