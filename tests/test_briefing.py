"""The briefing export's words and documents, without a browser: key figures in sentences
with their sources, the numbered sources with grades, the link and the version notice, the
handling banner, and the slide / brief / map documents the renderer draws."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

import plotly.graph_objects as go
import pytest

from components.briefing import (
    ASPECTS,
    Briefing,
    ExportView,
    LegendLine,
    SourceLine,
    brief_html,
    build_briefing,
    chart_html,
    export_figure_json,
    export_map_html,
    selection_bounds,
    slide_figure,
    slide_html,
    standard_view,
)
from data.briefing import (
    Banner,
    KeyFigure,
    cite_marks,
    default_title,
    figure_sentence,
    handling_banner,
    key_figures,
    period_words,
    source_notes,
    version_notice,
    view_link,
)
from data.filters import EventFilter, filter_events
from tests.fixtures import embedded_dataset

TODAY = date(2026, 11, 24)
AT = datetime(2026, 11, 24, 14, 3, tzinfo=UTC)
Y2020 = EventFilter(start=date(2020, 1, 1), end=date(2020, 12, 31))


@pytest.fixture(scope="module")
def embedded():
    return embedded_dataset()


# --------------------------------------------------------------------------- key figures


def test_key_figures_on_the_synthetic_set(mini):
    events = filter_events(mini, Y2020)
    figures = key_figures(mini, events, Y2020, TODAY)
    texts = [f.text for f in figures]
    assert texts[0].startswith("In 2020, the data set holds 4 patrols recorded one by one (")
    assert "1 of them dated only to a week, month or coarser" in texts[0]
    assert texts[1] == "That is 0.33 patrols a month over the 12 months of the window"
    days = (date(2020, 12, 31) - date(2020, 5, 5)).days  # to the window's end, not today
    assert texts[2] == (
        f"The latest patrol held is dated 5 May 2020, {days:,} days before the window's end, "
        "31 Dec 2020"
    )
    # the theatre-wide count (12, Synthetic ministry) against the 4 joint patrols held in
    # its period; the count over a route is left out when no route is chosen
    assert len(figures) == 4
    assert "Synthetic ministry reports 12 joint patrols" in texts[3]
    assert "4 of 12 (33.3%)" in texts[3]
    # every figure with a number rests on sources
    assert figures[0].source_ids == ("synthetic-test-source",)
    assert figures[3].source_ids == ("synthetic-official",)


def test_a_count_over_the_chosen_route_comes_first(mini):
    f = EventFilter(start=date(2020, 1, 1), end=date(2020, 12, 31), routes=("track",))
    figures = key_figures(mini, filter_events(mini, f), f, TODAY)
    assert "reports 3–5 joint patrols a month (about 36–60 in all)" in figures[3].text
    assert "3 of 36–60" in figures[3].text
    assert figures[0].text.startswith("In 2020, the data set holds 4 patrols on Synthetic track")
    assert "12 joint patrols" in figures[4].text


def test_key_figures_for_an_empty_window_and_for_other_kinds(mini):
    f = EventFilter(start=date(2019, 1, 1), end=date(2019, 1, 2))
    figures = key_figures(mini, filter_events(mini, f), f, TODAY)
    assert [k.text for k in figures] == [
        "From 1 Jan 2019 to 2 Jan 2019, the data set holds no patrol"
    ]
    escorts = EventFilter(kinds=("convoy_escort",))
    figures = key_figures(mini, filter_events(mini, escorts), escorts, TODAY)
    assert "1 event of the chosen kinds (Convoy escort)" in figures[0].text


def test_source_notes_number_the_figures_sources_first(mini):
    events = filter_events(mini, Y2020)
    figures = key_figures(mini, events, Y2020, TODAY)
    notes = source_notes(mini, events, figures)
    assert list(notes["number"]) == list(range(1, len(notes) + 1))
    assert list(notes["source_id"][:2]) == ["synthetic-test-source", "synthetic-official"]
    assert list(notes["grade"][:2]) == ["F6", "B2"]
    assert notes["grade"].str.fullmatch(r"[A-F][1-6]").all()
    numbers = dict(zip(notes["source_id"], notes["number"], strict=True))
    sentences = [figure_sentence(k, numbers) for k in figures]
    assert sentences[0].endswith("[1].") and sentences[3].endswith("[2].")
    # a figure resting on one source names its grade
    grades = dict(zip(notes["source_id"], notes["grade"], strict=True))
    assert figure_sentence(figures[3], numbers, grades).endswith("[2 · B2].")


def test_every_number_on_the_embedded_brief_is_cited(embedded):
    f = EventFilter(start=date(2021, 1, 1), end=date(2021, 12, 31), routes=("darbasiyah",))
    events = filter_events(embedded, f)
    figures = key_figures(embedded, events, f, TODAY)
    assert figures[0].text.startswith("In 2021, the data set holds 1 patrol on Darbasiyah")
    assert any("344 joint patrols" in k.text for k in figures)
    notes = source_notes(embedded, events, figures)
    numbers = dict(zip(notes["source_id"], notes["number"], strict=True))
    for k in figures:
        if re.search(r"\d", re.sub(r"^(In|From) [^,]*, ", "", k.text)) or "reports" in k.text:
            assert k.source_ids, k.text
            assert re.search(r"\[\d[\d, –]*\]\.$", figure_sentence(k, numbers)), k.text
    # the days since the last patrol say what day they count to
    assert any(re.search(r"\d days before the window's end, \d", k.text) for k in figures)


def test_cite_marks_and_unlisted_sources():
    numbers = {"a": 1, "b": 2, "c": 3, "d": 5, "e": 6, "g": 9}
    assert cite_marks(["a", "b", "c", "d", "e", "g"], numbers) == "1–3, 5, 6, 9"
    assert cite_marks([], numbers) == ""
    fig = KeyFigure("Ten things", ("a", "x", "y"))
    assert figure_sentence(fig, numbers) == "Ten things [1, +2 more]."
    assert figure_sentence(KeyFigure("Nothing"), numbers) == "Nothing."


# --------------------------------------------------------------------------- link, notice


def test_view_link_keeps_the_filters_and_adds_the_version():
    link = view_link(
        "http://host:8501/frequency",
        {"actors": ["Russia", "Turkey"], "dsv": "old", "routes": "Darbasiyah (a - b)"},
        "1.0.0+store.r7",
        window=(date(2019, 10, 16), date(2026, 11, 24)),
    )
    assert link == (
        "http://host:8501/frequency?actors=Russia&actors=Turkey"
        "&routes=Darbasiyah+%28a+-+b%29&dates=2019-10-16&dates=2026-11-24&dsv=1.0.0%2Bstore.r7"
    )
    pinned = view_link("http://host", {"dates": ["2021-01-01", "2021-12-31"]}, "1")
    assert pinned == "http://host/?dates=2021-01-01&dates=2021-12-31&dsv=1"


def test_version_notice(mini):
    assert version_notice(None, mini) is None
    assert version_notice(mini.version, mini) is None
    notice = version_notice("0.9", mini)
    assert notice is not None
    assert "made from data set version 0.9; the data have changed since" in notice


# --------------------------------------------------------------------------- words, banner


def test_period_words_and_default_title(embedded):
    assert period_words(date(2021, 1, 1), date(2021, 12, 31)) == "2021"
    assert period_words(date(2020, 1, 1), date(2021, 12, 31)) == "2020–2021"
    assert period_words(date(2022, 6, 1), date(2022, 6, 30)) == "Jun 2022"
    assert period_words(date(2021, 1, 1), date(2021, 3, 31)) == "Jan–Mar 2021"
    assert period_words(date(2021, 3, 5), date(2021, 4, 2)) == "5 Mar 2021 – 2 Apr 2021"
    f = EventFilter(start=date(2021, 1, 1), end=date(2021, 12, 31), routes=("darbasiyah",))
    assert default_title(embedded, f, TODAY) == (
        "Patrols in 2021 · Darbasiyah countryside (Shirk - al-Darbasiyah - Amuda)"
    )


def test_handling_banner_from_env_and_file(tmp_path: Path):
    missing = tmp_path / "none.toml"
    assert handling_banner({}, missing) is None
    assert handling_banner({"PATROLWATCH_BANNER": "  unclassified  "}, missing) == Banner(
        "unclassified"
    )
    config = tmp_path / "patrolwatch.toml"
    config.write_text('[export]\nbanner = "OFFICIAL"\nbanner_colour = "#007a33"\n')
    assert handling_banner({}, config) == Banner("OFFICIAL", "#007a33")
    assert handling_banner({"PATROLWATCH_BANNER": "SECRET"}, config) == Banner("SECRET", "#007a33")
    assert handling_banner({"PATROLWATCH_CONFIG": str(config)}).text == "OFFICIAL"
    assert len(handling_banner({"PATROLWATCH_BANNER": "X" * 500}, missing).text) == 80
    with pytest.raises(ValueError, match="#rrggbb"):
        handling_banner({"PATROLWATCH_BANNER": "A", "PATROLWATCH_BANNER_COLOUR": "red"}, missing)
    config.write_text("[export\n")
    with pytest.raises(ValueError, match="not valid TOML"):
        handling_banner({}, config)


def test_the_repository_config_sets_no_banner():
    assert handling_banner({}) is None


# --------------------------------------------------------------------------- documents


def _briefing(**kw) -> Briefing:
    base = dict(
        title="<script>alert(1)</script> & co",
        filter_summary="1 Jan 2021 – 31 Dec 2021 · <b>all</b> actors",
        dataset_label="Test <set> v1",
        dataset_version="1",
        exported_at=AT,
        link="http://host/?dsv=1&x=<y>",
        map_html="<html><head></head><body></body></html>",
        figure_json=go.Figure(go.Bar(x=[1], y=[2])).to_json(),
        map_note="1 of 2 events <drawn>",
        figures=("The data set holds 9 patrols <b> [1–9].",),
        sources=(SourceLine(1, "Pub <1>", 'Title "x"', "2021", "javascript:alert(1)", "B2"),),
        banner=Banner("UNCLASSIFIED <b>", "#007a33"),
        sources_total=3,
        legend=(
            LegendLine("Events <g>", "Russia <x>", "<svg width='9' height='9'></svg>", 3),
            LegendLine("Counting", "A run is <i>a patrol</i>", ""),
        ),
    )
    base.update(kw)
    return Briefing(**base)


@pytest.mark.parametrize("doc", ["slide", "brief"])
def test_documents_escape_every_text(doc):
    html = slide_html(_briefing()) if doc == "slide" else brief_html(_briefing())
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert "<b>all</b>" not in html and "UNCLASSIFIED &lt;b&gt;" in html
    assert "Russia &lt;x&gt;" in html and "Events &lt;g&gt;" in html and "<i>a patrol" not in html
    assert "Pub &lt;1&gt;" in html and "javascript:" not in html
    assert "Test &lt;set&gt; v1" in html and "exported 24 Nov 2026, 14:03 UTC" in html
    assert "id='pw-map' src='/map.html'" in html and "/plotly.js" in html
    assert "B2" in html and "and 2 more" in html
    assert "https://" not in html  # nothing loads from the internet


def test_brief_holds_the_figures_and_a_safe_link():
    html = brief_html(_briefing(link="https://example.org/?a=1&dsv=2"))
    assert "The data set holds 9 patrols &lt;b&gt; [1–9]." in html
    assert 'href="https://example.org/?a=1&amp;dsv=2"' in html
    assert "@page { size: A4; margin: 0; }" in html


def test_slide_sizes_and_optional_parts():
    assert ASPECTS == {"16:9": (1280, 720), "4:3": (1280, 960)}
    html = slide_html(_briefing(), "4:3")
    assert "width: 1280px; height: 960px" in html
    bare = slide_html(_briefing(map_html=None, banner=None, figure_json=None))
    assert "id='pw-map'" not in bare and "/plotly.js" not in bare
    assert "class='banner" not in bare
    with pytest.raises(ValueError):
        slide_html(_briefing(), "1:1")


def test_export_map_document(mini):
    view = standard_view(mini, Y2020, TODAY)
    before = list(view.map._children)
    html = export_map_html(view.map, focus=view.focus)
    assert list(view.map._children) == before  # nothing is added to the page's map
    assert "L.Map.mergeOptions({zoomAnimation: false" in html
    assert ".leaflet-tile-pane" in html and "aria-label='North'" in html
    assert "__pwMapReady" in html and view.map.get_name() in html
    assert html.index("__pwMapReady") > html.index(f"var {view.map.get_name()} = L.map")
    assert "https://" not in re.sub(r'href="https://[^"]*"', "", html.split("<body>")[0])
    # no map control is printed (zoom, layer list, measure tool, the map's own legend): the
    # scale bar and the credits only, the data clear of the north arrow, scale and credits
    assert ".leaflet-control:not(.leaflet-control-scale):not(.leaflet-control-attribution)" in html
    assert ".pw-legend {" not in html or "display: none" in html
    assert "paddingTopLeft: padTopLeft" in html


def test_export_figure_keeps_the_page_figure_and_whole_ticks(mini):
    view = standard_view(mini, Y2020, TODAY)
    before = view.figure.to_json()
    spec = json.loads(export_figure_json(view.figure))
    assert view.figure.to_json() == before
    assert "<br>" not in spec["layout"]["title"]["text"]
    assert spec["layout"]["yaxis"]["dtick"] == 1
    assert spec["layout"]["showlegend"] is True


def test_selection_bounds_keep_a_minimum_span(mini):
    events = filter_events(mini, Y2020)
    (south, west), (north, east) = selection_bounds(mini, events)
    assert north - south >= 0.35 - 1e-4 and east - west >= 0.49 - 1e-4
    assert selection_bounds(mini, events.iloc[0:0]) is None


def test_build_briefing_on_the_synthetic_set(mini):
    view = standard_view(mini, Y2020, TODAY)
    b = build_briefing(
        mini, Y2020, TODAY, view=view, title="  A  title ", link="http://x/?dsv=1", exported_at=AT
    )
    assert b.title == "A title"
    assert b.dataset_label == mini.label and b.dataset_version == mini.version
    assert b.figures[0].endswith("[1 · F6].") and b.sources[0].grade == "F6"
    assert b.sources_total == len(b.sources) == 2
    assert b.map_html and "__pwMapReady" in b.map_html and b.figure_json
    empty = build_briefing(
        mini,
        EventFilter(start=date(2019, 1, 1), end=date(2019, 1, 2)),
        TODAY,
        view=ExportView(map=None, figure=None),
        title="",
        link="",
        exported_at=AT,
    )
    assert empty.title == "PatrolWatch export" and empty.sources == ()
    assert "none behind this view" in slide_html(empty)


# --------------------------------------------------------------------------- a chart alone


def test_slide_is_sized_and_carries_title_summary_and_source():
    fig = go.Figure(go.Bar(x=["2021-01", "2021-02"], y=[3, 4], name="Russia + Turkey"))
    fig.add_annotation(text="milestone", x="2021-01", y=4, showarrow=False)
    slide = slide_figure(
        fig,
        title="Patrols per month",
        summary="1 Jan 2020 – 31 Jan 2022 · <b>all</b> actors",
        source_line="Source: synthetic <script>x</script> " + "long words " * 40,
    )
    assert (slide.layout.width, slide.layout.height) == (1920, 1080)
    assert "Patrols per month" in slide.layout.title.text
    assert "&lt;b&gt;all&lt;/b&gt; actors" in slide.layout.title.text
    foot = slide.layout.annotations[-1].text
    assert "&lt;script&gt;" in foot and "<script>" not in foot
    assert foot.count("<br>") >= 1  # wrapped to the slide's width
    assert slide.layout.margin.autoexpand is False
    assert len(fig.layout.annotations) == 1  # the page's figure is not changed


def test_chart_document_draws_the_figure_offline():
    html = chart_html(go.Figure(go.Bar(x=[1], y=[2], name="</script><b>x")), 1920, 1080)
    assert "<script src='/plotly.js'></script>" in html
    assert "width: 1920px; height: 1080px" in html
    assert "</script><b>" not in html and "https://" not in html


# --------------------------------------------------------------------------- the app


def test_the_app_offers_the_export_and_says_when_the_data_changed(monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("PATROLWATCH_TODAY", "2026-11-24")
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=60)
    at.query_params["dsv"] = "0.0.1"
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert any("made from data set version 0" in w.value for w in at.warning)
    labels = [d.proto.label for d in at.get("download_button")]
    assert labels == ["Slide (PNG)", "Brief (PDF)"]
    assert at.code[0].value.endswith("&dsv=1.1.0")

    current = AppTest.from_file(
        str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=60
    )
    current.query_params["dsv"] = "1.1.0"
    current.run()
    assert not any("data set version" in w.value for w in current.warning)


def test_documents_without_a_link_print_none():
    for html in (slide_html(_briefing(link=None)), brief_html(_briefing(link=""))):
        assert "Reopen this view" not in html and "reopen this view" not in html
        assert "http://host" not in html


def test_the_brief_lists_every_source_and_continues_on_a_second_page():
    many = tuple(SourceLine(n, f"Publisher {n}", "", "2021", "", "C3") for n in range(1, 121))
    html = brief_html(_briefing(sources=many, sources_total=len(many)))
    assert all(f"Publisher {n}, 2021" in html for n in range(1, 121))
    assert "more sources behind" not in html
    # what does not fit the first page is moved, in the browser, to the page after it
    assert "data-overflow='pw-more-sources'" in html and "id='pw-more-sources'" in html
    assert "break-before: page" in html


def test_the_panel_gives_the_public_link_when_one_is_set(monkeypatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("PATROLWATCH_TODAY", "2026-11-24")
    monkeypatch.setenv("PATROLWATCH_PUBLIC_URL", "https://patrolwatch.example.org/team")
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    link = at.code[0].value
    assert link.startswith("https://patrolwatch.example.org/team/?") and link.endswith("dsv=1.1.0")
    assert not any("print no link" in c.value for c in at.caption)


def test_no_public_address_prints_no_link():
    from data.briefing import public_link

    params = {"dates": ["2021-01-01", "2021-12-31"]}
    assert public_link(None, "frequency", params, "1.1.0") is None
    assert public_link("", "frequency", params, "1.1.0") is None
    made = public_link("https://pw.example.org/team/", "frequency", params, "1.1.0")
    assert made == (
        "https://pw.example.org/team/frequency?dates=2021-01-01&dates=2021-12-31&dsv=1.1.0"
    )
    b = _briefing(link=None)
    for html in (slide_html(b), brief_html(b)):
        assert "localhost" not in html and "127.0.0.1" not in html
