"""The FastAPI application: built by create_app(), with the database opened at start-up."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from sqlalchemy.exc import DataError, IntegrityError

from interview_monitor import __version__
from interview_monitor.app_state import AppState
from interview_monitor.auth.principals import PrincipalCache
from interview_monitor.body_limit import BodySizeLimit
from interview_monitor.config import Settings
from interview_monitor.db.engine import DATABASE_UNAVAILABLE, Database, resolve_database_url
from interview_monitor.db.migrate import upgrade
from interview_monitor.errors import DomainError, UnauthorizedError
from interview_monitor.events.batcher import IngestBatcher
from interview_monitor.interviews.refresher import run_refresher
from interview_monitor.live.config import LiveSettings
from interview_monitor.live.runtime import LiveRuntime
from interview_monitor.live.telemetry import publish_browser_events
from interview_monitor.questions.evaluation import AnswerEvaluator
from interview_monitor.risk.engine import RiskModel

log = logging.getLogger(__name__)


def _domain_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(error, UnauthorizedError) else None
    return JSONResponse({"detail": error.detail()}, status_code=error.status_code, headers=headers)


def _shape_tag(part: Any) -> bool:
    """pydantic's name for one shape of a body that may be one event or a list of them."""
    return isinstance(part, str) and ("Payload" in part or part.startswith("function-after["))


def _validation_error(_: Request, error: Exception) -> JSONResponse:
    """422 with each error's `loc`. Where the body may be one event or a list, pydantic reports
    every shape it tried; only the errors of the shape that was sent are kept, and without the
    schema's internal name: ["body", "duration_ms"], ["body", 2, "duration_ms"]."""
    assert isinstance(error, RequestValidationError)
    sent_list = isinstance(getattr(error, "body", None), list)
    every: list[dict[str, Any]] = []
    of_sent_shape: list[dict[str, Any]] = []
    for item in error.errors():
        loc = list(item.get("loc", ()))
        shape = loc[1] if len(loc) > 1 and loc[0] == "body" and _shape_tag(loc[1]) else None
        plain = loc if shape is None else [loc[0], *loc[2:]]
        entry = {"loc": plain, "msg": item.get("msg", ""), "type": item.get("type", "")}
        every.append(entry)
        if shape is None or str(shape).startswith("list[") == sent_list:
            of_sent_shape.append(entry)
    detail = of_sent_shape or every
    return JSONResponse({"detail": detail}, status_code=422)


def _database_rejected(request: Request, error: Exception) -> JSONResponse:
    """Values that validation let through but PostgreSQL refuses (NUL characters, bad encodings,
    numbers out of its range), or stored values it cannot hand back."""
    log.warning("%s %s: the database refused a value: %s", request.method, request.url.path, error)
    message = (
        "a value cannot be stored or read: it contains a NUL character, is not valid text, "
        "or is out of range"
    )
    return JSONResponse(
        {"detail": [{"loc": ["body"], "msg": message, "type": "value_error"}]}, status_code=422
    )


def _conflicting_write(_: Request, error: Exception) -> JSONResponse:
    message = "the request conflicts with data changed at the same time; retry it"
    return JSONResponse(
        {"detail": [{"loc": [], "msg": message, "type": "conflict"}]}, status_code=409
    )


def _database_unavailable(_: Request, error: Exception) -> JSONResponse:
    log.error("database unavailable: %s", error)
    message = "the database is unavailable; nothing was stored, retry shortly"
    return JSONResponse(
        {"detail": [{"loc": [], "msg": message, "type": "unavailable"}]},
        status_code=503,
        headers={"Retry-After": "5"},
    )


def _unexpected_error(_: Request, error: Exception) -> JSONResponse:
    log.exception("unhandled error", exc_info=error)
    return JSONResponse(
        {"detail": [{"loc": [], "msg": "internal error", "type": "internal"}]}, status_code=500
    )


def create_app(
    settings: Settings | None = None,
    database_url: str | None = None,
    live_settings: LiveSettings | None = None,
) -> FastAPI:
    settings = settings or Settings()

    principals = PrincipalCache(settings.principal_cache_s)
    risk_model = RiskModel().with_weights(settings.risk_weights)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = database_url or resolve_database_url(settings)
        upgrade(url)
        database = Database.connect(url, settings.pool_size)
        ingest_batcher = IngestBatcher(database)
        ingest_batcher.start()
        answer_evaluator = AnswerEvaluator()
        answer_evaluator.warm_up()
        try:
            live = await LiveRuntime.start(live_settings or LiveSettings(), database, risk_model)
            ingest_batcher.on_stored(lambda payloads: publish_browser_events(live.hub, payloads))
            app.state.app_state = AppState(
                settings, principals, risk_model, database, ingest_batcher, answer_evaluator, live
            )
            refresher = asyncio.create_task(run_refresher(database, risk_model))
            # Everything loaded so far (models, modules, routes) lives as long as the app:
            # kept out of the collector's generations so full collections stay short pauses.
            gc.collect()
            gc.freeze()
            try:
                yield
            finally:
                refresher.cancel()
                await asyncio.gather(refresher, return_exceptions=True)
                await live.stop()
        finally:
            answer_evaluator.close()
            await ingest_batcher.stop()
            await database.dispose()

    # FastAPIOffline: /docs and /redoc load Swagger UI and ReDoc from the installed package,
    # never from a CDN, so they work on an offline or locked-down network.
    app = FastAPIOffline(
        title="interview-monitor",
        version=__version__,
        description="Interview-integrity service: live detectors, explainable risk scores, reports.",
        lifespan=lifespan,
    )
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(DataError, _database_rejected)
    app.add_exception_handler(IntegrityError, _conflicting_write)
    for unavailable in DATABASE_UNAVAILABLE:
        app.add_exception_handler(unavailable, _database_unavailable)
    app.add_exception_handler(Exception, _unexpected_error)

    from interview_monitor.auth.routes import router as auth_router
    from interview_monitor.events.routes import router as events_router
    from interview_monitor.interviews.routes import router as interviews_router
    from interview_monitor.playback.routes import router as playback_router
    from interview_monitor.questions.routes import router as questions_router
    from interview_monitor.review.routes import router as review_router
    from interview_monitor.scheduling.routes import router as scheduling_router
    from interview_monitor.streaming.routes import router as streaming_router
    from interview_monitor.web.routes import mount_web

    # Ingest first: it takes the most requests, and routes are matched in order.
    app.include_router(events_router)
    app.include_router(auth_router)
    app.include_router(interviews_router)
    app.include_router(questions_router)
    app.include_router(review_router)
    app.include_router(playback_router)
    app.include_router(scheduling_router)
    app.include_router(streaming_router)
    mount_web(app)

    @app.get("/healthz", tags=["health"])
    async def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    app.add_middleware(BodySizeLimit)
    return app
