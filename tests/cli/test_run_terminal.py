"""`stablenew run` on a terminal (a real pty): a live progress line from the start, never an empty
refresh; on any output the seed it ran with, marked when it was drawn."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

from typer.testing import CliRunner

from stablenew.cli import app

CONFIG = (
    'prompt = "a fox"\n[txt2img]\nwidth = 64\nheight = 64\nseed = {seed}\n[upscale]\nupscaler = "Lanczos"\n'
)
CLEAR_LINE = b"\r\x1b[2K"


def _in_a_terminal(*args: str) -> tuple[int, bytes]:
    """Run `stablenew ARGS` with stdin/stdout/stderr on a pty of 120 columns; all it wrote."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen([sys.executable, "-m", "stablenew", *args], stdin=follower, stdout=follower,
                               stderr=follower, env=env, close_fds=True)
    os.close(follower)
    out = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the pty
            break
        if not chunk:
            break
        out += chunk
    os.close(leader)
    return process.wait(timeout=60), out


def test_a_terminal_shows_a_live_line_from_the_start_and_the_drawn_seed() -> None:
    Path("config.toml").write_text(CONFIG.format(seed=-1), encoding="utf-8")
    code, out = _in_a_terminal("run", "config.toml", "--output", "out")
    assert code == 0, out
    live, _, report = out.partition(b"run 2")
    assert "running txt2img → upscale".encode() in live
    drawn = live.split(CLEAR_LINE)[:-1]  # each drawing of the live line (the last clear removes it)
    assert drawn and all(re.sub(rb"\x1b\[[0-9;?]*[a-zA-Z]|\s", b"", r) for r in drawn), drawn
    seed = re.search(rb"seed: (\d+) \(drawn; set seed = (\d+) in \[txt2img\] to repeat this run\)", report)
    assert seed is not None and seed[1] == seed[2]


def test_the_seed_is_printed_off_a_terminal_too() -> None:
    Path("config.toml").write_text(CONFIG.format(seed=77), encoding="utf-8")
    result = CliRunner().invoke(app, ["run", "config.toml", "--output", "out"])
    assert result.exit_code == 0, result.output
    assert "seed: 77\n" in result.output and "drawn" not in result.output and "running" not in result.output
