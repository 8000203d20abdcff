# StyleGenie: one image for the workers, the bots, the API and the compose jobs.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Only what the package needs: never the local .venv, data, or config/stylegenie.env secrets.
COPY pyproject.toml README.md ./
COPY core/ core/
COPY adapters/ adapters/
COPY bots/ bots/
COPY gpu_workers/ gpu_workers/
COPY config/*.py config/

RUN pip install ".[all]"

# Run as a user of its own; a new /data volume takes this folder's owner.
RUN useradd --create-home --uid 10001 stylegenie \
    && mkdir -p /data \
    && chown stylegenie:stylegenie /data
USER stylegenie

VOLUME ["/data"]
# 8000: the API (`stylegenie api`); 9100: /metrics and /healthz of every process
# (STYLEGENIE_OBSERVABILITY__METRICS_PORT, set by docker-compose.yml).
EXPOSE 8000 9100
CMD ["stylegenie", "worker", "--queues", "default"]
