"""From a report's text to candidates: events, period counts, attributions and the places
it mentions, each field with the words it came from (``Evidence``: offsets in the text,
the sentence, and the table row of the rule that found it).

Rules only, offline: the keyword and pattern tables of ``data/extraction``, the places and
their spellings (``data.importers.gazetteer``), the actors and their aliases (the data
set's actors, aliases added in the store included), ``dateparser`` for relative dates
("last week", "أمس") against the publication date. What the text does not say is left
blank; nothing here writes anything. Pure: no streamlit.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pandas as pd

from data.dates import written_date
from data.importers.gazetteer import gazetteer, spelling_key
from data.model import DataSet
from data.reports.sentences import Sentence, split_sentences
from data.reports.tables import Rule, Tables, load_tables
from data.reports.text import ReportMeta

_ARABIC = re.compile(r"[\u0600-\u06ff]")
#: an Arabic letter (not the Arabic comma or full stop): word edges in Arabic text
_AR_LETTER = r"[\u0621-\u064a\u066e-\u06d3]"
_SEP = r"[\s\-‐'’ʼ`]*"


@dataclass(frozen=True)
class Evidence:
    """One field's value and where it came from: ``start``/``end`` are offsets in the
    report text, ``sentence`` the sentence's number, ``rule`` the table row (or data)
    that read it, ``note`` anything the analyst should know (an inferred year…)."""

    field: str
    value: str
    shown: str
    start: int
    end: int
    sentence: int
    rule: str
    note: str = ""


@dataclass
class Attribution:
    """Who a sentence says said it: an outlet (TASS), a speaker (Maj. Gen. Yury Popov), a
    study (Jusoor) or the publisher's reporter."""

    who: str
    kind: str  # outlet | speaker | study | reporter
    outlet: str  # the outlet's name from outlets.csv, '' if not a known outlet
    evidence: Evidence
    outlet_kind: str = ""  # its kind in outlets.csv (official_statement, news_agency…)


@dataclass
class EventCandidate:
    """An event the report describes. ``fields``: name → evidence, in the order shown
    (kind, status, date, actors, places, entry, bases, round_trip, patrol_number,
    number_scheme, vehicles, helicopters, theatre, route). ``actors`` values are
    ``actor_id:role``; ``places`` are in the order passed."""

    cid: str
    sentences: list[int]
    fields: dict[str, list[Evidence]] = field(default_factory=dict)
    attributions: list[Attribution] = field(default_factory=list)
    mentioned_actors: list[Evidence] = field(default_factory=list)
    precision: str = ""

    def value(self, name: str) -> str:
        ev = self.fields.get(name) or []
        return ev[0].value if ev else ""

    def values(self, name: str) -> list[str]:
        return [e.value for e in self.fields.get(name) or []]


@dataclass
class CountCandidate:
    """A count a source reports over a period: never an event."""

    cid: str
    metric: str
    event_kind: str
    count_low: int
    count_high: int
    unit: str  # total | per_month
    qualifier: str
    period_start: str  # YYYY-MM-DD, '' if the text gives none
    period_end: str
    fields: dict[str, list[Evidence]] = field(default_factory=dict)
    attributions: list[Attribution] = field(default_factory=list)
    sentence: int = 0


@dataclass
class PlaceMention:
    """A place the report names, with what it is to the report: route (a waypoint), entry
    (where patrols enter), base, area (a region named around), or mentioned."""

    place_id: str
    name: str
    role: str
    evidence: Evidence


@dataclass
class Extraction:
    """Everything read from one report."""

    text: str
    meta: ReportMeta
    language: str
    sentences: list[Sentence]
    events: list[EventCandidate]
    counts: list[CountCandidate]
    places: list[PlaceMention]
    attributions: list[Attribution]
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class _Hit:
    start: int  # offsets inside the sentence
    end: int
    value: str
    rule: str
    extra: tuple[tuple[str, str], ...] = ()

    def get(self, name: str) -> str:
        return dict(self.extra).get(name, "")


def _longest_first(hits: list[_Hit]) -> list[_Hit]:
    """Overlapping hits resolved: the longest wins, then the earliest; result in text order."""
    kept: list[_Hit] = []
    for h in sorted(hits, key=lambda h: (-(h.end - h.start), h.start)):
        if all(h.end <= k.start or h.start >= k.end for k in kept):
            kept.append(h)
    return sorted(kept, key=lambda h: h.start)


