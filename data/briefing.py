"""What a briefing export says in words: the key figures of the current view as plain
sentences, each with the sources it rests on; the numbered list of sources behind what the
export shows, with their grades; the link that reopens the view; the data set version it
was made from, and the notice when that version is no longer the one shown; the optional
handling banner (e.g. "UNCLASSIFIED") from the configuration.

Pure: pandas and the standard library, no streamlit; vectorised over events (the only
loops run over a handful of reported counts or over the sources listed).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pandas as pd

from data import vocab
from data.aggregate import (
    counted_for_timeline,
    headline,
    overlapping_period_counts,
    since_words,
)
from data.analytics import coverage
from data.dates import format_at_precision
from data.filters import EventFilter, filter_events
from data.model import DataSet
from data.numbers import decimal, monthly_rate
from data.settings import config_section
from data.sourcing import citations_for

#: the query parameter that carries the data set version a link was made from
DSV_PARAM = "dsv"
#: the URL-bound date filter (components/filters.KEY_DATES): pinned in every link
DATES_PARAM = "dates"
#: at most this many reported counts are set against the held ones in the key figures
MAX_REPORTED = 3

#: the handling banner: environment variables first, then ``[export]`` in the config file
BANNER_ENV = "PATROLWATCH_BANNER"
BANNER_COLOUR_ENV = "PATROLWATCH_BANNER_COLOUR"
DEFAULT_BANNER_COLOUR = "#3b3b3b"
MAX_BANNER_CHARS = 80

_FMT = "%-d %b %Y"
_HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


# --------------------------------------------------------------------------- key figures


@dataclass(frozen=True)
class KeyFigure:
    """One key figure as a plain sentence (no citation marks, no closing full stop) and the
    ids of the sources it rests on, best graded first."""

    text: str
    source_ids: tuple[str, ...] = ()
    #: the reported period counts it quotes (their citations grade its sources)
    period_count_ids: tuple[str, ...] = ()


def _plural(n: int | float, singular: str, plural: str | None = None) -> str:
    word = singular if n == 1 else (plural or singular + "s")
    return f"{n:,} {word}"


def _kind_plural(kind: str) -> str:
    return vocab.EVENT_KINDS.get(kind, kind).lower() + "s"


def _day(when: pd.Timestamp | date | None) -> str:
    return "" if when is None or pd.isna(when) else pd.Timestamp(when).strftime(_FMT)


def _ordered_sources(ds: DataSet, record_type: str, ids: pd.Series | list[str]) -> tuple[str, ...]:
    """The distinct sources cited for these records, best graded first."""
    cites = citations_for(ds, record_type, ids)
    if cites.empty:
        return ()
    rank = cites["source_id"].map(ds.sources.set_index("source_id")["reliability_rank"])
    ordered = cites.assign(rank=rank).sort_values(
        ["rank", "credibility", "publisher", "published", "source_id"], kind="stable"
    )
    return tuple(dict.fromkeys(ordered["source_id"]))


def _view_theatres(events: pd.DataFrame, f: EventFilter) -> tuple[str, ...]:
    if f.theatres:
        return f.theatres
    return tuple(sorted(set(events["theatre_id"]) - {""}))


def reported_against_held(
    ds: DataSet, events: pd.DataFrame, f: EventFilter, today: date, limit: int = MAX_REPORTED
) -> pd.DataFrame:
    """The counts sources report for periods overlapping the view's window, each beside the
    events held one by one for the same period, theatre, kind and routes
    (``data.analytics.coverage``), best matches first: counts over the chosen routes, then
    those whose period is closest to the window. Running ordinals and derived figures are
    left out (they are checks, not counts)."""
    h = headline(events, f, today)
    _, kinds, _ = counted_for_timeline(events, f.kinds)
    counts = overlapping_period_counts(
        ds, h.window_start, h.window_end, theatres=_view_theatres(events, f), event_kinds=kinds
    )
    counts = counts[~counts["qualifier"].isin(["cumulative_ordinal", "derived"])]
    on_routes = counts["route_ids"].map(lambda r: bool(set(r) & set(f.routes)))
    counts = counts[(counts["route_ids"].map(len) == 0) | on_routes]
    if counts.empty or h.window_start is None:
        return coverage(ds, events.iloc[0:0], counts.iloc[0:0])
    # held: every filter but the dates (a count is compared over its whole period) and the
    # routes (coverage matches a count over routes to the events on those routes itself)
    wide = filter_events(ds, replace(f, start=None, end=None, routes=()))
    held, _, _ = counted_for_timeline(wide, f.kinds)
    cov = coverage(ds, held, counts)
    start, end = pd.Timestamp(h.window_start), pd.Timestamp(h.window_end)
    # how well the period fits the window: shared days over the days either covers
    shared = (cov["period_end"].clip(upper=end) - cov["period_start"].clip(lower=start)).dt.days
    either = (cov["period_end"].clip(lower=end) - cov["period_start"].clip(upper=start)).dt.days
    by_id = counts.set_index("count_id")
    ranked = cov.assign(
        event_kind=cov["count_id"].map(by_id["event_kind"]),
        unit=cov["count_id"].map(by_id["unit"]),
        count_text=cov["count_id"].map(by_id["count_text"]),
        _routes=(cov["count_id"].map(by_id["route_ids"]).map(len) > 0).astype(int),
        _fit=(shared + 1) / (either + 1),
    ).sort_values(
        ["_routes", "_fit", "period_start", "count_id"], ascending=[False, False, True, True]
    )
    return ranked.drop(columns=["_routes", "_fit"]).head(limit).reset_index(drop=True)


def _lead(start: pd.Timestamp | date | None, end: pd.Timestamp | date | None) -> str:
    """How a sentence about a period starts: 'In 2021', 'In Jan–Mar 2021', 'From 5 Mar 2021
    to 20 Apr 2022'."""
    if start is None or end is None or pd.isna(start) or pd.isna(end):
        return "Over the whole record"
    words = period_words(start, end)
    if " – " in words:
        first, last = words.split(" – ", 1)
        return f"From {first} to {last}"
    return f"In {words}"


