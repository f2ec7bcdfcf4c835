"""The deployment guide and units stay true: the systemd units pass ``systemd-analyze
verify`` (where systemd is available) and run real ``dialogbot`` commands, every
``dialogbot …`` line of docs/deploy.md is a valid command line, and the rollback command
of the guide really takes the schema back."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import build_parser, main
from storage.db import current_revision, head_revision, make_engine

INSTALLED = "/opt/dialogbot/.venv/bin/dialogbot"
UNITS = (
    "dialogbot.service",
    "dialogbot-worker.service",
    "dialogbot-backup.service",
    "dialogbot-backup.timer",
)


def _dialogbot_args(line: str) -> list[str] | None:
    """The arguments after ``dialogbot`` on a command line, or None."""
    line = re.sub(r"\$\([^)]*\)", "X", line.split(" # ")[0].strip())
    words = shlex.split(line)
    while words and (words[0] in ("sudo", "exec") or re.match(r"^[A-Z_]+=", words[0])):
        words = words[1:]
    if words and (words[0] == "dialogbot" or words[0].endswith("/bin/dialogbot")):
        return words[1:]
    return None


def _parses(args: list[str]) -> None:
    try:
        build_parser().parse_args(args)
    except SystemExit as exc:  # argparse's way of refusing
        raise AssertionError(f"`dialogbot {shlex.join(args)}` is not a valid command") from exc


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is absent")
def test_systemd_units_pass_systemd_analyze_verify(repo_root: Path, tmp_path: Path) -> None:
    executable = Path(sys.executable).parent / "dialogbot"
    if not executable.exists():
        pytest.skip("the dialogbot console script is not installed in this environment")
    for name in UNITS:
        text = (repo_root / "deploy" / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(text.replace(INSTALLED, str(executable)), encoding="utf-8")
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *(str(tmp_path / n) for n in UNITS)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_units_run_valid_dialogbot_commands(repo_root: Path) -> None:
    found = 0
    for name in UNITS:
        for line in (repo_root / "deploy" / name).read_text(encoding="utf-8").splitlines():
            if not line.startswith("ExecStart"):
                continue
            command = line.split("=", 1)[1]
            for part in re.findall(r"(/opt/dialogbot/\.venv/bin/dialogbot[^;']*)", command):
                args = _dialogbot_args(part.replace("%%", "%"))
                assert args is not None
                _parses(args)
                found += 1
    assert found == 3


def test_every_command_in_the_guide_is_valid(repo_root: Path) -> None:
    guide = (repo_root / "docs" / "deploy.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", guide, flags=re.S)
    commands = [
        args
        for block in blocks
        for line in block.replace("\\\n", " ").splitlines()
        if (args := _dialogbot_args(line)) is not None
    ]
    assert len(commands) >= 8
    for args in commands:
        _parses(args)


def test_the_rollback_command_takes_the_schema_back(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    assert main(["--db", url, "db", "upgrade"]) == 0
    assert main(["--db", url, "db", "downgrade", "0004"]) == 0
    engine = make_engine(url)
    assert current_revision(engine) == "0004"
    assert main(["--db", url, "db", "upgrade"]) == 0
    assert current_revision(engine) == head_revision()
    engine.dispose()
