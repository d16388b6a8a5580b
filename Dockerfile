# The api image: FastAPI app with the embedded engine, SMS and web channels.
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 CARING_DATA_DIR=/data
COPY pyproject.toml README.md ./
COPY api ./api
COPY actions ./actions
RUN pip install --no-cache-dir .
COPY bot ./bot
COPY content ./content
RUN useradd --create-home caring && mkdir -p /data && chown caring /data
USER caring
EXPOSE 8000
# caring-promise serve: X-Forwarded-For believed only from CARING_TRUSTED_PROXIES.
CMD ["caring-promise", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
