"""ComfyUI backend: API-format workflows, websocket progress, A1111 name translation."""

from stablenew.adapters.backends.comfyui.backend import ComfyUIBackend

__all__ = ["ComfyUIBackend"]
