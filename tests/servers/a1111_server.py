"""A real HTTP server on 127.0.0.1 that speaks the AUTOMATIC1111 stable-diffusion-webui ``--api``.

Standard library only (``http.server``) plus Pillow for the PNGs. It answers with the same JSON
shapes as A1111 v1.10, behaves like A1111 where A1111 is lenient (unknown sampler or checkpoint
override: silently replaced), records every request, and injects faults on demand::

    with FakeA1111Server(username="u", password="p").start() as srv:
        srv.add_fault("/sdapi/v1/txt2img", Fault("oom"))
        ...  # point the client at srv.base_url
        assert srv.payloads("/sdapi/v1/txt2img")[0]["seed"] == -1

Faults are consumed FIFO per path after the auth check; the request is recorded either way.
``generation_delay_s`` makes each generation take that long (split over ``n_iter`` batches) while
``/sdapi/v1/progress`` reports it; ``POST /sdapi/v1/interrupt`` cuts it short and, like A1111,
the generation still answers 200 with the images finished so far (at least the current batch).
"""

from __future__ import annotations

import base64
import dataclasses
import json
import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from PIL import Image

from . import a1111_catalog as cat
from . import a1111_payloads as pl
from .a1111_http import FAULT_KINDS, FakeHTTPServer, Fault, Handler, RecordedRequest
from .a1111_payloads import ApiError

__all__ = ["FAULT_KINDS", "FakeA1111Server", "Fault", "RecordedRequest"]


def _idle_state() -> dict[str, Any]:
    return {"skipped": False, "interrupted": False, "stopping_generation": False, "job": "", "job_count": 0,
            "job_timestamp": "0", "job_no": 0, "sampling_step": 0, "sampling_steps": 0}


