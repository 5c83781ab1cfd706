"""A local fake news publisher (aiohttp) serving feeds and article pages in the formats real
publishers use: RSS 2.0, Atom, windows-1251, pages heavy with boilerplate, conditional GET,
429/503 with Retry-After, redirects, slow and oversized answers, HTML or broken XML where a
feed should be. Every text here is written for these tests (never copied from a site).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import hashlib
import html
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiohttp import web


@dataclass
class Resource:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering
    conditional: bool = True  # ETag / Last-Modified, 304 on a match
    stream_bytes: int = 0  # instead of body: this many bytes, streamed in chunks

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'


class FakePublisher:
    """Serves `resources` by path; counts hits and keeps every request's headers."""

    def __init__(self) -> None:
        self.resources: dict[str, Resource] = {}
        self.hits: Counter[str] = Counter()
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.app = web.Application()
        self.app.router.add_route("GET", "/{tail:.*}", self._handle)
        self.base = ""
        self._changed = asyncio.Event()

    def url(self, path: str) -> str:
        return self.base + path

    def put(
        self, path: str, body: bytes | str, content_type: str | None = None, **kw: object
    ) -> None:
        raw = body.encode("utf-8") if isinstance(body, str) else body
        if content_type is None:
            content_type = (
                "application/rss+xml; charset=utf-8"
                if path.endswith(".xml")
                else ("text/html; charset=utf-8")
            )
        self.resources[path] = Resource(body=raw, content_type=content_type, **kw)  # type: ignore[arg-type]

    async def until(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until `condition()` holds, rechecking after each request."""
        async with asyncio.timeout(timeout):
            while not condition():
                self._changed.clear()
                await self._changed.wait()

    def page_hits(self) -> int:
        return sum(n for path, n in self.hits.items() if path.startswith("/news/"))

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        self.hits[path] += 1
        self.requests.append((path, dict(request.headers)))
        self._changed.set()
        res = self.resources.get(path)
        if res is None and path + "/" in self.resources:  # like most sites: add the slash
            return web.Response(status=301, headers={"Location": path + "/"})
        if res is None:
            return web.Response(status=404, text="not found")
        if res.delay:
            await asyncio.sleep(res.delay)
        if res.stream_bytes:
            return await self._stream(request, res)
        headers = dict(res.headers)
        if res.conditional and res.status == 200:
            headers["ETag"] = res.etag
            if request.headers.get("If-None-Match") == res.etag:
                return web.Response(status=304, headers=headers)
        headers.setdefault("Content-Type", res.content_type)
        return web.Response(status=res.status, body=res.body, headers=headers)

    async def _stream(self, request: web.Request, res: Resource) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": res.content_type})
        await response.prepare(request)
        chunk = b" " * 65536  # padding after one item: the XML parser skips it quickly
        await response.write(b'<?xml version="1.0"?><rss version="2.0"><channel>')
        await response.write(b"<item><title>x</title><link>/news/x</link></item>")
        sent = 0
        try:
            while sent < res.stream_bytes:
                await response.write(chunk)
                sent += len(chunk)
        except (ConnectionResetError, RuntimeError):  # the client stopped reading: as intended
            return response
        await response.write_eof()
        return response


@asynccontextmanager
async def running_publisher(
    publisher: FakePublisher | None = None,
) -> AsyncIterator[FakePublisher]:
    publisher = publisher or FakePublisher()
    runner = web.AppRunner(publisher.app, access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    publisher.base = f"http://127.0.0.1:{port}"
    try:
        yield publisher
    finally:
        await runner.cleanup()


# --- documents in the publishers' formats -----------------------------------------------------


@dataclass(frozen=True)
class Story:
    slug: str
    title: str
    paragraphs: tuple[str, ...]
    published: dt.datetime | None = None
    author: str | None = None

    @property
    def path(self) -> str:
        return f"/news/{self.slug}/"


def rfc822(moment: dt.datetime) -> str:
    return email.utils.format_datetime(moment)


def rss(
    items: Sequence[tuple[str, str, dt.datetime | None, str]],
    *,
    encoding: str = "utf-8",
    declared: str | None = None,
    channel_link: str = "/",
) -> bytes:
    """RSS 2.0: items are (title, link, date or None, description) with HTML allowed."""
    parts = [
        f'<?xml version="1.0" encoding="{declared or encoding}"?>',
        '<rss version="2.0"><channel><title>Новости</title>',
        f"<link>{html.escape(channel_link)}</link><description>Лента</description>",
    ]
    for title, link, when, description in items:
        parts.append("<item>")
        parts.append(f"<title>{html.escape(title)}</title>")
        parts.append(f"<link>{html.escape(link)}</link>")
        parts.append(f'<guid isPermaLink="false">{html.escape(link.split("?")[0])}</guid>')
        if when is not None:
            parts.append(f"<pubDate>{rfc822(when)}</pubDate>")
        parts.append(f"<description><![CDATA[{description}]]></description>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "\n".join(parts).encode(encoding)


def atom(items: Sequence[tuple[str, str, dt.datetime]], *, self_link: str = "/") -> bytes:
    """Atom 1.0: items are (title, link, date)."""
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>Лента</title>',
        f'<link href="{html.escape(self_link)}"/><id>urn:fake:feed</id>',
        "<updated>2025-09-01T08:00:00Z</updated>",
    ]
    for title, link, when in items:
        parts += [
            "<entry>",
            f'<title type="html">{html.escape(title)}</title>',
            f'<link rel="alternate" href="{html.escape(link)}"/>',
            f"<id>{html.escape(link)}</id>",
            f"<updated>{when.isoformat()}</updated>",
            f"<published>{when.isoformat()}</published>",
            "</entry>",
        ]
    parts.append("</feed>")
    return "\n".join(parts).encode("utf-8")


def page(story: Story, base: str, *, canonical: bool = True, charset: str = "utf-8") -> bytes:
    """An article page with the debris real sites wrap around the text."""
    meta = []
    if story.published is not None:
        meta.append(
            f'<meta property="article:published_time" content="{story.published.isoformat()}">'
        )
    if story.author:
        meta.append(f'<meta name="author" content="{html.escape(story.author)}">')
    if canonical:
        meta.append(f'<link rel="canonical" href="{base}{story.path}">')
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in story.paragraphs)
    document = f"""<!DOCTYPE html>
<html lang="ru"><head><meta charset="{charset}">
<title>{html.escape(story.title)} | Тестовые новости</title>
{"".join(meta)}
</head><body>
<header><nav><ul><li><a href="/">Главная</a></li><li><a href="/politics/">Политика</a></li>
<li><a href="/economy/">Экономика</a></li><li><a href="/sport/">Спорт</a></li></ul></nav></header>
<div class="cookie-banner">Мы используем файлы cookie, чтобы сайт работал лучше.
<button>Принять</button></div>
<main><article>
<h1>{html.escape(story.title)}</h1>
<div class="meta"><span class="views">1 245 просмотров</span>
<span class="comments">Комментарии (3)</span></div>
{body}
<p>Читайте также: Курс тенге на утро понедельника</p>
<div class="share">Поделиться: Telegram WhatsApp Facebook</div>
</article>
<aside><h3>Популярное</h3><ul><li><a href="/news/other-1/">Погода на выходные в Алматы</a></li>
<li><a href="/news/other-2/">Пробки на проспекте Абая</a></li></ul></aside></main>
<footer><p>Все права защищены. Перепечатка только со ссылкой на источник.</p>
<p>Подписывайтесь на наш канал в Telegram</p></footer>
</body></html>"""
    return document.encode(charset)


# --- the stories (written for the tests) ------------------------------------------------------

MSK = dt.timezone(dt.timedelta(hours=5))

CORRIDOR = Story(
    "corridor-khorgos",
    "Казахстан и Китай откроют новый контейнерный маршрут через Хоргос",
    (
        "Казахстан и Китай договорились открыть новый регулярный контейнерный маршрут через "
        "сухой порт Хоргос, сообщило министерство транспорта Казахстана.",
        "По словам министра, первые поезда пойдут из Сианя в Алматы уже в октябре, а время в "
        "пути сократится до пяти суток.",
        "Стороны рассчитывают, что к 2027 году объём транзитных перевозок между двумя странами "
        "вырастет на 30 процентов.",
    ),
    dt.datetime(2025, 8, 30, 10, 15, tzinfo=MSK),
    "Айгерим Садыкова",
)
GRAIN = Story(
    "grain-exports",
    "В Астане обсудили рост поставок казахстанского зерна в Китай",
    (
        "В Астане прошла встреча представителей министерства сельского хозяйства Казахстана и "
        "таможенной службы КНР, посвящённая экспорту зерна.",
        "Китайская сторона готова увеличить закупки казахстанской пшеницы и ячменя, заявили "
        "участники встречи.",
        "В прошлом году Казахстан отправил в Китай около 1,2 миллиона тонн зерна.",
    ),
    dt.datetime(2025, 8, 31, 9, 0, tzinfo=MSK),
)
COPPER = Story(
    "copper-plant",
    "Китайская компания построит медеплавильный завод в Павлодарской области",
    (
        "Китайская компания подписала с акиматом Павлодарской области соглашение о "
        "строительстве завода по переработке меди.",
        "Инвестиции в проект оцениваются в 500 миллионов долларов, на заводе появится около "
        "800 рабочих мест.",
        "Запуск первой очереди предприятия запланирован на 2027 год.",
    ),
    dt.datetime(2025, 8, 29, 14, 30, tzinfo=MSK),
)
MINISTERS = Story(
    "ministers-beijing",
    "Министры иностранных дел Казахстана и Китая провели переговоры в Пекине",
    (
        "Министр иностранных дел Казахстана провёл в Пекине переговоры с министром иностранных "
        "дел КНР Ван И.",
        "Стороны обсудили подготовку визита Председателя КНР Си Цзиньпина в Астану и "
        "сотрудничество в рамках ШОС.",
        "Министры также договорились расширить обмен студентами между университетами двух стран.",
    ),
    dt.datetime(2025, 9, 1, 8, 0, tzinfo=MSK),
)
UNDATED = Story(
    "visa-free",
    "Казахстан и Китай обсудили продление безвизового режима для туристов",
    (
        "Делегации Казахстана и Китая обсудили продление безвизового режима для туристических "
        "групп, рассказали в консульской службе.",
        "По данным ведомства, за полгода китайские туристы совершили в Казахстан более 300 "
        "тысяч поездок.",
    ),
)
FOOTBALL = Story(
    "football-derby",
    "«Кайрат» обыграл «Тобол» в матче чемпионата страны по футболу",
    (
        "Алматинский «Кайрат» на своём поле обыграл костанайский «Тобол» со счётом 2:1 в матче "
        "двадцатого тура чемпионата страны по футболу.",
        "Оба гола хозяев забил нападающий команды во втором тайме, гости отыграли один мяч на "
        "последней минуте.",
        "После этой победы «Кайрат» поднялся на второе место турнирной таблицы.",
    ),
    dt.datetime(2025, 9, 1, 21, 0, tzinfo=MSK),
)
EDITED_V1 = Story(
    "railway-talks",
    "Казахстан и Китай обсудили строительство третьего железнодорожного перехода",
    (
        "Казахстан и Китай обсудили строительство третьего железнодорожного пограничного "
        "перехода, сообщили в национальной железнодорожной компании.",
        "Новый переход должен разгрузить станции Достык и Алтынколь.",
    ),
    dt.datetime(2025, 9, 1, 12, 0, tzinfo=MSK),
)
EDITED_V2 = Story(
    EDITED_V1.slug,
    EDITED_V1.title,
    (
        *EDITED_V1.paragraphs,
        "Обновлено: стороны подписали меморандум, строительство начнётся весной следующего года.",
    ),
    EDITED_V1.published,
)


def install_site(pub: FakePublisher) -> dict[str, str]:
    """The publisher's whole catalogue; returns feed id -> feed path."""
    base = pub.base
    for story in (CORRIDOR, GRAIN, MINISTERS, UNDATED, FOOTBALL, EDITED_V1):
        pub.put(story.path, page(story, base))
    pub.put(
        COPPER.path, page(COPPER, base, charset="windows-1251"), "text/html; charset=windows-1251"
    )
    when = dt.datetime(2025, 9, 1, 9, 0, tzinfo=dt.UTC)
    feeds = {
        # RSS 2.0 with tracking parameters, a relative link, HTML in a title, a duplicate GUID.
        "rss": (
            "/rss/main.xml",
            rss(
                [
                    (
                        f"<b>{CORRIDOR.title}</b>",
                        f"{base}{CORRIDOR.path}?utm_source=rss&utm_medium=feed",
                        when,
                        "<p>Новый маршрут &amp; сроки</p>",
                    ),
                    (GRAIN.title, GRAIN.path, when, "Экспорт зерна"),
                    (GRAIN.title, GRAIN.path, when, "Экспорт зерна"),  # listed twice
                ],
                channel_link=base + "/",
            ),
        ),
        # Atom, with the same corridor story as the RSS feed (through www-less, slashless link).
        "atom": (
            "/atom/feed.xml",
            atom(
                [
                    (MINISTERS.title, f"{base}{MINISTERS.path}", when),
                    (CORRIDOR.title, f"{base}{CORRIDOR.path.rstrip('/')}?utm_campaign=x", when),
                ],
                self_link=base + "/",
            ),
        ),
        "cp1251": (
            "/cp1251/rss.xml",
            rss([(COPPER.title, f"{base}{COPPER.path}", when, "Завод")], encoding="cp1251"),
        ),
        "nodates": ("/nodates/rss.xml", rss([(UNDATED.title, f"{base}{UNDATED.path}", None, "")])),
        "sport": ("/sport/rss.xml", rss([(FOOTBALL.title, f"{base}{FOOTBALL.path}", when, "")])),
        "edited": (
            "/edited/rss.xml",
            rss([(EDITED_V1.title, f"{base}{EDITED_V1.path}", when, "Переход")]),
        ),
    }
    paths = {}
    for ident, (path, body) in feeds.items():
        pub.put(path, body)
        paths[ident] = path
    pub.put(
        "/limited/rss.xml", b"slow down", "text/plain", status=429, headers={"Retry-After": "3600"}
    )
    later = email.utils.format_datetime(dt.datetime(2030, 1, 1, tzinfo=dt.UTC), usegmt=True)
    pub.put(
        "/down/rss.xml", b"maintenance", "text/plain", status=503, headers={"Retry-After": later}
    )
    pub.put("/old/rss.xml", b"", "text/plain", status=301, headers={"Location": "/rss/main.xml"})
    pub.put("/slow/rss.xml", rss([]), delay=4.0)
    pub.put("/huge/rss.xml", b"", "application/rss+xml", stream_bytes=6 * 1024 * 1024)
    pub.put("/html/rss.xml", page(GRAIN, base), "text/html; charset=utf-8")
    pub.put(
        "/broken/rss.xml",
        b'<?xml version="1.0"?><rss version="2.0"><channel><item><title>\xd0\x9e\xd0\xb1',
        "application/rss+xml",
    )
    pub.put("/gone/rss.xml", b"gone", "text/plain", status=410)
    paths.update(
        limited="/limited/rss.xml",
        down="/down/rss.xml",
        old="/old/rss.xml",
        slow="/slow/rss.xml",
        huge="/huge/rss.xml",
        html="/html/rss.xml",
        broken="/broken/rss.xml",
        gone="/gone/rss.xml",
    )
    return paths


def sources_toml(
    pub: FakePublisher, paths: dict[str, str], only: Sequence[str] | None = None
) -> str:
    """A sources file pointing at this publisher."""
    entries = []
    for ident, path in paths.items():
        if only is not None and ident not in only:
            continue
        kind = "atom" if ident == "atom" else "rss"
        entries.append(
            f'[[source]]\nid = "{ident}"\nname = "Фейк {ident}"\nkind = "{kind}"\n'
            f'url = "{pub.url(path)}"\nprovenance = "tests/fake_publisher.py"\n'
        )
    return "\n".join(entries)
