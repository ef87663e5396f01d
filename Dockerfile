# Summit Briefings bot: slim Python base, locked dependencies, non-root user,
# seeds and data as volumes.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_SYSTEM_CERTS=1 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    SEEDS_DIR=/seeds \
    DATA_DIR=/data \
    PATH=/app/.venv/bin:$PATH

WORKDIR /app

RUN pip install --no-cache-dir "uv==0.13.9"

# Dependencies first (cached layer), then the project itself.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --locked --no-dev --no-install-project --no-cache
COPY briefings ./briefings
COPY bot ./bot
COPY fakeapi ./fakeapi
COPY sources ./sources
RUN uv sync --locked --no-dev --no-cache

COPY seeds /seeds
RUN useradd --create-home --uid 10001 briefings \
    && mkdir -p /data \
    && chown -R briefings /data /seeds

USER 10001
VOLUME ["/seeds", "/data"]

HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-m", "bot.healthcheck"]

ENTRYPOINT ["python", "-m", "bot"]
CMD ["run"]
