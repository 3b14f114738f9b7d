"""How long does signing a letter take? Latency of POST /petitions/<slug>/sign/.

    make bench                      # PostgreSQL on 127.0.0.1:5432, 3 rounds of 2,000 signatures
    .venv/bin/python bench/signing.py --rounds 5 --requests 1500 --database-url postgres://...

Runs the real view stack (middleware, form, rate count, insert, the confirmation email's
enqueue, redirect) in-process through Django's test client against a scratch database that it
creates, migrates and drops again, so the figure is the server's own cost per signature without
network noise. Tasks use the configured backend (the durable database queue unless TASKS_BACKEND
says otherwise); no worker runs, so no email is sent. The cache is the configured one: measure
with the shared Redis cache production uses too, `CACHE_URL=redis://127.0.0.1:6379/3 make bench`.
Each request signs as a person would, with a new email, from an address of its own; a second
series re-signs with emails already used (the duplicate path). Prints percentiles in
milliseconds for each round, then for all rounds together.

To compare with an earlier commit, run both alternately, as the machine's speed drifts between
runs: `bench/compare.sh <commit>` does, and prints the medians.
"""

import argparse
import itertools
import os
import secrets
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--requests", type=int, default=2000, help="signatures per series")
parser.add_argument("--rounds", type=int, default=3, help="series of each kind")
parser.add_argument("--warmup", type=int, default=200, help="untimed signatures first")
parser.add_argument(
    "--database-url",
    default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/solidarity_bench"),
)
args = parser.parse_args()

os.environ["DATABASE_URL"] = args.database_url
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "solidarity.settings")
# Static files are not collected for a benchmark, and none are served.
warnings.filterwarnings("ignore", message="No directory at")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core import signing  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402

from petitions.models import Petition  # noqa: E402
from signatories.models import Signature  # noqa: E402

try:  # the form's timing note, in versions of the project that have one
    from signatories.abuse import FORM_STARTED_SALT
except ImportError:
    FORM_STARTED_SALT = None


# IPv6 networks (/64) never used before, so no run finds a count left by an earlier one.
ADDRESSES = (
    f"2001:db8:{secrets.randbits(16):04x}:{secrets.randbits(16):04x}::1" for _ in itertools.count()
)


def series(client: Client, url: str, emails: list[str]) -> list[float]:
    timings = []
    for email in emails:
        data = {"name": "Бенчмарк Тест", "email": email, "country": "KZ", "comment": "Solidarity"}
        if FORM_STARTED_SALT:
            # The note the form carries of when it was shown, as if a minute ago.
            data["started"] = signing.dumps(time.time() - 60, salt=FORM_STARTED_SALT)
        start = time.perf_counter()
        # Each signer from a network of their own, as people sign from their own connections.
        response = client.post(url, data, secure=True, REMOTE_ADDR=next(ADDRESSES))
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 302, response.status_code
    return timings


def report(label: str, timings: list[float]) -> None:
    cuts = statistics.quantiles(timings, n=100)
    print(
        f"{label:<26} n={len(timings):<6} mean={statistics.fmean(timings):6.2f}  "
        f"p50={cuts[49]:6.2f}  p90={cuts[89]:6.2f}  p99={cuts[98]:6.2f}  "
        f"max={max(timings):7.2f}  ({1000 / statistics.fmean(timings):5.0f} signatures/s)"
    )


def main() -> None:
    setup_test_environment()
    database = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        petition = Petition.objects.create(
            slug="bench", title="Bench", body="Text", status=Petition.Status.OPEN
        )
        url = f"/petitions/{petition.slug}/sign/"
        client = Client()
        series(client, url, [f"warmup{n}@example.org" for n in range(args.warmup)])
        print(
            f"database: {connection.vendor}, tasks: {settings.TASKS['default']['BACKEND']}, "
            f"cache: {settings.CACHES['default']['BACKEND']}"
        )
        fresh, again = [], []
        for round_ in range(args.rounds):
            emails = [f"r{round_}signer{n}@example.org" for n in range(args.requests)]
            fresh_round = series(client, url, emails)
            again_round = series(client, url, [email.upper() for email in emails])
            report(f"round {round_ + 1}: new signature", fresh_round)
            report(f"round {round_ + 1}: same email", again_round)
            fresh += fresh_round
            again += again_round
        report("all: new signature", fresh)
        report("all: same email again", again)
        print(f"rows stored: {Signature.objects.count()}")
    finally:
        connection.creation.destroy_test_db(database, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
