"""Container health check: GET /health/ on the local gunicorn, as the proxy would.

Sends the first allowed host name and ``X-Forwarded-Proto: https`` so that the
production settings (ALLOWED_HOSTS, SECURE_SSL_REDIRECT) answer instead of
refusing or redirecting. Exit status 0 only when /health/ answers 200.
"""

import http.client
import os
import sys


def main() -> int:
    host = os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost").split(",")[0].strip().lstrip(".") or "localhost"
    host = "localhost" if host == "*" else host
    connection = http.client.HTTPConnection("127.0.0.1", int(os.environ.get("PORT", "8000")), timeout=4)
    try:
        connection.request("GET", "/health/", headers={"Host": host, "X-Forwarded-Proto": "https"})
        status = connection.getresponse().status
    except OSError as exc:
        print(f"health check failed: {exc}", file=sys.stderr)
        return 1
    finally:
        connection.close()
    return 0 if status == 200 else 1


if __name__ == "__main__":
    sys.exit(main())