def _spelling_pattern(spelling: str) -> str:
    """A spelling as a pattern: separators loose, the Arabic article optional, whole words."""
    spelling = re.sub(r"\s*\([^)]*\)", "", spelling).strip()
    if not spelling:
        return ""
    if _ARABIC.search(spelling):
        core = re.sub(r"^ال", "", spelling)
        body = _SEP.join(re.escape(t) for t in core.split())
        return rf"(?<!{_AR_LETTER})[وبلف]?(?:ال)?{body}(?!{_AR_LETTER})"
    core = re.sub(r"^(?:al|el|ad|ar|as|at|ash|an|az)[\s\-‐'’]+", "", spelling, flags=re.I)
    tokens = [t for t in re.split(r"[\s\-‐'’ʼ`]+", core) if t]
    if not tokens:
        return ""
    body = _SEP.join(re.escape(t) for t in tokens)
    return rf"(?<!\w)(?:(?:al|el|ad|ar|as|at|ash|an|az)[\s\-‐'’]+)?{body}(?!\w)"


@dataclass(frozen=True)
class _Gazetteer:
    patterns: tuple[tuple[str, str, re.Pattern[str]], ...]  # place_id, name, pattern
    kinds: dict[str, str]


def _place_index(ds: DataSet, tables: Tables, language: str) -> _Gazetteer:
    g = gazetteer(ds.places[["place_id", "name", "alt_names"]])
    generic = [w for lang in (language, "en") for w in tables.generic_words.get(lang, ())]
    spellings: dict[str, set[str]] = {}
    for pid, spelling in zip(g["place_id"], g["spelling"], strict=True):
        bucket = spellings.setdefault(pid, set())
        bucket.add(spelling)
        plain = re.sub(r"\s*\([^)]*\)", "", spelling).strip()
        for word in generic:  # 'Alouk water station' is also 'Alouk'
            if plain.casefold().endswith(" " + word.casefold()):
                short = plain[: -len(word)].strip()
                if len(spelling_key(short)) >= 3:
                    bucket.add(short)
                break
    names = dict(zip(ds.places["place_id"], ds.places["name"], strict=True))
    out = []
    for pid, spells in spellings.items():
        parts = [p for p in (_spelling_pattern(s) for s in spells) if p]
        parts.sort(key=len, reverse=True)
        if parts:
            out.append((pid, names.get(pid, pid), re.compile("|".join(parts), re.I)))
    for rule in tables.of("place_phrases", language):
        pid = rule.get("place_id")
        if pid in names:
            out.append((pid, names[pid], rule.pattern))
    kinds = dict(zip(ds.places["place_id"], ds.places["kind"], strict=True))
    return _Gazetteer(tuple(out), kinds)


def _find_places(sentence: str, index: _Gazetteer) -> list[_Hit]:
    hits = [
        _Hit(m.start(), m.end(), pid, "places.csv (name or alt_names)", (("name", name),))
        for pid, name, pattern in index.patterns
        for m in pattern.finditer(sentence)
    ]
    return _longest_first(hits)


def _actor_index(ds: DataSet, tables: Tables, language: str) -> list[tuple[str, re.Pattern]]:
    out: list[tuple[str, re.Pattern]] = []
    for aid, name, aliases in zip(
        ds.actors["actor_id"], ds.actors["name"], ds.actors["aliases"].fillna(""), strict=True
    ):
        for alias in [name, *str(aliases).split("|")]:
            alias = alias.strip()
            if not alias or alias.startswith("'"):
                continue
            body = re.sub(r"['’]", "['’]", re.escape(alias))
            short = len(alias) <= 4 or alias.isupper()
            flags = 0 if short else re.I
            if _ARABIC.search(alias):
                pattern = rf"(?<!{_AR_LETTER})[وبلف]?{body}(?!{_AR_LETTER})"
            else:
                pattern = rf"(?<!\w){body}(?!\w)"
            out.append((aid, re.compile(pattern, flags)))
    for rule in tables.of("actor_phrases", language):
        out.append((rule.get("actor_id"), rule.pattern))
    return out


def _find_actors(sentence: str, index: list[tuple[str, re.Pattern]]) -> list[_Hit]:
    hits = [
        _Hit(m.start(), m.end(), aid, "actors.csv (name or aliases) / actor_phrases.csv")
        for aid, pattern in index
        for m in pattern.finditer(sentence)
    ]
    return [h for h in _longest_first(hits) if h.value]  # a blank actor id masks (a border)


def _rule_hits(sentence: str, rules: tuple[Rule, ...]) -> list[tuple[Rule, re.Match]]:
    return [(r, m) for r in rules for m in r.pattern.finditer(sentence) if m.end() > m.start()]


# --------------------------------------------------------------------------- dates


def _latest_not_after(day: int, month: int, pub: date | None) -> tuple[date | None, str]:
    if pub is None:
        return None, "no year and no publication date"
    for year in (pub.year, pub.year - 1):
        try:
            d = date(year, month, day)
        except ValueError:
            return None, "not a calendar date"
        if d <= pub:
            return d, f"year {year} from the publication date"
    return None, "not a calendar date"


