"""Article files -> ArticleFile models: front matter, page debris, validation at the boundary."""

from __future__ import annotations

import hashlib
import html
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
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


# Byte order marks of encodings other than UTF-8, longest first (UTF-32 LE starts like UTF-16 LE).
# With the code unit size: a UTF-16 file has an even length (b"\xff\xfe\xfa" is just bad bytes).
_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32 LE", 4),
    (b"\x00\x00\xfe\xff", "UTF-32 BE", 4),
    (b"\xff\xfe", "UTF-16 LE", 2),
    (b"\xfe\xff", "UTF-16 BE", 2),
    (b"\x84\x31\x95\x33", "GB 18030", 1),
    (b"\x2b\x2f\x76", "UTF-7", 1),
    (b"\xdd\x73\x66\x73", "UTF-EBCDIC", 1),
)
_CODECS = {
    "UTF-16 LE": "utf-16-le",
    "UTF-16 BE": "utf-16-be",
    "UTF-32 LE": "utf-32-le",
    "UTF-32 BE": "utf-32-be",
}
_KINDS = {
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}
_Yaml = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: ~10x faster when present


class _StringDatesLoader(_Yaml):  # type: ignore[misc, valid-type]
    """SafeLoader that leaves dates as strings, so pydantic validates them with a clear reason."""


_StringDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class Found:
    """A file a scan found: where (for log lines), the real file read, its article key, and
    its size and mtime (to skip unchanged files without reading them); or why it is skipped."""

    path: Path
    real: Path
    key: str
    signature: tuple[int, int] | None = None  # (size, mtime_ns)
    skip: str | None = None


def article_key(real: Path, home: Path | None) -> str:
    """The identity of a real file: its path relative to the (real) articles folder when inside
    it ("a/news.md"), else its resolved absolute path: two files never share a key."""
    if home is not None and real.is_relative_to(home):
        return real.relative_to(home).as_posix()
    return real.as_posix()


def scan(root: Path, home: Path | None = None) -> list[Found]:
    """Article files under a folder (sorted, hidden ones skipped), or the file itself.

    Blocking (stat, directory listings): call it off the event loop. Only regular files inside
    the folder's real path are articles; a symbolic link out of it, a dangling link, a FIFO or
    a device is reported with a reason. A folder that vanishes mid-scan is one more reason,
    never an exception. `home` is the articles folder for keys (default: the root itself).
    """
    try:
        real_root = root.resolve(strict=True)
        info = real_root.stat()
    except OSError as exc:
        reason = "no such file or folder" if isinstance(exc, FileNotFoundError) else _os(exc)
        return [Found(root, root, root.as_posix(), skip=reason)]
    real_home = real_root if home is None else home.resolve()
    if stat.S_ISREG(info.st_mode):  # a file the operator named (a link to it is fine)
        key = article_key(real_root, real_home) if home is not None else real_root.name
        return [Found(root, real_root, key, _signature(info))]
    if not stat.S_ISDIR(info.st_mode):
        return [Found(root, real_root, root.as_posix(), skip=f"{_kind(info)}, not a file")]
    return list(_walk(real_root, root, real_root, real_home))


