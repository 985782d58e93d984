"""A service's address as the creator types it, checked before any key goes there.

Keys travel in a header of every request, so an address that is plain http:// to another
machine would hand the key to anyone on the way: it is refused unless the creator says so
(`--allow-insecure`, or the settings dialog's box). Loopback (this machine: localhost,
127.x, ::1) is exempt, as local servers such as Ollama or a gateway on this machine speak
plain http. The address is also tidied so that a path the backend adds itself is not
doubled: `https://gateway.example/v1` must not become `/v1/v1/videos`.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from foundry_desktop.errors import InvalidEditError

# Backends whose request paths already start with /v1 (Runway, Replicate): their address is the root.
ROOT_ADDRESSED = frozenset({"runway", "replicate"})


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def service_address(url: str, *, service: str, allow_insecure: bool = False) -> str:
    """`url` tidied for `service` ("runway", "openai", "assist"...), or InvalidEditError in words."""
    url = url.strip().rstrip("/")
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018 (a port that is not a number raises here)
    except ValueError:
        host = ""
    if parts.scheme not in ("http", "https") or not host:
        raise InvalidEditError(f"{url!r} is not a web address: give it as https://host/path "
                               f"(or http:// on this machine).")
    if parts.scheme == "http" and not is_loopback(host) and not allow_insecure:
        raise InvalidEditError(
            f"{url} is plain http://, so the {service} key would cross the network unencrypted. Use https://, "
            f"or, if this network is yours, allow it explicitly (--allow-insecure).")
    return api_root(url, service=service)


def api_root(url: str, *, service: str) -> str:
    """The address the backend adds its paths to: no /v1 for those whose paths start with it, and
    never /v1/v1 for the OpenAI-compatible ones (whose address ends in /v1 and whose paths do not)."""
    url = url.rstrip("/")
    if service in ROOT_ADDRESSED:
        return url.removesuffix("/v1")
    while url.endswith("/v1/v1"):
        url = url.removesuffix("/v1")
    return url


def insecure_address(url: str) -> bool:
    """Whether `url` is plain http:// to another machine (what needs the creator's explicit yes)."""
    parts = urlsplit(url.strip())
    return parts.scheme == "http" and not is_loopback(parts.hostname or "")
