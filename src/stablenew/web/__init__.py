"""The local review page: a Starlette app over the ReviewController (127.0.0.1 by default)."""

from stablenew.web.app import create_review_app

__all__ = ["create_review_app"]
