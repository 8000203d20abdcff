"""Test doubles shared by the suite, each defined once.

Fake servers on 127.0.0.1 that real client libraries talk to (Telegram, an OpenAI-compatible
LLM, Discord), in-memory fakes of the core's ports (``ports``, ``channels``, ``leads``),
people and engines for front-end tests (``people``, ``engines``), the running Telegram bot
(``telegram_bot``) and the drivers of the front-end contract suite (``frontends``).
"""
