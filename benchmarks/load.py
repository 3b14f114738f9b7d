"""Load on the loopback: wrk when it is installed, else a small asyncio client; and signers, who
open the sign page and post the form, each acknowledged signature remembered to be checked."""

import asyncio
import json
import random
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

# What the proxy in front of gunicorn tells it in production (deploy/nginx.conf).
PROXY_HEADERS = {"X-Forwarded-Proto": "https", "X-Real-IP": "203.0.113.1"}
WRK_SCRIPT = """
wrk.method = "GET"
{headers}
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format(
    '{{"requests": %d, "seconds": %f, "p50": %f, "p95": %f, "p99": %f, "errors": %d, '
    .. '"non_2xx": %d}}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(95) / 1e3, latency:percentile(99) / 1e3, errors, summary.errors.status))
end
"""


def hammer(url: str, *, connections: int, seconds: float, headers: dict[str, str]) -> dict:
    """Requests a second and latency percentiles (ms) of GETs of one URL."""
    if shutil.which("wrk"):
        return _wrk(url, connections=connections, seconds=seconds, headers=headers)
    return asyncio.run(
        _python_load(url, connections=connections, seconds=seconds, headers=headers)
    )


def _wrk(url: str, *, connections: int, seconds: float, headers: dict[str, str]) -> dict:
    lines = "\n".join(f'wrk.headers["{k}"] = "{v}"' for k, v in headers.items())
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT.format(headers=lines))
    threads = min(2, connections)
    output = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "-s",
            script.name,
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    Path(script.name).unlink()
    result = json.loads(output.strip().splitlines()[-1])
    result["per_second"] = result["requests"] / result["seconds"]
    result["tool"] = "wrk"
    return result


class Connection:
    """One keep-alive HTTP/1.1 connection, enough of it for these pages."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader = self.writer = None

    async def request(self, method: str, path: str, headers: dict, body: bytes = b"") -> tuple:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        if body:
            head += [f"Content-Length: {len(body)}"]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        response_headers = {}
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            name, _colon, value = line.decode("latin-1").partition(":")
            response_headers[name.strip().lower()] = value.strip()
        content = await self._body(response_headers)
        if response_headers.get("connection", "").lower() == "close":
            self.writer.close()
            self.writer = None
        return status, response_headers, content

    async def _body(self, headers: dict) -> bytes:
        if "content-length" in headers:
            return await self.reader.readexactly(int(headers["content-length"]))
        if headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while (size := int((await self.reader.readline()).strip(), 16)) > 0:
                parts.append(await self.reader.readexactly(size))
                await self.reader.readline()
            await self.reader.readline()
            return b"".join(parts)
        return b""


async def _python_load(url: str, *, connections: int, seconds: float, headers: dict) -> dict:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    latencies: list[float] = []
    errors = non_2xx = 0
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal errors, non_2xx
        connection = Connection(parts.hostname, parts.port)
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                status, _headers, _body = await connection.request("GET", path, headers)
            except (OSError, ValueError, asyncio.IncompleteReadError):
                errors += 1
                connection = Connection(parts.hostname, parts.port)
                continue
            latencies.append((time.perf_counter() - started) * 1000)
            non_2xx += not 200 <= status < 300

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "requests": len(latencies),
        "seconds": elapsed,
        "per_second": len(latencies) / elapsed,
        "p50": cuts[49],
        "p95": cuts[94],
        "p99": cuts[98],
        "errors": errors,
        "non_2xx": non_2xx,
        "tool": "python",
    }


def sign(base: str, slug: str, *, signers: int, seconds: float, run: str) -> dict:
    """`signers` people signing at once for `seconds`: each opens the sign page, then posts the
    form, from an address of their own. Flows a second, latency of a flow, and the email of
    every signature the site acknowledged (a redirect to the thanks page)."""
    return asyncio.run(_sign(base, slug, signers=signers, seconds=seconds, run=run))


async def _sign(base: str, slug: str, *, signers: int, seconds: float, run: str) -> dict:
    parts = urlsplit(base)
    page = f"/petitions/{slug}/sign/"
    thanks = f"/petitions/{slug}/thanks/"
    acknowledged: list[str] = []
    latencies: list[float] = []
    refused = 0
    deadline = time.perf_counter() + seconds
    chance = random.Random(run)

    async def signer(number: int) -> None:
        nonlocal refused
        connection = Connection(parts.hostname, parts.port)
        flow = 0
        while time.perf_counter() < deadline:
            flow += 1
            email = f"{run}-{number}-{flow}@bench.example"
            address = f"2001:db8:{chance.getrandbits(16):x}:{chance.getrandbits(16):x}::1"
            headers = PROXY_HEADERS | {"X-Real-IP": address}
            started = time.perf_counter()
            _status, _headers, form = await connection.request("GET", page, headers)
            note = re.search(rb'name="started" value="([^"]*)"', form)
            body = urlencode(
                {
                    "name": "Бенчмарк Қолтаңба",
                    "email": email,
                    "organisation": "Жанарту",
                    "country": "KZ",
                    "comment": "Solidarity",
                    "started": note.group(1).decode() if note else "",
                }
            ).encode()
            posted = headers | {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"https://{parts.hostname}:{parts.port}",
                "Sec-Fetch-Site": "same-origin",
            }
            status, response_headers, _body = await connection.request("POST", page, posted, body)
            latencies.append((time.perf_counter() - started) * 1000)
            if status == 302 and response_headers.get("location") == thanks:
                acknowledged.append(email)
            else:
                refused += 1

    started = time.perf_counter()
    await asyncio.gather(*(signer(number) for number in range(signers)))
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "signers": signers,
        "flows": len(latencies),
        "seconds": elapsed,
        "per_second": len(latencies) / elapsed,
        "p50": cuts[49],
        "p95": cuts[94],
        "p99": cuts[98],
        "refused": refused,
        "acknowledged": acknowledged,
    }
