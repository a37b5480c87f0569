"""Serve folium's JavaScript and CSS from our own server instead of CDNs.

folium and its plugins name their front-end files as CDN URLs (each element's
``default_js`` / ``default_css``). st_folium collects those lists from the map's element
tree and the component's iframe loads them with ``<script>``/``<link>`` tags; a standalone
export (``m.get_root().render()``) writes them into the page header. The analysts' browsers
may have no internet, so :func:`localise_assets` rewrites every one of them to the copy
installed from the npm registry by ``make assets`` (scripts/install_assets.sh) into
``static/``, which Streamlit serves at ``/app/static/``.

The table :data:`ASSETS` is the single place that says which CDN URL is which local file.
A URL not in it is an error (:class:`UnknownAssetError`): a new plugin must be added to
``static/package.json`` and to the table, never silently loaded from the internet.

Pure module: no streamlit import.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import branca.colormap
import folium
import folium.elements
from branca.element import CssLink, Element, Figure, JavascriptLink, MacroElement
from folium.template import Template

__all__ = [
    "ASSETS",
    "STATIC_DIR",
    "STATIC_URL",
    "Asset",
    "UnknownAssetError",
    "local_url",
    "localise_assets",
    "missing_assets",
    "remote_urls",
]

#: where Streamlit serves ./static (``[server] enableStaticServing = true``)
STATIC_URL = "/app/static/"
#: the folder served there, in the repository
STATIC_DIR = Path(__file__).resolve().parents[1] / "static"


@dataclass(frozen=True)
class Asset:
    """One CDN URL that folium or a plugin uses, and what we serve instead.

    ``path`` is relative to ``static/``; ``None`` means the file is deliberately dropped
    (``why`` says why)."""

    url: str
    path: str | None
    source: str
    why: str = ""


_CDNJS = "https://cdnjs.cloudflare.com/ajax/libs/"
_JSDELIVR = "https://cdn.jsdelivr.net/"
_NM = "node_modules/"

_TABLE: tuple[Asset, ...] = (
    # folium.Map itself (folium/folium.py: _default_js, _default_css)
    Asset(
        f"{_JSDELIVR}npm/leaflet@1.9.3/dist/leaflet.js",
        f"{_NM}leaflet/dist/leaflet.js",
        "npm leaflet@1.9.3",
    ),
    Asset(
        f"{_JSDELIVR}npm/leaflet@1.9.3/dist/leaflet.css",
        f"{_NM}leaflet/dist/leaflet.css",
        "npm leaflet@1.9.3",
    ),
    Asset(
        "https://code.jquery.com/jquery-3.7.1.min.js",
        f"{_NM}jquery/dist/jquery.min.js",
        "npm jquery@3.7.1",
    ),
    Asset(
        f"{_JSDELIVR}npm/bootstrap@5.2.2/dist/js/bootstrap.bundle.min.js",
        f"{_NM}bootstrap/dist/js/bootstrap.bundle.min.js",
        "npm bootstrap@5.2.2",
    ),
    Asset(
        f"{_JSDELIVR}npm/bootstrap@5.2.2/dist/css/bootstrap.min.css",
        f"{_NM}bootstrap/dist/css/bootstrap.min.css",
        "npm bootstrap@5.2.2",
    ),
    Asset(
        "https://netdna.bootstrapcdn.com/bootstrap/3.0.0/css/bootstrap-glyphicons.css",
        None,
        "",
        "Bootstrap 3 glyphicons: folium's icons use Font Awesome; glyphicon icons are unsupported",
    ),
    Asset(
        f"{_JSDELIVR}npm/@fortawesome/fontawesome-free@6.2.0/css/all.min.css",
        f"{_NM}@fortawesome/fontawesome-free/css/all.min.css",
        "npm @fortawesome/fontawesome-free@6.2.0",
    ),
    Asset(
        f"{_CDNJS}Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.js",
        f"{_NM}leaflet.awesome-markers/dist/leaflet.awesome-markers.js",
        "npm leaflet.awesome-markers@2.0.5 (2.0.2 is not on npm; same plugin)",
    ),
    Asset(
        f"{_CDNJS}Leaflet.awesome-markers/2.0.2/leaflet.awesome-markers.css",
        f"{_NM}leaflet.awesome-markers/dist/leaflet.awesome-markers.css",
        "npm leaflet.awesome-markers@2.0.5",
    ),
    Asset(
        f"{_JSDELIVR}gh/python-visualization/folium/folium/templates/leaflet.awesome.rotate.min.css",
        None,
        "",
        "replaced by inline CSS for the rotations the map uses (see _rotate_css)",
    ),
    # folium.plugins.MarkerCluster
    Asset(
        f"{_CDNJS}leaflet.markercluster/1.1.0/leaflet.markercluster.js",
        f"{_NM}leaflet.markercluster/dist/leaflet.markercluster.js",
        "npm leaflet.markercluster@1.1.0",
    ),
    Asset(
        f"{_CDNJS}leaflet.markercluster/1.1.0/MarkerCluster.css",
        f"{_NM}leaflet.markercluster/dist/MarkerCluster.css",
        "npm leaflet.markercluster@1.1.0",
    ),
    Asset(
        f"{_CDNJS}leaflet.markercluster/1.1.0/MarkerCluster.Default.css",
        f"{_NM}leaflet.markercluster/dist/MarkerCluster.Default.css",
        "npm leaflet.markercluster@1.1.0",
    ),
    # folium.plugins.Fullscreen
    Asset(
        f"{_JSDELIVR}npm/leaflet.fullscreen@3.0.0/Control.FullScreen.min.js",
        f"{_NM}leaflet.fullscreen/Control.FullScreen.js",
        "npm leaflet.fullscreen@3.0.0 (the CDN minifies it on the fly)",
    ),
    Asset(
        f"{_JSDELIVR}npm/leaflet.fullscreen@3.0.0/Control.FullScreen.css",
        f"{_NM}leaflet.fullscreen/Control.FullScreen.css",
        "npm leaflet.fullscreen@3.0.0",
    ),
    # folium.plugins.MeasureControl
    Asset(
        f"{_JSDELIVR}gh/ljagis/leaflet-measure@2.1.7/dist/leaflet-measure.min.js",
        f"{_NM}leaflet-measure/dist/leaflet-measure.min.js",
        "npm leaflet-measure@2.1.7",
    ),
    Asset(
        f"{_JSDELIVR}gh/ljagis/leaflet-measure@2.1.7/dist/leaflet-measure.min.css",
        f"{_NM}leaflet-measure/dist/leaflet-measure.css",
        "npm leaflet-measure@2.1.7 (ships the CSS unminified)",
    ),
    # folium.plugins.HeatMap: folium's own patched Leaflet.heat (weights fix), which the
    # install script copies out of the installed folium package; npm's leaflet.heat@0.2.0
    # lacks the patch, and folium's HeatMap relies on it (it dropped max_val).
    Asset(
        f"{_JSDELIVR}gh/python-visualization/folium@main/folium/templates/leaflet_heat.min.js",
        "vendor/folium/leaflet_heat.min.js",
        "PyPI folium (folium/templates/leaflet_heat.min.js)",
    ),
    # folium.plugins.PolyLineTextPath
    Asset(
        f"{_JSDELIVR}npm/leaflet-textpath@1.2.3/leaflet.textpath.min.js",
        f"{_NM}leaflet-textpath/leaflet.textpath.js",
        "npm leaflet-textpath@1.2.3 (ships it unminified)",
    ),
)

#: CDN URL -> the asset served instead
ASSETS: dict[str, Asset] = {a.url: a for a in _TABLE}


class UnknownAssetError(LookupError):
    """A map element wants a JS/CSS file that has no local copy in :data:`ASSETS`."""


def local_url(url: str, base_url: str = STATIC_URL) -> str | None:
    """The URL to use instead of ``url``: a path under ``base_url``, or ``None`` if the file
    is deliberately dropped. A URL already under ``base_url`` is returned as it is."""
    if url.startswith(base_url):
        return url
    asset = ASSETS.get(url)
    if asset is None:
        raise UnknownAssetError(
            f"No local copy of {url!r}: the map would need the internet to load it. Add the "
            "npm package to static/package.json and the URL to ASSETS in components/assets.py "
            "(then run `make assets`), or don't use that plugin."
        )
    return None if asset.path is None else base_url + asset.path


def _walk(el: Element) -> Iterator[Element]:
    """Every element in the tree below ``el``, ``el`` included (DualMap's two maps too)."""
    yield el
    for extra in ("m1", "m2"):
        child = getattr(el, extra, None)
        if isinstance(child, Element) and child is not el:
            yield from _walk(child)
    for child in list(getattr(el, "_children", {}).values()):
        yield from _walk(child)


def _localised(links: list[tuple[str, str]], base_url: str) -> list[tuple[str, str]]:
    out = []
    for name, url in links:
        new = local_url(url, base_url)
        if new is not None:
            out.append((name, new))
    return out


_ROTATE = re.compile(r"\bfa-rotate-(\d+)\b")


def _rotate_css(angles: set[int]) -> str:
    """What folium's leaflet.awesome.rotate.css does, for just the angles in use."""
    rules = "".join(
        f".fa-rotate-{a}{{transform:rotate({a}deg);}}" for a in sorted(angles) if 0 < a < 360
    )
    return f"<style>{rules}</style>"


class _IconImagePath(MacroElement):
    """Tells Leaflet where its default marker images are, before any marker is made.

    Leaflet guesses the folder from leaflet.css once the first marker is drawn; inside
    st_folium's iframe the stylesheet may not be applied yet, and the fallback guess drops a
    slash (``.../distmarker-icon.png``). Set it instead, in the map's own script (st_folium
    runs that script; scripts in the header are not run)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            L.Icon.Default.imagePath = {{ this.path|tojson }};
        {% endmacro %}
        """
    )

    def __init__(self, path: str) -> None:
        super().__init__()
        self._name = "IconImagePath"
        self.path = path


