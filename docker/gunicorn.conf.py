"""gunicorn settings for the web container, overridable through the environment."""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# A year of SAP invoices is up to ~700 MB: the request may take minutes to arrive.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "600"))
graceful_timeout = 30
# Heartbeat files on tmpfs: a container's overlay filesystem can stall workers.
worker_tmp_dir = "/dev/shm"  # noqa: S108
# A request line (method, path and query string) longer than this answers 414
# before Django sees it; documented in the OpenAPI description and the README.
limit_request_line = int(os.environ.get("GUNICORN_LIMIT_REQUEST_LINE", "8190"))
accesslog = "-"
errorlog = "-"
