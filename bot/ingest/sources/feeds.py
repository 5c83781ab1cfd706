"""Feed bytes -> items: RSS 0.9x-2.0 and Atom via feedparser, sitemaps and link lists via lxml.

Pure functions (no I/O): the poller runs them off the event loop.
"""

from __future__ import annotations

import calendar
import datetime as dt
import email.utils
import hashlib
import html
import re
from dataclasses import dataclass

import feedparser
import lxml.etree
import lxml.html

from bot.ingest.sources.urls import BadUrl, absolute, clean_url, url_key

_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*?encoding=[\"']([A-Za-z0-9._-]+)[\"'][^>]*\?>", re.I)
_TAG = re.compile(r"<[^>]+>")
_CYRILLIC_LOWER = re.compile(r"[а-яё]")
_CYRILLIC_UPPER = re.compile(r"[А-ЯЁ]")
_SINGLE_BYTE_RUSSIAN = ("cp1251", "koi8_r")


class FeedError(ValueError):
    """A feed we cannot read; the message is the per-source reason."""


@dataclass(frozen=True)
class FeedItem:
    """One entry: where its article lives and what the feed says about it."""

    link: str  # absolute, cleaned
    key: str  # url_key(link): identity for "seen before"
    title: str  # plain text
    published: dt.date | None  # the feed's date; the page's wins when it has one
    fingerprint: str  # changes when the feed's entry changes (title, summary, dates)
    original: str = ""  # the link exactly as the feed gave it (made absolute)


def looks_like_html(raw: bytes) -> bool:
    """A web page served where XML was expected ("200 OK" with the site's front page)."""
    head = raw[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html")) or (
        b"<html" in head and not head.startswith(b"<?xml")
    )


def plain_text(value: str) -> str:
    """Titles and descriptions without markup or entities: "<b>Токаев</b> &amp; Си"."""
    return re.sub(r"\s+", " ", html.unescape(_TAG.sub(" ", value))).strip()


def russian_score(text: str) -> int:
    """Lower-case minus twice the capital Cyrillic letters: highest for the right charset."""
    # cp1251 read as koi8-r (and the other way round) turns lower-case letters into capitals.
    return len(_CYRILLIC_LOWER.findall(text)) - 2 * len(_CYRILLIC_UPPER.findall(text))


def to_utf8(raw: bytes, header_charset: str | None) -> bytes:
    """The feed re-encoded as UTF-8 with a matching declaration.

    Trust order: bytes that are valid UTF-8 are UTF-8; otherwise the declared charset (XML
    declaration, then HTTP header) if it decodes, unless windows-1251 or koi8-r reads as much
    better Russian (a feed declaring one while sending the other).
    """
    match = _XML_DECL.match(raw)
    declared = (match.group(1).decode() if match else None) or header_charset
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        candidates: list[tuple[int, str]] = []
        for charset in (declared, *_SINGLE_BYTE_RUSSIAN):
            if not charset:
                continue
            try:
                decoded = raw.decode(charset)
            except (UnicodeDecodeError, LookupError):
                continue
            # The declared charset wins ties: a small bonus keeps it unless clearly worse.
            bonus = 10 if charset == declared else 0
            candidates.append((russian_score(decoded) + bonus, decoded))
        if not candidates:
            raise FeedError("undecodable bytes in an unknown charset") from None
        text = max(candidates, key=lambda c: c[0])[1]
    if match:
        text = re.sub(
            r"^\s*<\?xml[^>]*\?>", '<?xml version="1.0" encoding="utf-8"?>', text, count=1
        )
    return text.encode("utf-8")


def parse_feed(raw: bytes, url: str, content_type: str | None = None) -> list[FeedItem]:
    """Items of an RSS or Atom feed fetched from `url`, or FeedError with the reason."""
    if not raw.strip():
        raise FeedError("empty response where a feed was expected")
    if looks_like_html(raw):
        raise FeedError("HTML page where a feed was expected")
    charset = _charset(content_type)
    data = to_utf8(raw, charset)
    parsed = feedparser.parse(
        data,
        response_headers={
            "content-type": "application/xml; charset=utf-8",
            "content-location": url,
        },
        sanitize_html=True,
        resolve_relative_uris=True,
    )
    base = parsed.feed.get("link") or url
    items = _entries(parsed.entries, url, base)
    if parsed.bozo and not items:
        error = parsed.get("bozo_exception")
        reason = _xml_error(error)
        raise FeedError(f"broken XML: {reason}" if reason else "not a feed (no items)")
    if not parsed.version and not items:
        raise FeedError("not an RSS or Atom feed")
    return items


def _charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    match = re.search(r"charset=[\"']?([A-Za-z0-9._-]+)", content_type, re.I)
    return match.group(1) if match else None


def _xml_error(error: object) -> str:
    if error is None:
        return ""
    line = getattr(error, "getLineNumber", None)
    where = f"line {line()}: " if callable(line) else ""
    message = getattr(error, "getMessage", None)
    text = message() if callable(message) else str(error)
    return f"{where}{text}"[:200]


