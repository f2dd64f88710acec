# The Consortium Ledger web process (or the worker, by changing the command).
# Not built on the development machines (no container engine there): see
# docs/operations.md, "Containers".
FROM python:3.11-slim

WORKDIR /app
# The lock first: the dependency layer is rebuilt only when the lock changes.
COPY requirements/constraints.txt requirements/constraints.txt
COPY pyproject.toml README.md LICENSE ./
COPY governance governance
COPY projections projections
COPY notifications notifications
COPY web web
RUN pip install --no-cache-dir -c requirements/constraints.txt . \
    && useradd --system --uid 10001 --home-dir /data ledger \
    && mkdir -p /data && chown ledger /data

USER ledger
ENV CONSORTIUM_DATA_DIR=/data \
    CONSORTIUM_LOG_FORMAT=json \
    PYTHONUNBUFFERED=1
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
CMD ["consortium", "serve", "--host", "0.0.0.0", "--port", "8000"]