def shown_date(day: date, precision: str) -> str:
    """How an analyst reads it: '22 May 2024', 'week of 20 May 2024', 'Apr 2024'."""
    if precision == "week":
        monday = day - timedelta(days=day.weekday())
        return f"week of {monday.day} {monday:%b %Y}"
    if precision == "month":
        return f"{day:%b %Y}"
    if precision == "quarter":
        return f"Q{(day.month - 1) // 3 + 1} {day.year}"
    if precision == "year":
        return str(day.year)
    return f"{day.day} {day:%b %Y}"


def _relative(text: str, language: str, pub: date) -> date | None:
    from dateparser.date import DateDataParser

    base = datetime(pub.year, pub.month, pub.day, 12)
    settings = {"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past"}
    parser = DateDataParser(languages=[language or "en"], settings=settings)
    found = parser.get_date_data(text.strip())
    return found.date_obj.date() if found and found.date_obj else None


def _resolve_date(
    rule: Rule, m: re.Match, tables: Tables, language: str, pub: date | None
) -> tuple[date | None, str]:
    how = rule.get("resolve")
    groups = {k: v for k, v in m.groupdict().items() if v}
    if how == "dmy":
        month = tables.month(groups.get("m", ""), language)
        if month is None:
            return None, "unknown month"
        day = int(groups["d"]) if "d" in groups else 1
        if "y" in groups:
            try:
                return date(int(groups["y"]), month, day), ""
            except ValueError:
                return None, "not a calendar date"
        return _latest_not_after(day, month, pub)
    if pub is None:
        return None, "needs the publication date"
    if how == "weekday":
        wd = tables.weekday(groups.get("wd", ""), language)
        if wd is None:
            return None, "unknown weekday"
        back = (pub.weekday() - wd) % 7
        return pub - timedelta(days=back), "the latest such weekday on or before publication"
    if how == "relative":
        found = _relative(m.group(0), language, pub)
        return found, "" if found else "not understood"
    return None, "unknown rule"


def _dates(
    sentence: Sentence, tables: Tables, language: str, pub: date | None
) -> list[tuple[Evidence, str]]:
    """Dates in a sentence: (evidence, precision), text order. A weekday that disagrees
    with its date is noted."""
    hits = _rule_hits(sentence.text, tables.of("dates", language))
    best = _longest_first(
        [_Hit(m.start(), m.end(), str(i), r.label) for i, (r, m) in enumerate(hits)]
    )
    out = []
    for h in best:
        rule, m = hits[int(h.value)]
        day, note = _resolve_date(rule, m, tables, language, pub)
        if day is None:
            continue
        precision = rule.get("precision")
        wd = m.groupdict().get("wd")
        if wd and rule.get("resolve") == "dmy" and precision == "day":
            want = tables.weekday(wd, language)
            if want is not None and want != day.weekday():
                note = (note + "; " if note else "") + f"the text's weekday ({wd}) disagrees"
        ev = Evidence(
            "date",
            written_date(day, precision),
            shown_date(day, precision) + f" ({precision})",
            sentence.start + m.start(),
            sentence.start + m.end(),
            sentence.index,
            rule.label,
            note,
        )
        out.append((ev, precision))
    return out


# --------------------------------------------------------------------------- attributions


def _attributions(
    sentence: Sentence, tables: Tables, language: str, outlets: tuple[Rule, ...]
) -> list[Attribution]:
    hits = _rule_hits(sentence.text, tables.of("attributions", language))
    spans = []
    for rule, m in hits:
        if "who" not in m.groupdict() or not m.group("who"):
            continue
        who = m.group("who").strip().rstrip(".")
        if len(who) > 90 or len(who) < 2:
            continue
        spans.append(
            _Hit(m.start("who"), m.end("who"), who, rule.label, (("kind", rule.get("kind")),))
        )
    kept: list[_Hit] = []
    for h in spans:  # the table's order wins: its specific rules come first
        if all(h.end <= k.start or h.start >= k.end for k in kept):
            kept.append(h)
    out = []
    for h in sorted(kept, key=lambda h: h.start):
        who = re.sub(r"^(?:the|The) ", "", h.value)
        known = next((o for o in outlets if o.pattern.search(who)), None)
        outlet = known.get("name") if known else ""
        ev = Evidence(
            "attribution",
            outlet or who,
            who,
            sentence.start + h.start,
            sentence.start + h.end,
            sentence.index,
            h.rule,
        )
        kind = known.get("kind") if known else ""
        out.append(Attribution(who, h.get("kind"), outlet, ev, kind))
    return out