def key_figures(
    ds: DataSet, events: pd.DataFrame, f: EventFilter, today: date
) -> tuple[KeyFigure, ...]:
    """The key figures of the view, in plain sentences: what the data set holds for the
    window, the rate per month, the last one and the days since (as the view's headline
    counts them, ``data.aggregate.headline``, the function ``data.views.overview_view``
    calls), and the counts sources report set against the ones held. ``events`` is
    ``filter_events(ds, f)``."""
    h = headline(events, f, today)
    counted, kinds, noun = counted_for_timeline(events, f.kinds)
    singular = noun[:-1]
    lead = _lead(h.window_start, h.window_end)
    ids = _ordered_sources(ds, "event", counted["event_id"])
    n = len(counted)
    what = "" if noun == "patrols" else f" of the chosen kinds ({_kinds_text(kinds)})"
    what += _scope_words(ds, f)
    if n:
        notes = ["carried out or announced"] if noun == "patrols" else ["cancelled ones left out"]
        coarse = int((counted["date_precision"] != "day").sum())
        if coarse:
            notes.append(f"{coarse:,} of them dated only to a week, month or coarser")
        if noun == "patrols" and h.disputed:
            verb = "is" if h.disputed == 1 else "are"
            notes.append(f"a further {_plural(h.disputed, 'disputed patrol')} {verb} not counted")
        first = KeyFigure(
            f"{lead}, the data set holds {_plural(n, singular)}{what} recorded one by one "
            f"({'; '.join(notes)})",
            ids,
        )
    else:
        first = KeyFigure(f"{lead}, the data set holds no {singular}{what}")
    figures = [first]

    if n and h.months >= 1:
        rate = monthly_rate(n, h.months, noun)
        months = decimal(h.months).removesuffix(".0")
        figures.append(
            KeyFigure(
                # "1 patrol in 12 months" already says its months: the window's length apart
                f"That is {rate}; the window is {months} months long"
                if " in " in rate
                else f"That is {rate} over the {months} months of the window",
                ids,
            )
        )
    elif n:
        figures.append(KeyFigure("The window is shorter than a month: no monthly rate is given"))

    if n:
        last_start = counted["start"].max()
        last = counted[counted["start"] == last_start]
        when = format_at_precision(last["start"], last["date_precision"]).iloc[0]
        days = max(0, int((h.window_end - counted["end"].max()).days))
        since = since_words(days, h.window_end, ends_today=h.ends_today)
        figures.append(
            KeyFigure(
                f"The latest {singular} held is dated {when}, {since}",
                _ordered_sources(ds, "event", last["event_id"]),
            )
        )

    for row in reported_against_held(ds, events, f, today).itertuples(index=False):
        who = str(row.source).rsplit(", ", 1)[0] if row.source else "a source"
        amount = str(row.count_text).removesuffix(" a month")
        per_month = row.unit == "per_month"
        reported = f"{amount} {_kind_plural(row.event_kind)}" + (" a month" if per_month else "")
        if per_month:
            low, high = int(row.reported_low), int(row.reported_high)
            reported += f" (about {low:,}" + (f"–{high:,}" if high != low else "") + " in all)"
        partly = (
            f", and {row.held_partly:,} more whose dates straddle the period's ends"
            if row.held_partly
            else ""
        )
        figures.append(
            KeyFigure(
                f"{_lead(row.period_start, row.period_end)}, {who} reports {reported} across "
                f"{row.scope}; the data set holds {row.ratio_text} one by one{partly}",
                _ordered_sources(ds, "period_count", [row.count_id]),
                (row.count_id,),
            )
        )
    return tuple(figures)


