"""URL hygiene: one spelling per article (dedupe) and a clean link to show (citations)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

# Parameters that say how a reader arrived, never which page it is.
# "https://kazinform.kz/news/x?utm_source=telegram&utm_medium=social" -> ".../news/x"
_TRACKING = re.compile(
    r"^(?:utm_\w*|fbclid|gclid|dclid|yclid|ysclid|_openstat|mc_cid|mc_eid|igshid|"
    r"from|ref|ref_src|rss|share|spm|cmpid|_ga|_gl)$",
    re.IGNORECASE,
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


class BadUrl(ValueError):
    """Not an http(s) address we are willing to fetch or store."""


def absolute(link: str, base: str) -> str:
    """A link from a feed or page made absolute against the document's address."""
    return urljoin(base, link.strip())


def clean_url(url: str) -> str:
    """The address to show and fetch: lower-case host, no default port, no fragment, no
    tracking parameters. Scheme, `www.` and path are kept (the site may need them)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise BadUrl(f"not an http(s) address: {url[:200]!r}")
    host = parts.hostname.lower().rstrip(".")
    try:
        port = parts.port
    except ValueError as exc:
        raise BadUrl(f"bad port in {url[:200]!r}") from exc
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    if ":" in host and not host.startswith("["):  # IPv6 literal
        netloc = f"[{host}]" if port in (None, _DEFAULT_PORTS[scheme]) else f"[{host}]:{port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    kept = [(k, v) for k, v in query if not _TRACKING.match(k)]
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(kept), ""))


def url_key(url: str) -> str:
    """The identity of a page for dedupe: clean_url, then https, no `www.`, no trailing
    slash, sorted parameters. "http://www.Zakon.kz/news/1/?utm_source=x" and
    "https://zakon.kz/news/1" are one article."""
    parts = urlsplit(clean_url(url))
    host = parts.netloc.removeprefix("www.")
    path = parts.path.rstrip("/") or "/"
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return urlunsplit(("https", host, path, query, ""))


def host_of(url: str) -> str:
    """The host name (lower case) an address points at; '' when it has none."""
    return (urlsplit(url).hostname or "").lower()


def path_allowed(url: str, keep: tuple[str, ...], drop: tuple[str, ...]) -> bool:
    """The source's URL filters: a path must start with one `keep` prefix (when any are
    given) and with no `drop` prefix."""
    path = urlsplit(url).path or "/"
    if keep and not any(path.startswith(prefix) for prefix in keep):
        return False
    return not any(path.startswith(prefix) for prefix in drop)
