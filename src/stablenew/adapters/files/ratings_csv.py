"""Reading a ratings CSV (`stablenew rate --from FILE`) into rating requests, naming line and column."""

from __future__ import annotations

import csv
from pathlib import Path

from stablenew.domain.errors import InputError
from stablenew.domain.feedback.events import SUBSCORES
from stablenew.domain.feedback.requests import RatingRequest

TARGET_COLUMNS = ("image", "run_id")
COLUMNS = (*TARGET_COLUMNS, "stars", "rater", "tags", "note", *SUBSCORES)


def _bad(path: Path, where: str, message: str) -> InputError:
    return InputError(message, source=str(path), field=where)


def _header(path: Path, header: list[str] | None) -> list[str]:
    if not header:
        raise _bad(path, "line 1", f"empty file; expected a header row with {', '.join(COLUMNS)}")
    names = [name.strip() for name in header]
    for number, name in enumerate(names, start=1):
        if name not in COLUMNS:
            raise _bad(path, f"line 1, column {number}",
                       f"unknown column {name!r} (expected {', '.join(COLUMNS)})")
    if len(set(names)) != len(names):
        raise _bad(path, "line 1", "a column appears twice")
    if "stars" not in names:
        raise _bad(path, "line 1", "missing column 'stars'")
    if not any(column in names for column in TARGET_COLUMNS):
        raise _bad(path, "line 1", "missing column 'image' or 'run_id'")
    return names


def _request(path: Path, line: int, row: dict[str, str]) -> RatingRequest:
    where = f"line {line}"
    targets = [(column, row[column]) for column in TARGET_COLUMNS if row.get(column)]
    if len(targets) != 1:
        raise _bad(path, f"{where}, column image",
                   "expected exactly one of image and run_id" if targets else "expected an image or a run_id")
    column, target = targets[0]
    tags = tuple(tag for tag in (row.get("tags") or "").split(";") if tag.strip())
    subscores = {name: row[name] for name in SUBSCORES if row.get(name)}
    return RatingRequest(target=target, stars=row.get("stars", ""), rater=row.get("rater") or None,
                         tags=tags, note=row.get("note") or None, subscores=subscores, where=where,
                         target_column=column)


def load_ratings_csv(path: Path | str) -> list[RatingRequest]:
    """Every row as a request (stars and targets are checked later, against the records); a file
    that is not a ratings CSV is an InputError naming the line and column."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle, strict=True)
            names = _header(path, next(reader, None))
            requests = []
            for values in reader:
                if not any(value.strip() for value in values):
                    continue  # a blank line
                if len(values) > len(names):
                    raise _bad(path, f"line {reader.line_num}, column {len(names) + 1}",
                               f"more fields ({len(values)}) than the header has ({len(names)})")
                row = {name: value.strip() for name, value in zip(names, values, strict=False)}
                requests.append(_request(path, reader.line_num, row))
    except FileNotFoundError:
        raise InputError("file not found", source=str(path)) from None
    except csv.Error as exc:
        raise _bad(path, f"line {reader.line_num}", f"not valid CSV ({exc})") from None
    except UnicodeDecodeError:
        raise InputError("is not UTF-8 text", source=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror or exc})", source=str(path)) from None
    if not requests:
        raise _bad(path, "line 2", "no ratings in the file")
    return requests