_LEAFLET_IMAGES = "node_modules/leaflet/dist/images/"


def localise_assets(m: folium.Map, *, base_url: str = STATIC_URL) -> folium.Map:
    """Point every JS/CSS file the map needs at our own server. Returns ``m``.

    Sets ``default_js``/``default_css`` on each element instance (folium's class-level lists
    stay untouched), rewrites the links already in the page header if the map was rendered
    before, and adds the little CSS that replaces the dropped rotation stylesheet. Call it
    last, once every layer and plugin is on the map; calling it again is harmless.

    ``base_url`` is where ``static/`` is served (change it for an app under a
    ``server.baseUrlPath``, or for an HTML export shipped next to a copy of ``static/``).

    Raises :class:`UnknownAssetError`, naming the URL, if an element needs a file that has
    no local copy.
    """
    if not base_url.endswith("/"):
        base_url += "/"
    angles: set[int] = set()
    for el in _walk(m):
        if isinstance(el, branca.colormap.ColorMap):
            raise UnknownAssetError(
                "branca colormaps make st_folium load d3 from "
                "'https://d3js.org/d3.v4.min.js' and "
                "'https://cdnjs.cloudflare.com/ajax/libs/d3/3.5.5/d3.min.js': draw the "
                "legend as HTML instead"
            )
        if isinstance(el, folium.elements.JSCSSMixin):
            el.default_js = _localised(list(el.default_js), base_url)
            el.default_css = _localised(list(el.default_css), base_url)
        options = getattr(el, "options", None)
        if isinstance(options, dict):
            extra = options.get("extraClasses") or options.get("extra_classes") or ""
            angles.update(int(a) for a in _ROTATE.findall(str(extra)))

    # first child of the map, so it runs before any marker is added
    m.add_child(_IconImagePath(base_url + _LEAFLET_IMAGES), name="patrolwatch_icon_path")
    m._children.move_to_end("patrolwatch_icon_path", last=False)

    root = m.get_root()
    if isinstance(root, Figure):
        header = root.header
        for key, child in list(header._children.items()):
            if isinstance(child, (JavascriptLink, CssLink)):
                new = local_url(child.url, base_url)
                if new is None:
                    del header._children[key]
                else:
                    child.url = new
        if angles:
            header.add_child(Element(_rotate_css(angles)), name="patrolwatch_awesome_rotate")
    return m


def missing_assets(root: Path = STATIC_DIR) -> list[str]:
    """The files of :data:`ASSETS` that are not installed under ``root`` (the ``static/``
    folder), as paths relative to it. Empty when ``make assets`` has run."""
    wanted = sorted({a.path for a in _TABLE if a.path is not None})
    return [p for p in wanted if not (root / p).is_file()]


_RESOURCE = re.compile(
    r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*["']([^"']+)["']""",
    re.IGNORECASE,
)


def _is_remote(url: str) -> bool:
    return url.startswith(("http://", "https://", "//"))


def remote_urls(html: str) -> list[str]:
    """URLs of files a rendered page would fetch from another host: ``src``/``href`` of
    script, link, img and iframe tags that point off-site. (Plain links in text and
    attributions are not fetched and are not listed.)"""
    return [u for u in _RESOURCE.findall(html) if _is_remote(u)]
