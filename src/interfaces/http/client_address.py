"""Which address a request comes from, without letting the client choose it.

The socket peer, unless the peer is a trusted proxy: then the right-most entry of
``X-Forwarded-For`` that is not itself a trusted proxy. Entries left of that were written by the
client and prove nothing; a header from an untrusted peer is ignored entirely.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, MutableMapping
from functools import lru_cache
from typing import Any

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class ClientAddressResolver:
    def __init__(self, trusted_proxies: Iterable[str]) -> None:
        self._trusted: tuple[IPNetwork, ...] = tuple(ipaddress.ip_network(n, strict=False) for n in trusted_proxies)

    def _is_trusted(self, address: str) -> bool:
        if not self._trusted:
            return False
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self._trusted)

    def resolve(self, scope: MutableMapping[str, Any]) -> str:
        client = scope.get("client")
        peer = str(client[0]) if client else "unknown"
        if not self._is_trusted(peer):
            return peer
        forwarded: list[str] = []
        for key, value in scope.get("headers", ()):
            if bytes(key).lower() == b"x-forwarded-for":
                forwarded.extend(part.strip() for part in bytes(value).decode("latin-1").split(","))
        for candidate in reversed([f for f in forwarded if f]):
            address = _strip_port(candidate)
            if address is None:
                return peer  # a malformed hop: trust nothing beyond our own proxy
            if not self._is_trusted(address):
                return address
        return peer


def _strip_port(entry: str) -> str | None:
    """``203.0.113.9``, ``203.0.113.9:4711``, ``[2001:db8::1]:4711`` or ``2001:db8::1``."""
    candidate = entry
    if candidate.startswith("["):
        candidate = candidate[1 : candidate.find("]")] if "]" in candidate else ""
    elif candidate.count(":") == 1:
        candidate = candidate.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None


@lru_cache(maxsize=4096)  # parsing an address costs more than the rest of the rate-limit gate
def client_bucket(address: str) -> str:
    """What counts as one client for limits: an IPv4 address, or an IPv6 /64 (one subscriber
    typically holds a whole /64 and could otherwise rotate through fresh buckets)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)
