"""The assembled product: ``assemble(settings)`` opens every backend and builds the engine."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from stylegenie.adapters.geocoding import GeonamesGeocoder
from stylegenie.adapters.notifiers import NotifierHub
from stylegenie.adapters.observability.server import OpsServer
from stylegenie.adapters.postgres.ateliers import PostgresAteliers
from stylegenie.adapters.postgres.database import Database
from stylegenie.adapters.postgres.leads import PostgresLeads
from stylegenie.adapters.postgres.repositories import PostgresCatalog, PostgresUsers
from stylegenie.bots.kit.outbox import LeadWiring
from stylegenie.config import Settings
from stylegenie.core.conversation.context import EngineServices
from stylegenie.core.conversation.engine import ConversationEngine
from stylegenie.core.leads import LeadDesk, OutboxReport
from stylegenie.gpu_workers.celery_app import WorkerApp
from stylegenie.gpu_workers.runtime import WorkerRuntime

from .conversation import brief_reader_for, engine_options_for, moderator_for
from .health import dependency_checks, ops_server_for
from .leads import lead_policy, notifier_hub_for
from .runtime import worker_runtime_for
from .stores import chat_state_for, cipher_for, database_for
from .workers import configure_celery, workers_for

CatalogRuntime = Callable[[PostgresCatalog], WorkerRuntime]
"""Builds the worker runtime of an eager process over the app's catalogue."""


@dataclass
class StyleGenie:
    """The assembled product: the engine and the repositories front-ends and commands use."""

    settings: Settings
    database: Database
    engine: ConversationEngine
    catalog: PostgresCatalog
    ateliers: PostgresAteliers
    users: PostgresUsers
    leads: PostgresLeads
    lead_desk: LeadDesk
    notifiers: NotifierHub
    geocoder: GeonamesGeocoder
    celery: WorkerApp
    services: EngineServices
    """The ports the engine runs on (workers, brief reader, moderator...), for other
    front-ends of the same core (the REST API)."""
    _ops: OpsServer | None = field(default=None, init=False)

    def run_lead_outbox(self) -> OutboxReport:
        """Deliver due leads on this process's platforms and expire unanswered ones.

        Front-ends call it once their channels are registered with ``notifiers``, after
        each stored lead (``lead_desk.listen``) and every ``settings.leads.outbox_every_s``;
        each run also keeps their platforms reachable for ``settings.leads.liveness_s``.
        """
        return self.lead_desk.run_outbox()

    def lead_wiring(self) -> LeadWiring:
        """The lead flow as a front-end needs it: the hub to register its channel with, the
        outbox, the hook that wakes the outbox when a lead is stored, and how often to run."""
        return LeadWiring(
            hub=self.notifiers,
            run_outbox=self.run_lead_outbox,
            listen=self.lead_desk.listen,
            withdraw=self.lead_desk.withdraw,
            every_s=self.settings.leads.outbox_every_s,
        )

    def worker_runtime(self) -> WorkerRuntime:
        """The runtime this process's tasks run on in eager mode, built now if not yet.

        Raises RuntimeError in "celery" mode, where tasks run on separate workers.
        """
        return self.celery.runtime

    def serve_ops(self) -> None:
        """Serve this process's ``/metrics`` and ``/healthz`` when a metrics port is set
        (bots and the API call it at start; ``close`` stops it)."""
        checks = dependency_checks(self.settings, self.database, self.celery)
        self._ops = ops_server_for(self.settings, checks)

    def close(self) -> None:
        """Stop the metrics listener and release the database pool (the embedded server
        keeps running for the next start)."""
        if self._ops is not None:
            self._ops.stop()
        self.database.close()


def assemble(settings: Settings, worker_runtime: CatalogRuntime | None = None) -> StyleGenie:
    """Open every backend the settings choose and build the conversation engine.

    In "eager" mode tasks run in this process, on the runtime ``worker_runtime`` builds
    over the app's catalogue on the first task (default: ``worker_runtime_for``, all from
    settings); tests and benches pass their own to share models already loaded.
    """
    database = database_for(settings)
    catalog = PostgresCatalog(database)
    build = worker_runtime or partial(worker_runtime_for, settings)
    eager = settings.workers.mode == "eager"
    celery = configure_celery(settings, partial(build, catalog) if eager else None)
    sessions, limiter = chat_state_for(settings)
    ateliers = PostgresAteliers(database, cipher_for(settings))
    users, leads = PostgresUsers(database), PostgresLeads(database)
    notifiers = notifier_hub_for(settings)
    lead_desk = LeadDesk(leads, ateliers, notifiers, lead_policy(settings))
    geocoder = GeonamesGeocoder()
    services = EngineServices(
        brief_reader=brief_reader_for(settings, geocoder),
        workers=workers_for(settings, catalog),
        sessions=sessions,
        users=users,
        ateliers=ateliers,
        leads=lead_desk,
        geocoder=geocoder,
        moderator=moderator_for(settings),
        rate_limiter=limiter,
    )
    return StyleGenie(
        settings=settings,
        database=database,
        engine=ConversationEngine(services, engine_options_for(settings)),
        catalog=catalog,
        ateliers=ateliers,
        users=users,
        leads=leads,
        lead_desk=lead_desk,
        notifiers=notifiers,
        geocoder=geocoder,
        celery=celery,
        services=services,
    )