def _scope_words(ds: DataSet, f: EventFilter) -> str:
    """' on Darbasiyah countryside (…) involving Russia': the routes (or theatres) and actors
    the view is narrowed to, for the sentence about what the data set holds."""
    words = ""
    if f.routes:
        names = dict(zip(ds.routes["route_id"], ds.routes["name"], strict=True))
        words += " on " + ", ".join(names.get(r, r) for r in f.routes)
    elif f.theatres:
        names = dict(zip(ds.theatres["theatre_id"], ds.theatres["name"], strict=True))
        words += " in " + ", ".join(names.get(t, t) for t in f.theatres)
    if f.actors:
        names = dict(zip(ds.actors["actor_id"], ds.actors["name"], strict=True))
        words += " involving " + ", ".join(names.get(a, a) for a in f.actors)
    return words


def _kinds_text(kinds: Iterable[str]) -> str:
    return ", ".join(vocab.EVENT_KINDS.get(k, k) for k in kinds)


# --------------------------------------------------------------------------- sources


def source_notes(
    ds: DataSet,
    events: pd.DataFrame,
    figures: Sequence[KeyFigure] = (),
    *,
    period_count_ids: Iterable[str] = (),
    route_ids: Iterable[str] | None = None,
) -> pd.DataFrame:
    """The sources behind what an export shows, numbered: those of the key figures first,
    in the order the figures cite them (so a figure cites a run like 1–9), then the sources
    of the other events shown, of the reported counts drawn or quoted and of the routes
    drawn (by default the routes the events ran on), best graded first.

    Columns: number, source_id, publisher, title, published, url, reliability, grade (the
    source's reliability and the best credibility it is given for what is shown, e.g.
    'B2'), records (how many shown records cite it).
    """
    if route_ids is None:
        route_ids = sorted(set(events["route_id"]) - {""})
    quoted = [c for fig in figures for c in fig.period_count_ids]
    count_ids = list(dict.fromkeys([*period_count_ids, *quoted]))
    cites = pd.concat(
        [
            citations_for(ds, "event", events["event_id"]),
            citations_for(ds, "period_count", count_ids),
            citations_for(ds, "route", list(route_ids)),
        ],
        ignore_index=True,
    )
    columns = [
        "number", "source_id", "publisher", "title", "published", "url", "reliability",
        "grade", "records",
    ]  # fmt: skip
    cited_by_figures = list(dict.fromkeys(s for fig in figures for s in fig.source_ids))
    if cites.empty and not cited_by_figures:
        return pd.DataFrame(columns=columns)
    per = cites.groupby("source_id").agg(
        credibility=("credibility", "min"), records=("record_id", "nunique")
    )
    known = ds.sources.set_index("source_id")
    wanted = list(dict.fromkeys([*cited_by_figures, *per.index]))
    wanted = [s for s in wanted if s in known.index]
    out = known.loc[wanted, ["publisher", "title", "published", "url", "reliability"]].copy()
    out["rank"] = known.loc[wanted, "reliability_rank"]
    out["credibility"] = per["credibility"].reindex(out.index)
    out["records"] = per["records"].reindex(out.index).fillna(0).astype(int)
    first = {s: i for i, s in enumerate(cited_by_figures)}
    out["first"] = out.index.map(lambda s: first.get(s, len(first)))
    out = out.reset_index().sort_values(
        ["first", "rank", "credibility", "publisher", "published", "source_id"], kind="stable"
    )
    credibility = out["credibility"].astype("Int64").astype("string").fillna("")
    out["grade"] = out["reliability"] + credibility
    out["number"] = range(1, len(out) + 1)
    return out[columns].reset_index(drop=True)


