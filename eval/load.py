"""python -m eval.load [--users 20] [--seconds 60] [--think 0] [--add-chunks 1000]: many people asking at once. Starts
`python -m ui` on 127.0.0.1 over a copy of the corpus and the index (nothing of the real ones changes), lets simulated
users ask the eval questions through the Gradio API for --seconds, each pausing --think seconds after each answer
(0: without pause), and prints requests, errors and p50/p95.
With --add-chunks N, a second phase adds a generated report of about N chunks through the Library tab in chromium
(as a person would) while the same users keep asking, and prints the same numbers for the time the add took."""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from assistant.settings import REPO_ROOT, Settings
from eval.runner import EVAL_DIR, load_questions
from eval.ui_bench import free_port, wait_until_served


def questions() -> list[str]:
    return [r["question"] for r in load_questions(EVAL_DIR / "questions.jsonl") if not r.get("history")]


class Users:
    """users threads, each with its own API client, asking in a loop until stopped; latencies per phase."""

    def __init__(self, url: str, users: int, texts: list[str], think: float = 0.0) -> None:
        self.url, self.texts, self.phase, self.think = url, texts, "warm-up", think
        self.times: dict[str, list[float]] = {}
        self.errors: dict[str, list[str]] = {}
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(users)]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=120)

    def _run(self, user: int) -> None:
        from gradio_client import Client

        client = Client(self.url, verbose=False)
        i = user * 7
        while not self._stop.is_set():
            text, phase = self.texts[i % len(self.texts)], self.phase
            i += 1
            started = time.perf_counter()
            try:
                chat, *_ = client.predict(text, [], [], [], [], "zh", api_name="/ask")
                if not chat or "status-error" in str(chat[-1]):
                    raise RuntimeError(str(chat[-1])[:120] if chat else "empty chat")
                self.times.setdefault(phase, []).append(time.perf_counter() - started)
            except Exception as err:  # noqa: BLE001 - every failure is counted, none stops the user
                self.errors.setdefault(phase, []).append(f"{type(err).__name__}: {str(err)[:120]}")
            self._stop.wait(self.think)  # a person reading the answer


def generated_report(corpus: Path, chunks: int) -> str:
    """A new report of about `chunks` chunks: the corpus's reports over and over, every figure changed per copy (so
    that no paragraph is a copy of one in the library), under a bureau and year no report has."""
    texts = [p.read_text(encoding="utf-8") for p in sorted((corpus / "reports").glob("*.txt"))]
    body, copy = [], 0
    while sum(len(b) for b in body) < chunks * Settings().chunk_chars:
        copy += 1
        for text in texts:
            body.append(re.sub(r"\d", lambda m: str((int(m.group()) + copy) % 10), text) + f"\n（第{copy}部分）\n")
    return "测试市政务服务数据管理局2030年法治政府建设年度报告\n\n" + "\n".join(body)


def add_in_browser(url: str, path: Path) -> tuple[float, str]:
    """Uploads path in the Library tab, fills the metadata, clicks Add; (seconds from the click, status line)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=["--headless", "--no-sandbox", "--disable-background-networking"])
        page = browser.new_page(locale="en-US")
        page.goto(url)
        page.get_by_role("tab", name=re.compile("Library|报告库")).click()
        page.locator("#upload input[type=file]").set_input_files(str(path))
        page.wait_for_function("document.querySelector('#upload-status')?.innerText.includes('characters')", timeout=120_000)
        for name, value in {"title": "测试市政务服务数据管理局2030年法治政府建设年度报告", "bureau": "测试市政务服务数据管理局",
                            "region": "测试市", "region_en": "Ceshi City"}.items():
            page.locator(f"#meta-{name} textarea, #meta-{name} input").first.fill(value)
        page.locator("#meta-year input").fill("2030")
        started = time.perf_counter()
        page.click("#add-report")
        page.wait_for_function("/Added|已添加|⚠️/.test(document.querySelector('#upload-status')?.innerText || '')",
                               timeout=1_800_000)
        took = time.perf_counter() - started
        status = page.locator("#upload-status").inner_text()
        browser.close()
    return took, status


def summary(name: str, times: list[float], errors: list[str], seconds: float) -> str:
    if not times:
        return f"{name:<12} requests 0, errors {len(errors)}"
    ms = np.asarray(times) * 1000
    return (f"{name:<12} requests {len(times) + len(errors):>5} ({(len(times) + len(errors)) / seconds:.1f}/s), "
            f"errors {len(errors)}, p50 {np.percentile(ms, 50):.0f} ms, p95 {np.percentile(ms, 95):.0f} ms, "
            f"max {ms.max():.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m eval.load")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=0.0, help="seconds each user pauses after an answer")
    parser.add_argument("--add-chunks", type=int, default=0, help="also add a report of about N chunks meanwhile")
    args = parser.parse_args()
    settings = Settings()
    with tempfile.TemporaryDirectory() as tmp:
        corpus, data = Path(tmp) / "corpus", Path(tmp) / "data"
        shutil.copytree(settings.corpus_dir, corpus)
        if settings.data_dir.is_dir():
            shutil.copytree(settings.data_dir, data, ignore=shutil.ignore_patterns("eval"))
        port = free_port()
        url = f"http://127.0.0.1:{port}/"
        env = {**os.environ, "GOVQA_PORT": str(port), "GOVQA_CORPUS_DIR": str(corpus), "GOVQA_DATA_DIR": str(data),
               "GOVQA_MAX_UPLOAD_MB": "50"}
        server = subprocess.Popen([sys.executable, "-m", "ui"], cwd=REPO_ROOT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_until_served(url, server)
            users = Users(url, args.users, questions(), args.think)
            users.start()
            time.sleep(5)  # every client connected, the first questions asked
            users.phase = "normal"
            time.sleep(args.seconds)
            pause = f"pausing {args.think:g} s after each answer" if args.think else "without pause"
            print(f"{args.users} users asking {pause}, against python -m ui on 127.0.0.1", flush=True)
            print(summary("normal", users.times.get("normal", []), users.errors.get("normal", []), args.seconds), flush=True)
            if args.add_chunks:
                report = Path(tmp) / "generated-2030.txt"
                report.write_text(generated_report(corpus, args.add_chunks), encoding="utf-8")
                users.phase = "during add"
                took, status = add_in_browser(url, report)
                users.phase = "after"
                print(summary("during add", users.times.get("during add", []), users.errors.get("during add", []), took))
                print(f"add: {took:.0f} s from the click; status: {status.splitlines()[0][:160]}")
            users.stop()
        finally:
            server.terminate()
            server.wait(timeout=60)
    for phase, errors in users.errors.items():
        print(f"{phase}: first error: {errors[0]}")


if __name__ == "__main__":
    main()
