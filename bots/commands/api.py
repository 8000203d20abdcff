"""`stylegenie api`: serve the REST API and web chat page; `stylegenie api-keys`: its keys."""

from __future__ import annotations

import argparse
import sys

from stylegenie.config import Settings


def serve(args: argparse.Namespace, settings: Settings) -> int:
    """Serve the API with uvicorn until interrupted."""
    from ..api.access import is_loopback

    host = args.host or settings.api.host
    port = args.port or settings.api.port
    if settings.api.auth == "none" and not is_loopback(host):
        print(
            f"STYLEGENIE_API__AUTH=none lets anyone call the API, so it may only bind to "
            f"this machine (127.0.0.1), not {host}. Create a key with "
            "`stylegenie api-keys create NAME` instead.",
            file=sys.stderr,
        )
        return 2
    import uvicorn

    from ..api import create_api
    from ..wiring import assemble

    app = assemble(settings)
    app.serve_ops()
    app.geocoder.load()  # now, not in the first atelier search
    try:
        # Logging is configured already (JSON in production): uvicorn must not redo it.
        uvicorn.run(create_api(app), host=host, port=port, log_level=None, log_config=None)
    finally:
        app.close()
    return 0


def keys(args: argparse.Namespace, settings: Settings) -> int:
    """Create, list or revoke API keys."""
    from stylegenie.adapters.postgres.api_keys import PostgresApiKeys

    from ..wiring import database_for

    database = database_for(settings)
    try:
        store = PostgresApiKeys(database)
        if args.action == "create":
            record, key = store.create(args.name)
            print(f"Created API key {record.id} ({record.name}); it is not shown again:")
            print(key)
        elif args.action == "list":
            for record in store.list():
                state = f"revoked {record.revoked_at:%Y-%m-%d}" if record.revoked_at else "live"
                used = f"{record.last_used_at:%Y-%m-%d %H:%M}" if record.last_used_at else "never"
                print(f"{record.id}  {record.name:<24} {state:<18} last used {used}")
        else:
            revoked = store.revoke(args.name)
            if not revoked:
                print(f"No live key has the id or name {args.name!r}.", file=sys.stderr)
                return 1
            for record in revoked:
                print(f"Revoked {record.id} ({record.name}).")
    finally:
        database.close()
    return 0


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Register ``api`` and ``api-keys``."""
    api = commands.add_parser("api", help="serve the REST API and the web chat page")
    api.add_argument("--host", help="address to bind (default: settings, 127.0.0.1)")
    api.add_argument("--port", type=int, help="port (default: settings, 8000)")
    api.set_defaults(run=serve)
    api_keys = commands.add_parser("api-keys", help="create, list or revoke API keys")
    actions = api_keys.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="make a key and print it once")
    create.add_argument("name", help="who the key is for")
    actions.add_parser("list", help="every key, without the keys themselves")
    revoke = actions.add_parser("revoke", help="stop a key working")
    revoke.add_argument("name", help="the key's id or name")
    api_keys.set_defaults(run=keys)
