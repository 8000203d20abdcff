"""Celery app and the heavy tasks (render, search) it runs, eagerly or on workers."""
