"""Adding reports and running evaluations: open on a loopback host, behind GOVQA_ADMIN_PASSWORD elsewhere, and
checked inside the handlers, so the HTTP API is held to it as the page is."""
from types import SimpleNamespace

from gradio_client import Client
from pydantic import SecretStr

from assistant.settings import Settings
from tests.ui.test_app import free_port
from ui.access import needs_password, refusal
from ui.app import build_app, launch_options
from ui.evaluate import EvalRun
from ui.library import FIELDS, Uploads


def test_loopback_is_open_a_public_address_needs_the_password():
    assert refusal(Settings(), None) is None and not needs_password(Settings())
    public = Settings(host="0.0.0.0")
    assert refusal(public, "") == "admin_required" and needs_password(public)
    guarded = Settings(host="0.0.0.0", admin_password="s3cret")
    assert refusal(guarded, "s3cret") is None and refusal(guarded, "wrong") == "admin_wrong"
    assert refusal(Settings(admin_password="s3cret"), None) == "admin_wrong"  # a set password holds on loopback too


def test_handlers_refuse_before_reading_adding_or_evaluating():
    nothing = SimpleNamespace(settings=Settings(host="0.0.0.0"))  # an assistant the handlers must never reach
    values = [""] * len(FIELDS)
    assert "GOVQA_ADMIN_PASSWORD" in Uploads(nothing).add({"text": "x", "path": "x.txt", "id": "009"}, "en", "", *values)
    assert Uploads(nothing).read("x.txt", "en", "")[-2].startswith("⚠️")
    status, *_ = EvalRun(nothing)("heldout.jsonl", "en", "")
    assert "GOVQA_ADMIN_PASSWORD" in status


def test_the_api_refuses_a_wrong_password_and_changes_nothing(assistant):
    saved = assistant.settings
    manifest = saved.manifest_path.read_text(encoding="utf-8")
    assistant.settings = saved.model_copy(update={"admin_password": SecretStr("s3cret")})  # model_copy does not validate
    port = free_port()
    app = build_app(assistant)
    try:
        app.queue()
        app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
                   **launch_options(assistant.settings))
        client = Client(f"http://127.0.0.1:{port}/", verbose=False)
        status, _, _ = client.predict("heldout.jsonl", "en", "guess", api_name="/evaluate")
        assert status.startswith("⚠️") and "Wrong admin password" in status
    finally:
        app.close()
        assistant.settings = saved
    assert saved.manifest_path.read_text(encoding="utf-8") == manifest


def test_a_chat_password_guards_the_page_and_the_api(assistant):
    import httpx
    import pytest

    settings = assistant.settings.model_copy(update={"chat_password": SecretStr("open sesame")})
    port = free_port()
    app = build_app(assistant)
    try:
        app.queue()
        app.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True,
                   **launch_options(settings))
        url = f"http://127.0.0.1:{port}/"
        assert httpx.get(f"{url}config").status_code == 401  # the page's components are not served before the login
        assert httpx.post(f"{url}gradio_api/call/ask", json={"data": ["x", [], [], [], [], "zh"]}).status_code == 401
        assert httpx.post(f"{url}login", data={"username": "x", "password": "guess"}).status_code == 400
        with pytest.raises(Exception):
            Client(url, auth=("anyone", "guess"), verbose=False)
        client = Client(url, auth=("anyone", "open sesame"), verbose=False)
        chat, *_ = client.predict("深圳市2025年上线了多少个“高效办成一件事”？", [], [], [], [], "zh", api_name="/ask")
        assert "45" in str(chat[-1])
    finally:
        app.close()
