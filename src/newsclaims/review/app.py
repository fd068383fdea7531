"""The review page: a Starlette app over :class:`~newsclaims.review.data.ReviewData`.

Routes (all JSON except the page and its static files)::

    GET  /                                  the page (static/index.html)
    GET  /api/meta                          articles, top subjects, metrics, statuses, default annotator
    GET  /api/claims?article=&subject=&metric=&status=&offset=&limit=
                                            one page of claim rows, total, per-status counts
    GET  /api/claims/{claim_id}             claim, status, history, spans (and the edited claim)
    GET  /api/articles/{article_id}         original text and mentions
    POST /api/claims/{claim_id}/review      {"decision", "edits", "annotator", "claim_sha"} -> new status
    POST /api/promote                       accepted/edited claims -> annotations/gold/claims/

The page is for one machine: it is served on 127.0.0.1, requests with another
``Host`` are refused (DNS rebinding) and writes must be ``application/json``
(a cross-site form cannot send that without a CORS pre-flight, which is never
granted).  A decision names the ``claim_sha`` the annotator saw; if the claim
changed since (the store was re-extracted), the write is refused with 409 and the
page reloads the claim.  ``ts`` comes from the injected ``clock`` at request time.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .data import ReviewData
from .edits import GRAINS, HEDGES, QUALIFIERS, RATES, EditError, normalize_edits
from .reviews import STATUSES, Review

__all__ = ["create_app", "format_ts"]

log = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")
MAX_LIMIT = 500
_SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
]


class _SecurityHeaders:
    """Pure ASGI middleware adding a strict CSP and friends to every response."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + _SECURITY_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_headers)


def format_ts(dt: datetime) -> str:
    """ISO 8601 UTC with milliseconds and ``Z``; a naive datetime is refused."""
    if dt.tzinfo is None:
        raise ValueError("the review clock must return an aware datetime")
    return dt.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _int(v: str | None, default: int, lo: int, hi: int) -> int:
    try:
        return min(hi, max(lo, int(v))) if v not in (None, "") else default
    except ValueError:
        return default


def create_app(data: ReviewData, *, clock: Callable[[], datetime], annotator: str,
               allowed_hosts: tuple[str, ...] = ("127.0.0.1", "localhost")) -> Starlette:
    """The review app.  ``clock`` gives the time of each decision (aware datetime)."""

    def page(request: Request):
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    def meta(request: Request):
        from ..claims import METRICS

        data.refresh()
        return JSONResponse({**data.meta(), "metrics": list(METRICS), "statuses": list(STATUSES),
                             "hedges": list(HEDGES), "qualifiers": list(QUALIFIERS), "rates": list(RATES),
                             "grains": list(GRAINS), "annotator": annotator})

    def claims(request: Request):
        q = request.query_params
        data.refresh()
        status = q.get("status", "")
        if status and status not in STATUSES:
            return _error(400, f"status must be one of {STATUSES}")
        return JSONResponse(data.list_claims(article=q.get("article", ""), subject=q.get("subject", ""),
                                             metric=q.get("metric", ""), status=status,
                                             offset=_int(q.get("offset"), 0, 0, 10**9),
                                             limit=_int(q.get("limit"), 100, 1, MAX_LIMIT)))

    def claim(request: Request):
        data.refresh()
        detail = data.claim_detail(request.path_params["claim_id"])
        if detail is None:
            return _error(404, "no such claim and no review of it")
        return JSONResponse(detail)

    def article(request: Request):
        data.refresh()
        art = data.article(request.path_params["article_id"])
        if art is None:
            return _error(404, "no such article in the store")
        return JSONResponse(art.to_dict())

    async def review(request: Request):
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return _error(415, "send the decision as application/json")
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "the body is not JSON")
        if not isinstance(body, dict):
            return _error(400, "the body must be a JSON object")
        return await _run(lambda: _review(request.path_params["claim_id"], body))

    def _review(claim_id: str, body: dict[str, Any]) -> JSONResponse:
        data.refresh()
        found = data.claim(claim_id)
        if found is None:
            return _error(404, "this claim is not in the store (a stale review of a removed claim cannot be redone)")
        current, sha = found
        decision = body.get("decision")
        if decision not in ("accept", "reject", "edit"):
            return _error(400, "decision must be accept, reject or edit")
        if body.get("claim_sha") != sha:
            return _error(409, "the claim changed since the page loaded it (re-extraction); reload it and review again")
        who = body.get("annotator") or annotator
        if not isinstance(who, str) or not who.strip() or len(who) > 100:
            return _error(400, "annotator must be a non-empty name of at most 100 characters")
        edits: dict[str, Any] = {}
        if decision == "edit":
            art = data.article(current.get("article_id"))
            if art is None:
                return _error(409, "the claim's article is not in the store")
            try:
                edits = normalize_edits(current, body.get("edits") or {}, art.text, art.mentions)
            except EditError as exc:
                return _error(422, str(exc))
        elif body.get("edits"):
            return _error(400, f"a {decision} decision carries no edits")
        rev = Review(claim_id=claim_id, decision=decision, edits=edits, annotator=who.strip(),
                     ts=format_ts(clock()), claim_sha=sha)
        status = data.add_review(rev)
        return JSONResponse({"status": status, "review": rev.to_dict()})

    async def promote(request: Request):
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return _error(415, "send the request as application/json")
        report = await _run(data.promote)
        return JSONResponse(report.to_dict())

    async def _run(fn):
        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(fn)

    routes = [
        Route("/", page),
        Route("/favicon.ico", lambda request: Response(status_code=204)),
        Route("/api/meta", meta),
        Route("/api/claims", claims),
        Route("/api/claims/{claim_id}", claim),
        Route("/api/claims/{claim_id}/review", review, methods=["POST"]),
        Route("/api/articles/{article_id}", article),
        Route("/api/promote", promote, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    middleware = [Middleware(TrustedHostMiddleware, allowed_hosts=list(allowed_hosts)),
                  Middleware(_SecurityHeaders)]
    return Starlette(routes=routes, middleware=middleware)
