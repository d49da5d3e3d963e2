"""One name-matching rule (A1111's): exact spelling, then any case; close matches scored by best alias."""

from __future__ import annotations

from stablenew.domain.config.name_matching import (
    NameChoice,
    NameSet,
    close_matches,
    split_legacy_sampler,
    unknown_name_message,
)

SAMPLERS = ("DPM++ 2M", "Euler a", "Euler", "LMS", "Heun")
ALIASES = {"Euler a": ("k_euler_a",), "Euler": ("k_euler",), "DPM++ 2M": ("k_dpmpp_2m",)}


def test_close_matches_ignore_case_and_rank_best_first() -> None:
    assert close_matches("Eular a", SAMPLERS) == ["Euler a", "Euler"]
    assert close_matches("EULAR A", SAMPLERS) == ["Euler a", "Euler"]
    assert close_matches("Zebra", SAMPLERS) == []


def test_a_candidate_scores_by_its_best_alias() -> None:
    assert close_matches("k_dpmpp_2", SAMPLERS) == []
    assert close_matches("k_dpmpp_2", SAMPLERS, aliases=ALIASES) == ["DPM++ 2M"]


def test_limit_cutoff_and_ties_keep_the_candidates_order() -> None:
    names = ("ab1", "ab2", "ab3", "ab4", "ab5")
    assert close_matches("ab", names) == ["ab1", "ab2", "ab3", "ab4"]
    assert close_matches("ab", names, limit=2) == ["ab1", "ab2"]
    assert close_matches("ab", names, cutoff=0.9) == []


def test_unknown_name_message_names_close_matches_or_lists_what_there_is() -> None:
    assert unknown_name_message("sampler", "Eular a", SAMPLERS) == (
        'unknown sampler "Eular a" (close matches: Euler a, Euler)'
    )
    assert unknown_name_message("sampler", "Zebra", SAMPLERS, offered_by="the procedural backend") == (
        'unknown sampler "Zebra" (the procedural backend has: DPM++ 2M, Euler a, Euler, LMS, Heun)'
    )
    many = tuple(f"model-{i:02}" for i in range(13))
    listed = unknown_name_message("model", "zzzzzzzz", many)
    assert listed.endswith("model-10, model-11, ...)") and "model-12" not in listed
    assert unknown_name_message("VAE", "x", ()) == 'unknown VAE "x" (the server has: none)'


def test_name_set_resolves_exact_spelling_before_any_case() -> None:
    names = NameSet("scheduler", (NameChoice("Karras", ("karras",)), NameChoice("KARRAS2", ("Karras2",))))
    assert names.canonical == ("Karras", "KARRAS2")
    assert names.resolve("karras") == "Karras" and names.resolve("kArRaS") == "Karras"
    assert names.resolve("Karras2") == "KARRAS2" and names.resolve("karras2") == "KARRAS2"
    assert names.resolve("Karas") is None
    assert names.unknown("Karas") == 'unknown scheduler "Karas" (close matches: Karras, KARRAS2)'
    assert NameSet("x", (), offered_by="ComfyUI").unknown("y") == 'unknown x "y" (ComfyUI has: none)'


def test_legacy_combined_sampler_names_split_when_both_parts_are_known() -> None:
    samplers = NameSet("sampler", tuple(NameChoice(n, ALIASES.get(n, ())) for n in SAMPLERS))
    schedulers = NameSet(
        "scheduler", (NameChoice("Karras", ("karras",)), NameChoice("SGM Uniform", ("sgm_uniform",)))
    )
    assert split_legacy_sampler("DPM++ 2M Karras", samplers, schedulers) == ("DPM++ 2M", "Karras")
    assert split_legacy_sampler("k_euler sgm_uniform", samplers, schedulers) == ("Euler", "SGM Uniform")
    assert split_legacy_sampler("DPM++ 3M Karras", samplers, schedulers) is None
    assert split_legacy_sampler("Euler Beta", samplers, schedulers) is None


def test_an_unknown_field_message_suggests_the_closest_field_only_when_one_is_close() -> None:
    from stablenew.domain.config.name_matching import unknown_field_message

    assert unknown_field_message("cfgscale", ["steps", "cfg_scale"]) == (
        "unknown field (did you mean cfg_scale? expected one of: steps, cfg_scale)"
    )
    assert unknown_field_message("zzz", ["steps"]) == "unknown field (expected one of: steps)"