def _also_outlets(
    sentence: Sentence, outlets: tuple[Rule, ...], known: list[Attribution]
) -> list[Attribution]:
    """Outlets named inside an attribution ('the Russian news agency TASS') as their own
    attribution, so the original outlet is recorded whatever the phrasing."""
    out = []
    for a in known:
        if a.outlet:
            continue
        for o in outlets:
            m = o.pattern.search(a.who)
            if m:
                start = a.evidence.start + a.who.find(m.group(0))
                ev = Evidence(
                    "attribution",
                    o.get("name"),
                    m.group(0),
                    start,
                    start + len(m.group(0)),
                    sentence.index,
                    o.label,
                )
                out.append(Attribution(m.group(0), "outlet", o.get("name"), ev, o.get("kind")))
    return out


# --------------------------------------------------------------------------- counts


def _period(rule: Rule, m: re.Match, sentence: str, tables: Tables, lang: str) -> tuple[str, str]:
    g = {k: v for k, v in m.groupdict().items() if v}
    year = int(g["y"]) if "y" in g else None
    if year is None:  # 'the same year': the last year named before it
        years = re.findall(r"\b(\d{4})\b", sentence[: m.start()])
        year = int(years[-1]) if years else None
    if year is None:
        return "", ""
    precision = rule.get("precision")
    if precision == "quarter":
        q = tables.ordinal(g.get("ord", ""), lang)
        q = 4 if q == -1 else q
        if not q or not 1 <= q <= 4:
            return "", ""
        first = date(year, 3 * q - 2, 1)
        last = (pd.Timestamp(first) + pd.offsets.QuarterEnd(0)).date()
        return first.isoformat(), last.isoformat()
    if precision == "half":
        h = tables.ordinal(g.get("ord", ""), lang)
        return (f"{year}-01-01", f"{year}-06-30") if h == 1 else (f"{year}-07-01", f"{year}-12-31")
    if precision == "month":
        month = tables.month(g.get("m", ""), lang)
        if not month:
            return "", ""
        first = date(year, month, 1)
        last = (pd.Timestamp(first) + pd.offsets.MonthEnd(0)).date()
        return first.isoformat(), last.isoformat()
    return f"{year}-01-01", f"{year}-12-31"


def _counts(
    sentence: Sentence, tables: Tables, lang: str, attributions: list[Attribution], n0: int
) -> list[CountCandidate]:
    text = sentence.text
    periods = _rule_hits(text, tables.of("periods", lang))
    found = _rule_hits(text, tables.of("counts", lang))
    # rates first: 'three patrols per month' is not a total
    found.sort(key=lambda rm: (rm[0].get("unit") != "per_month", rm[1].start()))
    taken: list[tuple[int, int]] = []
    rows: list[tuple[int, CountCandidate]] = []
    for rule, m in found:
        if any(m.start() < e and m.end() > s for s, e in taken):
            continue
        low = tables.number(m.group("n"), lang)
        if low is None:
            continue
        high = tables.number(m.group("n2"), lang) if m.groupdict().get("n2") else low
        q = (m.groupdict().get("q") or "").casefold()
        qual = tables.qualifiers.get(lang, {}).get(q) or tables.qualifiers["en"].get(q, "")
        qual = "range" if high != low else (qual or "exact")
        taken.append((m.start(), m.end()))
        unit = rule.get("unit")
        ev = [
            Evidence(
                "count",
                f"{low}" if low == high else f"{low}–{high}",
                m.group(0),
                sentence.start + m.start(),
                sentence.start + m.end(),
                sentence.index,
                rule.label,
            )
        ]
        fields = {"count": ev}
        start = end = ""
        if unit == "total":  # the period named right after the number
            after = [(r, p) for r, p in periods if 0 <= p.start() - m.end() <= 3]
            if after:
                r, p = min(after, key=lambda rp: rp[1].start())
                start, end = _period(r, p, text, tables, lang)
                if start:
                    fields["period"] = [
                        Evidence(
                            "period",
                            f"{start} – {end}",
                            p.group(0),
                            sentence.start + p.start(),
                            sentence.start + p.end(),
                            sentence.index,
                            r.label,
                        )
                    ]
        cand = CountCandidate(
            "",
            rule.get("metric"),
            rule.get("event_kind"),
            low,
            high,
            unit,
            qual,
            start,
            end,
            fields,
            [a for a in attributions if a.kind in ("study", "outlet", "speaker")],
            sentence.index,
        )
        rows.append((m.start(), cand))
    rows.sort(key=lambda pc: pc[0])
    # a rate covers the period of the total before it in the sentence
    last_total: CountCandidate | None = None
    for _, c in rows:
        if c.unit == "total":
            last_total = c
        elif last_total is not None and last_total.period_start:
            c.period_start, c.period_end = last_total.period_start, last_total.period_end
            c.fields["period"] = [
                Evidence(
                    "period",
                    e.value,
                    e.shown,
                    e.start,
                    e.end,
                    e.sentence,
                    e.rule,
                    "the period of the count before it",
                )
                for e in last_total.fields.get("period", [])
            ]
    out = []
    for i, (_, c) in enumerate(rows):
        c.cid = f"count-{n0 + i + 1}"
        out.append(c)
    return out


