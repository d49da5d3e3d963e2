"""Commands the CLI suggests (resume, start): complete, so they work when pasted."""

from __future__ import annotations

import shlex
from pathlib import Path


def command_line(*words: str | Path, **options: str | Path | None) -> str:
    """`stablenew WORDS --option value ...`, each part shell-quoted; options that are None are left
    out (the command then uses what it would use anyway)."""
    parts = ["stablenew", *(str(word) for word in words)]
    for name, value in options.items():
        if value is not None:
            parts += [f"--{name.replace('_', '-')}", str(value)]
    return " ".join(shlex.quote(part) for part in parts)


def plan_command(
    verb: str,
    plan_file: Path,
    *,
    records: Path | None = None,
    output: Path | None = None,
    config: Path | None = None,
    backend: str | None = None,
) -> str:
    """`stablenew learn VERB PLAN` with the --records, --output, --config and --backend given to this
    command: without them a pasted hint would look in another log or run on another backend."""
    return command_line("learn", verb, plan_file, records=records, output=output, config=config,
                        backend=backend)
