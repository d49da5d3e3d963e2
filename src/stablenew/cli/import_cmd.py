"""`stablenew import PATH…`: one record per existing image, with the settings its file carries."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from stablenew.cli.consoles import stdout_console
from stablenew.cli.errors import EXIT_FAILED, cli_errors
from stablenew.cli.options import ConfigOpt, DebugOpt, RecordsOpt, open_container
from stablenew.controller.import_controller import (
    ADDED,
    ALREADY,
    LINKED,
    NO_SETTINGS,
    PARTIAL,
    FileOutcome,
)

SHOWN = 5  # examples listed per kind without --verbose
_READ = (ADDED, PARTIAL, ALREADY, LINKED)
_LABELS = {
    PARTIAL: "partial",
    NO_SETTINGS: "without settings",
    "unknown_format": "unknown format",
    "corrupt": "corrupt",
    "unreadable": "unreadable",
}


def _progress(out: Console) -> Progress:
    return Progress(
        TextColumn("importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=out,
        transient=True,
        disable=not out.is_terminal,
    )


def import_images(
    paths: Annotated[list[Path], typer.Argument(help="Image files and folders.", show_default=False)],
    recursive: Annotated[bool, typer.Option("--recursive", "-r", help="Descend into subfolders.")] = False,
    pack: Annotated[str | None, typer.Option("--pack", help="Prompt pack name for every record.")] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print what would be added; write nothing.")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every file not imported.")] = False,
    records: RecordsOpt = None,
    config: ConfigOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Import images made by A1111, Forge, ComfyUI or StableNew: one record per new image (by sha256)."""
    out = stdout_console()
    with cli_errors(debug):
        controller = open_container(config, records=records).import_controller()
        names = [str(p) for p in paths]
        total = controller.count(names, recursive=recursive)
        counts: Counter[str] = Counter()
        formats: Counter[str] = Counter()
        examples: dict[str, list[FileOutcome]] = {}
        with _progress(out) as bar:
            task = bar.add_task("import", total=total)
            for outcome in controller.run(names, recursive=recursive, pack=pack, dry_run=dry_run):
                bar.advance(task)
                counts[outcome.status] += 1
                if outcome.record is not None:
                    formats[outcome.source_format] += 1
                    if dry_run:
                        out.print(f"would add: {outcome.path} ({outcome.source_format})", markup=False)
                if outcome.status in _LABELS:
                    shown = examples.setdefault(outcome.status, [])
                    if verbose:
                        out.print(
                            f"{_LABELS[outcome.status]}: {outcome.path}: {outcome.detail}", markup=False
                        )
                    elif len(shown) < SHOWN:
                        shown.append(outcome)
        _summary(out, controller.records_path, counts, formats, examples, dry_run=dry_run, verbose=verbose)
        if not any(counts[status] for status in _READ):
            raise typer.Exit(EXIT_FAILED)


def _summary(
    out: Console,
    log: Path,
    counts: Counter[str],
    formats: Counter[str],
    examples: dict[str, list[FileOutcome]],
    *,
    dry_run: bool,
    verbose: bool,
) -> None:
    added = counts[ADDED] + counts[PARTIAL]
    by_format = ", ".join(f"{name} {n}" for name, n in sorted(formats.items()))
    verb = "would add" if dry_run else "added"
    out.print(
        f"{sum(counts.values())} files: {verb} {added} records to {log}"
        + (f" ({by_format})" if by_format else ""),
        markup=False,
    )
    for status, text in (
        (ALREADY, "already in the log (same sha256)"),
        (LINKED, "made by runs already in the log"),
    ):
        if counts[status]:
            out.print(f"{counts[status]} {text}", markup=False)
    for status, label in _LABELS.items():
        if not counts[status]:
            continue
        out.print(
            f"{counts[status]} {label}"
            + ("" if status != PARTIAL else " (imported with what could be read)"),
            markup=False,
        )
        if verbose:
            continue
        for outcome in examples.get(status, []):
            out.print(f"  {outcome.path}: {outcome.detail}", markup=False)
        if counts[status] > SHOWN:
            out.print(f"  … and {counts[status] - SHOWN} more (--verbose lists them all)", markup=False)