# --------------------------------------------------------------------------- events


@dataclass
class _Read:
    """What one sentence holds."""

    sentence: Sentence
    kind: str = ""
    kind_rule: Rule | None = None
    kind_match: re.Match | None = None
    kinded: bool = False
    background: bool = False
    counts: list[CountCandidate] = field(default_factory=list)
    dates: list[tuple[Evidence, str]] = field(default_factory=list)
    actors: list[_Hit] = field(default_factory=list)
    places: list[_Hit] = field(default_factory=list)
    cues: list[tuple[Rule, re.Match]] = field(default_factory=list)
    attributions: list[Attribution] = field(default_factory=list)
    numbers: list[tuple[Rule, re.Match]] = field(default_factory=list)
    vehicles: list[tuple[Rule, re.Match]] = field(default_factory=list)
    status: list[tuple[Rule, re.Match]] = field(default_factory=list)
    schemes: list[tuple[Rule, re.Match]] = field(default_factory=list)


def _pick_kind(read: _Read, hits: list[tuple[Rule, re.Match]]) -> None:
    if not hits:
        return
    read.kinded = True
    real = [(r, m) for r, m in hits if r.get("kind")]
    if not real:
        return
    anchor = read.dates[0][0].start - read.sentence.start if read.dates else None

    def score(rm: tuple[Rule, re.Match]) -> tuple[int, int]:
        r, m = rm
        distance = abs(m.start() - anchor) if anchor is not None else m.start()
        return (-int(r.get("priority") or 0), distance)

    rule, m = min(real, key=score)
    read.kind, read.kind_rule, read.kind_match = rule.get("kind"), rule, m


def _joins(tables: Tables, language: str, a: str, b: str) -> bool:
    if a == b:
        return True
    for r in tables.of("event_kinds", language):
        if r.get("kind") == a and b in r.get("joins").split("|"):
            return True
        if r.get("kind") == b and a in r.get("joins").split("|"):
            return True
    return False


def _priority(tables: Tables, language: str, kind: str) -> int:
    return max(
        (
            int(r.get("priority") or 0)
            for r in tables.of("event_kinds", language)
            if r.get("kind") == kind
        ),
        default=0,
    )


def _near(read: _Read, cue: str, place: _Hit, before: int = 40) -> bool:
    """The place is the first place named after a cue of this kind, within ``before``
    characters."""
    for r, m in read.cues:
        if r.get("cue") != cue or not 0 <= place.start - m.end() <= before:
            continue
        if not any(m.end() <= p.start < place.start for p in read.places):
            return True
    return False


def _is_area(cues: list[tuple[Rule, re.Match]], place: _Hit, sentence: str) -> bool:
    for r, m in cues:
        cue = r.get("cue")
        gap_before = sentence[m.end() : place.start]
        gap_after = sentence[place.end : m.start()]
        if (
            cue == "area"
            and 0 <= place.start - m.end() <= 20
            and not re.search(r",|،| and ", gap_before)
        ):
            return True
        if cue == "area_after" and 0 <= m.start() - place.end <= 3 and "," not in gap_after:
            return True
    return False


def _route_order(read: _Read, places: list[_Hit]) -> list[_Hit]:
    """Waypoints in the order passed: 'from/between' places start, 'passing through/via'
    places come next, 'to' places end; 'between A and B, passing through C' is A, C, B."""
    marks = sorted(
        [(m.start(), r.get("cue")) for r, m in read.cues if r.get("cue") in ("start", "via", "end")]
    )
    start, via, end = [], [], []
    for p in places:
        label = "start"
        for pos, cue in marks:
            if pos < p.start:
                label = cue
        {"start": start, "via": via, "end": end}[label].append(p)
    if not end and len(start) >= 2 and via:
        end, start = [start[-1]], start[:-1]
    return start + via + end


def _ev(
    read: _Read, name: str, value: str, shown: str, s: int, e: int, rule: str, note: str = ""
) -> Evidence:
    return Evidence(
        name,
        value,
        shown,
        read.sentence.start + s,
        read.sentence.start + e,
        read.sentence.index,
        rule,
        note,
    )


