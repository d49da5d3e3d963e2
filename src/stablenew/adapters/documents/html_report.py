"""The HTML report: a Jinja2 template over the LLM-export object, charts as inline SVG."""

from __future__ import annotations

import base64
import io
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from PIL import Image

from stablenew.adapters.documents.svg_chart import axis_chart

THUMBNAIL_PX = 192

_ENV = Environment(
    loader=PackageLoader("stablenew.adapters.documents", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def thumbnail(path: str) -> str | None:
    """A data: URI of a small JPEG of the image, or None when it cannot be read."""
    try:
        with Image.open(path) as image:
            image.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
            buffer = io.BytesIO()
            image.convert("RGB").save(buffer, format="JPEG", quality=80)
    except (OSError, ValueError):
        return None
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _link(path: str, folder: Path) -> str:
    """The image's path relative to the report's folder, with forward slashes."""
    try:
        return Path(os.path.relpath(Path(path).resolve(), folder)).as_posix()
    except ValueError:  # another drive on Windows
        return Path(path).resolve().as_uri()


def render_report(data: Mapping[str, Any], folder: Path) -> str:
    """The report's HTML for `data` (a stablenew.llm-export/1 object) written into `folder`."""
    images = {
        image["path"]: {"src": thumbnail(image["path"]), "href": _link(image["path"], folder)}
        for step in data["steps"] for image in step["images"]
    }
    recommendation = data["recommendation"]
    charts = [axis_chart(axis) for axis in recommendation["axes"]]
    return _ENV.get_template("report.html.j2").render(
        plan=data["plan"], steps=data["steps"], rec=recommendation, charts=charts, images=images,
        preferences=data["preferences"],
    )
