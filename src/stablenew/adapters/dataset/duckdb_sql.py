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
                                maximum_object_size = 67108864, columns = {columns}) AS r
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


def dataset_sql(log: str, plan_id: str | None, since: datetime | None, *, csv: bool) -> str:
    """The image rows with the raters' current ratings averaged (ratings: the `ratings` table)."""
    tags = "array_to_string(coalesce(a.tags, []), ';')" if csv else "coalesce(a.tags, [])"
    picked = {
        "upscaler": "CASE WHEN i.stage = 'upscale' THEN i.upscaler_value END",
        "stars": "a.stars", "n_ratings": "coalesce(a.n_ratings, 0)", "composition": "a.composition",
        "prompt_adherence": "a.prompt_adherence", "technical_quality": "a.technical_quality",
        "tags": tags,
    }
    select = ", ".join(f"{picked.get(name, 'i.' + name)} AS {name}" for name, _, _ in IMAGE_COLUMNS)
    return f"""
    WITH {images_sql(log, plan_id, since)},
    candidates AS (
        SELECT i.image, g.* EXCLUDE (image, run_id) FROM imgs i JOIN ratings g ON g.image = i.image
        UNION ALL
        SELECT i.image, g.* EXCLUDE (image, run_id) FROM imgs i JOIN ratings g
            ON g.image IS NULL AND g.run_id = i.run_id AND i.final
    ),
    current AS (
        SELECT * FROM candidates
        QUALIFY row_number() OVER (PARTITION BY image, rater ORDER BY position DESC) = 1
    ),
    agg AS (
        SELECT image, avg(stars) AS stars, count(*) AS n_ratings, avg(composition) AS composition,
               avg(prompt_adherence) AS prompt_adherence, avg(technical_quality) AS technical_quality,
               list_sort(list_distinct(flatten(list(tags)))) AS tags
        FROM current GROUP BY image
    )
    SELECT {select} FROM imgs i LEFT JOIN agg a ON a.image = i.image"""


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