def cite_marks(source_ids: Iterable[str], numbers: Mapping[str, int]) -> str:
    """'1–9, 12, 14' for the sources listed (runs of three or more joined); '' when none
    is listed."""
    nums = sorted({numbers[s] for s in source_ids if s in numbers})
    runs: list[str] = []
    i = 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        if i == j:
            runs.append(f"{nums[i]}")
        elif j == i + 1:
            runs.extend([f"{nums[i]}", f"{nums[j]}"])
        else:
            runs.append(f"{nums[i]}–{nums[j]}")
        i = j + 1
    return ", ".join(runs)


def figure_sentence(
    fig: KeyFigure, numbers: Mapping[str, int], grades: Mapping[str, str] | None = None
) -> str:
    """The figure as a sentence with its citation marks: '… 2021 [1–9].' A figure resting
    on one source gives its grade when ``grades`` are known: '… [10 · C2].' Sources that
    are not listed (a list cut short) are counted: '[1–40, +12 more]'."""
    marks = cite_marks(fig.source_ids, numbers)
    distinct = list(dict.fromkeys(fig.source_ids))
    if grades and len(distinct) == 1 and distinct[0] in numbers and grades.get(distinct[0]):
        marks += f" · {grades[distinct[0]]}"
    unlisted = sum(1 for s in dict.fromkeys(fig.source_ids) if s not in numbers)
    if unlisted:
        marks = f"{marks}, +{unlisted:,} more" if marks else f"{unlisted:,} sources not listed"
    return fig.text + (f" [{marks}]." if marks else ".")


# --------------------------------------------------------------------------- the link


def dataset_version(ds: DataSet) -> str:
    """The version an export and its link are made from: the data set's version, which
    carries the store's revision once store records are part of it ('1.0.0+store.r7')."""
    return ds.version


def view_link(
    page_url: str,
    params: Mapping[str, Sequence[str] | str],
    version: str,
    *,
    window: tuple[date | pd.Timestamp | None, date | pd.Timestamp | None] | None = None,
) -> str:
    """The link that reopens this view: the page's URL with the URL-bound filters as the
    app writes them (``params``: each key with all its values, e.g. from
    ``st.query_params``) plus ``dsv=<version>``. When the date filter is at its default
    (absent from the URL, meaning "to today"), ``window`` pins it, so the link shows the
    same period next year."""
    parts = urlsplit(page_url)
    pairs: list[tuple[str, str]] = []
    for key, values in params.items():
        if key == DSV_PARAM:
            continue
        for value in [values] if isinstance(values, str) else values:
            pairs.append((key, str(value)))
    if window is not None and DATES_PARAM not in params and all(w is not None for w in window):
        pairs.extend(
            (DATES_PARAM, pd.Timestamp(w).strftime("%Y-%m-%d"))
            for w in window  # type: ignore[union-attr]
        )
    pairs.append((DSV_PARAM, version))
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(pairs), ""))


def public_link(
    public_url: str | None,
    page: str,
    params: Mapping[str, Sequence[str] | str],
    version: str,
    *,
    window: tuple[date | pd.Timestamp | None, date | pd.Timestamp | None] | None = None,
) -> str | None:
    """The link an export prints: :func:`view_link` for ``page`` (the page's path under
    the app, e.g. 'frequency') on the configured public address
    (``data.settings.public_url``). None when no public address is configured: an
    export then prints no link rather than the address the server happens to see."""
    if not public_url:
        return None
    base = urlsplit(public_url)
    path = base.path.rstrip("/") + "/" + page.strip("/")
    return view_link(
        urlunsplit((base.scheme, base.netloc, path, "", "")), params, version, window=window
    )


