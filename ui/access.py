"""Who may change the corpus or spend the server on evaluations: on a loopback host, the person at the machine;
when the app listens on any other address, only someone with the admin password (GOVQA_ADMIN_PASSWORD). A
configured password is asked for on every host. Checked inside the handlers, so the HTTP API is held to it too."""
from __future__ import annotations

import hmac
from typing import Callable

from assistant.settings import Settings

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def needs_password(settings: Settings) -> bool:
    return settings.admin_password is not None or settings.host not in LOOPBACK


def refusal(settings: Settings, password: str | None) -> str | None:
    """The i18n key saying why this visitor may not add reports or run evaluations, or None when they may."""
    if settings.admin_password is not None:
        secret = settings.admin_password.get_secret_value().encode()
        return None if hmac.compare_digest((password or "").encode(), secret) else "admin_wrong"
    return None if settings.host in LOOPBACK else "admin_required"


def chat_login(settings: Settings) -> Callable[[str, str], bool] | None:
    """Gradio's login for the whole app when GOVQA_CHAT_PASSWORD is set (any user name, that password), else None.
    It guards the page and the HTTP API alike; adding reports still needs the admin password on top."""
    if settings.chat_password is None:
        return None
    secret = settings.chat_password.get_secret_value().encode()
    return lambda _user, password: hmac.compare_digest((password or "").encode(), secret)
