"""Operator output for `fetch`, `sources` and `status` (English, like the logs)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from bot.ingest.sources.config import Source
from bot.ingest.sources.poller import SourceReport, failing_for_a_week
from bot.models import SourceState

_COLUMNS = ("new", "updated", "unchanged", "irrelevant", "failed")


def render_fetch(reports: Sequence[SourceReport]) -> str:
    """The table printed by `python -m bot fetch`: one line per source."""
    width = max([len("source"), *(len(r.source.id) for r in reports)])
    lines = [f"{'source':<{width}}  " + "  ".join(_COLUMNS) + "  why"]
    for r in reports:
        if r.error and not (r.new or r.updated or r.unchanged or r.failed):
            counts = "  ".join(f"{'-':>{len(c)}}" for c in _COLUMNS)
        else:
            values = (r.new, r.updated, r.unchanged, r.irrelevant, r.failed)
            counts = "  ".join(f"{v:>{len(c)}}" for v, c in zip(values, _COLUMNS, strict=True))
        lines.append(f"{r.source.id:<{width}}  {counts}  {r.why()}".rstrip())
    if not reports:
        lines.append("(no enabled sources)")
    return "\n".join(lines)


def _when(moment: dt.datetime | None) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


def state_line(source: Source, state: SourceState | None) -> str:
    """How a source stands: never checked, ok, failing (since when, why), disabled."""
    if not source.enabled:
        return "off in the sources file"
    if state is None or state.checked_at is None:
        return "never checked"
    if state.disabled:
        return f"disabled: {state.disabled}"
    if state.error_count:
        return (
            f"failing since {_when(state.failing_since)} ({state.error_count}x: "
            f"{state.last_error}); next try {_when(state.next_check_at)}"
        )
    return f"ok {_when(state.last_ok_at)}; next check {_when(state.next_check_at)}"


def render_sources(
    sources: Sequence[Source], states: Mapping[str, SourceState], counts: Mapping[str, int]
) -> str:
    """`python -m bot sources`: every source of the file with its state."""
    lines = []
    for s in sources:
        state = states.get(s.id)
        url = state.url if state else s.url
        checked = "verified" if s.verified else "unverified"
        lines.append(f"{s.id} «{s.name}» {s.kind} {url} [{checked}]")
        lines.append(f"  {counts.get(s.id, 0)} articles; {state_line(s, state)}")
    return "\n".join(lines) or "no sources in the sources file"


def render_sources_status(
    sources: Sequence[Source], states: dict[str, SourceState], now: dt.datetime
) -> str:
    """The sources part of `python -m bot status`."""
    enabled = sum(1 for s in sources if s.enabled)
    line = f"sources: {len(sources)} in the file, {enabled} enabled"
    failing = sum(1 for s in states.values() if s.error_count)
    disabled = [s.id for s in states.values() if s.disabled]
    line += f", {failing} failing now" + (f", disabled: {', '.join(disabled)}" if disabled else "")
    week = failing_for_a_week(states, now)
    lines = [line, "failing for a week or more:" if week else "failing for a week or more: none"]
    lines += [f"  {s.id} since {_when(s.failing_since)}: {s.last_error}" for s in week]
    return "\n".join(lines)
