"""The SQL of the dataset build: DuckDB scans the JSONL log once, streaming, with an explicit schema."""

from __future__ import annotations

from datetime import datetime

from stablenew.domain.feedback.dataset import IMAGE_COLUMNS, PAIR_COLUMNS
from stablenew.domain.feedback.join import CONFIRMATION_OF_TAG, CONFIRMATION_RUN_TYPE
from stablenew.domain.records.record import RECORD_SCHEMA

STAGES = ("txt2img", "img2img", "adetailer", "upscale")
_STAGE = ("STRUCT(model VARCHAR, sampler_name VARCHAR, scheduler VARCHAR, steps BIGINT, cfg_scale DOUBLE, "
          "seed BIGINT, denoising_strength DOUBLE, ad_denoising_strength DOUBLE, upscaler VARCHAR)")
# Only what the dataset needs: DuckDB skips the rest of each line without building it.
RECORD_COLUMNS = {
    "schema": "VARCHAR", "run_id": "VARCHAR", "timestamp": "VARCHAR", "success": "BOOLEAN",
    "backend": "VARCHAR", "prompt": "VARCHAR", "negative_prompt": "VARCHAR", "prompt_pack": "VARCHAR",
    "prompt_id": "VARCHAR", "total_duration_s": "DOUBLE", "images": "VARCHAR[]",
    "learning": "STRUCT(plan_id VARCHAR, plan_name VARCHAR, step_key VARCHAR, step_index BIGINT, "
                "variables JSON, run_type VARCHAR, tags JSON)",
    "config": "STRUCT(" + ", ".join(f"{stage} {_STAGE}" for stage in STAGES) + ")",
    "stage_events": "STRUCT(stage VARCHAR, duration_s DOUBLE, outcome VARCHAR, images STRUCT(path VARCHAR, "
                    "sha256 VARCHAR, width BIGINT, height BIGINT, seed BIGINT)[])[]",
}


def literal(text: str) -> str:
    """`text` as a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _stage_value(name: str, source: str | None = None) -> str:
    cases = " ".join(f"WHEN {literal(stage)} THEN config.{stage}.{source or name}" for stage in STAGES)
    return f"CASE e.stage {cases} END"


def images_sql(log: str, plan_id: str | None, since: datetime | None) -> str:
    """One row per image of every good record (the `imgs` relation the other queries read)."""
    columns = "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in RECORD_COLUMNS.items()) + "}"
    where = [f"r.schema = {literal(RECORD_SCHEMA)}", "r.run_id IS NOT NULL", "r.timestamp IS NOT NULL",
             "r.success IS NOT NULL"]
    if plan_id is not None:
        where.append(f"(r.learning.plan_id = {literal(plan_id)} OR "
                     f"json_extract_string(r.learning.tags, {literal('$.' + CONFIRMATION_OF_TAG)}) = "
                     f"{literal(plan_id)})")
    if since is not None:
        where.append(f"TRY_CAST(r.timestamp AS TIMESTAMPTZ) >= {literal(since.isoformat())}::TIMESTAMPTZ")
    denoise = ("CASE e.stage WHEN 'adetailer' THEN config.adetailer.ad_denoising_strength "
               "WHEN 'img2img' THEN config.img2img.denoising_strength END")
    return f"""
    recs AS (
        SELECT * FROM read_json({literal(log)}, format = 'newline_delimited', ignore_errors = true,
                                maximum_object_size = 16777216, columns = {columns}) AS r
        WHERE {' AND '.join(where)}
    ),
    events AS (SELECT recs.*, unnest(recs.stage_events) AS e FROM recs),
    imgs AS (
        SELECT
            run_id,
            TRY_CAST(timestamp AS TIMESTAMPTZ) AS timestamp,
            learning.plan_id AS plan_id,
            learning.plan_name AS plan_name,
            learning.step_key AS step_key,
            learning.step_index AS step_index,
            coalesce(learning.run_type = {literal(CONFIRMATION_RUN_TYPE)}
                     OR json_extract_string(learning.tags, {literal('$.' + CONFIRMATION_OF_TAG)}) IS NOT NULL,
                     false) AS confirmation,
            CAST(learning.variables AS VARCHAR) AS axes,
            prompt, negative_prompt, prompt_pack, prompt_id,
            e.stage AS stage,
            coalesce(list_contains(images, i.path), false) AS final,
            {_stage_value('model')} AS model,
            {_stage_value('sampler_name')} AS sampler_name,
            {_stage_value('scheduler')} AS scheduler,
            {_stage_value('steps')} AS steps,
            {_stage_value('cfg_scale')} AS cfg_scale,
            coalesce(i.seed, {_stage_value('seed')}) AS seed,
            i.width AS width,
            i.height AS height,
            {denoise} AS denoising_strength,
            config.upscale.upscaler AS upscaler_value,
            backend,
            i.path AS image,
            i.sha256 AS sha256,
            e.duration_s AS stage_duration_s,
            total_duration_s AS run_duration_s,
            e.outcome AS stage_outcome,
            success
        FROM (SELECT events.*, unnest(e.images) AS i FROM events)
    )"""


MARK = ("{'position': g.position, 'rater': g.rater, 'stars': g.stars, 'composition': g.composition, "
        "'prompt_adherence': g.prompt_adherence, 'technical_quality': g.technical_quality, 'tags': g.tags}")
SUMMARY = (f"list({MARK}) AS marks, avg(g.stars) AS stars, count(*) AS n_ratings, "
           "avg(g.composition) AS composition, avg(g.prompt_adherence) AS prompt_adherence, "
           "avg(g.technical_quality) AS technical_quality, "
           "list_sort(list_distinct(flatten(list(g.tags)))) AS tags")
# Each rater's latest mark: sorted by position (the struct's first field), newest first, then the
# first mark of each rater kept. Needed only for a final image with both its own and its run's ratings.
_CURRENT = ("list_filter(list_reverse_sort(list_concat(im.marks, rm.marks)), lambda m, n: NOT list_contains("
            "list_transform(list_reverse_sort(list_concat(im.marks, rm.marks))[1:n - 1], lambda o: o.rater), "
            "m.rater))")
_FROM_MARKS = {
    "stars": "list_avg(list_transform(cur, lambda m: m.stars))",
    "n_ratings": "len(cur)",
    "composition": "list_avg(list_transform(cur, lambda m: m.composition))",
    "prompt_adherence": "list_avg(list_transform(cur, lambda m: m.prompt_adherence))",
    "technical_quality": "list_avg(list_transform(cur, lambda m: m.technical_quality))",
    "tags": "list_sort(list_distinct(flatten(list_transform(cur, lambda m: m.tags))))",
}


def _rating(name: str) -> str:
    """A rating column: from the image's own ratings, or its run's, or (both) each rater's latest."""
    empty = {"n_ratings": "0", "tags": "[]"}.get(name, "NULL")
    return (f"CASE WHEN source = 'image' THEN im_{name} WHEN source = 'run' THEN rm_{name} "
            f"WHEN source = 'both' THEN {_FROM_MARKS[name]} ELSE {empty} END")


