"""The API's routes, one module per resource; ``ROUTERS`` is what the app mounts."""

from . import ateliers, chat, generate, health, images, leads, search, web

ROUTERS = (
    health.router,
    images.router,
    generate.router,
    search.router,
    ateliers.router,
    leads.router,
    chat.router,
    web.router,
)

__all__ = ["ROUTERS"]
