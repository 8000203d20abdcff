# StyleGenie: one image for the workers, the bots and the API.
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

VOLUME ["/data"]
CMD ["stylegenie", "worker", "--queues", "default"]
