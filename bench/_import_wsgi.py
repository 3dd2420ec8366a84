"""The bench's web process: finhub's WSGI application, queueing import tasks to
the bench's private queue (BENCH_TASK_QUEUE) so that only its own worker runs them."""

import os

from config.celery_app import app
from config.wsgi import application

app.conf.task_default_queue = os.environ["BENCH_TASK_QUEUE"]

__all__ = ["application"]
