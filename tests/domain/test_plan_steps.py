"""Plan expansion (order, keys) and step config derivation (seed policy, images per step)."""

from __future__ import annotations

from stablenew.domain.config.rules import parse_pipeline_config
from stablenew.domain.plan.rules import build_plan
from stablenew.domain.plan.steps import count_steps, derive_step_config, expand_plan, loop_order

BASE = parse_pipeline_config(
    {
        "prompt": "p",
        "txt2img": {"seed": 42, "cfg_scale": 7.0},
        "img2img": {"seed": 3},
        "upscale": {"upscaler": "Lanczos"},
    }
)


def _plan(*axes: tuple, name: str = "plan", **kwargs):
    return build_plan(
        name=name,
        base=BASE,
        axes=[{"stage": s, "variable": v, "values": vals} for s, v, vals in axes],
        **kwargs,
    )


def test_first_axis_varies_fastest_and_costly_axes_switch_least() -> None:
    plan = _plan(
        ("txt2img", "cfg_scale", "4, 8"),
        ("upscale", "upscaler", "Lanczos, Nearest"),
        ("txt2img", "steps", "10, 20"),
        ("txt2img", "model", "a, b"),
    )
    assert loop_order(plan.axes) == [3, 1, 2, 0]
    steps = expand_plan(plan)
    assert count_steps(plan) == len(steps) == 16
    assert [s.index for s in steps] == list(range(16))
    models = [s.variables["txt2img.model"] for s in steps]
    upscalers = [s.variables["upscale.upscaler"] for s in steps]
    assert models == ["a"] * 8 + ["b"] * 8  # one model switch in the whole plan
    assert upscalers[:8] == ["Lanczos"] * 4 + ["Nearest"] * 4
    assert [s.variables["txt2img.cfg_scale"] for s in steps[:4]] == [4.0, 8.0, 4.0, 8.0]
    assert steps[0].describe().startswith("txt2img.cfg_scale=4.0, upscale.upscaler=Lanczos")
    assert steps[0].to_dict()["variables"] == steps[0].variables


def test_step_keys_follow_values_not_positions() -> None:
    plan = _plan(("txt2img", "cfg_scale", "4, 8"), ("txt2img", "steps", "10, 20"))
    edited = _plan(("txt2img", "steps", "20, 30, 10"), ("txt2img", "cfg_scale", "8, 6, 4"))
    renamed = _plan(("txt2img", "cfg_scale", "4, 8"), ("txt2img", "steps", "10, 20"), name="other")
    keys = {s.key: s.variables for s in expand_plan(plan)}
    edited_keys = {s.key: s.variables for s in expand_plan(edited)}
    assert len(keys) == 4 and set(keys) < set(edited_keys)  # reordered and extended: all four still known
    assert all(keys[k] == edited_keys[k] for k in keys)
    assert not set(keys) & {s.key for s in expand_plan(renamed)}
    assert plan.id == _plan(("txt2img", "steps", "1")).id != renamed.id


def test_plan_seed_replaces_every_seed_and_images_per_step_is_the_batch_size() -> None:
    plan = _plan(("txt2img", "cfg_scale", "5"), seed=9, images_per_step=3)
    step = expand_plan(plan)[0]
    config = derive_step_config(BASE, step, plan)
    txt2img, img2img = config.txt2img, config.img2img
    assert (txt2img.get("seed"), img2img.get("seed"), txt2img.get("batch_size")) == (9, 9, 3)
    assert config.txt2img.get("cfg_scale") == 5.0 and "seed" not in config.upscale.params
    assert derive_step_config(BASE, step, plan, max_images=2).txt2img.get("batch_size") == 2
    assert BASE.txt2img.params == {"seed": 42, "cfg_scale": 7.0}  # untouched


def test_a_seed_axis_keeps_the_plan_seed_out() -> None:
    plan = _plan(("txt2img", "seed", "1-3"), seed=9)
    configs = [derive_step_config(BASE, s, plan) for s in expand_plan(plan)]
    assert [(c.txt2img.get("seed"), c.img2img.get("seed")) for c in configs] == [(1, 3), (2, 3), (3, 3)]
    assert plan.seed_is_axis


def test_without_a_plan_seed_the_base_seeds_stay() -> None:
    plan = _plan(("img2img", "denoising_strength", "0.1"))
    config = derive_step_config(BASE, expand_plan(plan)[0], plan)
    txt2img, img2img = config.txt2img, config.img2img
    assert (txt2img.get("seed"), img2img.get("seed"), img2img.get("denoising_strength")) == (42, 3, 0.1)


def test_plan_values_round_trip_to_plain_data() -> None:
    plan = _plan(("txt2img", "cfg_scale", "5"), seed=1).with_metadata({"experiment_name": "e"})
    data = plan.to_dict()
    assert data["experiment_name"] == "e" == plan.experiment_name and data["seed"] == 1
    assert data["axes"] == [{"stage": "txt2img", "variable": "cfg_scale", "values": [5.0]}]
    assert data["base"]["txt2img"]["seed"] == 42 and plan.one_click_action_id is None
    assert plan.with_seed(None).seed is None


def test_changes_for_a_stage_the_config_lacks_are_dropped() -> None:
    from stablenew.domain.config.pipeline import PipelineConfig, StageConfig

    plan = _plan(("txt2img", "cfg_scale", "5"), seed=9)
    bare = PipelineConfig(prompt="p", stages=(StageConfig("upscale", {"upscaler": "Lanczos"}),))
    assert derive_step_config(bare, expand_plan(plan)[0], plan) == bare
