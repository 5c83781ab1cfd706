"""Article page bytes -> clean text, title, date, author and canonical link (trafilatura).

Pure functions (no I/O): the poller runs them off the event loop.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import htmldate
import lxml.etree
import lxml.html
import trafilatura

from bot.ingest.files import clean_body, clean_title
from bot.ingest.sources.feeds import plain_text, russian_score
from bot.ingest.sources.urls import BadUrl, absolute, clean_url

# Page debris trafilatura may keep, one rule per situation, each with an example line.
_DEBRIS = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"^(?:читайте|смотрите) также\b",  # «Читайте также: Токаев встретился с …»
        r"^(?:поделиться|поделитесь|share)\b",  # «Поделиться: Telegram WhatsApp»
        r"^подписывайтесь\b",  # «Подписывайтесь на наш канал в Telegram»
        r"\bcookie",  # «Мы используем файлы cookie …»
        r"^комментари\w*\s*[:(]?\s*\d+",  # «Комментарии (12)»
        r"^(?:нашли ошибку|если вы нашли ошибку)",  # «Нашли ошибку? Выделите текст …»
        r"^(?:теги|метки|tags)\s*:",  # «Теги: Китай, ШОС»
        r"^(?:фото|источник фото)\s*:",  # «Фото: пресс-служба Акорды»
        r"^(?:telegram|whatsapp|facebook|vk|вконтакте|x|twitter|ok)(?:[\s,|•·]+"
        r"(?:telegram|whatsapp|facebook|vk|вконтакте|x|twitter|ok))*$",  # share buttons
        r"^\d+\s*(?:просмотр\w*|комментари\w*)$",  # «1 245 просмотров»
    )
]
_META_CHARSET = re.compile(r"charset=[\"']?([A-Za-z0-9._-]+)", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_DATE_PARAMS = {"extensive_search": False, "original_date": True}


class PageError(ValueError):
    """A page with no article in it; the message is the reason."""


@dataclass(frozen=True)
class Page:
    title: str
    body: str
    published: dt.date | None  # the page's date, else the feed's; never the fetch time
    author: str | None
    canonical: str | None  # <link rel=canonical> / og:url, absolute and cleaned


def extract_page(
    raw: bytes,
    url: str,
    feed_title: str = "",
    feed_date: dt.date | None = None,
    content_type: str | None = None,
) -> Page:
    """The article on a fetched page, or PageError."""
    html = decode_html(raw, content_type)
    try:
        tree = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise PageError(f"unreadable HTML: {exc}") from exc
    document = trafilatura.bare_extraction(
        tree,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
        date_extraction_params=_DATE_PARAMS,
    )
    text = str(getattr(document, "text", "") or "") if document is not None else ""
    page_title = str(getattr(document, "title", "") or "") if document is not None else ""
    title = clean_title(plain_text(page_title) or feed_title)
    if not title:
        raise PageError("page has no title")
    body = clean_body(title, _drop_debris(text))
    if not body:
        raise PageError("no article text found on the page")
    author = getattr(document, "author", None) if document is not None else None
    return Page(
        title=title,
        body=body,
        published=_page_date(document, tree, url) or feed_date,
        author=str(author) if author else None,
        canonical=canonical_link(tree, url),
    )


def decode_html(raw: bytes, content_type: str | None = None) -> str:
    """Page bytes as text: <meta charset>, then the HTTP header, then UTF-8, then the
    single-byte Russian charset that reads as Russian (windows-1251 or koi8-r)."""
    head = raw[:4096].decode("ascii", "replace")
    declared = [m.group(1) for m in _META_CHARSET.finditer(head)][:1]
    declared += [m.group(1) for m in _META_CHARSET.finditer(content_type or "")][:1]
    for charset in (*declared, "utf-8"):
        try:
            text = raw.decode(charset)
        except (UnicodeDecodeError, LookupError):
            continue
        break
    else:
        text = max((raw.decode(c, "replace") for c in ("cp1251", "koi8_r")), key=russian_score)
    # lxml refuses text that still carries an encoding declaration.
    return _XML_DECLARATION.sub("", text, count=1)


def canonical_link(tree: lxml.html.HtmlElement, url: str) -> str | None:
    """The address the page says is its own, if it says one."""
    for xpath in ('//link[@rel="canonical"]/@href', '//meta[@property="og:url"]/@content'):
        for value in tree.xpath(xpath):
            try:
                return clean_url(absolute(str(value), url))
            except BadUrl:
                continue
    return None


def _drop_debris(text: str) -> str:
    kept = [line for line in text.split("\n") if not _is_debris(line.strip())]
    return "\n".join(kept)


def _is_debris(line: str) -> bool:
    return any(rule.search(line) for rule in _DEBRIS) if line else False


def _page_date(document: object, tree: lxml.html.HtmlElement, url: str) -> dt.date | None:
    # 1. trafilatura's metadata (meta tags, JSON-LD, <time>), 2. htmldate on the markup and
    # the address; no guessing from dates mentioned in the text (they are often other events).
    found = getattr(document, "date", None) if document is not None else None
    if not found:
        try:
            found = htmldate.find_date(tree, url=url, **_DATE_PARAMS)  # type: ignore[arg-type]
        except ValueError:
            found = None
    if not found:
        return None
    try:
        return dt.date.fromisoformat(str(found)[:10])
    except ValueError:
        return None
