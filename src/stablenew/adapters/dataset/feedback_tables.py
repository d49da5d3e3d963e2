"""The current feedback as Arrow tables, for DuckDB to join to the records."""

from __future__ import annotations

import pyarrow as pa  # type: ignore[import-untyped]

from stablenew.domain.feedback.events import SUBSCORES, Rating
from stablenew.domain.feedback.ratings import Current, FeedbackState

RATING_SCHEMA = pa.schema([
    ("rater", pa.string()), ("image", pa.string()), ("run_id", pa.string()), ("position", pa.int64()),
    ("stars", pa.int64()), *((name, pa.int64()) for name in SUBSCORES), ("tags", pa.list_(pa.string())),
])
PREFERENCE_SCHEMA = pa.schema([
    ("rater", pa.string()), ("image_a", pa.string()), ("image_b", pa.string()), ("outcome", pa.string()),
    ("event_id", pa.string()), ("timestamp", pa.timestamp("us", tz="UTC")),
])


def ratings_table(state: FeedbackState) -> pa.Table:
    """One row per current rating (of an image, or of a run: `image` null), with its log position."""
    columns: dict[str, list[object]] = {name: [] for name in RATING_SCHEMA.names}
    currents: list[Current[Rating]] = [*state.image_ratings.values(), *state.run_ratings.values()]
    for current in currents:
        rating = current.event
        columns["rater"].append(rating.header.rater)
        columns["image"].append(rating.image)
        columns["run_id"].append(rating.run_id)
        columns["position"].append(current.position)
        columns["stars"].append(rating.stars)
        for name in SUBSCORES:
            columns[name].append(rating.subscores.get(name))
        columns["tags"].append(list(rating.tags))
    return pa.table(columns, schema=RATING_SCHEMA)


def preferences_table(state: FeedbackState) -> pa.Table:
    """One row per current preference."""
    columns: dict[str, list[object]] = {name: [] for name in PREFERENCE_SCHEMA.names}
    for current in state.preferences.values():
        preference = current.event
        columns["rater"].append(preference.header.rater)
        columns["image_a"].append(preference.image_a)
        columns["image_b"].append(preference.image_b)
        columns["outcome"].append(preference.outcome.value)
        columns["event_id"].append(preference.header.event_id)
        columns["timestamp"].append(preference.header.timestamp)
    return pa.table(columns, schema=PREFERENCE_SCHEMA)
