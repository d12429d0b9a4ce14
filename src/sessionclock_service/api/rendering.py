"""Server-rendered pages: the templates of the admin area and of the address confirmation."""

from __future__ import annotations

from importlib import resources
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

# Autoescaping on for every template: account e-mails are user input.
templates = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(
            str(resources.files("sessionclock_service.api") / "templates")
        ),
        autoescape=True,
    )
)


def page(request: Request, name: str, context: dict[str, Any], code: int = 200) -> HTMLResponse:
    """Render the template *name* with *context* as an answer with status *code*."""
    response: HTMLResponse = templates.TemplateResponse(request, name, context, status_code=code)
    return response