def _build_event(
    group: list[_Read],
    n: int,
    ds: DataSet,
    tables: Tables,
    language: str,
    gaz: _Gazetteer,
    all_reads: list[_Read],
) -> EventCandidate:
    cand = EventCandidate(f"event-{n}", [r.sentence.index for r in group])
    kind_read = max((r for r in group if r.kind), key=lambda r: _priority(tables, language, r.kind))
    kind = kind_read.kind
    km = kind_read.kind_match
    assert km is not None and kind_read.kind_rule is not None
    cand.fields["kind"] = [
        _ev(
            kind_read,
            "kind",
            kind,
            kind.replace("_", " "),
            km.start(),
            km.end(),
            kind_read.kind_rule.label,
        )
    ]
    # status: a cue, else the kind's own
    status_hits = [(r, rm) for r in group for rm in r.status]
    if status_hits:
        r, (rule, m) = status_hits[0]
        cand.fields["status"] = [
            _ev(r, "status", rule.get("status"), rule.get("status"), m.start(), m.end(), rule.label)
        ]
    else:
        st = kind_read.kind_rule.get("status") or "carried_out"
        cand.fields["status"] = [
            _ev(
                kind_read,
                "status",
                st,
                st.replace("_", " "),
                km.start(),
                km.end(),
                kind_read.kind_rule.label,
                "the kind's usual status",
            )
        ]
    # date: the first the event's sentences give
    for r in group:
        if r.dates:
            ev, precision = r.dates[0]
            cand.fields["date"] = [ev]
            cand.precision = precision
            break
    # actors and their roles (names inside an attribution are who speaks, not who acts)
    roles = {
        (r.get("kind"), r.get("actor_kind")): r.get("role")
        for r in tables.rules.get("event_roles", ())
    }
    actor_kind = dict(zip(ds.actors["actor_id"], ds.actors["kind"], strict=True))
    actor_name = dict(zip(ds.actors["actor_id"], ds.actors["name"], strict=True))
    seen: set[str] = set()
    for r in group:
        masks = [
            (a.evidence.start, a.evidence.end)
            for a in r.attributions
            if a.outlet_kind != "official_statement"
        ]
        for h in r.actors:
            s, e = r.sentence.start + h.start, r.sentence.start + h.end
            if any(s >= ms and e <= me for ms, me in masks) or h.value in seen:
                continue
            seen.add(h.value)
            role = roles.get((kind, actor_kind.get(h.value, "")), "")
            name = actor_name.get(h.value, h.value)
            if role:
                cand.fields.setdefault("actors", []).append(
                    _ev(
                        r,
                        "actors",
                        f"{h.value}:{role}",
                        f"{name} ({role})",
                        h.start,
                        h.end,
                        h.rule + " · role from event_roles.csv",
                    )
                )
            else:
                cand.mentioned_actors.append(
                    _ev(
                        r,
                        "mentioned",
                        h.value,
                        name,
                        h.start,
                        h.end,
                        h.rule,
                        "named, but event_roles.csv gives this kind of actor no role here",
                    )
                )
    # a parent named beside its own child (Russia beside the Russian military police) is
    # the same force: the more specific name is kept
    parent = dict(zip(ds.actors["actor_id"], ds.actors["parent_id"].fillna(""), strict=True))
    named = {e.value.split(":")[0] for e in cand.fields.get("actors", [])}
    if "actors" in cand.fields:
        cand.fields["actors"] = [
            e
            for e in cand.fields["actors"]
            if not any(parent.get(other) == e.value.split(":")[0] for other in named)
        ]
    # places: entry, waypoints in order, bases
    entry: list[Evidence] = []
    bases: list[Evidence] = []
    route: list[tuple[_Read, _Hit]] = []
    areas: list[tuple[_Read, _Hit]] = []
    best: list[tuple[_Read, _Hit]] = []
    for r in group:
        line: list[_Hit] = []
        for p in r.places:
            pkind = gaz.kinds.get(p.value, "")
            if _near(r, "entry", p):
                entry.append(
                    _ev(
                        r,
                        "entry",
                        p.value,
                        p.get("name"),
                        p.start,
                        p.end,
                        p.rule + " · after an entry cue (route_cues.csv)",
                    )
                )
            elif pkind == "base" or _near(r, "base", p):
                bases.append(
                    _ev(
                        r,
                        "bases",
                        p.value,
                        p.get("name"),
                        p.start,
                        p.end,
                        p.rule + " · a base (place kind or route_cues.csv)",
                    )
                )
            elif _is_area(r.cues, p, r.sentence.text):
                areas.append((r, p))
            else:
                line.append(p)
        ordered = [(r, p) for p in _route_order(r, line)]
        has_cue = any(c.get("cue") in ("start", "via", "end") for c, _ in r.cues)
        if has_cue and len(ordered) > len(best):
            best = ordered
        route.extend(ordered)
    waypoints = list(best) or route  # the sentence that gives the route, else text order
    if not waypoints and not entry:
        waypoints = areas
    ordered_ids: list[str] = []
    for e in entry:
        if e.value not in ordered_ids:
            ordered_ids.append(e.value)
            cand.fields.setdefault("places", []).append(
                Evidence("places", e.value, e.shown, e.start, e.end, e.sentence, e.rule)
            )
    for r, p in waypoints:
        if p.value in ordered_ids:
            continue
        ordered_ids.append(p.value)
        cand.fields.setdefault("places", []).append(
            _ev(
                r,
                "places",
                p.value,
                p.get("name"),
                p.start,
                p.end,
                p.rule + " · order from route_cues.csv (from/between, passing through, to)",
            )
        )
    for b in bases:
        if b.value not in ordered_ids:
            ordered_ids.append(b.value)
            cand.fields.setdefault("places", []).append(
                Evidence("places", b.value, b.shown, b.start, b.end, b.sentence, b.rule)
            )
    if entry:
        cand.fields["entry"] = entry[:1]
    elif waypoints and gaz.kinds.get(waypoints[0][1].value) == "border_crossing":
        r, p = waypoints[0]
        cand.fields["entry"] = [
            _ev(
                r,
                "entry",
                p.value,
                p.get("name"),
                p.start,
                p.end,
                "the route starts at a border crossing",
            )
        ]
    if bases:
        cand.fields["bases"] = bases
    for r in group:
        for rule, m in r.cues:
            if rule.get("cue") == "round_trip":
                cand.fields["round_trip"] = [
                    _ev(r, "round_trip", "yes", "both ways", m.start(), m.end(), rule.label)
                ]
                break
        if "round_trip" in cand.fields:
            break
    # patrol number and whose numbering
    for r in group:
        for rule, m in r.numbers:
            value = tables.ordinal(m.group("n"), language)
            if value and value > 0:
                cand.fields["patrol_number"] = [
                    _ev(
                        r,
                        "patrol_number",
                        str(value),
                        f"no. {value}",
                        m.start(),
                        m.end(),
                        rule.label,
                    )
                ]
                break
        if "patrol_number" in cand.fields:
            break
    if "patrol_number" in cand.fields:
        for pool, note in ((group, ""), (all_reads, "named elsewhere in the report")):
            hit = next(((r, rm) for r in pool for rm in r.schemes), None)
            if hit:
                r, (rule, m) = hit
                cand.fields["number_scheme"] = [
                    _ev(
                        r,
                        "number_scheme",
                        rule.get("scheme"),
                        rule.get("scheme"),
                        m.start(),
                        m.end(),
                        rule.label,
                        note,
                    )
                ]
                break
    for name in ("vehicles", "helicopters"):
        for r in group:
            for rule, m in r.vehicles:
                if rule.get("field") != name:
                    continue
                g = m.groupdict()
                if rule.get("value"):
                    value = int(rule.get("value"))
                else:
                    a = tables.number(g.get("n") or "", language)
                    b = tables.number(g.get("n2") or "", language) if g.get("n2") else 0
                    if a is None or b is None:
                        continue
                    value = a + b
                cand.fields[name] = [
                    _ev(r, name, str(value), str(value), m.start(), m.end(), rule.label)
                ]
                break
            if name in cand.fields:
                break
    for r in group:
        cand.attributions.extend(r.attributions)
    _theatre_and_route(cand, ds, ordered_ids)
    return cand


