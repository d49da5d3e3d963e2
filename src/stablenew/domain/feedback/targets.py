"""What a rating or preference names: a recorded image path or a run id, found in the records."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from stablenew.domain.feedback.join import record_images
from stablenew.domain.records.record import LearningRecord


@dataclass(frozen=True, slots=True)
class Target:
    """One image, by the path its record holds, or one run, by its id."""

    image: str | None = None
    run_id: str | None = None


def _basename(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


def resolve_targets(
    queries: Iterable[str],
    records: Iterable[LearningRecord],
    canonical: Callable[[str], str],
) -> Mapping[str, Target]:
    """Each query found in one pass over `records`: a run id, else an image path as the record has it,
    else a path that `canonical` (e.g. os.path.realpath) maps to the same file as a recorded one.
    Queries no record knows are absent from the result."""
    pending = set(queries)
    found: dict[str, Target] = {}
    wanted_names: dict[str, list[str]] = {}
    canonical_of: dict[str, str] = {}
    for query in pending:
        wanted_names.setdefault(_basename(query), []).append(query)
    for record in records:
        if not pending:
            break
        run_id = str(record.run_id)
        if run_id in pending:
            found[run_id] = Target(run_id=run_id)
            pending.discard(run_id)
        for image in record_images(record):
            if image.path in pending:
                found[image.path] = Target(image=image.path)
                pending.discard(image.path)
            for query in wanted_names.get(_basename(image.path), ()):
                if query not in pending:
                    continue
                if query not in canonical_of:
                    canonical_of[query] = canonical(query)
                if canonical_of[query] == canonical(image.path):
                    found[query] = Target(image=image.path)
                    pending.discard(query)
    return found
