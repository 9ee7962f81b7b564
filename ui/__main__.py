"""python -m ui: build the index if needed, then serve the chat on GOVQA_HOST:GOVQA_PORT (127.0.0.1:7860)."""
from assistant.settings import Settings
from ui.app import launch

launch(Settings())
