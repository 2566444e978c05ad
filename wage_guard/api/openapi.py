"""The adapter of SpecTree (OpenAPI from pydantic models, request and response validation), pydantic and
flask-swagger-ui (Swagger UI's files, served from this app: no CDN).

Why SpecTree: it validates responses as well as requests against the same models that write the document
(APIFlask and flask-smorest only serialise responses), it plugs into a plain Flask blueprint (no app subclass),
and pydantic models read as the API's documentation. Its own doc pages load Swagger UI from a CDN, so they are
switched off and ``views.docs`` serves the copy flask-swagger-ui ships with a script from ``static/``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import flask_swagger_ui
from pydantic import ValidationError
from spectree import Response, SecurityScheme, SpecTree
from spectree.models import SecureType, SecuritySchemeData

from wage_guard.api import schemas
from wage_guard.errors import ValidationFailed
from wage_guard.i18n import _

#: Swagger UI's files, as flask-swagger-ui packages them.
SWAGGER_DIST = Path(flask_swagger_ui.__file__).resolve().parent / "dist"
SWAGGER_FILES = frozenset({"swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-standalone-preset.js", "favicon-32x32.png"})
ERROR_CODES = ("HTTP_400", "HTTP_401", "HTTP_403", "HTTP_404", "HTTP_429")


def _refuse_invalid_request(request: Any, response: Any, error: Exception | None, instance: Any, adapter: Any) -> None:
    """SpecTree's hook before the view: a request that breaks the schema is our 422 with the fields named."""
    if not isinstance(error, ValidationError):
        return
    fields = {".".join(str(p) for p in e["loc"]) or "body": e["msg"] for e in error.errors()}
    raise ValidationFailed(_("The request does not match the API's schema."), errors=fields)


def _refuse_invalid_response(request: Any, response: Any, error: Exception | None, instance: Any, adapter: Any) -> None:
    """SpecTree's hook after the view: a response that breaks the schema is our bug, never sent as it is."""
    if error is not None:
        raise RuntimeError(f"response does not match the API's schema: {error}")


spec = SpecTree(
    "flask",
    title="wage_guard API",
    version="1",
    description="Projects, workers (masked), contracts, payroll summaries, risk flags and tree heads, in the scope "
    "of the token. Errors are JSON with a code and a message.",
    mode="strict",
    naming_strategy=lambda model: model.__name__,
    page_templates={},
    validation_error_status=422,
    validation_error_model=schemas.Error,
    before=_refuse_invalid_request,
    after=_refuse_invalid_response,
    security_schemes=[SecurityScheme(name="bearer", data=SecuritySchemeData(type=SecureType.HTTP, scheme="bearer"))],
    security={"bearer": []},
)


def responses(**models: Any) -> Response:
    """The responses of an operation: ``models`` (``HTTP_200=…``) and the errors every operation may give."""
    codes = {code: schemas.Error for code in ERROR_CODES if code not in models}
    return Response(**codes, **models)


def validate(*, tags: tuple[str, ...], resp: Response, **models: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return spec.validate(resp=resp, tags=list(tags), **models)  # type: ignore[no-any-return]


def document() -> dict[str, Any]:
    """The OpenAPI 3 document of the current app (SpecTree reads its routes once)."""
    return spec.spec  # type: ignore[no-any-return]
