"""The FastAPI application: routes, access, limits and errors over one assembled product.

``create_api(app)`` builds it; its lifespan starts the lead outbox (leads to owners on the
web chat) and stops the API's threads. ``stylegenie api`` serves it with uvicorn.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from stylegenie.adapters.postgres.api_keys import PostgresApiKeys
from stylegenie.bots.kit.outbox import OutboxLoop
from stylegenie.bots.kit.turns import TurnEngine, engine_threads
from stylegenie.bots.wiring import StyleGenie, image_store_for, rate_limiter_for
from stylegenie.core.ports import ImageStore

from .access import WEB, Access, BodyLimit
from .inbox import WebChannel, WebInbox
from .jobs import DesignJobs
from .problems import install_problem_handlers
from .request_metrics import RequestMetrics
from .routes import ROUTERS
from .search_batching import SearchBatcher
from .services import ApiServices
from .sessions import SessionTokens, embedded_secret

API_DESCRIPTION = """StyleGenie's REST API: designs from a brief, products like them, ateliers
that can make them, and the whole conversation for clients that want it.

Send your key as `X-API-Key` (`stylegenie api-keys create NAME` makes one). Errors come as
`application/problem+json`."""


def create_api(
    app: StyleGenie, engine: TurnEngine | None = None, images: ImageStore | None = None
) -> FastAPI:
    """The API over an assembled product; ``engine`` and ``images`` default to the app's
    (tests pass a wrapped engine)."""
    settings = app.settings
    secret = settings.api.session_secret
    tokens = SessionTokens(
        secret.get_secret_value().encode() if secret else embedded_secret(settings.data_dir)
    )
    access = Access(
        PostgresApiKeys(app.database),
        tokens,
        rate_limiter_for(settings, settings.api.requests_per_minute, "api"),
        open_access=settings.api.auth == "none",
    )
    executor = engine_threads(settings.api.engine_threads)
    inbox = WebInbox(app.database)
    services = ApiServices(
        app=app,
        engine=engine or app.engine,
        images=images or image_store_for(settings),
        access=access,
        executor=executor,
        jobs=DesignJobs(app, settings.api.job_threads),
        search=SearchBatcher(
            app, settings.api.search_batch_window_ms / 1000, settings.api.search_batch_max
        ),
        inbox=inbox,
        session_limiter=rate_limiter_for(settings, settings.api.sessions_per_minute, "sessions"),
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        leads = app.lead_wiring()
        leads.hub.register(WEB, WebChannel(inbox))
        outbox = OutboxLoop(leads, executor)
        outbox.start()
        leads.listen(outbox.wake)
        try:
            yield
        finally:
            await outbox.stop()
            services.jobs.close()
            services.search.close()
            executor.shutdown(wait=False, cancel_futures=True)

    api = FastAPI(
        title="StyleGenie",
        version="1",
        description=API_DESCRIPTION,
        lifespan=lifespan,
    )
    api.state.services = services
    install_problem_handlers(api)
    if settings.api.cors_origins:
        api.add_middleware(
            CORSMiddleware,
            allow_origins=settings.api.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["X-API-Key", "Authorization", "Content-Type", "Idempotency-Key"],
            expose_headers=["Retry-After", "Location"],
        )
    api.add_middleware(
        BodyLimit,
        body_bytes=settings.api.max_body_bytes,
        upload_bytes=settings.api.max_upload_bytes,
    )
    api.add_middleware(RequestMetrics)
    for router in ROUTERS:
        api.include_router(router)
    return api
