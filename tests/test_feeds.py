"""Pure parts of the live sources: feeds in odd charsets and shapes, URLs, the sources file."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.ingest.sources.config import SourcesError, load_sources, parse_sources
from bot.ingest.sources.feeds import FeedError, parse_feed, parse_link_list, parse_sitemap
from bot.ingest.sources.fetch import forbidden_address, retry_after_seconds
from bot.ingest.sources.pages import extract_page
from bot.ingest.sources.poller import DAY, backoff_seconds
from bot.ingest.sources.urls import BadUrl, clean_url, path_allowed, url_key
from tests.fake_publisher import CORRIDOR, page, rss

BASE = "https://news.example.kz"
WHEN = dt.datetime(2025, 9, 1, 9, 0, tzinfo=dt.UTC)
TITLE = "Китай и Казахстан расширят торговлю"


def test_koi8_feed_declared_as_windows_1251_is_read_as_russian() -> None:
    raw = rss([(TITLE, f"{BASE}/news/1", WHEN, "")], encoding="koi8_r", declared="windows-1251")
    [item] = parse_feed(raw, f"{BASE}/rss.xml")
    assert item.title == TITLE


def test_windows_1251_feed_under_a_utf8_header_is_read_as_russian() -> None:
    raw = rss([(TITLE, f"{BASE}/news/1", WHEN, "")], encoding="cp1251", declared="utf-8")
    [item] = parse_feed(raw, f"{BASE}/rss.xml", "application/rss+xml; charset=utf-8")
    assert item.title == TITLE and item.published == dt.date(2025, 9, 1)


def test_titles_lose_markup_links_become_absolute_duplicates_go() -> None:
    raw = rss(
        [
            ("<b>Токаев</b> &amp; Си", "/news/2?utm_source=rss", None, "<p>текст</p>"),
            ("Повтор", "/news/2", WHEN, ""),  # same guid and link: one item
            ("Ссылка", "javascript:void(0)", WHEN, ""),  # not a page
        ],
        channel_link=BASE + "/",
    )
    [item] = parse_feed(raw, f"{BASE}/rss.xml")
    assert item.title == "Токаев & Си"
    assert item.link == f"{BASE}/news/2" and item.published is None
    assert item.original == f"{BASE}/news/2?utm_source=rss"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (page(CORRIDOR, BASE), "HTML page where a feed was expected"),
        (b'<?xml version="1.0"?><rss><channel><item><title>x', "broken XML"),
        (b"", "empty response"),
    ],
)
def test_unreadable_feeds_name_the_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(FeedError, match=reason):
        parse_feed(raw, f"{BASE}/rss.xml")


def test_sitemap_entries_with_news_dates() -> None:
    raw = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        b' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        b"<url><loc>https://dknews.kz/ru/news/1</loc><news:news>"
        b"<news:publication_date>2025-08-30T10:00:00+05:00</news:publication_date>"
        b"<news:title>Title</news:title></news:news></url>"
        b"<url><loc>https://dknews.kz/ru/news/2</loc><lastmod>2025-08-31</lastmod></url>"
        b"</urlset>"
    )
    items = parse_sitemap(raw, "https://dknews.kz/sitemap.xml")
    assert [(i.link, i.published) for i in items] == [
        ("https://dknews.kz/ru/news/1", dt.date(2025, 8, 30)),
        ("https://dknews.kz/ru/news/2", dt.date(2025, 8, 31)),
    ]


def test_news_list_links_are_absolute_clean_and_listed_once() -> None:
    raw = (
        "<html><body><a href='/ru/news/1?utm_source=main'>Первая новость</a>"
        "<a href='https://www.z.kz/ru/news/1'>Первая новость ещё раз</a>"
        "<a href='mailto:desk@z.kz'>Почта</a><a>без ссылки</a>"
        "<a href='news/2'>Вторая <b>новость</b></a></body></html>"
    ).encode()
    items = parse_link_list(raw, "https://www.z.kz/ru/")
    assert [(i.link, i.title) for i in items] == [
        ("https://www.z.kz/ru/news/1", "Первая новость"),
        ("https://www.z.kz/ru/news/2", "Вторая новость"),
    ]


def test_news_list_in_windows_1251_is_read_by_its_meta_charset() -> None:
    raw = (
        '<html><head><meta charset="windows-1251"></head><body>'
        "<a href='/ru/news/7'>Новый маршрут через Хоргос</a></body></html>"
    ).encode("cp1251")
    [item] = parse_link_list(raw, "https://www.z.kz/")
    assert item.title == "Новый маршрут через Хоргос"


def test_page_without_a_date_takes_the_feeds_and_never_today() -> None:
    undated = CORRIDOR.__class__(CORRIDOR.slug, CORRIDOR.title, CORRIDOR.paragraphs)
    html = page(undated, BASE)
    assert extract_page(html, BASE + undated.path).published is None
    feed_date = dt.date(2025, 8, 28)
    assert extract_page(html, BASE + undated.path, feed_date=feed_date).published == feed_date


def test_url_normalisation() -> None:
    same = [
        "http://www.News.Example.kz/news/1/?utm_source=tg&utm_medium=social",
        "https://news.example.kz/news/1",
        "https://news.example.kz:443/news/1#comments",
        "https://news.example.kz/news/1/?fbclid=abc",
    ]
    assert len({url_key(u) for u in same}) == 1
    assert url_key("https://a.kz/n?id=2&b=1") == url_key("https://a.kz/n?b=1&id=2")
    assert url_key("https://a.kz/n?id=2") != url_key("https://a.kz/n?id=3")
    assert clean_url("https://WWW.A.kz/x?utm_campaign=1&page=2") == "https://www.a.kz/x?page=2"
    for bad in ("javascript:alert(1)", "ftp://a.kz/x", "mailto:a@b.kz", "https:///x"):
        with pytest.raises(BadUrl):
            clean_url(bad)
    assert path_allowed("https://a.kz/ru/news/1", ("/ru/",), ("/ru/news/sport",))
    assert not path_allowed("https://a.kz/ru/news/sport/2", ("/ru/",), ("/ru/news/sport",))
    assert not path_allowed("https://a.kz/kz/news/1", ("/ru/",), ())


def test_private_addresses() -> None:
    for ip in (
        "127.0.0.1",
        "10.1.2.3",
        "192.168.0.5",
        "172.16.0.1",
        "169.254.169.254",
        "::1",
        "fe80::1",
        "0.0.0.0",
        "::ffff:127.0.0.1",
        "fc00::1",
    ):
        assert forbidden_address(ip), ip
    for ip in ("8.8.8.8", "2a00:1450:4001::1", "95.59.1.1"):
        assert not forbidden_address(ip), ip


def test_retry_after_and_backoff() -> None:
    now = dt.datetime(2025, 9, 1, 12, 0, tzinfo=dt.UTC)
    assert retry_after_seconds("120", now) == 120
    assert retry_after_seconds("Mon, 01 Sep 2025 12:05:00 GMT", now) == 300
    assert retry_after_seconds("Mon, 01 Sep 2025 11:00:00 GMT", now) == 0
    assert retry_after_seconds("soon", now) is None and retry_after_seconds(None, now) is None
    delays = [backoff_seconds(n, 600, 0.5) for n in range(1, 12)]
    assert delays[:3] == [600, 1200, 2400] and delays[-1] == DAY
    assert delays == sorted(delays)
    assert 450 <= backoff_seconds(1, 600, 0.0) < backoff_seconds(1, 600, 0.99) <= 750
    assert backoff_seconds(30, 600, 0.99) == DAY


def test_default_sources_file_is_complete_and_unverified() -> None:
    sources = load_sources(None)
    names = {s.name for s in sources}
    for expected in (
        "Казинформ",
        "Tengrinews",
        "Zakon.kz",
        "Курсив",
        "Sputnik Казахстан",
        "Синьхуа",
        "Акорда",
        "Lada.kz",
        "CentralAsia.media",
        "Деловой Казахстан",
        "CGTN на русском",
        "МИД Казахстана",
    ):
        assert expected in names, expected
    assert all(not s.verified and s.provenance for s in sources)
    assert len({s.id for s in sources}) == len(sources)


def test_feed_dates_are_the_publishers_calendar_day() -> None:
    late = dt.datetime(2025, 9, 3, 1, 15, tzinfo=dt.timezone(dt.timedelta(hours=5)))
    [item] = parse_feed(rss([(TITLE, f"{BASE}/news/1", late, "")]), f"{BASE}/rss.xml")
    assert item.published == dt.date(2025, 9, 3)  # 2 September in UTC


def test_sources_keep_only_their_articles() -> None:
    [source] = parse_sources(
        '[[source]]\nid = "z"\nname = "Z"\nkind = "html-list"\nurl = "https://www.z.kz/news/"\n'
        "keep_pattern = '^https://www\\.z\\.kz/[a-z]+/\\d{7}-'\ndrop_paths = [\"/sport/\"]\n"
    )
    assert source.wants("https://www.z.kz/politika/6488451-x.html")
    assert not source.wants("https://www.z.kz/sport/6488452-x.html")
    assert not source.wants("https://www.z.kz/politika/")
    assert not source.wants("https://other.kz/politika/6488451-x.html")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[source]]\nid = "a"\nname = "A"\nurl = "https://a.kz/rss"\n', r"source #1 \(a\) kind"),
        ('[[source]]\nid = "a"\nname = "A"\nkind = "rss"\nurl = "ftp://a.kz"\n', "http"),
        (
            '[[source]]\nid = "a"\nname = "A"\nkind = "rss"\nurl = "https://a.kz"\n' * 2,
            "appears twice",
        ),
        (
            '[[source]]\nid = "a"\nname = "A"\nkind = "html-list"\nurl = "https://a.kz"\n',
            "keep_paths",
        ),
        (
            '[[source]]\nid = "a"\nname = "A"\nkind = "rss"\nurl = "https://a.kz"\n'
            "poll_minutes = 1\n",
            "poll_minutes",
        ),
        ("[[source]\n", "not valid TOML"),
    ],
)
def test_bad_sources_files_name_the_entry(text: str, message: str) -> None:
    with pytest.raises(SourcesError, match=message):
        parse_sources(text, "test.toml")
