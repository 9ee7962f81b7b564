"""The first-start page. While the assistant loads (on a fresh machine it builds the index and trains the answer ranker:
a minute or two), a small page on the app's own port says what it is doing, with tqdm's own progress line and
estimate, and turns into the chat as soon as the app is up. Written with the standard library's http.server because
Gradio cannot serve before its Blocks exist, and the Blocks need the loaded assistant."""
from __future__ import annotations

import html
import json
import logging
import re
import sys
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator, TextIO

log = logging.getLogger(__name__)
STATUS_PATH = "/__starting"
# what the page polls, and how it tells itself from the app: the app answers that path without this header
MARKER = "X-GovQA-Starting"


ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")  # the cursor moves tqdm writes for nested bars


class ProgressTee:
    """stderr as it was, remembering the last line written to it (tqdm redraws its bar with \\r)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream, self.line = stream, ""

    def write(self, text: str) -> int:
        lines = [part.strip() for part in re.split(r"[\r\n]", ANSI.sub("", text)) if part.strip()]
        if lines:
            self.line = lines[-1][-300:]
        return self.stream.write(text)

    def __getattr__(self, name: str):  # flush, isatty, fileno, encoding: the real stream's
        return getattr(self.stream, name)


PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>正在准备 · Getting ready</title>
<style>
 body {{ font-family: system-ui, "Noto Sans CJK SC", sans-serif; max-width: 40rem; margin: 12vh auto; padding: 0 1rem;
        color: #1f2937; background: #fff; }}
 @media (prefers-color-scheme: dark) {{ body {{ color: #e5e7eb; background: #111827; }} }}
 h1 {{ font-size: 1.3rem; }}
 progress {{ width: 100%; height: 1rem; }}
 #line {{ font-family: ui-monospace, monospace; font-size: .85rem; white-space: pre-wrap; word-break: break-all; }}
</style></head>
<body>
<h1>政府工作报告问答 · Government report Q&amp;A</h1>
<p>正在准备：首次启动时会建立索引并训练答案排序模型，约需一到三分钟。准备好后本页会自动进入对话。<br>
Getting ready: on a first start the index is built and the answer ranker trained, which takes one to three minutes.
This page turns into the chat by itself when the app is ready.</p>
<progress id="bar"></progress>
<p id="line">{line}</p>
<p>已用时 · elapsed: <span id="elapsed">{elapsed}</span> s</p>
<script>
async function poll() {{
  try {{
    const reply = await fetch("{path}", {{cache: "no-store"}});
    if (!reply.headers.get("{marker}")) {{ location.reload(); return; }}
    const state = await reply.json();
    document.getElementById("line").textContent = state.line;
    document.getElementById("elapsed").textContent = state.elapsed;
    const percent = /(\\d+)%\\|/.exec(state.line);
    const bar = document.getElementById("bar");
    if (percent) {{ bar.max = 100; bar.value = +percent[1]; }} else {{ bar.removeAttribute("value"); }}
  }} catch (err) {{}}  // between this page's server and the app's: try again
  setTimeout(poll, 1000);
}}
setTimeout(poll, 1000);
</script>
</body></html>
"""


def _handler(tee: ProgressTee, started: float) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            elapsed = f"{time.monotonic() - started:.0f}"
            if self.path.split("?")[0] == STATUS_PATH:
                body, kind = json.dumps({"line": tee.line, "elapsed": elapsed}), "application/json"
            else:
                body = PAGE.format(line=html.escape(tee.line), elapsed=elapsed, path=STATUS_PATH, marker=MARKER)
                kind = "text/html; charset=utf-8"
            data = body.encode("utf-8")
            self.send_response(503)  # not the app yet
            for name, value in {"Content-Type": kind, "Content-Length": str(len(data)), "Cache-Control": "no-store",
                                "Retry-After": "2", MARKER: "1"}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args) -> None:  # no access log on stderr (it would become the progress line)
            pass
    return Handler


@contextmanager
def starting_page(host: str, port: int) -> Iterator[ProgressTee]:
    """Serves the progress page on host:port while the body runs (stderr is watched meanwhile); the port is free
    again when it ends. When the port cannot be taken, the body runs without a page."""
    tee = ProgressTee(sys.stderr)
    try:
        server = ThreadingHTTPServer((host, port), _handler(tee, time.monotonic()))
    except OSError as err:
        log.warning("no first-start page on %s:%s (%s)", host, port, err)
        yield tee
        return
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="starting-page", daemon=True)
    thread.start()
    sys.stderr = tee
    try:
        yield tee
    finally:
        sys.stderr = tee.stream
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
