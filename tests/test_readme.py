"""The README's recipes run as written, and its Quick start has exactly two commands."""

import contextlib
import io
import re

import pytest

from schedscrape.cli import main
from tests.conftest import ROOT, SESSIONS

README = (ROOT / "README.md").read_text(encoding="utf-8")


def recipes() -> list[str]:
    section = README.split("### Recipes", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_quick_start_has_two_commands():
    block = re.search(r"## Quick start\n+```bash\n(.*?)```", README, re.S).group(1)
    commands = [line for line in block.splitlines() if line.strip()]
    assert len(commands) == 2
    assert "schedscrape parse fixtures/sessions -o output" in commands[0]
    assert "pytest" in commands[1]


@pytest.mark.parametrize("recipe", recipes(), ids=lambda code: code.split("\n", 1)[0][:40])
def test_recipe_runs_as_written(recipe, tmp_path, monkeypatch):
    assert (
        main(
            [
                "parse",
                str(SESSIONS),
                "-o",
                str(tmp_path / "output"),
                "--format",
                "csv,json,parquet,ics,html",
            ]
        )
        == 0
    )
    monkeypatch.chdir(tmp_path)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(recipe, "README recipe", "exec"), {})
    assert printed.getvalue().strip()
