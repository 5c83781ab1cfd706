"""HTTP for the publishers: one session, polite per host, capped, guarded against SSRF."""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import ipaddress
import logging
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

import aiohttp
from aiohttp.abc import ResolveResult

from bot.clock import Clock, system_clock
from bot.ingest.sources.urls import BadUrl, absolute, clean_url, host_of

log = logging.getLogger(__name__)

CONTACT_URL = "https://github.com/dipbrief/dipbrief"  # SOURCES_CONTACT_URL overrides it


def user_agent(contact: str = CONTACT_URL) -> str:
    """Names itself a feed reader (some engines, AKIpress, serve HTML to anything else) and
    says where to reach the operator."""
    return f"Dipbrief/0.1 (RSS reader of a news briefing bot; +{contact})"


USER_AGENT = user_agent()
FEED_CAP = 5 * 1024 * 1024
PAGE_CAP = 3 * 1024 * 1024
MAX_REDIRECTS = 5
CONNECT_TIMEOUT = 10.0
TOTAL_TIMEOUT = 30.0
HOST_DELAY = 2.0  # seconds between two requests to one host
_REDIRECTS = {301, 302, 303, 307, 308}
_PERMANENT = {301, 308}
_CHUNK = 64 * 1024


class FetchError(Exception):
    """A request that got no HTTP answer; `kind` sorts it for `sources check`."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind  # timeout | dns | connect | refused | redirects | bad-url


class BlockedAddress(OSError):
    """A host resolving to loopback, private or link-local space (SSRF guard)."""


@dataclass(frozen=True)
class Fetched:
    """One HTTP answer, body read up to its cap."""

    url: str  # the address that answered (after redirects)
    status: int
    body: bytes
    headers: dict[str, str]  # lower-case names
    truncated: bool = False
    moved_to: str | None = None  # new address when every redirect on the way was permanent
    retry_after: float | None = None  # seconds, from Retry-After on 429/503

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")


def forbidden_address(ip: str) -> bool:
    """Loopback, private, link-local, multicast or otherwise not a public address."""
    address = ipaddress.ip_address(ip.split("%", 1)[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return bool(
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


class GuardedResolver(aiohttp.ThreadedResolver):
    """Resolves as usual, then refuses the host if ANY of its addresses is not public:
    a name with one public and one private record could otherwise reach the intranet."""

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await super().resolve(host, port, family)
        for result in results:
            if forbidden_address(result["host"]):
                raise BlockedAddress(f"{host} resolves to a non-public address {result['host']}")
        return results


def retry_after_seconds(value: str | None, now: dt.datetime) -> float | None:
    """Retry-After as seconds: either a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - now).total_seconds())


@dataclass
class _Host:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    last: float | None = None  # monotonic time the last request to it ended


