"""Helpers shared by the test packages: TOTP codes, a real Celery worker."""
