"""`make bench`: the site under gunicorn as production runs it, measured against a floor.

    make bench                                  # PostgreSQL at DATABASE_URL, else the local one
    .venv/bin/python benchmarks/run.py --sizes 10000,100000 --seconds 5 --signing-seconds 20

Creates a database of its own, loads 10,000, then 100,000, then 1,000,000 signatures by COPY,
starts gunicorn with deploy/gunicorn.conf.py and production settings (PostgreSQL, Redis, behind
a TLS proxy), and at each size measures the letter page, a deep page of its list and the sign
page, with wrk (or a Python client) from the loopback, straight to gunicorn and through nginx
with deploy/nginx.conf. In the same run it measures the floor: a bare Django view returning as
many bytes through the same gunicorn settings, and reports each page as a share of it. At the
largest size: signers at 8 and 32 at once for a minute, every acknowledged signature checked in
the database afterwards; the CSV export (time, memory); the admin's pages; sending emails to a
mail server on the loopback. Writes benchmarks/results/latest.{md,json,svg}.
"""

import argparse
import json
import logging
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import load, report  # noqa: E402

APP, FLOOR, CANDIDATE, NGINX, SMTP = 8100, 8101, 8102, 8180, 8125
# What the benchmark reports as it goes, once Django's logging is set up (figures only: no
# signer's name or address).
log = logging.getLogger("benchmarks")
SLUG = "ukteshbayev-open-letter"
# The same letter with the smallest number of signatures, loaded beside the largest, so that
# the two pages are measured in turn in one window: minutes apart, this machine's speed drifts
# by more than the difference to be measured.
TWIN_SLUG = "ukteshbayev-open-letter-twin"


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument(
        "--seconds", type=float, default=15, help="each page's time, in three runs"
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--signing-seconds", type=float, default=60)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL server: the benchmark creates its own database there",
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "results"))
    parser.add_argument(
        "--skip-worker-settings",
        action="store_true",
        help="do not measure the other gunicorn settings deploy/gunicorn.conf.py was chosen from",
    )
    return parser.parse_args()


def bench_database(url: str) -> str:
    """A fresh database, solidarity_bench, on the server at `url`."""
    import psycopg

    parts = urlsplit(url)
    server = parts._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS solidarity_bench WITH (FORCE)")
        connection.execute("CREATE DATABASE solidarity_bench")
    return parts._replace(path="/solidarity_bench").geturl()


def production_env(database_url: str, redis_url: str, folder: Path) -> dict[str, str]:
    """What production sets (README), on the loopback: behind a TLS proxy that names the
    client in X-Real-IP; email to the loopback's mail server."""
    return os.environ | {
        "DEBUG": "false",
        "SECRET_KEY": "benchmark-secret-key-that-is-long-enough-and-random-1f3e5a",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "CACHE_URL": redis_url,
        "BEHIND_TLS_PROXY": "true",
        "CLIENT_IP_HEADER": "X-Real-IP",
        "SITE_URL": f"https://127.0.0.1:{APP}",
        "EMAIL_URL": f"smtp://127.0.0.1:{SMTP}",
        "SITE_HOURLY_EMAILS": "1000000000",
        "STATIC_ROOT": str(folder / "static"),
        "EXPORT_ROOT": str(folder / "exports"),
        "TASKS_BACKEND": "database",
        "DJANGO_SETTINGS_MODULE": "solidarity.settings",
    }


