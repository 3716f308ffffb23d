"""docs/diagnose.md shows what the commands print: its EV0.LOG is rebuilt here (the morning
of ``tests/cli/test_cli_diagnose.py`` behind a note, in CRLF) and the output of ``diagnose``
and ``fit`` is compared with the doc's blocks."""

from __future__ import annotations

import contextlib
import io
import re
import sys
from pathlib import Path

import pytest

from sim.cli import main

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "diagnose.md").read_text(encoding="utf-8")
sys.path.insert(0, str(ROOT / "tests" / "cli"))
from test_cli_diagnose import morning  # noqa: E402

NOTE = "Copied from \\\\MAILSRV02\\exchsrvr\\mtadata\\EV0.LOG on 2002-02-26\n\n"


def shown(command: str) -> str:
    """The doc's output of ``$ command`` (up to the next ``$`` line or the block's end)."""
    found = re.search(
        rf"^\$ {re.escape(command)}\n(.*?)(?=^\$ |^```)", DOC, flags=re.MULTILINE | re.DOTALL
    )
    assert found is not None, command
    return found.group(1)


def printed(*argv: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        main(list(argv))
    return err.getvalue() + out.getvalue()


@pytest.fixture
def walk(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "EV0.LOG").write_bytes(
        (NOTE + morning((3, 12, 6, 1), 30)).replace("\n", "\r\n").encode()
    )
    return tmp_path


def test_the_diagnosis_is_the_docs(walk):
    assert printed("diagnose", "EV0.LOG") == shown("mtasim diagnose EV0.LOG")


def test_the_fit_is_the_docs(walk):
    assert printed("fit", "EV0.LOG", "--output", "my.toml") == shown(
        "mtasim fit EV0.LOG --output my.toml"
    )
    head = "".join((walk / "my.toml").read_text().splitlines(keepends=True)[:22])
    assert head.rstrip("\n") == shown("head -22 my.toml").rstrip("\n")