def version_notice(requested: str | None, ds: DataSet) -> str | None:
    """What to tell someone who opened a link made from another version of the data set;
    None when the link carries no version or the same one."""
    wanted = (requested or "").strip()
    current = dataset_version(ds)
    if not wanted or wanted == current:
        return None
    return (
        f"This view was made from data set version {wanted[:60]}; the data have changed "
        f"since (now version {current}). What this page shows is from the current data."
    )


# --------------------------------------------------------------------------- words


def period_words(start: date | pd.Timestamp, end: date | pd.Timestamp) -> str:
    """A period as people say it: '2021', '2020–2021', 'Jun 2022', 'Jan–Mar 2021',
    'Nov 2019 – Jun 2022', else '5 Mar 2021 – 20 Apr 2022'."""
    s, e = pd.Timestamp(start), pd.Timestamp(end)
    month_start = s.day == 1
    month_end = (e + pd.Timedelta(days=1)).day == 1
    if month_start and month_end:
        if s.month == 1 and e.month == 12:
            return f"{s.year}" if s.year == e.year else f"{s.year}–{e.year}"
        if (s.year, s.month) == (e.year, e.month):
            return s.strftime("%b %Y")
        if s.year == e.year:
            return f"{s:%b}–{e:%b %Y}"
        return f"{s:%b %Y} – {e:%b %Y}"
    return f"{_day(s)} – {_day(e)}"


def default_title(ds: DataSet, f: EventFilter, today: date, noun: str = "Patrols") -> str:
    """A title for an export of this view: 'Patrols in 2021 · Darbasiyah countryside (…)'.
    The analyst may change it."""
    first = f.start or (ds.events["start"].min() if len(ds.events) else None)
    end = min(f.end or today, today)
    if first is None or pd.isna(first):
        title = noun
    else:
        months = (
            pd.Timestamp(first).day == 1 and (pd.Timestamp(end) + pd.Timedelta(days=1)).day == 1
        )
        title = f"{noun}{' in ' if months else ', '}{period_words(first, end)}"
    names = []
    if f.routes:
        routes = dict(zip(ds.routes["route_id"], ds.routes["name"], strict=True))
        names.append(", ".join(routes.get(r, r) for r in f.routes))
    elif f.theatres:
        theatres = dict(zip(ds.theatres["theatre_id"], ds.theatres["name"], strict=True))
        names.append(", ".join(theatres.get(t, t) for t in f.theatres))
    if f.actors:
        actors = dict(zip(ds.actors["actor_id"], ds.actors["name"], strict=True))
        names.append(", ".join(actors.get(a, a) for a in f.actors))
    return " · ".join([title, *names])


# --------------------------------------------------------------------------- the banner


@dataclass(frozen=True)
class Banner:
    """A handling marking printed at the top and foot of every export ("UNCLASSIFIED")."""

    text: str
    colour: str = DEFAULT_BANNER_COLOUR


def handling_banner(
    env: Mapping[str, str] | None = None, config_file: Path | None = None
) -> Banner | None:
    """The handling banner from the configuration, or None when none is set.

    ``PATROLWATCH_BANNER`` (and ``PATROLWATCH_BANNER_COLOUR``, a #rrggbb colour) win;
    otherwise ``banner`` and ``banner_colour`` under ``[export]`` in ``patrolwatch.toml``
    at the repository root (or the file ``PATROLWATCH_CONFIG`` names). Raises ValueError
    for a config file that is not valid TOML or a colour that is not #rrggbb."""
    env = os.environ if env is None else env
    text = (env.get(BANNER_ENV) or "").strip()
    colour = (env.get(BANNER_COLOUR_ENV) or "").strip()
    if not text or not colour:
        section = config_section("export", env, config_file)
        text = text or str(section.get("banner", "")).strip()
        colour = colour or str(section.get("banner_colour", "")).strip()
    if not text:
        return None
    if colour and not _HEX_COLOUR.match(colour):
        raise ValueError(f"the banner colour {colour!r} is not a #rrggbb colour")
    return Banner(" ".join(text.split())[:MAX_BANNER_CHARS], colour or DEFAULT_BANNER_COLOUR)
