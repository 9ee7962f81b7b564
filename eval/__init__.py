"""Evaluation: the question set, the metrics, and `python -m eval` to run them through the `ask` path."""
