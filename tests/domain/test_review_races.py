"""closest_races: the axis whose two best values are closest comes first, best before runner-up."""

from __future__ import annotations

from stablenew.domain.feedback.review import closest_races


def test_the_closest_race_comes_first_and_single_value_axes_are_left_out() -> None:
    axes = [
        {"stage": "txt2img", "variable": "cfg_scale",
         "values": [{"value": 4, "effect": -0.5}, {"value": 7, "effect": 0.9}, {"value": 10, "effect": 0.1}]},
        {"stage": "txt2img", "variable": "sampler_name",
         "values": [{"value": "Euler a", "effect": 0.2}, {"value": "DPM++ 2M", "effect": 0.25}]},
        {"stage": "txt2img", "variable": "steps", "values": [{"value": 20, "effect": 0.0}]},
    ]
    assert closest_races(axes) == [
        ("txt2img.sampler_name", "DPM++ 2M", "Euler a"),
        ("txt2img.cfg_scale", 7, 10),
    ]


def test_without_effects_the_mean_stars_rank_the_values() -> None:
    axes = [{"stage": "txt2img", "variable": "seed",
             "values": [{"value": 1, "effect": None, "mean_stars": 2.0},
                        {"value": 2, "effect": None, "mean_stars": 4.0}]}]
    assert closest_races(axes) == [("txt2img.seed", 2, 1)]
