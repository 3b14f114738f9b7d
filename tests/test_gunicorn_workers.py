"""gunicorn as deploy/gunicorn.conf.py runs it: no visitor's request lost when a worker is
replaced (after its `max_requests`, or a deploy). Lost they were, now and then, with a listening
socket per worker (`reuse_port`): the kernel resets what reaches a stopping worker's socket."""

import http.client
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import served

LETTER = "/petitions/ukteshbayev-open-letter/"


def answers(port: int, requests: int) -> list[int | str]:
    """Each request on a connection of its own, as nginx opens new ones under load: the
    status, or the error that lost it."""
    outcomes: list[int | str] = []
    for _ in range(requests):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request("GET", LETTER, headers={"X-Forwarded-Proto": "https"})
            response = connection.getresponse()
            response.read()
            outcomes.append(response.status)
        except (OSError, http.client.HTTPException) as error:
            outcomes.append(type(error).__name__)
        finally:
            connection.close()
    return outcomes


def workers_of(master: int) -> set[int]:
    """The master's worker processes (Linux lists them in /proc)."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return {int(pid) for pid in children}


def replace_workers_one_by_one(master: int, times: int) -> int:
    """Stop one worker at a time, as `max_requests` and a deploy do, each once the worker
    started in place of the one before is up; how many were replaced."""
    replaced = 0
    for _ in range(times):
        current = workers_of(master)
        os.kill(min(current), signal.SIGTERM)
        deadline = time.monotonic() + 20
        while len(workers_of(master) - current) < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # the new worker imports the site, then listens
        replaced += 1
    return replaced


def test_no_request_is_lost_while_workers_are_replaced(tmp_path):
    with served.gunicorn(tmp_path, GUNICORN_WORKERS="2") as server:
        master = server["process"].pid
        with ThreadPoolExecutor(9) as pool:
            visitors = [pool.submit(answers, server["port"], 150) for _ in range(8)]
            replaced = pool.submit(replace_workers_one_by_one, master, 4).result()
            outcomes = [outcome for visitor in visitors for outcome in visitor.result()]

    assert replaced == 4
    assert [outcome for outcome in outcomes if outcome != 200] == []
    assert len(outcomes) == 8 * 150
