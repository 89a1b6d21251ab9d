"""Deployment files: gunicorn's configuration and logger, and examples for nginx and systemd."""