def _theatre_and_route(cand: EventCandidate, ds: DataSet, places: list[str]) -> None:
    """The theatre of the held events at these places (most of them), and a held route
    whose waypoints are exactly these places. Left blank when the data says nothing."""
    anchor = (cand.fields.get("places") or cand.fields.get("kind"))[0]
    theatres = ds.theatres["theatre_id"].tolist()
    if places:
        held = ds.event_places[ds.event_places["place_id"].isin(places)]["event_id"]
        t = Counter(ds.events[ds.events["event_id"].isin(held)]["theatre_id"]).most_common(1)
        if t:
            cand.fields["theatre"] = [
                Evidence(
                    "theatre",
                    t[0][0],
                    t[0][0],
                    anchor.start,
                    anchor.end,
                    anchor.sentence,
                    "the theatre of the held events at these places",
                )
            ]
    if "theatre" not in cand.fields and len(theatres) == 1:
        cand.fields["theatre"] = [
            Evidence(
                "theatre",
                theatres[0],
                theatres[0],
                anchor.start,
                anchor.end,
                anchor.sentence,
                "the data set's only theatre",
            )
        ]
    if places and not ds.route_waypoints.empty:
        wp = ds.route_waypoints.groupby("route_id")["place_id"].agg(frozenset)
        same = wp[wp == frozenset(places)]
        if len(same):
            rid = str(same.index[0])
            cand.fields["route"] = [
                Evidence(
                    "route",
                    rid,
                    rid,
                    anchor.start,
                    anchor.end,
                    anchor.sentence,
                    "routes.json: the same waypoints",
                )
            ]


def _has_event_fields(read: _Read) -> bool:
    cue = any(r.get("cue") in ("start", "via", "end", "round_trip", "base") for r, _ in read.cues)
    return bool(read.vehicles or read.numbers or (cue and read.places))


# --------------------------------------------------------------------------- the verb


