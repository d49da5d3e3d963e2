"""ComfyUI backend: API-format workflows, websocket progress, A1111 name translation."""

from stablenew.adapters.backends.comfyui.backend import ComfyUIBackend
from stablenew.adapters.backends.comfyui.client import ComfyUIClient, comfyui_retry_policy
from stablenew.adapters.backends.comfyui.job import Timing
from stablenew.adapters.backends.comfyui.templates import Templates

__all__ = ["ComfyUIBackend", "ComfyUIClient", "Templates", "Timing", "comfyui_retry_policy"]
