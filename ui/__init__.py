"""The Gradio chat: one more consumer of the assistant library."""
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no calls home
