"""The REST API and the web chat page (``stylegenie api``): FastAPI over the assembled product.

- ``app``: ``create_api(app)``, the FastAPI application and its lifespan;
- ``access``: API keys, web chat sessions, rate limits and the body size limit;
- ``problems``: every error as ``application/problem+json``;
- ``routes/``: one module per resource (health, images, generate, search, ateliers, leads,
  chat, the web page);
- ``chat_views`` and ``chat_turns``: a web chat turn's request and reply, and the turn run
  through the front-end kit (as JSON or server-sent events); ``inbox``: the web chat's
  messages sent outside a turn;
- ``jobs``: design jobs run in the background; ``search_batching``: concurrent searches
  share one encoder and index call.
"""

from .app import create_api

__all__ = ["create_api"]
