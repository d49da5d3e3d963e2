"""create_review_app: pages, a small JSON API guarded by a per-start token, and recorded images."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from stablenew.controller.review_controller import ReviewController
from stablenew.domain.errors import InputError
from stablenew.web.api_checks import (
    ApiInputError,
    check_origin,
    image_field,
    outcome_field,
    stars_field,
    tags_field,
)

TOKEN_HEADER = "X-StableNew-Token"
_STATIC = Path(__file__).parent / "static"


def create_review_app(controller: ReviewController, *, plan_id: str | None = None,
                      token: str | None = None) -> Starlette:
    """The review app; `plan_id` opens that plan at `/`; `token` (random per start) guards writes."""
    token = token or secrets.token_urlsafe(24)
    pages = Environment(loader=PackageLoader("stablenew.web", "templates"), autoescape=select_autoescape())

    def page(name: str, **values: Any) -> HTMLResponse:
        return HTMLResponse(pages.get_template(name).render(token=token, **values))

    async def index(request: Request) -> Response:
        if plan_id is not None:
            return page("review.html", plan_id=plan_id)
        return page("index.html", **controller.overview())

    async def plan_page(request: Request) -> Response:
        return page("review.html", plan_id=request.path_params["plan_id"])

    async def plan_data(request: Request) -> Response:
        return JSONResponse(controller.plan_view(request.path_params["plan_id"]))

    async def pair(request: Request) -> Response:
        return JSONResponse({"pair": controller.pair(request.path_params["plan_id"])})

    async def guarded(request: Request) -> dict[str, Any]:
        if not secrets.compare_digest(request.headers.get(TOKEN_HEADER, ""), token):
            raise ApiInputError("missing or wrong page token", status=403)
        check_origin(request.headers.get("origin"), request.headers.get("host"))
        try:
            body = await request.json()
        except ValueError:
            raise ApiInputError("the body must be a JSON object") from None
        if not isinstance(body, dict):
            raise ApiInputError("the body must be a JSON object")
        return body

    async def rate(request: Request) -> Response:
        body = await guarded(request)
        event = controller.rate(image_field(body, "image"), stars_field(body), tags_field(body))
        return JSONResponse({"event_id": event})

    async def undo(request: Request) -> Response:
        body = await guarded(request)
        return JSONResponse({"event_id": controller.undo(image_field(body, "image"))})

    async def prefer(request: Request) -> Response:
        body = await guarded(request)
        event = controller.prefer(image_field(body, "image_a"), image_field(body, "image_b"),
                                  outcome_field(body))
        return JSONResponse({"event_id": event})

    async def image(request: Request) -> Response:
        found = controller.image_file(request.path_params["path"])
        if found is None:
            return JSONResponse({"error": "not found"}, status_code=404)
        return FileResponse(found, headers={"Cache-Control": "no-store"})

    async def library_image(request: Request) -> Response:
        found = controller.library_file(request.path_params["run_id"])
        if found is None:
            return JSONResponse({"error": "not found"}, status_code=404)
        return FileResponse(found, headers={"Cache-Control": "no-store"})

    async def bad_input(request: Request, exc: Exception) -> Response:
        status = exc.status if isinstance(exc, ApiInputError) else 400
        return JSONResponse({"error": str(exc)}, status_code=status)

    routes = [
        Route("/", index),
        Route("/plan/{plan_id}", plan_page),
        Route("/api/plan/{plan_id}", plan_data),
        Route("/api/plan/{plan_id}/pair", pair),
        Route("/api/rate", rate, methods=["POST"]),
        Route("/api/undo", undo, methods=["POST"]),
        Route("/api/prefer", prefer, methods=["POST"]),
        Route("/files/{path:path}", image),
        Route("/library/{run_id}", library_image),
        Mount("/static", StaticFiles(directory=_STATIC), name="static"),
    ]
    return Starlette(routes=routes, exception_handlers={InputError: bad_input, ApiInputError: bad_input})
