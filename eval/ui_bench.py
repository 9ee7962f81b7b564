"""python -m eval.ui_bench [--fresh-index]: what a new user waits for. Starts `python -m ui` as `make run` does,
times until the page is served, then in Debian's chromium clicks the first example question (which asks it), and
times until the cited answer (its source card) is on screen. --fresh-index builds the index in a temp dir first.
The conversation the bench asks is kept in a file of its own, removed afterwards, never among the user's."""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from assistant.settings import REPO_ROOT, Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_served(url: str, server: subprocess.Popen, limit_s: float = 600) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < limit_s:
        if server.poll() is not None:
            raise SystemExit(f"python -m ui exited with {server.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return time.perf_counter() - started
        except OSError:
            time.sleep(0.25)
    raise SystemExit(f"not served within {limit_s} s")


def first_cited_answer(url: str) -> tuple[float, float, float, str]:
    """(seconds to the page's first paint with its question box, seconds from clicking an example (which asks it) to
    the first source card (the passages being read), to the answer with its cards, answer)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=["--headless", "--no-sandbox", "--disable-background-networking"])
        page = browser.new_page(locale="zh-CN")
        started = time.perf_counter()
        page.goto(url)
        page.wait_for_selector("#question textarea")
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        page.locator("#examples button").first.click()
        page.wait_for_selector("#chat .source-card", timeout=60_000)
        reading = time.perf_counter() - started
        page.wait_for_selector("#chat .govqa-answer:not([data-status=working]) .source-card", timeout=60_000)
        answered = time.perf_counter() - started
        text = page.locator("#chat .govqa-answer").last.inner_text().split("\n")[0]
        browser.close()
    return loaded, reading, answered, text


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m eval.ui_bench")
    parser.add_argument("--fresh-index", action="store_true", help="build the index from nothing (first run)")
    args = parser.parse_args()
    port = free_port()
    bench_file = f"ui-bench-{os.getpid()}.sqlite3"
    env = {**os.environ, "GOVQA_PORT": str(port), "GOVQA_CONVERSATIONS_NAME": bench_file}
    with tempfile.TemporaryDirectory() as data_dir:
        if args.fresh_index:
            env["GOVQA_DATA_DIR"] = data_dir
        started = time.perf_counter()
        server = subprocess.Popen([sys.executable, "-m", "ui"], cwd=REPO_ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            served = wait_until_served(f"http://127.0.0.1:{port}/", server)
            loaded, reading, answered, text = first_cited_answer(f"http://127.0.0.1:{port}/")
        finally:
            server.terminate()
            server.wait(timeout=30)
            for path in Settings().data_dir.glob(bench_file + "*"):  # with SQLite's -wal and -shm files
                path.unlink()
    print(f"index {'built from nothing' if args.fresh_index else 'already built'}")
    print(f"python -m ui start -> page served: {served:.1f} s")
    print(f"page load -> question box ready:   {loaded:.1f} s")
    print(f"click example -> passages shown:     {reading:.2f} s")
    print(f"click example -> cited answer shown: {answered:.2f} s  ({text[:40]}…)")
    print(f"total from start:                   {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
