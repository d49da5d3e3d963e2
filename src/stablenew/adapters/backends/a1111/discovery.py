"""What the server offers (/samplers, /schedulers, /sd-models, /sd-vae, /upscalers) and name checks."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from stablenew.adapters.backends.a1111 import names as n
from stablenew.adapters.backends.a1111.client import A1111Client
from stablenew.domain.config.name_matching import NameChoice, NameSet, split_legacy_sampler
from stablenew.domain.config.pipeline import PipelineConfig, StageConfig, effective_stages
from stablenew.domain.config.stage_fields import LATENT_UPSCALERS
from stablenew.domain.errors import ConfigError
from stablenew.domain.run.failures import BackendError, FailureKind

LIST_PATHS = {
    "models": "/sdapi/v1/sd-models", "samplers": "/sdapi/v1/samplers", "schedulers": "/sdapi/v1/schedulers",
    "vaes": "/sdapi/v1/sd-vae", "upscalers": "/sdapi/v1/upscalers",
}
SCRIPTS_PATH = "/sdapi/v1/scripts"
DISCOVERY_TIMEOUT_S = 30.0
_NAME_FIELDS = {"model": "models", "vae": "vaes", "scheduler": "schedulers", "upscaler": "upscalers",
                "upscaler_2": "upscalers", "hr_upscaler": "hr_upscalers"}


@dataclass(frozen=True, slots=True)
class Catalog:
    """The server's lists as NameSets; `translate` turns a stage's names into the server's own."""

    models: NameSet
    samplers: NameSet
    schedulers: NameSet
    vaes: NameSet
    upscalers: NameSet
    legacy_schedulers: bool = False  # an A1111 older than 1.9: no /schedulers, schedules are in sampler names

    @property
    def hr_upscalers(self) -> NameSet:
        """What hires fix accepts: A1111's latent upscale modes, then the server's upscalers."""
        latent = tuple(NameChoice(name) for name in LATENT_UPSCALERS)
        return NameSet("hires upscaler", latent + self.upscalers.choices, self.upscalers.offered_by)

    def translate(self, stage: StageConfig | Mapping[str, Any], where: str = "") -> dict[str, str]:
        """Canonical names for the stage's model/vae/sampler/scheduler/upscaler; ConfigError if unknown."""
        params = stage.params if isinstance(stage, StageConfig) else stage
        prefix = where or (stage.stage if isinstance(stage, StageConfig) else "")
        out: dict[str, str] = {}
        for key, value in params.items():
            if not isinstance(value, str) or value == "":
                continue
            if key == "sampler_name":
                out.update(self._sampler(value, f"{prefix}.{key}"))
            elif key in _NAME_FIELDS:
                names: NameSet = getattr(self, _NAME_FIELDS[key])
                found = names.resolve(value)
                if found is None:
                    raise ConfigError(names.unknown(value), field=f"{prefix}.{key}")
                out.setdefault(key, found)
        return self._legacy(out, prefix) if self.legacy_schedulers else out

    def _legacy(self, out: dict[str, str], prefix: str) -> dict[str, str]:
        """Before A1111 1.9 a scheduler exists only inside a sampler name ("DPM++ 2M Karras").

        A scheduler other than Automatic is folded into such a name when the server lists it, and
        refused otherwise; no separate scheduler is sent (an old server would silently ignore it).
        """
        scheduler = out.pop("scheduler", "Automatic")
        sampler = out.get("sampler_name")
        out["scheduler"] = ""
        if scheduler == "Automatic" or (sampler is not None and sampler.endswith(" " + scheduler)):
            return out
        combined = self.samplers.resolve(f"{sampler} {scheduler}") if sampler is not None else None
        if combined is None:
            raise ConfigError(
                "this A1111 is older than 1.9 (no /sdapi/v1/schedulers): a scheduler can only be part of "
                'a combined sampler_name, or set scheduler = "Automatic"; '
                + self.samplers.unknown(f"{sampler or '(no sampler_name)'} {scheduler}"),
                field=f"{prefix}.scheduler")
        out["sampler_name"] = combined
        return out

    def _sampler(self, value: str, field: str) -> dict[str, str]:
        found = self.samplers.resolve(value)
        if found is not None:
            return {"sampler_name": found}
        legacy = None if self.legacy_schedulers else split_legacy_sampler(value, self.samplers,
                                                                          self.schedulers)
        if legacy is None:
            raise ConfigError(self.samplers.unknown(value), field=field)
        return {"sampler_name": legacy[0], "scheduler": legacy[1]}  # A1111: the name's suffix wins


def fetch_catalog(client: A1111Client, *, retries: int | None = None) -> Catalog:
    """GET the five lists; BackendError when the server cannot answer.

    A 404 on /schedulers alone is an A1111 older than 1.9 (the route came with PR #15577): its
    schedulers are A1111's built-in list, usable only inside combined sampler names.
    """
    rows: dict[str, list[Mapping[str, Any]]] = {}
    legacy = False
    for key, path in LIST_PATHS.items():
        try:
            rows[key] = _rows(client, path, retries)
        except BackendError as exc:
            if key != "schedulers" or exc.kind is not FailureKind.NOT_API:
                raise
            rows[key], legacy = list(n.BUILT_IN_SCHEDULERS), True
    return Catalog(
        models=n.model_names(rows["models"]), samplers=n.sampler_names(rows["samplers"]),
        schedulers=n.scheduler_names(rows["schedulers"]), vaes=n.vae_names(rows["vaes"]),
        upscalers=n.upscaler_names(rows["upscalers"]), legacy_schedulers=legacy,
    )


def _rows(client: A1111Client, path: str, retries: int | None) -> list[Mapping[str, Any]]:
    body = client.request("GET", path, timeout_s=DISCOVERY_TIMEOUT_S, retries=retries).body
    if not isinstance(body, list) or not all(isinstance(row, dict) for row in body):
        raise client.malformed("GET", path, "expected a JSON list of objects")
    return body


def has_adetailer(client: A1111Client) -> bool:
    """True when ADetailer is among the server's img2img scripts."""
    body = client.request("GET", SCRIPTS_PATH, timeout_s=DISCOVERY_TIMEOUT_S).body
    scripts = body.get("img2img", []) if isinstance(body, dict) else []
    return any(str(name).casefold() == "adetailer" for name in scripts)


def validate_configs(catalog: Catalog, configs: Iterable[PipelineConfig], *, source: str | None,
                     adetailer: Callable[[], bool] | None = None) -> None:
    """ConfigError naming the first unknown name (file, field path, close matches); else nothing."""
    for config in configs:
        for stage in effective_stages(config):
            try:
                catalog.translate(stage)
            except ConfigError as exc:
                raise ConfigError(exc.message, source=source, field=exc.field) from None
            if stage.stage == "adetailer" and adetailer is not None and not adetailer():
                raise ConfigError("the server has no ADetailer extension (install it, then restart A1111)",
                                  source=source, field="adetailer")