class Fetcher:
    """GETs with one shared ClientSession. Per host: one request at a time and at least
    `host_delay` seconds between two. Bodies are streamed and cut at their cap."""

    def __init__(
        self,
        *,
        allow_private: bool = False,
        host_delay: float = HOST_DELAY,
        connect_timeout: float = CONNECT_TIMEOUT,
        total_timeout: float = TOTAL_TIMEOUT,
        user_agent: str = USER_AGENT,
        clock: Clock = system_clock,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.allow_private = allow_private
        self.host_delay = host_delay
        self._timeout = aiohttp.ClientTimeout(total=total_timeout, sock_connect=connect_timeout)
        self.total_timeout = total_timeout
        self._user_agent = user_agent
        self._clock, self._monotonic, self._sleep = clock, monotonic, sleep
        self._hosts: dict[str, _Host] = {}
        self._session: aiohttp.ClientSession | None = None
        self.requests = 0  # sent so far, for reports and benchmarks

    async def __aenter__(self) -> Self:
        resolver = aiohttp.ThreadedResolver() if self.allow_private else GuardedResolver()
        connector = aiohttp.TCPConnector(resolver=resolver, limit=20, ttl_dns_cache=300)
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=self._timeout,
            # aiohttp sends Accept-Encoding: gzip, deflate and decompresses while streaming,
            # so the caps below count decompressed bytes (a small gzip bomb is cut off too).
            headers={"User-Agent": self._user_agent},
            auto_decompress=True,
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def get(
        self,
        url: str,
        *,
        cap: int,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = "*/*",
    ) -> Fetched:
        """GET following at most MAX_REDIRECTS redirects; HTTP errors come back as statuses,
        no answer at all raises FetchError."""
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        permanent = True
        current = self._checked(url)
        for _hop in range(MAX_REDIRECTS + 1):
            status, location, answer = await self._request(current, headers, cap)
            if answer is not None:
                moved = current if permanent and current != self._checked(url) else None
                return Fetched(
                    url=current,
                    status=answer.status,
                    body=answer.body,
                    headers=answer.headers,
                    truncated=answer.truncated,
                    moved_to=moved,
                    retry_after=answer.retry_after,
                )
            permanent = permanent and status in _PERMANENT
            current = self._checked(absolute(location, current))
        raise FetchError("redirects", f"more than {MAX_REDIRECTS} redirects from {url}")

    def _checked(self, url: str) -> str:
        try:
            cleaned = clean_url(url)
        except BadUrl as exc:
            raise FetchError("bad-url", str(exc)) from exc
        host = host_of(cleaned).strip("[]")
        if not self.allow_private:
            try:
                literal = forbidden_address(host)
            except ValueError:
                literal = False  # a name: the resolver checks every address it has
            if literal:
                raise FetchError("refused", f"{host} is not a public address")
        return cleaned

    async def _request(
        self, url: str, headers: dict[str, str], cap: int
    ) -> tuple[int, str, _Answer | None]:
        if self._session is None:
            raise RuntimeError("Fetcher is not open: use `async with Fetcher()`")
        host = self._hosts.setdefault(host_of(url), _Host())
        async with host.lock:
            if host.last is not None:
                wait = host.last + self.host_delay - self._monotonic()
                if wait > 0:
                    await self._sleep(wait)
            try:
                self.requests += 1
                return await self._exchange(url, headers, cap)
            finally:
                host.last = self._monotonic()

    async def _exchange(
        self, url: str, headers: dict[str, str], cap: int
    ) -> tuple[int, str, _Answer | None]:
        assert self._session is not None
        try:
            async with self._session.get(url, headers=headers, allow_redirects=False) as resp:
                location = resp.headers.get("Location")
                if resp.status in _REDIRECTS and location:
                    return resp.status, location, None
                body, truncated = await _read_capped(resp, cap)
                if truncated:
                    log.warning("%s: cut off at %d bytes (cap)", url, cap)
                answer = _Answer(
                    status=resp.status,
                    body=body,
                    headers={k.lower(): v for k, v in resp.headers.items()},
                    truncated=truncated,
                    retry_after=(
                        retry_after_seconds(resp.headers.get("Retry-After"), self._clock())
                        if resp.status in (429, 503)
                        else None
                    ),
                )
                return resp.status, "", answer
        except TimeoutError as exc:
            raise FetchError("timeout", f"timed out after {self.total_timeout:g} s") from exc
        except aiohttp.ClientConnectorError as exc:
            if isinstance(exc.os_error, BlockedAddress):
                raise FetchError("refused", str(exc.os_error)) from exc
            if isinstance(exc, aiohttp.ClientConnectorDNSError) or isinstance(
                exc.os_error, socket.gaierror
            ):
                raise FetchError("dns", f"cannot resolve {exc.host}") from exc
            raise FetchError("connect", f"cannot connect to {exc.host}: {exc.os_error}") from exc
        except aiohttp.InvalidURL as exc:
            raise FetchError("bad-url", f"invalid address {url[:200]}") from exc
        except aiohttp.ClientError as exc:
            raise FetchError("connect", f"{type(exc).__name__}: {exc}") from exc


@dataclass(frozen=True)
class _Answer:
    status: int
    body: bytes
    headers: dict[str, str]
    truncated: bool
    retry_after: float | None


async def _read_capped(resp: aiohttp.ClientResponse, cap: int) -> tuple[bytes, bool]:
    """Up to `cap` bytes of the body, streamed: a bigger one is never held whole."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.content.iter_chunked(_CHUNK):
        if size + len(chunk) > cap:
            chunks.append(chunk[: cap - size])
            return b"".join(chunks), True
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks), False
