# Дипбриф: docker build -t dipbrief . && docker run -e BOT_TOKEN=... -v dipbrief-data:/data dipbrief
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DB_PATH=/data/briefing.sqlite3 \
    ARTICLES_DIR=/app/seeds

WORKDIR /app
COPY pyproject.toml README.md requirements.lock ./
COPY bot ./bot
COPY handlers ./handlers
COPY seeds ./seeds
# Exactly the pinned versions (requirements.lock), then the project without re-resolving.
RUN pip install --upgrade pip setuptools && pip install -r requirements.lock && pip install --no-deps .

RUN useradd --create-home --uid 10001 dipbrief && mkdir -p /data && chown dipbrief /data
USER dipbrief
VOLUME ["/data"]

CMD ["python", "-m", "bot"]
