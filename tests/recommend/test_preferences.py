"""Bradley–Terry strengths from preference pairs, shown beside the ratings."""

from __future__ import annotations

from stablenew.domain.feedback.design import AxisSpec
from stablenew.domain.feedback.model import recommend
from stablenew.domain.feedback.observations import PreferenceOutcome, PreferencePair

CFG, SAMPLER = "txt2img.cfg_scale", "txt2img.sampler_name"
AXES = (AxisSpec(CFG, (4, 8, 12)), AxisSpec(SAMPLER, ("Euler a", "DDIM")))


def _pair(cfg_a: int, cfg_b: int, outcome: PreferenceOutcome, sampler: str = "Euler a") -> PreferencePair:
    return PreferencePair(
        image_a=f"a-{cfg_a}.png", image_b=f"b-{cfg_b}.png", outcome=outcome, rater="ann",
        values_a={CFG: cfg_a, SAMPLER: sampler}, values_b={CFG: cfg_b, SAMPLER: sampler},
    )


def test_preferred_values_get_higher_strengths_and_counts() -> None:
    pairs = [
        *[_pair(8, 4, PreferenceOutcome.A)] * 4,
        *[_pair(12, 8, PreferenceOutcome.B)] * 3,
        _pair(4, 12, PreferenceOutcome.TIE),
    ]
    result = recommend([], pairs, axes=AXES)
    cfg = {v.value: v for v in result.axes[0].values}
    assert cfg[8].bt_strength is not None and cfg[4].bt_strength is not None
    assert cfg[8].bt_strength > 0 > cfg[4].bt_strength
    assert cfg[8].bt_strength > cfg[12].bt_strength  # type: ignore[operator]
    assert (cfg[4].n_comparisons, cfg[8].n_comparisons, cfg[12].n_comparisons) == (5, 7, 4)
    assert sum(v.bt_strength or 0 for v in cfg.values()) == 0.0 or abs(
        sum(v.bt_strength or 0 for v in cfg.values())) < 1e-9
    # the sampler never differs within a pair: no comparisons, no strength
    assert all(v.bt_strength is None and v.n_comparisons == 0 for v in result.axes[1].values)
    assert result.n_preferences == 8
    assert result.to_dict()["axes"][0]["values"][1]["bt_strength"] == round(cfg[8].bt_strength, 4)


def test_a_pair_outside_the_axes_counts_for_nothing() -> None:
    odd = PreferencePair(image_a="a.png", image_b="b.png", outcome=PreferenceOutcome.A, rater="ann",
                         values_a={"txt2img.steps": 20}, values_b={"txt2img.steps": 30})
    result = recommend([], [odd], axes=AXES)
    assert all(v.n_comparisons == 0 for axis in result.axes for v in axis.values)
