"""Retrieval and cited answering over the indexed reports. Library first; the CLI and the UI are consumers."""