def wait_for_port(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"It stopped: see {log}\n{log.read_text()[-2000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"Nothing listens on {port}: see {log}")


class Servers:
    """The processes the benchmark starts, and stops again whatever happens."""

    def __init__(self, env: dict[str, str], folder: Path) -> None:
        self.env, self.folder, self.started = env, folder, []

    def start(self, name: str, command: list[str], port: int | None, **env: str) -> None:
        log = self.folder / f"{name}.log"
        process = subprocess.Popen(
            command, cwd=ROOT, env=self.env | env, stdout=log.open("w"), stderr=subprocess.STDOUT
        )
        self.started.append(process)
        if port:
            wait_for_port(port, process, log)

    def gunicorn(self, name: str, module: str, port: int, **settings: str) -> None:
        command = [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", module]
        env = {"GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_RUNTIME_DIR": str(self.folder)}
        self.start(name, command, port, **env, **settings)

    def nginx(self) -> bool:
        """nginx with deploy/nginx.conf, on its own port and folders; False without nginx."""
        binary = next((p for p in ["/usr/sbin/nginx", "/usr/bin/nginx"] if Path(p).exists()), None)
        if binary is None:
            return False
        site = (ROOT / "deploy" / "nginx.conf").read_text()
        site = site.replace("/var/cache/nginx/solidarity", str(self.folder / "nginx-cache"))
        site = site.replace("/var/log/nginx/solidarity.access.log", "off")
        site = site.replace("access_log off solidarity;", "access_log off;")
        site = site.replace("/var/log/nginx/solidarity.error.log", str(self.folder / "site.log"))
        site = site.replace("listen 80;", f"listen 127.0.0.1:{NGINX};")
        site = site.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{APP};")
        # As if TLS ended here: the site redirects plain HTTP to HTTPS.
        site = site.replace("X-Forwarded-Proto $scheme", "X-Forwarded-Proto https")
        user = "user root;" if os.geteuid() == 0 else ""
        conf = self.folder / "nginx.conf"
        conf.write_text(
            f"{user}\nworker_processes 1;\npid {self.folder}/nginx.pid;\n"
            f"error_log {self.folder}/nginx-error.log;\nevents {{ worker_connections 1024; }}\n"
            f"http {{\n include /etc/nginx/mime.types;\n {site}\n}}\n"
        )
        self.start("nginx", [binary, "-c", str(conf), "-g", "daemon off;"], NGINX)
        return True

    def stop(self) -> None:
        for process in reversed(self.started):
            process.terminate()
        for process in self.started:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()


def fetch(url: str, headers: dict[str, str] | None = None) -> bytes:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.read()


# Each page is measured this many times, in turn with the floor and the other pages, and its
# median run is kept: the machine is shared, and a burst of someone else's work then spoils
# one run of each rather than every run of one page.
ROUNDS = 3


def measure(url: str, args: argparse.Namespace, headers: dict, *, warm: bool) -> dict:
    if warm:
        load.hammer(url, connections=args.connections, seconds=2, headers=headers)
    seconds = max(1.0, args.seconds / ROUNDS)
    return load.hammer(url, connections=args.connections, seconds=seconds, headers=headers)


def median_run(runs: list[dict]) -> dict:
    """The run of median throughput, with every run's throughput beside it."""
    middle = sorted(runs, key=lambda run: run["per_second"])[len(runs) // 2]
    return middle | {"runs_per_second": [run["per_second"] for run in runs]}


def pages_at(size: int, args: argparse.Namespace, has_nginx: bool, twin: int | None) -> dict:
    """The public pages at this size, to gunicorn and through nginx, and the floor; and the
    same letter's page with `twin` signatures, if it was loaded beside it."""
    from django.test import Client

    from petitions.models import Petition, counts_of
    from signatories.querysets import cursor_of

    petition = Petition.objects.get(slug=SLUG)
    listed = petition.signatures.listed()
    depth = min(999 * 50, counts_of(petition).listed - 2)
    deep = f"?older={cursor_of(listed[depth])}"
    paths = {
        "letter page": f"/petitions/{SLUG}/",
        "deep list page": f"/petitions/{SLUG}/{deep}",
        "sign page": f"/petitions/{SLUG}/sign/",
    }
    if twin:
        paths[report.twin_page(twin)] = f"/petitions/{TWIN_SLUG}/"
    proxied = load.PROXY_HEADERS
    letter_bytes = len(fetch(f"http://127.0.0.1:{APP}{paths['letter page']}", proxied))
    log.info(f"{size:,} signatures ({letter_bytes:,} bytes a letter page)")
    targets = {("floor", "floor"): (f"http://127.0.0.1:{FLOOR}/?bytes={letter_bytes}", {})}
    for name, path in paths.items():
        targets["gunicorn", name] = (f"http://127.0.0.1:{APP}{path}", proxied)
        if has_nginx:
            targets["nginx", name] = (f"http://127.0.0.1:{NGINX}{path}", {})
    runs: dict[tuple, list[dict]] = {target: [] for target in targets}
    # A full render, when the page's few seconds are over: every fragment kept is reused.
    client = Client(headers=proxied | {"Host": "127.0.0.1"})
    renders = []
    for round_ in range(ROUNDS):
        for target, (url, headers) in targets.items():
            runs[target].append(measure(url, args, headers, warm=round_ == 0))
        renders.append(full_render_ms(client, paths["letter page"]))
    measured = {"size": size, "letter_bytes": letter_bytes, "gunicorn": {}, "nginx": {}}
    for (server, name), each in runs.items():
        result = median_run(each)
        if server == "floor":
            measured["floor"] = result
        else:
            measured[server][name] = result
        label = name if server != "nginx" else f"{name} (nginx)"
        log.info(
            f"  {label:<28} {result['per_second']:8.0f}/s  p95 {result['p95']:6.1f} ms  "
            f"(runs: {', '.join(f'{r:.0f}' for r in result['runs_per_second'])})"
        )
    measured["full_render_ms"] = statistics.median(renders)
    log.info(
        f"  {'a full render':<28} {measured['full_render_ms']:8.2f} ms  "
        f"(runs: {', '.join(f'{r:.2f}' for r in renders)})"
    )
    measured["plans"] = plans(petition, listed, depth)
    return measured


def load_twin(size: int) -> None:
    """The demo letter again, with `size` signatures: its own signatories, then realistic
    ones (others than the first letter's)."""
    from benchmarks import data
    from petitions.models import Petition
    from signatories.models import Signature

    petition = Petition.objects.get(slug=SLUG)
    twin = Petition.objects.get(pk=petition.pk)
    twin.pk, twin.slug = None, TWIN_SLUG
    twin.save(force_insert=True)
    demo = list(petition.signatures.filter(source=Signature.Source.STAFF))
    for signature in demo:
        signature.pk, signature.petition, signature.reference = None, twin, uuid.uuid4()
    Signature.objects.bulk_create(demo)
    data.load(twin.pk, 0, size - len(demo), seed=8)


def full_render_ms(client: object, path: str) -> float:
    """The median time this process takes to render the page afresh (it keeps no page)."""
    timings = []
    for _ in range(40):
        started = time.perf_counter()
        response = client.get(path, secure=True)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return statistics.median(timings[5:])


def plans(petition: object, listed: object, depth: int) -> dict[str, str]:
    """How PostgreSQL runs the public queries: each from an index, none counting rows."""
    from signatories.querysets import cursor_of

    page = settings_size()
    deep = listed.older_than(cursor_of(listed[depth]))
    return {
        "notable signatories": petition.signatures.notables().explain(analyze=True),
        "first page of the list": listed[: page + 1].explain(analyze=True),
        "thousandth page of the list": deep[: page + 1].explain(analyze=True),
    }


def settings_size() -> int:
    from django.conf import settings

    return settings.SIGNATURES_PER_PAGE


def check_signatures(emails: list[str]) -> dict:
    """Every acknowledged signature is in the database, once."""
    from django.db.models import Count

    from signatories.models import Signature

    found, duplicated = 0, 0
    for start in range(0, len(emails), 5000):
        chunk = emails[start : start + 5000]
        rows = Signature.objects.filter(email__in=chunk).values("email").annotate(n=Count("pk"))
        found += len(rows)
        duplicated += sum(1 for row in rows if row["n"] > 1)
    return {"acknowledged": len(emails), "missing": len(emails) - found, "duplicated": duplicated}


def signing(seconds: float, *, port: int = APP, counts: tuple[int, ...] = (8, 32)) -> list[dict]:
    results = []
    for signers in counts:
        result = load.sign(
            f"http://127.0.0.1:{port}",
            SLUG,
            signers=signers,
            seconds=seconds,
            run=f"run{time.time_ns()}s{signers}",
        )
        result |= check_signatures(result.pop("acknowledged"))
        log.info(
            f"  signing, {signers} at once: {result['per_second']:6.0f} flows/s, p95 "
            f"{result['p95']:.1f} ms, {result['missing']} missing, {result['duplicated']} twice"
        )
        results.append(result)
    return results


# What deploy/gunicorn.conf.py was chosen from: its settings, then the other candidates, each
# measured on the letter page and by 32 signers, on two cores.
WORKER_SETTINGS = {
    "deploy/gunicorn.conf.py": {},
    "gthread, 4 workers x 1 thread, a socket each": {"GUNICORN_REUSE_PORT": "true"},
    "gthread, 4 workers x 2 threads": {"GUNICORN_THREADS": "2"},
    "sync, 4 workers": {"GUNICORN_WORKER_CLASS": "sync", "GUNICORN_WORKERS": "4"},
    "sync, 3 workers": {"GUNICORN_WORKER_CLASS": "sync", "GUNICORN_WORKERS": "3"},
    "gthread, 2 workers x 4 threads": {"GUNICORN_WORKERS": "2", "GUNICORN_THREADS": "4"},
}


def worker_settings(args: argparse.Namespace, env: dict[str, str], folder: Path) -> dict:
    """The letter page and signing under each candidate gunicorn setting, one at a time."""
    from benchmarks import data

    results = {}
    for name, settings in WORKER_SETTINGS.items():
        log.info(f"  gunicorn: {name}")
        servers = Servers(env, folder)
        try:
            servers.gunicorn(f"candidate-{len(results)}", "solidarity.wsgi", CANDIDATE, **settings)
            url = f"http://127.0.0.1:{CANDIDATE}/petitions/{SLUG}/"
            page = median_run(
                [measure(url, args, load.PROXY_HEADERS, warm=n == 0) for n in range(ROUNDS)]
            )
            log.info(f"  letter page {page['per_second']:8.0f}/s  p95 {page['p95']:6.1f} ms")
            [signed] = signing(args.signing_seconds / 4, port=CANDIDATE, counts=(32,))
        finally:
            servers.stop()
        data.settle()
        results[name] = {"letter page": page, "signing": signed}
    return results


def counting() -> dict:
    """What the counting job costs at the largest size, median of three: a pass over a letter
    whose counts did not change (every few seconds), and one that breaks it down by country and
    by day (when they did, and nightly)."""
    from petitions.models import Petition
    from signatories.counts import count_letter

    petition = Petition.objects.get(slug=SLUG)

    def timed(**options: bool) -> float:
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            count_letter(petition, **options)
            runs.append((time.perf_counter() - started) * 1000)
        return statistics.median(runs)

    result = {"unchanged_ms": timed(), "broken_down_ms": timed(exact=True)}
    log.info(
        f"counting: {result['unchanged_ms']:.0f} ms a pass, "
        f"{result['broken_down_ms']:.0f} ms broken down"
    )
    return result


def export(env: dict[str, str], folder: Path) -> dict:
    """The CSV export of the letter from the command line: time and memory it grows by."""

    def run(slug: str) -> tuple[float, int]:
        started = time.perf_counter()
        process = subprocess.Popen(
            [
                *[sys.executable, "manage.py", "export_signatures", slug, "--status", "all"],
                *["--output", str(folder / f"{slug}.csv")],
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        _pid, status, usage = os.wait4(process.pid, 0)
        assert status == 0, status
        return time.perf_counter() - started, usage.ru_maxrss * 1024

    from petitions.models import Petition

    Petition.objects.get_or_create(slug="bench-empty", defaults={"title": "Empty", "body": "."})
    baseline_seconds, baseline_memory = run("bench-empty")
    seconds, memory = run(SLUG)
    lines = sum(1 for _line in (folder / f"{SLUG}.csv").open(encoding="utf-8"))
    result = {
        "rows": lines - 1,
        "seconds": seconds,
        "startup_seconds": baseline_seconds,
        "memory_growth_mb": (memory - baseline_memory) / 2**20,
        "peak_memory_mb": memory / 2**20,
    }
    log.info(
        f"export: {result['rows']:,} rows in {seconds:.1f} s, memory grew "
        f"{result['memory_growth_mb']:.1f} MB"
    )
    return result


def admin_pages() -> dict:
    """The admin's pages at the largest size, logged in as staff do: median of three."""
    import re

    from django.contrib.auth import get_user_model
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from petitions.models import Petition

    user, _ = get_user_model().objects.get_or_create(
        username="bench", defaults={"is_staff": True, "is_superuser": True}
    )
    user.set_password("a long benchmark password")
    user.save()
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", confirmed=True)
    petition = Petition.objects.get(slug=SLUG)
    connection = load.Connection("127.0.0.1", APP)
    origin = f"https://127.0.0.1:{APP}"

    import asyncio

    async def run() -> dict:
        _s, headers, page = await connection.request("GET", "/admin/login/", load.PROXY_HEADERS)
        csrf = headers["set-cookie"].split(";")[0]
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = (
            f"csrfmiddlewaretoken={token.decode()}&username=bench"
            f"&password=a+long+benchmark+password&otp_token={totp(device.bin_key):06d}"
        ).encode()
        posted = load.PROXY_HEADERS | {
            "Cookie": csrf,
            "Referer": f"{origin}/admin/login/",
            "Origin": origin,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        status, headers, _b = await connection.request("POST", "/admin/login/", posted, body)
        assert status == 302, status
        session = headers["set-cookie"].split(";")[0]
        cookies = load.PROXY_HEADERS | {"Cookie": f"{csrf}; {session}"}
        signatures = "/admin/signatories/signature/"
        every = f"{signatures}?status=all"
        pages = {
            "queue": signatures,
            "all signatures": every,
            "awaiting confirmation": f"{signatures}?status=unconfirmed",
            "emails held": f"{signatures}?status=held",
            "rejected": f"{signatures}?status=rejected",
            "any flag": f"{every}&flag=any",
            "one letter": f"{every}&petition__id__exact={petition.pk}",
            "one country": f"{every}&country__exact=SE",
            "hidden names": f"{every}&hide_name__exact=1",
            "signed in October": f"{every}&created_at__gte=2026-10-01&created_at__lt=2026-11-01",
            "search: exact email": f"{every}&q=signer500000%40mail.kz",
            "search: name prefix": f"{every}&q=" + quote("Нұрлан"),
            "search: organisation prefix": f"{every}&q=" + quote("Rättvisepartiet"),
            "search: comment word": f"{every}&q=austerity",
            "a deep page": f"{every}&p=50",
            "letters": "/admin/petitions/petition/",
            "a letter": f"/admin/petitions/petition/{petition.pk}/change/",
        }
        timings = {}
        for name, path in pages.items():
            runs = []
            for _ in range(3):
                started = time.perf_counter()
                status, _h, _b = await connection.request("GET", path, cookies)
                runs.append((time.perf_counter() - started) * 1000)
                assert status == 200, (name, status)
            timings[name] = statistics.median(runs)
            log.info(f"  admin {name:<28} {timings[name]:7.0f} ms")
        return timings

    return asyncio.run(run())


# How many email workers to measure, each number sending EMAILS confirmations in all.
EMAIL_WORKERS = (1, 2, 4)
EMAILS = 2400


def emails(env: dict[str, str], folder: Path) -> dict:
    """Emails a second to the loopback's mail server, by one worker, then by several at once
    (each waits on the mail server and the database half the time)."""
    from django_tasks_db.models import DBTaskResult

    from benchmarks import smtp
    from signatories.emails import email_submission
    from signatories.models import Signature

    controller, handler = smtp.start(SMTP)
    results = {}
    try:
        for workers in EMAIL_WORKERS:
            # Enough confirmations queued for every worker to be busy to the end: the signers'
            # own, then more of the same for signatures the benchmark loaded.
            queued = DBTaskResult.objects.filter(status="READY").count()
            unconfirmed = Signature.objects.filter(confirmed_at=None).values_list("pk", flat=True)
            for pk in unconfirmed[: max(0, EMAILS - queued)]:
                email_submission.enqueue(pk)
            handler.arrivals.clear()
            per_worker = EMAILS // workers
            command = [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"]
            command += ["--max-tasks", str(per_worker), "-v", "0"]
            processes = [
                subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
                for _ in range(workers)
            ]
            for process in processes:
                process.wait()
            arrivals = handler.arrivals
            rate = (len(arrivals) - 1) / (arrivals[-1] - arrivals[0]) if len(arrivals) > 1 else 0
            results[f"{workers} worker{'s' if workers > 1 else ''}"] = {
                "emails": len(arrivals),
                "per_second": rate,
            }
            log.info(f"emails, {workers} worker(s): {len(arrivals)} sent, {rate:.0f}/s")
        results["still_queued"] = DBTaskResult.objects.filter(status="READY").count()
    finally:
        controller.stop()
    return results


def main() -> None:
    args = arguments()
    sizes = [int(size) for size in args.sizes.split(",")]
    folder = Path(tempfile.mkdtemp(prefix="solidarity-bench-"))
    database_url = bench_database(args.database_url)
    env = production_env(database_url, args.redis_url, folder)
    # This process renders pages too (a full render, timed): with no page kept between.
    os.environ.update(env | {"PAGE_CACHE_SECONDS": "0"})
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command

    from benchmarks import data
    from petitions.models import Petition

    for command in (["migrate"], ["collectstatic", "--no-input"], ["load_demo"]):
        call_command(*command, verbosity=0)
    cache.clear()
    servers = Servers(env, folder)
    results = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.node()}: {os.cpu_count()} cores, {platform.python_version()}",
        "command": " ".join(["make bench", *sys.argv[1:]]),
        "tool": "wrk" if load.shutil.which("wrk") else "python",
        "connections": args.connections,
        "sizes": [],
    }
    try:
        servers.gunicorn("gunicorn", "solidarity.wsgi", APP)
        servers.gunicorn("floor", "benchmarks.floor:application", FLOOR)
        has_nginx = servers.nginx()
        petition = Petition.objects.get(slug=SLUG)
        loaded = petition.signatures.count()
        for size in sizes:
            data.load(petition.pk, loaded, size - loaded)
            loaded = size
            twin = sizes[0] if size == sizes[-1] > sizes[0] else None
            if twin:
                load_twin(twin)
            call_command("count_signatures", "--once", "--exact")
            results["sizes"].append(pages_at(size, args, has_nginx, twin))
        # The counting job runs beside the site, as in production, while people sign.
        servers.start("counts", [sys.executable, "manage.py", "count_signatures"], None)
        results["signing"] = signing(args.signing_seconds)
        data.settle()
        results["counting"] = counting()
        results["export"] = export(env, folder)
        results["admin"] = admin_pages()
        if not args.skip_worker_settings:
            results["worker_settings"] = worker_settings(args, env, folder)
        results["emails"] = emails(env, folder)
    finally:
        servers.stop()
    output = Path(args.output)
    output.mkdir(parents=True, exist_ok=True)
    (output / "latest.json").write_text(json.dumps(results, indent=2, default=str))
    (output / "latest.md").write_text(report.markdown(results))
    (output / "latest.svg").write_text(report.svg(results))
    log.info(f"Wrote {output}/latest.md, latest.json and latest.svg")


if __name__ == "__main__":
    main()
