"""Article files -> ArticleFile: front matter, debris, and every kind of bad file."""

from pathlib import Path

import pytest

from bot.ingest.files import (
    ArticleError,
    clean_body,
    clean_title,
    iter_article_paths,
    read_article,
)

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
DEBRIS = ("Комментарии0", "Russian.News.Cn", "_Russian.news.cn", "CentralAsia (KZ) -")


def write(tmp_path: Path, name: str, content: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def test_seeds_have_front_matter_and_no_debris() -> None:
    articles = [read_article(p, key) for p, key in iter_article_paths(SEEDS)]
    assert len(articles) == 5
    for article in articles:
        assert article.url and article.url.startswith("https://")
        assert article.source and article.lang == "ru"
        assert not any(d in article.body or d in article.title for d in DEBRIS)
    assert sum(a.published is None for a in articles) == 1  # DKNews gives no date


# Page debris, one rule per line of the table, with the phrase that triggers it.
@pytest.mark.parametrize(
    ("raw", "title"),
    [
        ("Китай и Казахстан -- Си Цзиньпин_Russian.news.cn", "Китай и Казахстан -- Си Цзиньпин"),
        ("Токаев посетил Пекин_lada.kz", "Токаев посетил Пекин"),
        ("Саммит ШОС в Тяньцзине", "Саммит ШОС в Тяньцзине"),
    ],
)
def test_clean_title_drops_site_suffix(raw: str, title: str) -> None:
    assert clean_title(raw) == title


def test_clean_body_drops_repeated_title_timestamp_and_counter() -> None:
    body = (
        "Заголовок\n\n2025-06-17 04:05:45丨Russian.News.Cn\n\n"
        "CentralAsia (KZ) - Президент провел переговоры.\nВторой абзац.\n"
        "Комментарии0 комментарий(ев)"
    )
    assert clean_body("Заголовок", body) == "Президент провел переговоры.\nВторой абзац."


def test_plain_file_takes_first_line_as_title_and_unknowns_stay_unknown(tmp_path: Path) -> None:
    path = write(tmp_path, "plain.txt", "\n\nЗаголовок статьи\nТекст статьи о ШОС.\n")
    article = read_article(path)
    assert (article.title, article.body) == ("Заголовок статьи", "Текст статьи о ШОС.")
    assert (article.source, article.url, article.published) == (None, None, None)


def test_windows_line_endings_and_bom_are_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, "win.md", "\ufeff---\r\ntitle: T\r\n---\r\nТекст.\r\n".encode())
    assert read_article(path).body == "Текст."


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\xff\xfe\xfa not utf8", "not UTF-8"),
        (b"", "empty file"),
        (b"  \n\t\n", "empty file"),
        (b"PNG\x00\x00\x01binary", "binary file"),
        (b"---\ntitle: T\nno closing line\n", "no closing '---'"),
        (b"---\ntitle: [unclosed\n---\nText", "broken front matter"),
        (b"---\n- a list\n---\nText", "expected 'key: value'"),
        (b"---\ntitle: T\nurl: not a url\n---\nText", "invalid url"),
        (b"---\ntitle: T\npublished: 2025-13-45\n---\nText", "invalid published"),
        (b"---\ntitle: T\n---\n\n", "no text"),
    ],
)
def test_bad_file_is_refused_with_reason(tmp_path: Path, content: bytes, reason: str) -> None:
    path = write(tmp_path, "bad.md", content)
    with pytest.raises(ArticleError, match=reason):
        read_article(path)


def test_file_over_one_megabyte_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "big.txt", "Заголовок\n" + "а" * 600_000)  # 1.2 MB in UTF-8
    with pytest.raises(ArticleError, match="over the 1 MB limit"):
        read_article(path)


def test_folder_scan_skips_hidden_and_foreign_files(tmp_path: Path) -> None:
    for name in ("a.md", "b.txt", "c.json", ".hidden.md"):
        write(tmp_path, name, "Заголовок\nТекст.")
    (tmp_path / ".git").mkdir()
    write(tmp_path / ".git", "d.md", "x")
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "a.md", "Заголовок\nДругой текст.")
    keys = [key for _, key in iter_article_paths(tmp_path)]
    assert keys == ["a.md", "b.txt", "sub/a.md"]  # same name in a subfolder: its own article


def test_plain_file_with_a_long_first_line_keeps_it_as_text(tmp_path: Path) -> None:
    lead = "Президент Казахстана Касым-Жомарт Токаев принял участие в саммите ШОС. " * 5
    article = read_article(write(tmp_path, "lead.txt", lead + "\nВторой абзац."))
    assert len(article.title) <= 201 and article.title.endswith("…")
    assert article.body.startswith(lead.strip())  # nothing of the text is lost
