"""gunicorn, as production runs it (the README's command) and as `make bench` measures it.

    .venv/bin/gunicorn -c deploy/gunicorn.conf.py solidarity.wsgi

Each setting can be changed from the environment (GUNICORN_BIND, GUNICORN_WORKERS, ...), so
several instances on one machine each get a port and a control socket of their own.
"""

import multiprocessing
import os
import tempfile
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Measured by `make bench` on two cores at a million signatures (benchmarks/results/): two
# threaded workers per core, one thread each. In alternating runs of 32 signers, one thread a
# worker signed 240-305 people a second against 220-275 for two threads: two threads of one
# process take turns on one core. A threaded worker keeps its connections to nginx open, where
# a sync worker closes each after its response; sync workers signed fewer. All workers take
# connections from one socket, which this master process holds: a listening socket per worker
# (GUNICORN_REUSE_PORT=true, measured beside it) shortened the signing tail, but the kernel
# resets a connection that reaches a worker's socket as that worker stops, and here one
# always does now and then (max_requests, a deploy).
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
reuse_port = os.environ.get("GUNICORN_REUSE_PORT", "false") == "true"
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", 1))

# A request taking longer than this is stuck (the database gives up at 30 s too): the worker is
# replaced. No page streams for long: exports are written by the worker, not in a request.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
# nginx keeps its connections to gunicorn open (keepalive in deploy/nginx.conf).
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 5))
# Each worker is replaced now and then, so no slow leak grows for ever.
max_requests = 20_000
max_requests_jitter = 2_000

# One control socket per instance, named by its port (gunicorn's default is one per user).
_port = bind.rsplit(":", 1)[-1]
_runtime = Path(os.environ.get("GUNICORN_RUNTIME_DIR", tempfile.gettempdir()))
control_socket = os.environ.get(
    "GUNICORN_CONTROL_SOCKET", str(_runtime / f"solidarity-gunicorn-{_port}.ctl")
)

# No access log: it would hold every client's address. Errors go to stderr.
accesslog = None
errorlog = "-"