def _entries(entries: list[dict[str, object]], url: str, base: str) -> list[FeedItem]:
    items: list[FeedItem] = []
    seen: set[str] = set()
    for entry in entries:
        link = _link(entry, url, base)
        if link is None:
            continue
        guid = str(entry.get("id") or "") or link
        try:
            key = url_key(link)
        except BadUrl:
            continue
        # Duplicate GUIDs or links (a feed listing one story twice): the first one counts.
        if guid in seen or key in seen:
            continue
        seen.update((guid, key))
        title = plain_text(str(entry.get("title") or ""))
        summary = plain_text(str(entry.get("summary") or ""))
        published = _entry_date(entry)
        # dict.get: FeedParserDict.get maps "updated" to "published" with a warning.
        updated = str(dict.get(entry, "updated") or dict.get(entry, "published") or "")
        fingerprint = hashlib.sha256(
            "\x1f".join((title, summary, updated)).encode("utf-8")
        ).hexdigest()[:32]
        original = absolute(str(dict.get(entry, "link") or link), absolute(base, url))
        items.append(FeedItem(link, key, title, published, fingerprint, original))
    return items


def _link(entry: dict[str, object], url: str, base: str) -> str | None:
    raw = entry.get("link")
    if not raw:
        for candidate in entry.get("links") or []:  # type: ignore[attr-defined]
            if isinstance(candidate, dict) and candidate.get("href"):
                raw = candidate["href"]
                break
    if not raw and str(entry.get("id") or "").startswith(("http://", "https://")):
        raw = entry["id"]  # RSS guid isPermaLink
    if not raw:
        return None
    try:
        return clean_url(absolute(str(raw), absolute(base, url)))
    except BadUrl:
        return None  # mailto:, javascript: and the like


def _entry_date(entry: dict[str, object]) -> dt.date | None:
    # The publisher's own calendar day: "Wed, 03 Sep 2025 01:15 +0500" is 3 September in
    # Astana, though feedparser's *_parsed (UTC) says the 2nd.
    for name in ("published", "updated", "created"):
        raw = dict.get(entry, name)
        if isinstance(raw, str) and raw.strip():
            local = _local_date(raw.strip())
            if local is not None:
                return local
    for name in ("published_parsed", "updated_parsed", "created_parsed"):
        value = dict.get(entry, name)
        if value:
            try:
                moment = dt.datetime.fromtimestamp(calendar.timegm(value), dt.UTC)  # type: ignore[arg-type]
            except (OverflowError, ValueError, TypeError):
                continue
            return moment.date()
    return None


def _local_date(raw: str) -> dt.date | None:
    try:
        return email.utils.parsedate_to_datetime(raw).date()
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return dt.datetime.fromisoformat(raw.replace("Z", "+00:00")).date()
    except ValueError:
        return None


# --- sites without a feed ----------------------------------------------------------------


def parse_sitemap(raw: bytes, url: str) -> list[FeedItem]:
    """<url><loc> entries of a (news) sitemap, with <lastmod> or news:publication_date."""
    if looks_like_html(raw):
        raise FeedError("HTML page where a sitemap was expected")
    try:
        root = lxml.etree.fromstring(raw, parser=lxml.etree.XMLParser(resolve_entities=False))
    except lxml.etree.XMLSyntaxError as exc:
        raise FeedError(f"broken XML: {exc}") from exc
    if lxml.etree.QName(root).localname == "sitemapindex":
        raise FeedError("a sitemap index: give the source one of its child sitemaps")
    items: list[FeedItem] = []
    seen: set[str] = set()
    for node in root.iter("{*}url"):
        if (found := _new_link(node.findtext("{*}loc"), url, seen)) is None:
            continue
        link, key = found
        stamp = node.findtext(".//{*}publication_date") or node.findtext("{*}lastmod") or ""
        title = plain_text(node.findtext(".//{*}title") or "")
        fingerprint = hashlib.sha256(f"{title}\x1f{stamp}".encode()).hexdigest()[:32]
        items.append(FeedItem(link, key, title, _iso_date(stamp), fingerprint))
    return items


def _html_tree(raw: bytes) -> lxml.html.HtmlElement:
    """The page parsed as UTF-8 when it is valid UTF-8: without a <meta charset>, lxml would
    read its bytes as Latin-1 («Ð\x9fÐµÑ\x80...»). Other charsets are left to the page's meta."""
    try:
        return lxml.html.fromstring(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return lxml.html.fromstring(raw)
    except ValueError:  # an XML declaration with an encoding: lxml wants the bytes then
        return lxml.html.fromstring(raw)


def _new_link(href: str | None, base: str, seen: set[str]) -> tuple[str, str] | None:
    """The cleaned absolute link and its dedupe key, unless empty, unusable or seen already."""
    if not href:
        return None
    try:
        link = clean_url(absolute(href, base))
        key = url_key(link)
    except BadUrl:
        return None
    if key in seen:
        return None
    seen.add(key)
    return link, key


def parse_link_list(raw: bytes, url: str) -> list[FeedItem]:
    """Links of a news list page (the caller keeps those under the source's keep_paths)."""
    try:
        tree = _html_tree(raw)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise FeedError(f"unreadable HTML: {exc}") from exc
    items: list[FeedItem] = []
    seen: set[str] = set()
    for anchor in tree.iter("a"):
        if (found := _new_link(anchor.get("href"), url, seen)) is None:
            continue
        link, key = found
        title = plain_text(anchor.text_content())
        items.append(
            FeedItem(link, key, title, None, hashlib.sha256(key.encode()).hexdigest()[:32])
        )
    return items


def _iso_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None
