"""Embeddings: a model's vectors of product images and cutouts, kept in the database and a vector index."""
