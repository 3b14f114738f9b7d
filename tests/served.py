"""The site under gunicorn, with production settings and the README's configuration
(deploy/gunicorn.conf.py), on a SQLite database of its own: for tests of what only a real
server shows."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(folder: Path, **settings: str) -> Iterator[dict]:
    """Serve the demo letter from `folder` until the block ends; `settings` are gunicorn's
    (GUNICORN_WORKERS=...), from the environment as deploy/gunicorn.conf.py reads them."""
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "CACHE_URL"}} | {
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "STATIC_ROOT": str(folder / "static"),
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP on the loopback, as behind a TLS proxy
        "DJANGO_SETTINGS_MODULE": "solidarity.settings",
        "GUNICORN_RUNTIME_DIR": str(folder),  # its control socket
    }
    for command in (["migrate"], ["load_demo"], ["collectstatic", "--no-input"]):
        subprocess.run(
            [sys.executable, "manage.py", *command, "-v", "0"], cwd=ROOT, env=env, check=True
        )
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "solidarity.wsgi"],
        cwd=ROOT,
        env=env | {"GUNICORN_BIND": f"127.0.0.1:{port}"} | settings,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail(f"gunicorn did not start:\n{server.stderr.read().decode()}")
            time.sleep(0.1)
    try:
        yield {"port": port, "database": folder / "db.sqlite3", "process": server}
    finally:
        server.terminate()
        server.wait(10)
