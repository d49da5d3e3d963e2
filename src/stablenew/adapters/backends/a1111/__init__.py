"""The AUTOMATIC1111 stable-diffusion-webui backend (its HTTP API, started with --api)."""

from stablenew.adapters.backends.a1111.backend import A1111Backend
from stablenew.adapters.backends.a1111.client import A1111Client
from stablenew.adapters.backends.a1111.watch import WatchPolicy
from stablenew.adapters.backends.http import RetryPolicy

__all__ = ["A1111Backend", "A1111Client", "RetryPolicy", "WatchPolicy"]
