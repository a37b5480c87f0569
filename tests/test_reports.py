"""Report extraction: the seed article and six synthetic test reports (tests/reports/) give
the candidates an analyst expects, every field with the words it came from; the readers
of pasted text, HTML and PDF; the checks against held records; the records written."""

from __future__ import annotations

from pathlib import Path

import pytest

from data.load import EMBEDDED_DIR, load_dataset_files
from data.reports import ReportError, ReportMeta, extract, read_report
from data.reports.review import (
    accept,
    audit_note,
    conflicts_with_held,
    count_row,
    event_from,
    held_source_for,
    report_source,
    same_as_held,
    with_source,
)
from data.reports.tables import PATTERN_TABLES, TABLES_DIR, load_tables
from data.store import Store

ROOT = Path(__file__).resolve().parents[1]
SEED_NAME = "enab-baladi-2024-05-22-joint-escort.txt"
REPORTS = ROOT / "tests" / "reports"


@pytest.fixture(scope="module")
def ds():
    return load_dataset_files(EMBEDDED_DIR)


def seed_path() -> Path:
    """The seed article: ``shared/seed/`` beside the checkout (or beside a folder above it)."""
    for folder in ROOT.parents:
        path = folder / "shared" / "seed" / SEED_NAME
        if path.exists():
            return path
    pytest.fail(f"the seed article {SEED_NAME} is missing (shared/seed/ beside the checkout)")


def _seed_text() -> str:
    return seed_path().read_text(encoding="utf-8")


def _read(ds, name: str, published: str, language: str = "en", publisher: str = ""):
    text = (REPORTS / name).read_text(encoding="utf-8")
    return extract(
        text, ReportMeta(publisher=publisher, published=published, language=language), ds
    )


def _span(x, ev) -> str:
    return x.text[ev.start : ev.end]


# --------------------------------------------------------------------------- the seed


@pytest.fixture(scope="module")
def seed(ds):
    meta = ReportMeta(publisher="Enab Baladi", published="2024-05-22", language="en")
    return extract(_seed_text(), meta, ds)


def test_seed_gives_the_22_may_convoy_escort(seed, ds):
    escort = seed.events[0]
    assert escort.value("kind") == "convoy_escort"
    assert escort.value("date") == "2024-05-22" and escort.precision == "day"
    assert _span(seed, escort.fields["date"][0]) == "on Wednesday, May 22"
    assert sorted(escort.values("actors")) == sorted(
        ["russia:escort", "turkey:escort", "unicef:escorted", "icrc:escorted"]
    )
    assert escort.values("places") == ["qamishli", "al_asadiyah", "alouk_station"]
    assert escort.value("round_trip") == "yes"
    assert _span(seed, escort.fields["round_trip"][0]) == "both ways"
    assert escort.value("route") == "qamishli_alouk"
    outlets = {a.outlet or a.who for a in escort.attributions}
    assert "TASS" in outlets and "Major General Yury Popov" in outlets
    # every field points at the sentence it came from
    for evs in escort.fields.values():
        for ev in evs:
            s = seed.sentences[ev.sentence]
            assert s.start <= ev.start < ev.end <= s.end
    assert escort.fields["places"][1].sentence == 2  # 'passing through the village of al-Asadiyah'
    # the same day, kind and places are held: offered as 'add this source'
    held = same_as_held(ds, escort)
    assert held["event_id"].tolist() == ["ev-2024-05-22-convoy-escort"]
    desc = event_from(ds, seed, escort, "src", 2)["description"]
    assert "According to" in desc and "TASS" in desc and "reported by Enab Baladi" in desc


def test_seed_april_2024_patrol_is_flagged_against_the_held_halt(seed, ds):
    april = seed.events[1]
    assert april.value("kind") == "joint_patrol"
    assert april.value("date") == "2024-04" and april.precision == "month"
    assert _span(seed, april.fields["date"][0]) == "in April 2024"
    conflicts = conflicts_with_held(ds, april)
    assert conflicts["event_id"].tolist() == ["ev-2023-10-05-suspension"]
    assert same_as_held(ds, april)["event_id"].tolist() == ["ev-2024-04-joint-disputed"]
    assert len(seed.events) == 2  # habits ('typically', 'sometimes') are not events


