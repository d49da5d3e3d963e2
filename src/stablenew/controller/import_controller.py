"""ImportController: turns existing image files into records, once each (deduped by sha256)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from stablenew.domain.imports.read import read_settings
from stablenew.domain.imports.record import imported_record, record_hashes
from stablenew.domain.ports.clock import Clock
from stablenew.domain.ports.image_library import ImageLibrary, UnreadableImageError
from stablenew.domain.ports.record_sink import RecordSink, RecordSource
from stablenew.domain.records.record import LearningRecord

SinkFactory = Callable[[Path], RecordSink]
SourceFactory = Callable[[Path], RecordSource]

ADDED, PARTIAL, ALREADY, LINKED, NO_SETTINGS = "added", "partial", "already", "linked", "no_settings"
FAILED_KINDS = ("unknown_format", "corrupt", "unreadable")
BATCH = 200  # records per locked write + fsync; an interrupted import loses none (see run)


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """What became of one file: `status` (added, partial, already, linked, no_settings or a failure
    kind), a detail for people, and the record added (or that would be, on a dry run)."""

    path: str
    status: str
    detail: str = ""
    source_format: str = ""
    record: LearningRecord | None = None


class ImportController:
    """Streams files through the ImageLibrary; appends one record per new image through the sink."""

    def __init__(self, *, library: ImageLibrary, sink_factory: SinkFactory, source_factory: SourceFactory,
                 records_path: Path | str, clock: Clock) -> None:
        self._library = library
        self._sink_factory = sink_factory
        self._source_factory = source_factory
        self.records_path = Path(records_path)
        self._clock = clock

    def count(self, paths: Sequence[str], *, recursive: bool) -> int:
        """How many files an import of `paths` looks at (InputError for a path that does not exist)."""
        self._library.check_paths(paths)
        return sum(1 for _ in self._library.find(paths, recursive=recursive))

    def run(self, paths: Sequence[str], *, recursive: bool = False, pack: str | None = None,
            dry_run: bool = False) -> Iterator[FileOutcome]:
        """One outcome per file, in order; records are appended as they come (none on a dry run)."""
        self._library.check_paths(paths)
        known: set[str] = set()
        runs: set[str] = set()
        for record in self._source_factory(self.records_path).iter_records():
            known |= record_hashes(record)
            runs.add(str(record.run_id))
        sink = None if dry_run else self._sink_factory(self.records_path)
        imported_at = self._clock.now().isoformat()  # one time for the whole import
        batch: list[LearningRecord] = []
        try:
            for path in self._library.find(paths, recursive=recursive):
                outcome = self._one(path, known, runs, pack, imported_at)
                if outcome.record is not None and sink is not None:
                    batch.append(outcome.record)
                    if len(batch) >= BATCH:
                        sink.append_records(batch)
                        batch.clear()
                yield outcome
        finally:
            if sink is not None and batch:  # also when the caller stops early (Ctrl-C)
                sink.append_records(batch)

    def _one(self, path: str, known: set[str], runs: set[str], pack: str | None, imported_at: str
             ) -> FileOutcome:
        try:
            file = self._library.read(path)
        except UnreadableImageError as exc:
            return FileOutcome(path, exc.kind, exc.reason)
        if file.sha256 in known:
            return FileOutcome(path, ALREADY, "this image is already in the log")
        settings = read_settings(file.text)
        if settings is None:
            return FileOutcome(path, NO_SETTINGS, f"{file.format} without generation settings")
        known.add(file.sha256)
        if settings.run_id is not None and settings.run_id in runs:
            return FileOutcome(path, LINKED, f"made by run {settings.run_id}, already in the log",
                               settings.source_format)
        record = imported_record(file, settings, imported_at=imported_at, pack=pack)
        if settings.missing:
            return FileOutcome(path, PARTIAL, "could not read: " + ", ".join(settings.missing),
                               settings.source_format, record)
        return FileOutcome(path, ADDED, "", settings.source_format, record)
