"""What each process tells its operators: metrics, health, logs, traces and errors.

- ``metrics``: the Prometheus metrics every process records (stable names), and their
  exposition, with Celery's prefork workers sharing theirs through a folder;
- ``server``: the small listener serving ``/metrics`` and ``/healthz`` next to a bot or worker;
- ``logs``: one logging setup for every process: JSON lines in production, text on a
  terminal, a turn's context on each line, never message text, contacts, tokens or keys;
- ``tracing``: OpenTelemetry traces (when an OTLP endpoint is set) and Sentry errors (when a
  DSN is set).
"""