def test_seed_period_counts_are_counts_attributed_to_jusoor(seed):
    totals = {(c.count_low, c.period_start, c.period_end) for c in seed.counts if c.unit == "total"}
    assert totals == {(66, "2021-01-01", "2021-12-31"), (10, "2022-01-01", "2022-03-31")}
    rates = {
        (c.count_low, c.qualifier, c.period_start) for c in seed.counts if c.unit == "per_month"
    }
    assert rates == {(3, "exact", "2022-01-01"), (5, "at_least", "2021-01-01")}
    for c in seed.counts:
        assert [a.outlet for a in c.attributions] == ["Jusoor Center for Studies"]
        assert c.sentence == 9
    ten = next(c for c in seed.counts if c.count_low == 10)
    assert _span(seed, ten.fields["count"][0]) == "only ten joint patrols"
    assert _span(seed, ten.fields["period"][0]) == "during the first quarter of the same year"


def test_seed_names_the_shirk_crossing_and_the_two_bases(seed):
    roles = {(p.place_id, p.role) for p in seed.places}
    assert ("shirk_crossing", "entry") in roles
    assert ("qamishli_airport", "base") in roles
    assert ("mabaqer_base", "base") in roles


# --------------------------------------------------------------------------- synthetic

EXPECTED = {
    "kobani_ashma.txt": dict(
        published="2021-10-12",
        language="en",
        kind="joint_patrol",
        date="2021-10-11",
        actors=["russia:patrolling", "turkey:patrolling"],
        places=["ashma_gate", "zor_maghar", "tal_shair", "idhaa_point"],
        entry="ashma_gate",
        patrol_number="78",
        number_scheme="kobani_local",
        vehicles="8",
        helicopters="2",
        round_trip="yes",
        attribution="North Press",
        same_as_held=["ev-2021-10-11-joint-kobani"],
    ),
    "kobani_gharib.txt": dict(
        published="2022-04-11",
        language="en",
        kind="joint_patrol",
        date="2022-04-11",
        actors=["russia:patrolling", "turkey:patrolling"],
        places=["gharib_gate", "khanah", "sarrin"],
        entry="gharib_gate",
        patrol_number="96",
        number_scheme="kobani_local",
        vehicles="8",
        helicopters="",
        round_trip="yes",
        attribution="SOHR",
        same_as_held=[],  # the held patrol that day is the 95th
    ),
    "arabic_dispatch.txt": dict(
        published="2021-08-31",
        language="ar",
        kind="joint_patrol",
        date="2021-08-31",
        actors=["russia:patrolling", "turkey:patrolling"],
        places=["gharib_gate", "alishar_checkpoint", "sarrin"],
        entry="gharib_gate",
        patrol_number="69",
        number_scheme="kobani_local",
        vehicles="8",
        helicopters="2",
        round_trip="",
        attribution="North Press",
        same_as_held=["ev-2021-08-31-joint-kobani-69"],
    ),
    "cancellation.txt": dict(
        published="2022-08-12",
        language="en",
        kind="cancellation",
        status="cancelled",
        date="2022-08-11",
        actors=["turkey:party", "russia:party"],
        places=["shirk_crossing"],
        patrol_number="",
        vehicles="",
        attribution="SOHR",
        same_as_held=["ev-2022-08-11-cancellation"],
    ),
    "suspension_ministry.txt": dict(
        published="2023-10-06",
        language="en",
        kind="suspension",
        date="2023-10-05",
        actors=["turkey:party", "russia:party"],
        places=[],
        attribution="Turkish Ministry of National Defence",
        same_as_held=["ev-2023-10-05-suspension"],
    ),
    "turkish_mod.txt": dict(
        published="2019-11-23",
        language="tr",
        kind="joint_patrol",
        date="2019-11-22",
        actors=["turkey:patrolling", "russia:patrolling"],
        places=["ras_al_ain", "qamishli"],
        patrol_number="10",
        number_scheme="tr_mod_ne",
        vehicles="4",
        attribution="Turkish Ministry of National Defence",
        same_as_held=["ev-2019-11-joint-10"],
    ),
    "wire_agency.txt": dict(
        published="2019-11-08",
        language="en",
        kind="joint_patrol",
        date="2019-11-08",
        actors=["ru_mp:patrolling", "turkey:patrolling"],
        places=["qamishli", "al_malikiyah"],
        patrol_number="3",
        number_scheme="",  # the text does not say whose numbering: left blank
        vehicles="8",
        route="qamishli_malikiyah",
        attribution="Russian Ministry of Defence",
        same_as_held=["ev-2019-11-08-joint-3"],
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_synthetic_report_gives_the_expected_candidate(ds, name):
    want = dict(EXPECTED[name])
    x = _read(ds, name, want.pop("published"), want.pop("language"))
    assert len(x.events) == 1, [e.fields.get("kind") for e in x.events]
    event = x.events[0]
    assert (REPORTS / name).read_text(encoding="utf-8").split("\n", 1)[0] in (
        "SYNTHETIC TEST TEXT, not a real report.",
        "نص اختباري مصطنع، ليس تقريراً حقيقياً.",
    )
    assert event.value("kind") == want.pop("kind")
    assert event.value("status") == want.pop("status", "carried_out")
    assert event.value("date") == want.pop("date") and event.precision == "day"
    assert sorted(event.values("actors")) == sorted(want.pop("actors"))
    assert event.values("places") == want.pop("places")
    attribution = want.pop("attribution")
    assert attribution in [a.outlet for a in event.attributions]
    assert same_as_held(ds, event)["event_id"].tolist() == want.pop("same_as_held")
    for field, value in want.items():
        assert event.value(field) == value, field
    for evs in event.fields.values():
        for ev in evs:
            assert x.text[ev.start : ev.end].strip(), ev


def test_without_a_publication_day_relative_dates_stay_blank(ds):
    x = _read(ds, "kobani_ashma.txt", "")
    assert x.events[0].value("date") == ""
    assert x.notes and "left blank" in x.notes[0]


def test_the_last_week_is_a_week(ds):
    text = "Russian and Turkish forces conducted a joint patrol near Amuda last week."
    x = extract(text, ReportMeta(published="2024-09-05", language="en"), ds)
    assert x.events[0].value("date") == "2024-W35" and x.events[0].precision == "week"


# --------------------------------------------------------------------------- tables


def test_every_table_is_named_in_the_readme_and_compiles():
    readme = (TABLES_DIR / "README.md").read_text(encoding="utf-8")
    tables = {p.stem for p in TABLES_DIR.glob("*.csv")}
    assert set(PATTERN_TABLES) <= tables
    for t in tables:
        assert f"`{t}.csv`" in readme, t
    compiled = load_tables()
    assert all(compiled.rules[t] for t in PATTERN_TABLES)


def test_a_bad_pattern_is_refused_with_file_and_row(tmp_path):
    from data.reports.tables import TableError

    for p in TABLES_DIR.glob("*.csv"):
        (tmp_path / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    bad = tmp_path / "dates.csv"
    bad.write_text(bad.read_text(encoding="utf-8") + 'en,day,dmy,"(unclosed",\n', encoding="utf-8")
    with pytest.raises(TableError, match=r"dates\.csv, row \d+, field 'pattern'"):
        load_tables(str(tmp_path))


# --------------------------------------------------------------------------- readers


def test_html_gives_text_and_what_its_head_says():
    page = b"""<html lang="en"><head><title>T</title>
    <meta property="og:site_name" content="Synthetic Wire">
    <meta property="og:url" content="https://example.org/a">
    <meta property="article:published_time" content="2024-05-22T10:00:00Z">
    <script>alert('x')</script><style>p{}</style></head>
    <body><nav>menu</nav><p>First sentence &amp; more.</p><p>Second one.</p></body></html>"""
    r = read_report("page.html", page)
    assert r.meta.publisher == "Synthetic Wire" and r.meta.url == "https://example.org/a"
    assert r.meta.published == "2024-05-22" and r.meta.language == "en"
    assert "alert" not in r.text and "menu" not in r.text and "First sentence & more." in r.text


def test_pasted_text_url_line_and_arabic_language():
    r = read_report("a.txt", "https://example.org/x\nنص عربي قصير عن الدورية".encode())
    assert r.meta.url == "https://example.org/x" and r.meta.language == "ar"


def test_readers_refuse_with_the_file_named():
    with pytest.raises(ReportError, match="big.txt"):
        read_report("big.txt", b"x" * (11 * 1024 * 1024))
    with pytest.raises(ReportError, match=r"doc\.docx: not a \.txt"):
        read_report("doc.docx", b"x")
    with pytest.raises(ReportError, match="bad.pdf: not a readable PDF"):
        read_report("bad.pdf", b"not a pdf")


def test_pdf_is_read(tmp_path):
    from pypdf import PdfWriter

    w = PdfWriter()
    w.add_blank_page(200, 200)
    w.add_metadata({"/Title": "Synthetic", "/CreationDate": "D:20240522000000"})
    path = tmp_path / "r.pdf"
    with path.open("wb") as f:
        w.write(f)
    r = read_report("r.pdf", path.read_bytes())
    assert r.meta.title == "Synthetic" and r.meta.published == "2024-05-22"


# --------------------------------------------------------------------------- records


def test_accepting_writes_the_report_source_and_the_event_with_an_audit_note(ds, tmp_path):
    x = _read(ds, "kobani_gharib.txt", "2022-04-11", publisher="Synthetic Monitor")
    meta = ReportMeta("Synthetic Monitor", "https://example.org/r", "2022-04-11", "en", "T")
    source, new = report_source(
        ds, meta, kind="monitor", affiliation="independent", reliability="C", basis=""
    )
    assert new and source["source_id"] == "synthetic-monitor-2022-04-11"
    event = event_from(ds, x, x.events[0], source["source_id"], 3)
    assert event["sources"] == "synthetic-monitor-2022-04-11:3"
    assert event["places"] == "gharib_gate|khanah|sarrin" and event["patrol_number"] == "96"
    store = Store.open(f"sqlite:///{tmp_path / 'store.sqlite'}")
    note = audit_note(x, source["source_id"], x.events[0], "accepted")
    rev = accept(
        store,
        who="analyst",
        note=note,
        source_id=source["source_id"],
        new_source=source,
        event=event,
    )
    snap = store.snapshot()
    assert set(snap.records["events"]["event_id"]) == {event["event_id"]}
    assert set(snap.records["sources"]["source_id"]) == {"synthetic-monitor-2022-04-11"}
    history = store.history()
    assert set(history["revision"]) == {rev}
    assert history["note"].str.startswith("from report synthetic-monitor-2022-04-11").all()
    assert "date s2" in history["note"].iloc[0]


def test_a_held_source_with_the_same_url_is_reused(ds, seed):
    url = "https://english.enabbaladi.net/archives/2024/05/russian-turkish-joint-patrol-accompanies-un-mission-in-al-hasakah/"
    assert held_source_for(ds, url) == "enabbaladi-2024-05-22"
    meta = ReportMeta("Enab Baladi", url, "2024-05-22", "en")
    source, new = report_source(
        ds, meta, kind="local_media", affiliation="unknown", reliability="C", basis=""
    )
    assert not new and source["source_id"] == "enabbaladi-2024-05-22"


def test_adding_the_report_to_a_held_event():
    values = {"event_id": "e", "sources": "a:1|b:2"}
    assert with_source(values, "c", 3)["sources"] == "a:1|b:2|c:3"
    assert with_source(values, "b", 3)["sources"] == "a:1|b:2"


def test_a_count_becomes_a_period_counts_row(seed):
    c = next(c for c in seed.counts if c.count_low == 66)
    row = count_row(c, "src", 3, "ne_syria", "Jusoor via Enab Baladi")
    assert row["period_start"] == "2021-01-01" and row["count_high"] == "66"
    assert row["unit"] == "total" and row["qualifier"] == "exact"
