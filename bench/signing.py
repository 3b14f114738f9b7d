"""How long does signing a letter take? Latency of POST /petitions/<slug>/sign/.

    make bench                      # PostgreSQL on 127.0.0.1:5432, 2,000 signatures
    .venv/bin/python bench/signing.py --requests 5000 --database-url postgres://...

Runs the real view stack (middleware, form, insert, redirect) in-process through Django's test
client against a scratch database that it creates, migrates and drops again, so the figure is
the server's own cost per signature without network noise. Each request signs with a new email;
a second series re-signs with emails already used (the duplicate path). Prints percentiles in
milliseconds.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--requests", type=int, default=2000, help="signatures per series")
parser.add_argument("--warmup", type=int, default=200, help="untimed signatures first")
parser.add_argument(
    "--database-url",
    default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/solidarity_bench"),
)
args = parser.parse_args()

os.environ["DATABASE_URL"] = args.database_url
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "solidarity.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402

from petitions.models import Petition  # noqa: E402
from signatories.models import Signature  # noqa: E402


def series(client: Client, url: str, emails: list[str]) -> list[float]:
    timings = []
    for email in emails:
        data = {"name": "Бенчмарк Тест", "email": email, "country": "KZ", "comment": "Solidarity"}
        start = time.perf_counter()
        response = client.post(url, data, secure=True)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 302, response.status_code
    return timings


def report(label: str, timings: list[float]) -> None:
    cuts = statistics.quantiles(timings, n=100)
    print(
        f"{label:<22} n={len(timings):<6} mean={statistics.fmean(timings):6.2f}  "
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
        fresh = series(client, url, [f"signer{n}@example.org" for n in range(args.requests)])
        again = series(client, url, [f"SIGNER{n}@example.org" for n in range(args.requests)])
        stored = Signature.objects.count()
        print(f"database: {connection.vendor} ({database}), rows stored: {stored}")
        report("new signature", fresh)
        report("same email again", again)
    finally:
        connection.creation.destroy_test_db(database, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
