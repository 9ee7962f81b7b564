"""python -m ui: build the index if needed, then serve the chat on GOVQA_HOST:GOVQA_PORT (127.0.0.1:7860). A progress
page answers on that port from the first second (ui/starting.py) while Gradio, the models and the index load."""
from assistant.settings import Settings
from ui.starting import starting_page

settings = Settings()
with starting_page(settings.host, settings.port):
    from assistant.service import Assistant
    from ui.app import build_app, serve

    app = build_app(Assistant(settings))
serve(app, settings)