def dataset_sql(log: str, plan_id: str | None, since: datetime | None, *, csv: bool) -> str:
    """The image rows with the raters' current ratings averaged (ratings: the `ratings` table).

    The log is scanned once: each image row picks up the summary of its own ratings and, for a final
    image, of its run's ratings (small tables joined by hash); only an image with both is worked out
    rater by rater (each rater's later rating counts)."""
    picked = {"upscaler": "CASE WHEN stage = 'upscale' THEN upscaler_value END"}
    picked.update({name: _rating(name) for name in _FROM_MARKS})
    if csv:
        picked["tags"] = f"array_to_string({picked['tags']}, ';')"
    select = ", ".join(f"{picked.get(name, name)} AS {name}" for name, _, _ in IMAGE_COLUMNS)
    summary = ", ".join(f"{side}.{name} AS {side}_{name}" for side in ("im", "rm") for name in _FROM_MARKS)
    return f"""
    WITH {images_sql(log, plan_id, since)},
    image_marks AS (SELECT g.image AS key, {SUMMARY} FROM ratings g WHERE g.image IS NOT NULL GROUP BY 1),
    run_marks AS (SELECT g.run_id AS key, {SUMMARY} FROM ratings g WHERE g.image IS NULL GROUP BY 1),
    joined AS (
        SELECT i.*, {summary},
            CASE WHEN im.key IS NOT NULL AND rm.key IS NOT NULL THEN 'both'
                 WHEN im.key IS NOT NULL THEN 'image' WHEN rm.key IS NOT NULL THEN 'run' END AS source,
            CASE WHEN im.key IS NOT NULL AND rm.key IS NOT NULL THEN {_CURRENT} END AS cur
        FROM imgs i LEFT JOIN image_marks im ON im.key = i.image
        LEFT JOIN run_marks rm ON rm.key = i.run_id AND i.final
    )
    SELECT {select} FROM joined"""


def pairs_sql(log: str, plan_id: str | None, since: datetime | None) -> str:
    """One row per current preference whose two images are both in the selected records."""
    labels = {"a": "1.0", "b": "0.0", "tie": "0.5"}
    cases = " ".join(f"WHEN '{k}' THEN {v}" for k, v in labels.items())
    label = f"CAST(CASE p.outcome {cases} END AS DOUBLE)"
    picked = {
        "prompt": "x.prompt", "image_0": "p.image_a", "image_1": "p.image_b", "label_0": label,
        "label_1": f"1.0 - ({label})", "rater": "p.rater", "run_id_0": "x.run_id", "run_id_1": "y.run_id",
        "step_key_0": "x.step_key", "step_key_1": "y.step_key", "timestamp": "p.timestamp",
        "event_id": "p.event_id",
    }
    select = ", ".join(f"{picked[name]} AS {name}" for name, _, _ in PAIR_COLUMNS)
    return f"""
    WITH {images_sql(log, plan_id, since)},
    wanted AS (
        SELECT DISTINCT image, prompt, run_id, step_key FROM imgs
        WHERE image IN (SELECT image_a FROM preferences UNION SELECT image_b FROM preferences)
    )
    SELECT {select} FROM preferences p
    JOIN wanted x ON x.image = p.image_a JOIN wanted y ON y.image = p.image_b"""
