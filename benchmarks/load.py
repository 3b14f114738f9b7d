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
    """One keep-alive HTTP/1.1 connection, enough of it for these pages. Responses are parsed
    from what arrives, with no stream reader between: the client shares the machine's two
    cores with what it measures, so it must cost as little as it can."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.transport: asyncio.Transport | None = None
        self.protocol: _Responses | None = None

    async def request(self, method: str, path: str, headers: dict, body: bytes = b"") -> tuple:
        if self.transport is None or self.transport.is_closing():
            loop = asyncio.get_running_loop()
            self.transport, self.protocol = await loop.create_connection(
                _Responses, self.host, self.port
            )
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        if body:
            head += [f"Content-Length: {len(body)}"]
        response = self.protocol.expect()
        self.transport.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        status, response_headers, content = await response
        if response_headers.get("connection", "").lower() == "close":
            self.transport.close()
            self.transport = None
        return status, response_headers, content


class _Responses(asyncio.Protocol):
    """The responses of one connection, one at a time: status, headers (lower-cased names)
    and body, by Content-Length or chunks."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.waiting: asyncio.Future | None = None

    def expect(self) -> asyncio.Future:
        self.waiting = asyncio.get_running_loop().create_future()
        return self.waiting

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.waiting is not None and (response := self._parse()) is not None:
            self.waiting.set_result(response)
            self.waiting = None

    def connection_lost(self, exc: Exception | None) -> None:
        if self.waiting is not None and not self.waiting.done():
            self.waiting.set_exception(exc or ConnectionResetError("closed by the server"))
            self.waiting = None

    def _parse(self) -> tuple | None:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        lines = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
        headers = {}
        for line in lines[1:]:
            name, _colon, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        start = end + 4
        if "content-length" in headers:
            stop = start + int(headers["content-length"])
            if len(self.buffer) < stop:
                return None
            body = bytes(self.buffer[start:stop])
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body, stop = self._chunks(start)
            if body is None:
                return None
        else:
            body, stop = b"", start
        del self.buffer[:stop]
        return int(lines[0].split()[1]), headers, body

    def _chunks(self, at: int) -> tuple[bytes | None, int]:
        parts = []
        while (line_end := self.buffer.find(b"\r\n", at)) >= 0:
            size = int(self.buffer[at:line_end].split(b";")[0], 16)
            at = line_end + 2
            if size == 0:
                if self.buffer.find(b"\r\n", at) != at:
                    return None, 0
                return b"".join(parts), at + 2
            if len(self.buffer) < at + size + 2:
                return None, 0
            parts.append(bytes(self.buffer[at : at + size]))
            at += size + 2
        return None, 0


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
