"""Gunicorn for TrustLab in production (`make serve`, deploy/trustlab.service).

The topology is nginx in front (deploy/nginx.conf): it terminates TLS and buffers every request
body before it reaches gunicorn, so a slow client costs nginx a socket, never a Python worker.
This file also makes gunicorn safe on its own: gthread workers, so a slow or stalled client
holds one thread of one worker while the other threads and workers keep answering (a sync
worker is held whole: three slow sockets stop three sync workers, i.e. the whole site).

Every number is an environment variable read here, with a default for a 2-core host."""

import os
import sys
from pathlib import Path

# The project root, so that `deploy.gunicorn_logger` and `config` import from any working folder.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

wsgi_app = "config.wsgi:application"
# Loopback by default: only the proxy on this host talks to gunicorn. `make serve` passes
# --bind $(HOST):$(PORT), which overrides this.
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]

# Workers: processes (2-4 per core); threads: requests in flight per worker. A thread waits on
# its client's socket or the database, not on the CPU, so 16 per worker are cheap and keep a
# handful of slow clients from filling a worker. Each thread holds its own database connection
# with CONN_MAX_AGE: keep WEB_CONCURRENCY x GUNICORN_THREADS below PostgreSQL's max_connections.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "16"))

# A request taking longer than `timeout` (a hung worker: the main loop stopped answering the
# master) is killed; `graceful_timeout` is what a restart lets requests in flight finish in.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Idle keep-alive connections from the proxy are closed after this many seconds.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))

# Request limits: a request line or headers larger than any TrustLab URL or cookie are refused
# with a 4xx before Django sees them.
limit_request_line = 4094
limit_request_fields = 60
limit_request_field_size = 8190

# Recycle workers now and then (a leak cannot grow without bound); the jitter keeps them from
# all restarting at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))

# The workers' heartbeat files in memory: a slow or full disk never makes the master think a
# healthy worker hung. (gunicorn creates them unlinked, with mkstemp: S108 does not apply.)
SHM = "/dev/shm"  # noqa: S108
worker_tmp_dir = SHM if os.path.isdir(SHM) else None

# Only the proxy on this host may say which scheme and client address it saw.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs to stdout/stderr (journald or the container runtime keeps them), tokens redacted.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
logger_class = "deploy.gunicorn_logger.TokenRedactingLogger"