def _walk(folder: Path, shown: Path, real_root: Path, home: Path) -> Iterator[Found]:
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError as exc:  # removed or unreadable since we saw it
        yield Found(shown, folder, folder.as_posix(), skip=f"folder not scanned: {_os(exc)}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path, where = Path(entry.path), shown / entry.name
        try:
            if entry.is_symlink():
                found = _link(path, where, real_root, home)
                if found is not None:
                    yield found
            elif entry.is_dir(follow_symlinks=False):
                yield from _walk(path, where, real_root, home)
            elif path.suffix.lower() in ARTICLE_SUFFIXES:
                info = entry.stat(follow_symlinks=False)
                yield _regular(where, path, info, home)
        except OSError as exc:  # vanished between the listing and the stat
            yield Found(where, path, path.as_posix(), skip=_os(exc))


def _link(path: Path, where: Path, real_root: Path, home: Path) -> Found | None:
    try:
        target = path.resolve(strict=True)
        info = target.stat()
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop on Python 3.11
        if path.suffix.lower() in ARTICLE_SUFFIXES:
            return Found(where, path, path.as_posix(), skip="dangling symbolic link")
        return None
    if stat.S_ISDIR(info.st_mode):
        inside = target.is_relative_to(real_root)
        # Links to folders are never followed: inside, the folder is scanned where it is.
        reason = f"symbolic link to {target}, outside {real_root}"
        return None if inside else Found(where, target, target.as_posix(), skip=reason)
    if path.suffix.lower() not in ARTICLE_SUFFIXES:
        return None
    if not target.is_relative_to(real_root):
        reason = f"symbolic link to {target}, outside {real_root}"
        return Found(where, target, target.as_posix(), skip=reason)
    return _regular(where, target, info, home)


def _regular(where: Path, real: Path, info: os.stat_result, home: Path) -> Found:
    key = article_key(real, home)
    if not stat.S_ISREG(info.st_mode):
        return Found(where, real, key, skip=f"{_kind(info)}, not a regular file")
    return Found(where, real, key, _signature(info))


def _signature(info: os.stat_result) -> tuple[int, int]:
    return info.st_size, info.st_mtime_ns


def _kind(info: os.stat_result) -> str:
    return _KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")


def _os(exc: OSError) -> str:
    return exc.strerror or str(exc)


class ArticleError(ValueError):
    """A file that cannot become an article; the message is the reason, for one log line."""


def content_hash(raw: bytes) -> str:
    """SHA-256 of the file bytes: the identity of a version of an article."""
    return hashlib.sha256(raw).hexdigest()


def iter_article_paths(root: Path) -> Iterator[tuple[Path, str]]:
    """The readable files of `scan` with their keys (relative to the folder, or the name)."""
    for found in scan(root):
        if found.skip is None:
            yield found.real, found.key


def read_bytes(path: Path) -> bytes:
    """The bytes of a regular file of at most 1 MB; ArticleError otherwise. Blocking.

    O_NONBLOCK: a FIFO swapped in since the scan must not hang the read; fstat then checks
    the file actually opened.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise ArticleError(f"cannot read file: {_os(exc)}") from exc
    with os.fdopen(fd, "rb") as file:
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise ArticleError(f"{_kind(info)}, not a regular file")
            if info.st_size > MAX_FILE_BYTES:
                raise ArticleError(f"file is {info.st_size} bytes, over the 1 MB limit")
            return file.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise ArticleError(f"cannot read file: {_os(exc)}") from exc


def read_article(path: Path, key: str | None = None) -> ArticleFile:
    """Read and validate one file (stored under key, default its name); ArticleError if bad."""
    return parse_article(key or path.name, read_bytes(path))


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
    for bom, encoding, unit in _BOMS:
        if raw.startswith(bom) and len(raw) % unit == 0 and _looks_like(raw, encoding):
            raise ArticleError(f"{encoding} text (byte order mark), expected UTF-8")
    if b"\x00" in raw:
        raise ArticleError(_nul_reason(raw))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleError(f"not UTF-8 (invalid byte at offset {exc.start})") from exc
    if not text.strip():
        raise ArticleError("empty file")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _looks_like(raw: bytes, encoding: str) -> bool:
    """Decoded that way, is it mostly Latin or Cyrillic text (an article), not noise?"""
    codec = _CODECS.get(encoding)
    if codec is None:  # GB 18030, UTF-7, UTF-EBCDIC: the mark alone is rare enough
        return True
    text = raw[:4096].decode(codec, errors="replace")
    familiar = sum(ch < "\u0530" for ch in text)  # ASCII, Latin, Greek, Cyrillic
    return familiar >= len(text) * 0.9


def _nul_reason(raw: bytes) -> str:
    """UTF-16 without a byte order mark: NUL bytes, and readable once decoded as UTF-16."""
    for encoding in ("UTF-16 LE", "UTF-16 BE"):
        if len(raw) % 2 == 0 and len(raw) >= 8 and _looks_like(raw, encoding):
            return f"looks like {encoding} text (no byte order mark), expected UTF-8"
    return "binary file (contains NUL bytes)"


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
    except RecursionError as exc:  # "[[[[…" a thousand levels deep
        raise ArticleError("broken front matter: nested too deeply") from exc
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