class FakeA1111Server:
    def __init__(self, *, username: str | None = None, password: str | None = None,
                 models: Iterable[Mapping[str, Any]] = cat.DEFAULT_MODELS,
                 samplers: Iterable[Mapping[str, Any]] = cat.DEFAULT_SAMPLERS,
                 schedulers: Iterable[Mapping[str, Any]] = cat.DEFAULT_SCHEDULERS,
                 upscalers: Iterable[Mapping[str, Any]] = cat.DEFAULT_UPSCALERS,
                 vaes: Iterable[Mapping[str, Any]] = cat.DEFAULT_VAES,
                 scripts: Iterable[str] = cat.DEFAULT_ALWAYSON_SCRIPTS,
                 rng_seed: int = 1234, schedulers_route: bool = True) -> None:
        """`schedulers_route=False` is an A1111 older than 1.9 (before PR #15577): GET
        /sdapi/v1/schedulers answers 404, a request's `scheduler` is ignored, a sampler runs with the
        schedule its name carries ("DPM++ 2M Karras"), and infotexts have no "Schedule type"."""
        if (username is None) != (password is None):
            raise ValueError("give both username and password, or neither")
        self.username, self.password = username, password
        self.models = [dict(m) for m in models]
        self.samplers = [dict(s) for s in samplers]
        self.schedulers = [dict(s) for s in schedulers]
        self.upscalers = [dict(u) for u in upscalers]
        self.vaes = [dict(v) for v in vaes]
        self.scripts = list(scripts)
        self.schedulers_route = schedulers_route
        if not (self.models and self.samplers and self.schedulers):
            raise ValueError("models, samplers and schedulers must not be empty")
        self.options: dict[str, Any] = cat.default_options(self.models[0])
        self.generation_delay_s: float = 0.0
        self.generations_in_flight = self.max_generations_in_flight = 0  # calls at once, queued ones too
        self.return_grid = False  # real A1111 defaults to True: a grid first when a job makes > 1 image
        self.nowebui = False  # started with --nowebui: no /internal/sysinfo (404), cmd-flags say so
        self.requests: list[RecordedRequest] = []
        self.base_url = ""
        self._interrupts = 0
        self._faults: dict[str, list[Fault]] = {}
        self._lock = threading.RLock()
        self._gen_lock = threading.Lock()  # A1111's queue_lock: one generation at a time
        self._interrupt = threading.Event()
        self._stopping = threading.Event()
        self._state = _idle_state()
        self._time_start = 0.0
        self._rng = random.Random(rng_seed)
        self._httpd: FakeHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------------------
    def start(self) -> FakeA1111Server:
        if self._httpd is not None:
            return self
        self._stopping.clear()
        httpd = FakeHTTPServer(("127.0.0.1", 0), Handler)
        httpd.fake = self
        self._httpd = httpd
        self.base_url = f"http://127.0.0.1:{httpd.server_address[1]}"
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.01},
                                        name="fake-a1111", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()
        self._interrupt.set()
        httpd.shutdown()
        httpd.close_connections()
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeA1111Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- inspection and fault injection -------------------------------------------------------------
    @property
    def interrupts(self) -> int:
        return self._interrupts

    @property
    def current_model(self) -> dict[str, Any]:
        return dict(cat.find_model(self.models, self.options["sd_model_checkpoint"]) or self.models[0])

    def payloads(self, path: str) -> list[Any]:
        with self._lock:
            return [r.json for r in self.requests if r.path == path and r.json is not None]

    def count(self, path: str) -> int:
        with self._lock:
            return sum(1 for r in self.requests if r.path == path)

    def add_fault(self, path: str, fault: Fault) -> None:
        with self._lock:
            self._faults.setdefault(path, []).append(dataclasses.replace(fault))  # we count down `times`

    def pending_faults(self, path: str) -> int:
        with self._lock:
            return len(self._faults.get(path, []))

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            queue = self._faults.get(path)
            if not queue:
                return None
            fault = queue[0]
            fault.times -= 1
            if fault.times <= 0:
                queue.pop(0)
            return fault

    def _check_auth(self, path: str, headers: Mapping[str, str]) -> None:
        if self.username is None or not path.startswith("/sdapi/"):
            return
        challenge: dict[str, str] = {}  # A1111 1.10.1 sends no WWW-Authenticate header (recorded)
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            raise ApiError(401, pl.http_exception(401, "Not authenticated").body, challenge)
        try:
            user, _, password = base64.b64decode(token, validate=True).decode("utf-8").partition(":")
        except ValueError:
            raise ApiError(401, pl.http_exception(401, "Invalid authentication credentials").body,
                           challenge) from None
        if (user, password) != (self.username, self.password):
            raise ApiError(401, pl.http_exception(401, "Incorrect username or password").body, challenge)

    # -- routes -----------------------------------------------------------------------------------
    def _routes(self) -> dict[tuple[str, str], Callable[[Any], Any]]:
        v1 = "/sdapi/v1"
        return {
            ("GET", "/internal/ping"): lambda _: {},
            **({} if self.nowebui else {("GET", "/internal/sysinfo"): lambda _: {
                "Version": cat.WEBUI_VERSION if self.schedulers_route else cat.LEGACY_WEBUI_VERSION,
                "Platform": "Linux"}}),
            ("GET", f"{v1}/sd-models"): lambda _: [dict(m) for m in self.models],
            ("GET", f"{v1}/samplers"): lambda _: [dict(s) for s in self.samplers],
            **({("GET", f"{v1}/schedulers"): lambda _: [dict(s) for s in self.schedulers]}
               if self.schedulers_route else {}),
            ("GET", f"{v1}/upscalers"): lambda _: [dict(u) for u in self.upscalers],
            ("GET", f"{v1}/sd-vae"): lambda _: [dict(v) for v in self.vaes],
            ("GET", f"{v1}/options"): lambda _: dict(self.options),
            ("POST", f"{v1}/options"): self._set_options,
            ("GET", f"{v1}/cmd-flags"): lambda _: {**cat.cmd_flags(self.username, self.password),
                                                    "nowebui": self.nowebui},
            ("GET", f"{v1}/scripts"): lambda _: {"txt2img": [s.lower() for s in self.scripts],
                                                  "img2img": [s.lower() for s in self.scripts]},
            ("GET", f"{v1}/progress"): self._progress,
            ("POST", f"{v1}/interrupt"): self._interrupt_route,
            ("POST", f"{v1}/skip"): self._skip_route,
            ("POST", f"{v1}/refresh-checkpoints"): lambda _: None,
            ("POST", f"{v1}/refresh-vae"): lambda _: None,
            ("POST", f"{v1}/txt2img"): lambda body: self._generate(body, img2img=False),
            ("POST", f"{v1}/img2img"): lambda body: self._generate(body, img2img=True),
            ("POST", f"{v1}/extra-single-image"): lambda body: pl.upscale_single_image(body, self.upscalers),
        }

    def _set_options(self, body: Any) -> None:
        if not isinstance(body, dict):
            raise pl.validation_error(["body"], "value is not a valid dict", "type_error.dict")
        if "sd_model_checkpoint" in body:
            model = cat.find_model(self.models, body["sd_model_checkpoint"])
            if model is None:
                raise pl.a1111_error(500, "RuntimeError", f"model {body['sd_model_checkpoint']!r} not found")
            body = {**body, "sd_model_checkpoint": model["title"], "sd_checkpoint_hash": model["sha256"]}
        with self._lock:
            self.options.update(body)

    def _progress(self, _: Any) -> dict[str, Any]:
        with self._lock:
            state = dict(self._state)
            started = self._time_start
        if state["job_count"] == 0:
            return {"progress": 0, "eta_relative": 0, "state": state, "current_image": None, "textinfo": None}
        progress = 0.01 + state["job_no"] / state["job_count"]
        if state["sampling_steps"] > 0:
            progress += state["sampling_step"] / state["sampling_steps"] / state["job_count"]
        elapsed = time.monotonic() - started
        eta_relative = elapsed / progress - elapsed
        return {"progress": min(progress, 1), "eta_relative": eta_relative, "state": state,
                "current_image": None, "textinfo": None}

    def _interrupt_route(self, _: Any) -> dict[str, Any]:
        with self._lock:
            self._interrupts += 1
            self._state["interrupted"] = True
        self._interrupt.set()
        return {}

    def _skip_route(self, _: Any) -> None:
        with self._lock:
            self._state["skipped"] = True

    # -- generation -------------------------------------------------------------------------------
    def _prepare(self, req: dict[str, Any], img2img: bool) -> dict[str, Any]:
        """Everything A1111 resolves before sampling: model, VAE, sampler, seeds, script params."""
        overrides = req["override_settings"]
        with self._lock:
            options = dict(self.options)
        model = cat.find_model(self.models, overrides.get("sd_model_checkpoint")) or self.current_model
        vae_name = overrides.get("sd_vae", options.get("sd_vae"))
        vae = cat.find_vae(self.vaes, vae_name)
        if req["override_settings_restore_afterwards"] is False and overrides:
            persist = {**overrides}
            if "sd_model_checkpoint" in persist:
                persist["sd_model_checkpoint"] = model["title"]
            with self._lock:
                self.options.update(persist)
        if req.get("script_name"):
            raise pl.http_exception(422, f"Script '{req['script_name']}' not found")
        extra_params: dict[str, Any] = {}
        for name, settings in req["alwayson_scripts"].items():
            script = cat.find_script(self.scripts, name)
            if script is None:
                raise pl.http_exception(422, f"always on script {name} not found")
            if script == "ADetailer" and isinstance(settings, dict):
                extra_params.update(pl.adetailer_params(settings.get("args")))
        if req.get("enable_hr") and not img2img:
            extra_params.update(pl.hires_params(req, self.upscalers))
        requested_sampler = req["sampler_name"] or req["sampler_index"]
        if self.schedulers_route:
            sampler, scheduler = cat.resolve_sampler(self.samplers, self.schedulers, requested_sampler,
                                                     req["scheduler"])
        else:
            sampler, scheduler = cat.resolve_legacy_sampler(self.samplers, requested_sampler), None
        with self._lock:
            seed = req["seed"] if req["seed"] not in (None, -1) else self._rng.randrange(4294967294)
            subseed = req["subseed"] if req["subseed"] not in (None, -1) else self._rng.randrange(4294967294)
        clip_skip = int(overrides.get("CLIP_stop_at_last_layers", options.get("CLIP_stop_at_last_layers", 1)))
        if not (1 <= req["width"] <= 8192 and 1 <= req["height"] <= 8192):
            raise pl.a1111_error(500, "ValueError", f"bad image size {req['width']}x{req['height']}")
        if req["batch_size"] < 1 or req["n_iter"] < 1 or req["steps"] < 1:
            raise pl.a1111_error(500, "ZeroDivisionError", "division by zero")
        return {"model": model, "vae": vae, "sampler": sampler, "scheduler": scheduler, "seed": seed,
                "subseed": subseed, "clip_skip": clip_skip, "extra_params": extra_params, "img2img": img2img,
                "denoising_strength": req["denoising_strength"],
                "job_timestamp": time.strftime("%Y%m%d%H%M%S")}

    def _generate(self, body: Any, *, img2img: bool) -> dict[str, Any]:
        req = pl.validate_generation(body, img2img=img2img)
        if img2img:
            if req["init_images"] is None:
                raise pl.http_exception(404, "Init image not found")
            if not req["init_images"]:
                raise pl.a1111_error(500, "IndexError", "list index out of range")
            for encoded in req["init_images"]:
                pl.decode_image(encoded)
        with self._lock:
            self.generations_in_flight += 1
            self.max_generations_in_flight = max(self.max_generations_in_flight, self.generations_in_flight)
        try:
            return self._generate_one(req, img2img)
        finally:
            with self._lock:
                self.generations_in_flight -= 1

    def _generate_one(self, req: dict[str, Any], img2img: bool) -> dict[str, Any]:
        ctx = self._prepare(req, img2img)
        batch, n_iter, steps = req["batch_size"], req["n_iter"], req["steps"]
        seeds = [ctx["seed"] + (i if req["subseed_strength"] == 0 else 0) for i in range(batch * n_iter)]
        images: list[Image.Image] = []
        infotexts: list[str] = []
        with self._gen_lock:
            self._begin_job("scripts_img2img" if img2img else "scripts_txt2img", n_iter, steps, ctx)
            try:
                for it in range(n_iter):
                    if self._interrupt.is_set():
                        break
                    with self._lock:
                        self._state["job_no"] = it
                        if n_iter > 1:
                            self._state["job"] = f"Batch {it + 1} out of {n_iter}"
                    self._sample(self.generation_delay_s / n_iter, steps)
                    for pos in range(batch):
                        seed = seeds[it * batch + pos]
                        params = pl.generation_params(req, ctx, seed, pos)
                        infotexts.append(pl.infotext(req["prompt"], req["negative_prompt"], params))
                        scale = req["hr_scale"] if req.get("enable_hr") and not img2img else 1
                        size = (int(req["width"] * scale), int(req["height"] * scale))
                        images.append(Image.new("RGB", size, pl.seed_colour(seed)))
            finally:
                self._end_job()
        encoded = [pl.encode_png(img, text) for img, text in zip(images, infotexts, strict=True)]
        grid = self.return_grid and len(images) > 1
        if grid:
            encoded.insert(0, pl.encode_png(pl.make_grid(images), infotexts[0]))
            infotexts.insert(0, infotexts[0])
        info = pl.build_info(req, ctx, infotexts, grid)
        parameters = dict(req)
        if img2img and not req.get("include_init_images"):
            parameters.update(init_images=None, mask=None)
        return {"images": encoded if req["send_images"] else [], "parameters": parameters,
                "info": json.dumps(info)}

    def _begin_job(self, job: str, job_count: int, steps: int, ctx: Mapping[str, Any]) -> None:
        self._interrupt.clear()
        if self._stopping.is_set():
            self._interrupt.set()
        with self._lock:
            self._state = {**_idle_state(), "job": job, "job_count": job_count, "sampling_steps": steps,
                           "job_timestamp": ctx["job_timestamp"]}
            self._time_start = time.monotonic()

    def _end_job(self) -> None:
        with self._lock:  # like State.end(): the interrupted/skipped flags survive until the next job
            self._state = {**_idle_state(), "interrupted": self._state["interrupted"],
                           "skipped": self._state["skipped"]}

    def _sample(self, duration: float, steps: int) -> None:
        start = time.monotonic()
        while duration > 0:
            fraction = min(1.0, (time.monotonic() - start) / duration)
            with self._lock:
                self._state["sampling_step"] = int(fraction * steps)
            if fraction >= 1.0 or self._interrupt.wait(0.01):
                break
        with self._lock:
            if not self._interrupt.is_set():
                self._state["sampling_step"] = steps
