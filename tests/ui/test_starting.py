"""The first-start page (ui/starting.py): served at once on the app's port while the assistant loads, showing the
last progress line written to stderr, escaped; the port is free again afterwards."""
from __future__ import annotations

import json
import socket
import sys
import urllib.error
import urllib.request

from tests.ui.test_app import free_port
from ui.starting import MARKER, STATUS_PATH, starting_page


def fetch(url: str) -> tuple[int, dict, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as reply:
            return reply.status, dict(reply.headers), reply.read().decode("utf-8")
    except urllib.error.HTTPError as err:  # 503: not the app yet
        return err.code, dict(err.headers), err.read().decode("utf-8")


def test_the_page_shows_the_last_progress_line_escaped_and_frees_the_port():
    port = free_port()
    with starting_page("127.0.0.1", port) as tee:
        assert sys.stderr is tee
        print("indexing reports:  40%|####      | 2/5 [00:30<00:45]", file=sys.stderr)
        sys.stderr.write("\x1b[A")  # tqdm moving the cursor for a nested bar: not a line
        status, headers, body = fetch(f"http://127.0.0.1:{port}{STATUS_PATH}")
        assert status == 503 and headers[MARKER] == "1"
        assert json.loads(body)["line"] == "indexing reports:  40%|####      | 2/5 [00:30<00:45]"
        print("<img src=x onerror=alert(1)>", file=sys.stderr)
        status, headers, page = fetch(f"http://127.0.0.1:{port}/")
        assert status == 503 and "Getting ready" in page and "正在准备" in page and headers["Retry-After"] == "2"
        assert "&lt;img src=x onerror=alert(1)&gt;" in page and "<img src=x" not in page
    assert sys.stderr is tee.stream
    with socket.socket() as again:  # the app can take the port now (as servers do, past the closed connections' TIME_WAIT)
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", port))
        again.listen()


def test_a_taken_port_means_no_page_but_the_app_still_loads():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with starting_page("127.0.0.1", port) as tee:
            assert sys.stderr is not tee  # no page, stderr as it was