def parse_published(text: str) -> date | None:
    """'2024-05-22' → that day; a month or year alone → None (relative dates need a day)."""
    try:
        return date.fromisoformat(str(text).strip()[:10]) if len(str(text).strip()) >= 10 else None
    except ValueError:
        return None


def extract(text: str, meta: ReportMeta, ds: DataSet, tables: Tables | None = None) -> Extraction:
    """Read a report: its sentences, and the events, period counts, attributions and places
    in them, every field with its evidence. ``meta.published`` anchors relative dates;
    ``meta.language`` picks the tables' rows (English rows always apply)."""
    tables = tables or load_tables()
    language = (meta.language or "en").lower()
    pub = parse_published(meta.published)
    notes = []
    if pub is None:
        notes.append(
            "No publication day given: dates without a year, weekdays and 'last week' are "
            "left blank."
        )
    sentences = split_sentences(text, tables.abbreviations)
    gaz = _place_index(ds, tables, language)
    actors = _actor_index(ds, tables, language)
    outlets = tables.of("outlets", language)
    background = tables.of("background_cues", language)
    kinds = tables.of("event_kinds", language)
    reads: list[_Read] = []
    counts: list[CountCandidate] = []
    attributions: list[Attribution] = []
    for s in sentences:
        r = _Read(s)
        r.attributions = _attributions(s, tables, language, outlets)
        r.attributions += _also_outlets(s, outlets, r.attributions)
        attributions.extend(r.attributions)
        r.counts = _counts(s, tables, language, r.attributions, len(counts))
        counts.extend(r.counts)
        r.background = any(b.pattern.search(s.text) for b in background)
        r.dates = _dates(s, tables, language, pub)
        r.actors = _find_actors(s.text, actors)
        r.places = _find_places(s.text, gaz)
        r.cues = _rule_hits(s.text, tables.of("route_cues", language))
        r.numbers = _rule_hits(s.text, tables.of("patrol_numbers", language))
        r.vehicles = _rule_hits(s.text, tables.of("vehicles", language))
        r.status = _rule_hits(s.text, tables.of("status_cues", language))
        r.schemes = _rule_hits(s.text, tables.of("number_schemes", language))
        if not r.counts and not r.background:
            _pick_kind(r, _rule_hits(s.text, kinds))
        reads.append(r)

    groups: list[list[_Read]] = []
    current: list[_Read] | None = None
    for r in reads:
        if r.counts or r.background:
            current = None
            continue
        day = r.dates[0][0].value if r.dates else ""
        held_day = next((g.dates[0][0].value for g in current or [] if g.dates), "")
        same_day = not day or not held_day or day == held_day
        if r.kind:
            kind_now = next((g.kind for g in current or [] if g.kind), "")
            if current and same_day and _joins(tables, language, kind_now, r.kind):
                current.append(r)
            else:
                current = [r]
                groups.append(current)
        elif current and same_day and (r.kinded or _has_event_fields(r)):
            current.append(r)
        else:
            current = None
    events = [
        _build_event(g, i + 1, ds, tables, language, gaz, reads) for i, g in enumerate(groups)
    ]

    mentions: list[PlaceMention] = []
    seen: set[tuple[str, str]] = set()
    for r in reads:
        for p in r.places:
            pkind = gaz.kinds.get(p.value, "")
            if _near(r, "entry", p) or (pkind == "border_crossing" and _near(r, "start", p, 30)):
                role = "entry"
            elif pkind == "base" or _near(r, "base", p):
                role = "base"
            elif _is_area(r.cues, p, r.sentence.text):
                role = "area"
            else:
                role = (
                    "route" if any(r.sentence.index in e.sentences for e in events) else "mentioned"
                )
            if (p.value, role) in seen:
                continue
            seen.add((p.value, role))
            ev = _ev(r, "place", p.value, p.get("name"), p.start, p.end, p.rule)
            mentions.append(PlaceMention(p.value, p.get("name"), role, ev))
    _report_theatre(events, mentions, ds)
    return Extraction(
        text, meta, language, sentences, events, counts, mentions, attributions, notes
    )


def _report_theatre(
    events: list[EventCandidate], mentions: list[PlaceMention], ds: DataSet
) -> None:
    """An event that names no place takes the theatre of the held events at the places the
    rest of the report names (shown with that reason), if there is one."""
    todo = [e for e in events if "theatre" not in e.fields]
    if not todo or not mentions:
        return
    ids = [m.place_id for m in mentions]
    held = ds.event_places[ds.event_places["place_id"].isin(ids)]["event_id"]
    top = Counter(ds.events[ds.events["event_id"].isin(held)]["theatre_id"]).most_common(1)
    if not top:
        return
    for e in todo:
        k = e.fields["kind"][0]
        e.fields["theatre"] = [
            Evidence(
                "theatre",
                top[0][0],
                top[0][0],
                k.start,
                k.end,
                k.sentence,
                "the theatre of the held events at the places the report names",
            )
        ]
