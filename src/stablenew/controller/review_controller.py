"""ReviewController: what the review page reads and writes — images, ratings, pairs, the verdict."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from stablenew.controller.feedback_controller import FeedbackController
from stablenew.domain.feedback.events import FeedbackError
from stablenew.domain.feedback.model import recommend
from stablenew.domain.feedback.model_settings import ModelSettings
from stablenew.domain.feedback.observations import PreferenceOutcome
from stablenew.domain.feedback.requests import RatingRequest
from stablenew.domain.feedback.review import (
    ReviewImage,
    closest_races,
    next_pair,
    plan_entries,
    review_images,
)
from stablenew.domain.ports.record_sink import RecordSource

SourceFactory = Callable[[Path], RecordSource]
IMPORTED = "imported"  # the page's pseudo plan of every imported image (`stablenew import`)
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp"})


class ReviewController:
    """Every rating goes through the FeedbackController, so the page and the CLI write the same
    durable events; image files are served only when a record names them and they lie under the
    output directory."""

    def __init__(
        self,
        *,
        source_factory: SourceFactory,
        records_path: Path | str,
        feedback: FeedbackController,
        output_dir: Path | str,
        model_settings: ModelSettings | None = None,
    ) -> None:
        self._source_factory = source_factory
        self.records_path = Path(records_path)
        self.feedback = feedback
        self.output_root = Path(os.path.realpath(output_dir))
        self._settings = model_settings or ModelSettings()
        self._served: set[Path] = set()  # real paths of recorded images (refreshed on a miss)
        self._library: dict[str, Path] = {}  # run id → real path of an imported image (refreshed on a miss)

    def _records(self, plan_id: str | None = None) -> Any:
        return self._source_factory(self.records_path).iter_records(plan_id)

    def overview(self) -> dict[str, Any]:
        """The plans in the records and the most recent runs outside plans."""
        plans, loose = plan_entries(self._records())
        return {"plans": [_entry(p) for p in plans], "imported": len(self.images(IMPORTED)),
                "recent": [self._image(i, {}) for i in loose if not i.run_id.startswith("import-")]}

    def images(self, plan_id: str) -> list[ReviewImage]:
        """The plan's final images (or, for "imported", every imported image), in log order."""
        if plan_id == IMPORTED:
            return review_images(r for r in self._records() if r.data.get("run_type") == IMPORTED)
        return review_images(self._records(plan_id), plan_id)

    def plan_view(self, plan_id: str) -> dict[str, Any]:
        """Everything the page shows for a plan: images with this rater's stars, progress, verdict."""
        images = self.images(plan_id)
        if not images:
            raise FeedbackError(f"no successful run of plan {plan_id!r} in {self.records_path}")
        state = self.feedback.state()
        rater = self.feedback.rater
        mine = {}
        for image in images:
            rating = state.rating_for(rater, image.path, image.run_id, True)
            if rating is not None:
                mine[image.path] = {"stars": rating.stars, "tags": list(rating.tags)}
        rows = [self._image(image, mine.get(image.path, {})) for image in images]
        return {"plan_id": plan_id, "rater": rater, "images": rows,
                "rated": len(mine), "total": len(images), "recommendation": self.recommendation(plan_id)}

    def _image(self, image: ReviewImage, rating: dict[str, Any]) -> dict[str, Any]:
        url = self.url_for(image.path)
        if url is None and image.run_id.startswith("import-"):
            url = f"/library/{image.run_id}"
        return {**image.to_dict(), "url": url, **rating}

    def recommendation(self, plan_id: str) -> dict[str, Any]:
        """The current recommendation for the plan (the same model as `stablenew recommend`)."""
        if plan_id != IMPORTED:
            join = self.feedback.join(plan_id)
            return recommend(join.rated, join.pairs, settings=self._settings, plan=plan_id).to_dict()
        imported = self.images(IMPORTED)
        runs, paths = {image.run_id for image in imported}, {image.path for image in imported}
        join = self.feedback.join(None)
        rated = [r for r in join.rated if r.run_id in runs]
        pairs = [p for p in join.pairs if p.image_a in paths and p.image_b in paths]
        return recommend(rated, pairs, settings=self._settings, plan=None).to_dict()

    def pair(self, plan_id: str) -> dict[str, Any] | None:
        """The next pair to compare: the closest race between two leading values first."""
        recommendation = self.recommendation(plan_id)
        leaders = closest_races(recommendation.get("axes") or ())
        rater = self.feedback.rater
        compared = {frozenset(key[1:]) for key in self.feedback.state().preferences if key[0] == rater}
        found = next_pair(self.images(plan_id), leaders, compared)
        if found is None:
            return None
        return {"a": self._image(found[0], {}), "b": self._image(found[1], {})}

    def rate(self, image: str, stars: int, tags: tuple[str, ...] = ()) -> str:
        """Record one rating (a FeedbackError for bad stars or an image no record names)."""
        rating = self.feedback.rate([RatingRequest(target=image, stars=stars, tags=tags)])[0]
        return rating.header.event_id

    def undo(self, image: str) -> str:
        """Take back this rater's current rating of the image (a retraction event)."""
        return self.feedback.retract_rating(image).header.event_id

    def prefer(self, image_a: str, image_b: str, outcome: str) -> str:
        """Record a preference: "a", "b" or "tie"."""
        choice = PreferenceOutcome(outcome)
        first, second = (image_b, image_a) if choice is PreferenceOutcome.B else (image_a, image_b)
        return self.feedback.prefer(first, second, tie=choice is PreferenceOutcome.TIE).header.event_id

    def url_for(self, path: str) -> str | None:
        """The page's URL of a recorded image, or None when the file is not under the output folder."""
        real = Path(os.path.realpath(path))
        if not real.is_relative_to(self.output_root):
            return None
        return "/files/" + real.relative_to(self.output_root).as_posix()

    def image_file(self, relative: str) -> Path | None:
        """The file behind /files/<relative>, only when it is under the output folder, is a regular
        file, and a record of the log names it (None otherwise: the server answers 404)."""
        if "\x00" in relative or relative.startswith("/") or ".." in Path(relative).parts:
            return None
        real = Path(os.path.realpath(self.output_root / relative))
        if not real.is_relative_to(self.output_root) or not real.is_file():
            return None
        if real not in self._served:
            self._served = {
                Path(os.path.realpath(str(path)))
                for record in self._records()
                for path in record.data.get("images") or ()
            }
        return real if real in self._served else None

    def library_file(self, run_id: str) -> Path | None:
        """The image an imported record names, where the user imported it from: only a regular image
        file that an `imported` record of the log names (None otherwise: 404)."""
        if run_id not in self._library:
            self._library = {
                str(record.run_id): Path(os.path.realpath(str(images[0])))
                for record in self._records()
                if record.data.get("run_type") == IMPORTED and (images := record.data.get("images"))
            }
        real = self._library.get(run_id)
        if real is None or real.suffix.lower() not in IMAGE_SUFFIXES or not real.is_file():
            return None
        return real


def _entry(entry: Any) -> dict[str, Any]:
    return {"plan_id": entry.plan_id, "plan_name": entry.plan_name, "runs": entry.runs,
            "images": entry.images, "last": entry.last}

