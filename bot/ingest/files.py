"""Article files -> ArticleFile models: front matter, page debris, validation at the boundary."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterator
from pathlib import Path

import yaml
from pydantic import ValidationError

from bot.models import ArticleFile, FrontMatter

MAX_FILE_BYTES = 1024 * 1024
ARTICLE_SUFFIXES = (".md", ".txt")
MAX_TITLE = 200  # characters; a longer first line of a plain file is the lead, not a title
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^---[ \t]*\r?$\n?", re.DOTALL | re.MULTILINE)

# Page debris copied along with an article. Each rule names the situation, with an example.
# "… -- Си Цзиньпин_Russian.news.cn": the site name glued to the headline.
_TITLE_SITE_SUFFIX = re.compile(r"_(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}\s*$")
# "2025-06-17 04:05:45丨Russian.News.Cn": a timestamp line with the agency name.
_DATE_AGENCY_LINE = re.compile(r"^\s*\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}(?::\d{2})?\s*\S{0,3}.*$")
# "Комментарии0 комментарий(ев)": the comment counter under the article.
_COMMENT_COUNTER_LINE = re.compile(r"^\s*Комментари\w*\s*\d+.*$", re.IGNORECASE)
# "CentralAsia (KZ) - Президент Казахстана …": the outlet's name before the lead.
_SOURCE_PREFIX = re.compile(r"^[A-Z][\w.]*(?: \([A-Z]{2}\))? - (?=[А-ЯЁ])")


class _StringDatesLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as strings, so pydantic validates them with a clear reason."""


_StringDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class ArticleError(ValueError):
    """A file that cannot become an article; the message is the reason, for one log line."""


def content_hash(raw: bytes) -> str:
    """SHA-256 of the file bytes: the identity of a version of an article."""
    return hashlib.sha256(raw).hexdigest()


def iter_article_paths(root: Path) -> Iterator[tuple[Path, str]]:
    """Article files under a folder (sorted, hidden ones skipped), or the file itself, each
    with its key: the path relative to the folder ("a/news.md"), or a lone file's name."""
    if root.is_file():
        yield root, root.name
        return
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        hidden = any(part.startswith(".") for part in relative.parts)
        if path.is_file() and path.suffix.lower() in ARTICLE_SUFFIXES and not hidden:
            yield path, relative.as_posix()


def read_article(path: Path, key: str | None = None) -> ArticleFile:
    """Read and validate one file (stored under key, default its name); ArticleError if bad."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ArticleError(f"file is {size} bytes, over the 1 MB limit")
        raw = path.read_bytes()
    except OSError as exc:
        raise ArticleError(f"cannot read file: {exc.strerror or exc}") from exc
    return parse_article(key or path.name, raw)


def parse_article(key: str, raw: bytes) -> ArticleFile:
    """Turn raw file bytes into an ArticleFile, or raise ArticleError."""
    text = _decode(raw)
    meta, rest = split_front_matter(text)
    # Unescaped once, here: "25&nbsp;000" is 25 000 (not "25" and "000"), "&laquo;" is «;
    # "&amp;nbsp;" stays "&nbsp;" (text about HTML). Offsets then point into what is stored.
    title, body = _title_and_body(meta, html.unescape(rest))
    if not body:
        raise ArticleError("article has a title but no text")
    return ArticleFile(
        key=key,
        content_hash=content_hash(raw),
        title=title,
        source=meta.source,
        url=str(meta.url) if meta.url else None,
        published=meta.published,
        lang=meta.lang,
        body=body,
    )


def _decode(raw: bytes) -> str:
    if b"\x00" in raw:
        raise ArticleError("binary file (contains NUL bytes)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleError(f"not UTF-8 (invalid byte at offset {exc.start})") from exc
    if not text.strip():
        raise ArticleError("empty file")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_front_matter(text: str) -> tuple[FrontMatter, str]:
    """Separate a leading `---` YAML block from the text; none means empty metadata."""
    if not text.startswith("---"):
        return FrontMatter(), text
    match = _FRONT_MATTER.match(text)
    if match is None:
        raise ArticleError("broken front matter: no closing '---' line")
    try:
        data = yaml.load(match.group(1), Loader=_StringDatesLoader) or {}
    except yaml.YAMLError as exc:
        raise ArticleError(f"broken front matter: {str(exc).splitlines()[0]}") from exc
    if not isinstance(data, dict):
        raise ArticleError("broken front matter: expected 'key: value' lines")
    try:
        return FrontMatter.model_validate(data), text[match.end() :]
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "front matter"
        raise ArticleError(f"invalid {field} in front matter: {first['msg']}") from exc


def _title_and_body(meta: FrontMatter, text: str) -> tuple[str, str]:
    lines = text.split("\n")
    if meta.title:
        title = meta.title
    else:
        first = next((i for i, line in enumerate(lines) if line.strip()), None)
        if first is None:
            raise ArticleError("front matter without a title and without text")
        title = clean_title(lines[first])
        if len(title) > MAX_TITLE:  # a first paragraph, not a headline: keep it as text
            cut = title.rfind(" ", 0, MAX_TITLE)
            title = title[: cut if cut > 0 else MAX_TITLE].rstrip(" ,;:-") + "…"
            lines = lines[first:]
        else:
            lines = lines[first + 1 :]
    return title, clean_body(title, "\n".join(lines))


def clean_title(line: str) -> str:
    """A headline without the site name glued to it."""
    return _TITLE_SITE_SUFFIX.sub("", line).strip()


def clean_body(title: str, body: str) -> str:
    """Drop page debris lines (repeated title, timestamp, comment counter), keep the rest."""
    kept: list[str] = []
    for line in body.split("\n"):
        stripped = line.strip()
        if _is_debris(stripped, title):
            continue
        kept.append(_SOURCE_PREFIX.sub("", line.rstrip()))
    cleaned = "\n".join(kept).strip("\n")
    return re.sub(r"\n{3,}", "\n\n", cleaned).strip()


def _is_debris(line: str, title: str) -> bool:
    return bool(
        clean_title(line) == title
        or _DATE_AGENCY_LINE.match(line)
        or _COMMENT_COUNTER_LINE.match(line)
    )
