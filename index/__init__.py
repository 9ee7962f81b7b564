"""Indexing pipeline, one module per stage: load -> clean -> chunk -> embed -> store."""
