"""How refusals are answered: one handler for every `ServiceError`, one for malformed input.

The security headers are added by the outermost middleware, so they are on these answers too.
"""

from __future__ import annotations

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from sessionclock_service.errors import ServiceError


async def _service_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ServiceError)
    body = {"detail": exc.detail} if exc.code is None else {"detail": exc.detail, "code": exc.code}
    return JSONResponse(body, status_code=exc.status, headers=exc.response_headers)


def _clean(value: object) -> str | int:
    if isinstance(value, int):
        return value
    return str(value).encode("utf-8", "replace").decode("utf-8")[:100]


async def _validation_failed(_request: Request, exc: Exception) -> Response:
    # FastAPI's default answer echoes the rejected input: that would send a password back (and
    # a lone surrogate in it cannot even be encoded, turning a 422 into a 500).
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "loc": [_clean(part) for part in error.get("loc", ())],
            "msg": _clean(error.get("msg", "")),
            "type": _clean(error.get("type", "")),
        }
        for error in exc.errors()
    ]
    return JSONResponse({"detail": errors}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)


async def _server_error(_request: Request, _exc: Exception) -> Response:
    # Starlette logs the exception; the caller learns nothing of it.
    return JSONResponse(
        {"detail": "Something went wrong on the service. Try again later."},
        status_code=status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


def add_error_handlers(app: FastAPI) -> None:
    """Answer refusals with their status and message, malformed input without echoing it, and
    unexpected errors with a plain 500."""
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(RequestValidationError, _validation_failed)
    app.add_exception_handler(Exception, _server_error)
