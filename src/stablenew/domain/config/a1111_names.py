"""A1111 1.10's standard sampler and scheduler names, and the canonical pair for any spelling."""

from __future__ import annotations

from stablenew.domain.config.name_matching import NameChoice, NameSet, split_legacy_sampler

__all__ = ["SAMPLERS", "SCHEDULERS", "canonical_sampler_pair"]

OFFERED_BY = "A1111"

# A1111 1.10's /sdapi/v1/samplers: label and aliases, in its order.
SAMPLERS = NameSet("sampler", tuple(NameChoice(name, aliases) for name, aliases in (
    ("DPM++ 2M", ("k_dpmpp_2m",)),
    ("DPM++ SDE", ("k_dpmpp_sde",)),
    ("DPM++ 2M SDE", ("k_dpmpp_2m_sde",)),
    ("DPM++ 2M SDE Heun", ("k_dpmpp_2m_sde_heun",)),
    ("DPM++ 2S a", ("k_dpmpp_2s_a",)),
    ("DPM++ 3M SDE", ("k_dpmpp_3m_sde",)),
    ("Euler a", ("k_euler_a", "k_euler_ancestral")),
    ("Euler", ("k_euler",)),
    ("LMS", ("k_lms",)),
    ("Heun", ("k_heun",)),
    ("DPM2", ("k_dpm_2",)),
    ("DPM2 a", ("k_dpm_2_a",)),
    ("DPM fast", ("k_dpm_fast",)),
    ("DPM adaptive", ("k_dpm_ad",)),
    ("Restart", ("restart",)),
    ("DDIM", ("ddim",)),
    ("DDIM CFG++", ("ddim_cfgpp",)),
    ("PLMS", ("plms",)),
    ("UniPC", ("unipc",)),
    ("LCM", ("k_lcm",)),
)), OFFERED_BY)

# A1111 1.10's /sdapi/v1/schedulers: the label is canonical, the name an alias.
SCHEDULERS = NameSet("scheduler", tuple(NameChoice(label, (name, *aliases)) for name, label, *aliases in (
    ("automatic", "Automatic"),
    ("uniform", "Uniform"),
    ("karras", "Karras"),
    ("exponential", "Exponential"),
    ("polyexponential", "Polyexponential"),
    ("sgm_uniform", "SGM Uniform", "SGMUniform"),
    ("kl_optimal", "KL Optimal"),
    ("align_your_steps", "Align Your Steps"),
    ("simple", "Simple"),
    ("normal", "Normal"),
    ("ddim", "DDIM"),
    ("beta", "Beta"),
)), OFFERED_BY)


def canonical_sampler_pair(sampler: str | None, scheduler: str | None) -> tuple[str | None, str | None]:
    """(sampler, schedule type) as A1111 names them: aliases and case resolved, an old combined name
    ("DPM++ 2M Karras") split with its suffix winning, as A1111 does; unknown names as given."""
    schedule = (SCHEDULERS.resolve(scheduler) or scheduler) if scheduler else None
    if not sampler:
        return sampler, schedule
    found = SAMPLERS.resolve(sampler)
    if found is not None:
        return found, schedule
    legacy = split_legacy_sampler(sampler, SAMPLERS, SCHEDULERS)
    return (sampler, schedule) if legacy is None else legacy
