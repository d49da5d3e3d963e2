"""`stablenew rate` and `stablenew prefer`: judge recorded images (and runs) into the feedback log."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stablenew.cli.consoles import stdout_console
from stablenew.cli.errors import cli_errors
from stablenew.cli.feedback_check import warn_if_corrupt
from stablenew.cli.options import ConfigOpt, DebugOpt, FeedbackOpt, RecordsOpt, open_container
from stablenew.controller.feedback_controller import FeedbackController
from stablenew.domain.feedback.events import FeedbackError, Rating
from stablenew.domain.feedback.requests import RatingRequest

RaterOpt = Annotated[str | None, typer.Option("--rater", help="Who rates (default: [feedback] rater, "
                                                              "else the OS user name).")]
RetractOpt = Annotated[bool, typer.Option("--retract", help="Take back your current one instead.")]


def _controller(config: Path | None, records: Path | None, feedback: Path | None) -> FeedbackController:
    controller: FeedbackController = open_container(config, records=records,
                                                    feedback=feedback).feedback_controller()
    controller.on_feedback_read = warn_if_corrupt(controller.feedback_path)
    return controller


def _subscores(values: list[str]) -> dict[str, str]:
    parsed: dict[str, str] = {}
    for value in values:
        name, sep, score = value.partition("=")
        if not sep or not name.strip():
            raise FeedbackError(f"expected NAME=N, e.g. composition=4, got {value!r}", field="--subscore")
        parsed[name.strip()] = score
    return parsed


def _describe(rating: Rating) -> str:
    what = f"image {rating.image}" if rating.image is not None else f"run {rating.run_id}"
    extra = "".join(f", {name} {score}" for name, score in rating.subscores.items())
    return f"rated {what}: {rating.stars}/5{extra} by {rating.header.rater} (event {rating.header.event_id})"


def rate(
    target: Annotated[str | None, typer.Argument(metavar="IMAGE_OR_RUN_ID",
                                                 help="A recorded image path or a run id.")] = None,
    stars: Annotated[str | None, typer.Option("--stars", help="1 to 5.")] = None,
    rater: RaterOpt = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="A tag (repeatable).")] = None,
    note: Annotated[str | None, typer.Option("--note", help="A free-text note.")] = None,
    subscore: Annotated[list[str] | None, typer.Option(
        "--subscore", help="composition|prompt_adherence|technical_quality=N, 1 to 5 (repeatable).")] = None,
    from_csv: Annotated[Path | None, typer.Option(
        "--from", help="Import a CSV: image or run_id, stars, rater, tags (;-separated), note.")] = None,
    retract: RetractOpt = False,
    records: RecordsOpt = None,
    feedback: FeedbackOpt = None,
    config: ConfigOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Rate a recorded image or a whole run (its final images) 1–5 stars; or import a CSV of ratings."""
    with cli_errors(debug):
        if (target is None) == (from_csv is None):
            raise FeedbackError("give one IMAGE_OR_RUN_ID or --from FILE", field="rate")
        if retract and (stars is not None or from_csv is not None):
            raise FeedbackError("--retract takes back a rating: give it without --stars or --from",
                                field="--retract")
        controller = _controller(config, records, feedback)
        console = stdout_console()
        if retract:
            done = controller.retract_rating(str(target), rater=rater)
            console.print(f"retracted event {done.retracts} ({target}) for {done.header.rater}", markup=False)
            return
        if from_csv is not None:
            requests = open_container(config).load_ratings_csv(from_csv)
            if rater:
                requests = [r if r.rater else _with_rater(r, rater) for r in requests]
            ratings = controller.rate(requests, source=str(from_csv))
            console.print(f"imported {len(ratings)} ratings from {from_csv} into {controller.feedback_path}",
                          markup=False)
            return
        if stars is None:
            raise FeedbackError("is required (1 to 5)", field="--stars")
        request = RatingRequest(target=str(target), stars=stars, rater=rater, tags=tuple(tag or ()),
                                note=note, subscores=_subscores(subscore or []))
        try:
            (rating,) = controller.rate([request])
        except FeedbackError as exc:
            raise FeedbackError(exc.message, source=exc.source, field=_option(exc.field)) from None
        console.print(_describe(rating), markup=False)


def _option(field: str | None) -> str | None:
    """The command-line option a domain field path came from (stars → --stars)."""
    if field is None:
        return None
    if field.startswith("subscores."):
        return f"--subscore {field.removeprefix('subscores.')}"
    return {"stars": "--stars", "tags": "--tag", "subscores": "--subscore"}.get(field, field)


def _with_rater(request: RatingRequest, rater: str) -> RatingRequest:
    return RatingRequest(target=request.target, stars=request.stars, rater=rater, tags=request.tags,
                         note=request.note, subscores=request.subscores, where=request.where,
                         target_column=request.target_column)


def prefer(
    image_a: Annotated[str, typer.Argument(metavar="IMAGE_A", help="The better image (recorded path).")],
    image_b: Annotated[str, typer.Argument(metavar="IMAGE_B", help="The worse image (recorded path).")],
    tie: Annotated[bool, typer.Option("--tie", help="Neither is better.")] = False,
    rater: RaterOpt = None,
    retract: RetractOpt = False,
    records: RecordsOpt = None,
    feedback: FeedbackOpt = None,
    config: ConfigOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Record that IMAGE_A is better than IMAGE_B (or, with --tie, that they are as good)."""
    with cli_errors(debug):
        controller = _controller(config, records, feedback)
        console = stdout_console()
        if retract:
            done = controller.retract_preference(image_a, image_b, rater=rater)
            console.print(f"retracted event {done.retracts} for {done.header.rater}", markup=False)
            return
        preference = controller.prefer(image_a, image_b, tie=tie, rater=rater)
        relation = "ties with" if tie else "is better than"
        console.print(f"{preference.image_a} {relation} {preference.image_b}, by {preference.header.rater} "
                      f"(event {preference.header.event_id})", markup=False)
