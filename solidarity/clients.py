"""Who is at the other end of a request: the client's address, only ever kept as a keyed hash.

The signing rate limit and the staff login lockout (django-axes) both count by these.
"""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest
from django.utils.crypto import salted_hmac


def client_address(request: HttpRequest) -> str:
    """The client's address, from the proxy header that settings name, else the connection.

    Each proxy appends the address it saw to a forwarded-for header; the client is the entry
    the outermost of our own proxies added (CLIENT_IP_PROXY_COUNT from the right).
    """
    if settings.CLIENT_IP_HEADER:
        hops = [h.strip() for h in request.headers.get(settings.CLIENT_IP_HEADER, "").split(",")]
        hops = [hop for hop in hops if hop]
        if len(hops) >= settings.CLIENT_IP_PROXY_COUNT:
            return hops[-settings.CLIENT_IP_PROXY_COUNT]
    return request.META.get("REMOTE_ADDR", "")


def client_key(address: str, *, prefix: int = 64) -> str:
    """A keyed hash of a client address, stable enough to count with and useless to read.

    An IPv6 client owns a whole /64 and could rotate through it, so the /64 is the client (or
    a wider network, by `prefix`). An IPv4 client seen through an IPv6 socket is its IPv4
    address, not one /64 shared by every IPv4 client.
    """
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        network = address
    else:
        ip = getattr(ip, "ipv4_mapped", None) or ip
        network = str(
            ipaddress.ip_network(f"{ip}/{prefix}", strict=False) if ip.version == 6 else ip
        )
    return salted_hmac("signatories.client", network, algorithm="sha256").hexdigest()[:32]


def is_ipv6(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return ip.version == 6 and ip.ipv4_mapped is None


def client_network(request: HttpRequest) -> str:
    """What django-axes counts a staff login's failures by: the keyed hash of the client's
    network (an IPv6 /64), so its cache holds no address and one client counts once."""
    return client_key(client_address(request))


def client_description(
    username: str | None,
    ip_address: str | None,
    user_agent: str | None,
    path_info: str | None,
    request: HttpRequest | None,
) -> str:
    """How django-axes names a staff login attempt in its log: by the keyed hash that
    client_network() gave it, never the address."""
    return f"{username!r} from client {(ip_address or '')[:12]}"


def is_cross_site(request: HttpRequest) -> bool:
    """Whether a browser sent this request from another site's page: by the site it says it
    came from (Sec-Fetch-Site, from every browser of the last years), else by its Origin, else
    (older browsers send neither on a form's post) by the page it names as its referrer. A
    request with none of them came from no browser, or from one that tells nothing: no other
    site's page can have made a current browser send it."""
    fetched_from = request.headers.get("Sec-Fetch-Site")
    if fetched_from is not None:
        return fetched_from not in {"same-origin", "none"}
    came_from = request.headers.get("Origin")
    if came_from is None and (referrer := request.headers.get("Referer")):
        try:
            parts = urlsplit(referrer)
        except ValueError:  # such as an unclosed "[": from no page of ours
            return True
        came_from = f"{parts.scheme}://{parts.netloc}"
    if came_from is None:
        return False
    own = f"{request.scheme}://{request.get_host()}"
    return came_from not in {own, settings.SITE_URL, *settings.CSRF_TRUSTED_ORIGINS}
