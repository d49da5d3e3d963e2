"""The rated-image dataset (`stablenew dataset build`): its columns, types and what one build asks for.

One row per image of every stage of every good record (one image per row, its stage's settings
beside it), with the current ratings of it averaged over raters; optionally one row per current
preference (Pick-a-Pic-like pairs). The types are Arrow/Parquet logical types; CSV writes them as
text (a list as `a;b`), JSON Lines as JSON values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

FORMATS = ("parquet", "jsonl", "csv")

# (name, type, meaning) — the adapter must produce exactly these, in this order.
IMAGE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("run_id", "string", "the run (one pipeline run = one record)"),
    ("timestamp", "timestamp[us, UTC]", "when the run started"),
    ("plan_id", "string", "the learning plan's id; null for a passive run"),
    ("plan_name", "string", "the learning plan's name"),
    ("step_key", "string", "the plan step (what resume matches on); null for a passive run"),
    ("step_index", "int64", "the step's position in the plan"),
    ("confirmation", "bool", "a confirmation run of the plan (`learn confirm`)"),
    ("axes", "string (JSON object)", 'the step\'s axis values, e.g. {"txt2img.cfg_scale": 7.0}'),
    ("prompt", "string", "the prompt"),
    ("negative_prompt", "string", "the negative prompt"),
    ("prompt_pack", "string", "the prompt pack, when the config names one"),
    ("prompt_id", "string", "the prompt id, when the config names one"),
    ("stage", "string", "the stage that made the image: txt2img, img2img, adetailer or upscale"),
    ("final", "bool", "the image is one of the run's final images (its last stage's)"),
    ("model", "string", "checkpoint of the stage (as the effective config has it)"),
    ("sampler_name", "string", "sampler of the stage"),
    ("scheduler", "string", "scheduler of the stage"),
    ("steps", "int64", "sampling steps of the stage"),
    ("cfg_scale", "double", "CFG scale of the stage"),
    ("seed", "int64", "the seed really used for the image"),
    ("width", "int64", "the image's width in pixels"),
    ("height", "int64", "the image's height in pixels"),
    ("denoising_strength", "double", "denoising strength (img2img, adetailer), else null"),
    ("upscaler", "string", "upscaler (upscale stage), else null"),
    ("backend", "string", "procedural, a1111 or comfyui"),
    ("image", "string", "the image's path as recorded"),
    ("sha256", "string", "the image file's SHA-256 when it was written"),
    ("stage_duration_s", "double", "seconds the stage took"),
    ("run_duration_s", "double", "seconds the whole run took"),
    ("stage_outcome", "string", "the stage's outcome (success, failed, cancelled)"),
    ("success", "bool", "the whole run succeeded"),
    ("stars", "double", "mean over raters of each rater's current stars (1–5); null when unrated"),
    ("n_ratings", "int64", "how many raters currently rate the image (0 when unrated)"),
    ("composition", "double", "mean composition subscore over the raters who gave one"),
    ("prompt_adherence", "double", "mean prompt_adherence subscore"),
    ("technical_quality", "double", "mean technical_quality subscore"),
    ("tags", "list<string>", "every tag of the current ratings, each once"),
)

PAIR_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("prompt", "string", "the prompt of image_0"),
    ("image_0", "string", "the first image's recorded path (IMAGE_A of `stablenew prefer`)"),
    ("image_1", "string", "the second image's recorded path"),
    ("label_0", "double", "1 when image_0 is preferred, 0 when image_1 is, 0.5 for a tie"),
    ("label_1", "double", "1 - label_0"),
    ("rater", "string", "who judged"),
    ("run_id_0", "string", "image_0's run"),
    ("run_id_1", "string", "image_1's run"),
    ("step_key_0", "string", "image_0's plan step (null outside a plan)"),
    ("step_key_1", "string", "image_1's plan step"),
    ("timestamp", "timestamp[us, UTC]", "when the preference was given"),
    ("event_id", "string", "the preference event's id in the feedback log"),
)


@dataclass(frozen=True, slots=True)
class DatasetRequest:
    """Where to write, in which format, and which records (one plan's, those since a time)."""

    out: str
    format: str = "parquet"
    plan_id: str | None = None
    since: datetime | None = None
    pairs_out: str | None = None


@dataclass(frozen=True, slots=True)
class DatasetReport:
    """What a build wrote."""

    rows: int
    pairs: int | None = None


def format_for(out: str, given: str | None) -> str:
    """The format asked for, else the one OUT's suffix names, else parquet."""
    if given is not None:
        return given
    suffix = out.rsplit(".", 1)[-1].lower() if "." in out else ""
    return {"jsonl": "jsonl", "ndjson": "jsonl", "json": "jsonl", "csv": "csv"}.get(suffix, "parquet")
