# One image for every process of the assistant (Rasa server, action server,
# console, migrations); docker-compose.yml picks the command.
# Not built or run on the development machine (see deploy/README.md).
FROM python:3.10-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    RASA_TELEMETRY_ENABLED=false SQLALCHEMY_SILENCE_UBER_WARNING=1 TF_CPP_MIN_LOG_LEVEL=3 \
    PIP_NO_CACHE_DIR=1

RUN apt-get update && apt-get install -y --no-install-recommends build-essential libpq-dev \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 collectbot

WORKDIR /app
COPY requirements.txt constraints.txt pyproject.toml ./
RUN pip install -c constraints.txt -r requirements.txt
COPY . .
RUN pip install --no-deps --no-build-isolation -e . \
    && mkdir -p /app/var/event-spool \
    && chown -R collectbot /app
USER collectbot

# The trained model is part of the release (bot/models/*.tar.gz, trained in CI
# with `make train`); nothing is ever loaded from a URL.
EXPOSE 5005 5055 5006
CMD ["rasa", "run", "--model", "bot/models", "--endpoints", "deploy/endpoints.production.yml", \
     "--credentials", "credentials.yml", "--port", "5005"]
