"""Finding a place named in a file among ours, by any of its spellings.

A name matches a place when it equals the place's name or one of its ``alt_names``:
exactly (ignoring case), or as the same spelling once case, accents, the Arabic article
(al-, el-, ad-…) and punctuation are set aside ("Ras al Ain" = "Ras al-Ain",
"Tal Abyad" ≠ "Tell Abyad"). Anything less is a fuzzy match (rapidfuzz): proposed to the
analyst with its score, never applied unless confirmed. Pure.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process

#: proposals below this score (0–100, rapidfuzz WRatio) are not shown
FUZZY_CUTOFF = 86.0
#: a route's drawn path passes a place when a vertex is this close to it
SNAP_M = 2000.0

_ARTICLE = re.compile(r"\b(al|el|ad|ar|as|at|ash|ath|az|an|ud|ul|ed|es)[\s\-‐'’]+", re.I)
_MARKS = re.compile(r"[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u02bb\u02bc\u02be\u02bf]")
_PUNCT = re.compile(r"[^\w]+")


def spelling_key(name: str) -> str:
    """The spelling with case, accents, Arabic diacritics, the article and punctuation set
    aside: 'Raʾs al-ʿAyn' → 'rasayn'."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _MARKS.sub("", text).casefold()
    text = _ARTICLE.sub("", text)
    return _PUNCT.sub("", text)


def gazetteer(places: pd.DataFrame) -> pd.DataFrame:
    """Every spelling of every place: place_id, name (canonical), spelling, key."""
    spellings = (places["name"] + "|" + places["alt_names"]).str.split("|")
    long = pd.DataFrame({"place_id": places["place_id"], "spelling": spellings}).explode("spelling")
    long["spelling"] = long["spelling"].str.strip()
    long = long[long["spelling"] != ""]
    long = long.join(places.set_index("place_id")["name"], on="place_id")
    long["casefold"] = long["spelling"].str.casefold()
    long["key"] = long["spelling"].map(spelling_key)
    return long.reset_index(drop=True)


def match_names(names: pd.Series, places: pd.DataFrame) -> pd.DataFrame:
    """For each distinct name: how it matched ('exact', 'spelling', 'fuzzy', 'none'), the
    place (id and canonical name), the spelling it matched and a score (100 unless
    fuzzy). A name may match two places: the first listed wins and ``also`` names the
    others."""
    distinct = pd.Series(names.dropna().unique(), dtype="str")
    out = pd.DataFrame({"name": distinct})
    for col in ("how", "place_id", "place_name", "matched", "also"):
        out[col] = ""
    out["score"] = 0.0
    if distinct.empty or places.empty:
        out["how"] = "none"
        return out
    g = gazetteer(places)
    for how, column, probe in (
        ("exact", "casefold", distinct.str.strip().str.casefold()),
        ("spelling", "key", distinct.map(spelling_key)),
    ):
        first = g.drop_duplicates(column).set_index(column)
        hits = probe.map(first["place_id"])
        todo = (out["how"] == "") & hits.notna() & (probe != "")
        out.loc[todo, "how"] = how
        out.loc[todo, "place_id"] = hits[todo]
        out.loc[todo, "place_name"] = probe[todo].map(first["name"])
        out.loc[todo, "matched"] = probe[todo].map(first["spelling"])
        out.loc[todo, "score"] = 100.0
        others = g.groupby(column)["place_id"].agg(lambda s: "|".join(dict.fromkeys(s)))
        many = probe[todo].map(others)
        out.loc[todo, "also"] = many.str.split("|").map(lambda xs: "|".join(xs[1:]))
    todo = out.index[out["how"] == ""]
    keys = g["key"].tolist()
    for i in todo:
        key = spelling_key(out.at[i, "name"])
        best = process.extractOne(key, keys, scorer=fuzz.WRatio, score_cutoff=FUZZY_CUTOFF)
        if best is None or not key:
            out.at[i, "how"] = "none"
            continue
        _, score, pos = best
        out.at[i, "how"] = "fuzzy"
        out.at[i, "place_id"] = g.at[pos, "place_id"]
        out.at[i, "place_name"] = g.at[pos, "name"]
        out.at[i, "matched"] = g.at[pos, "spelling"]
        out.at[i, "score"] = round(float(score), 1)
    return out


def _haversine_m(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Great-circle distances (m) between every point 1 (rows) and every point 2 (columns)."""
    r = 6_371_008.8
    p1, p2 = np.radians(lat1)[:, None], np.radians(lat2)[None, :]
    dlat = p2 - p1
    dlon = np.radians(lon2)[None, :] - np.radians(lon1)[:, None]
    a = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return 2 * r * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def nearest_places(lat: pd.Series, lon: pd.Series, places: pd.DataFrame) -> pd.DataFrame:
    """For each point: the nearest placed place, its country and the distance in metres."""
    placed = places[places["placed"].astype(bool)]
    out = pd.DataFrame(index=lat.index, data={"place_id": "", "country": "", "distance_m": np.nan})
    if placed.empty or lat.empty:
        return out
    d = _haversine_m(
        lat.to_numpy(float),
        lon.to_numpy(float),
        placed["lat"].to_numpy(float),
        placed["lon"].to_numpy(float),
    )
    best = d.argmin(axis=1)
    out["place_id"] = placed["place_id"].to_numpy()[best]
    out["country"] = placed["country"].to_numpy()[best]
    out["distance_m"] = d[np.arange(len(best)), best]
    return out


def places_along(path: list[tuple[float, float]], places: pd.DataFrame) -> list[str]:
    """The places a drawn path passes (a vertex within ``SNAP_M``), in the order the path
    reaches them. Only places known to within ``SNAP_M`` count (not an area of tens of km).
    Callers pass the shipped places, so a path links to the same places however many
    files were imported before it (re-importing it then changes nothing)."""
    placed = places[places["placed"].astype(bool) & (places["precision_m"] <= SNAP_M)]
    if placed.empty or not path:
        return []
    lat = np.array([p[0] for p in path])
    lon = np.array([p[1] for p in path])
    d = _haversine_m(lat, lon, placed["lat"].to_numpy(float), placed["lon"].to_numpy(float))
    near = d <= SNAP_M
    first_vertex = np.where(near.any(axis=0), near.argmax(axis=0), -1)
    order = [(v, i) for i, v in enumerate(first_vertex) if v >= 0]
    ids = placed["place_id"].to_numpy()
    return [str(ids[i]) for _, i in sorted(order)]


def distance_m(lat1: pd.Series, lon1: pd.Series, lat2: pd.Series, lon2: pd.Series) -> np.ndarray:
    """Great-circle distance (m) between each pair of points, row by row (NaN where a
    point is missing)."""
    r = 6_371_008.8
    p1 = np.radians(lat1.to_numpy(float))
    p2 = np.radians(lat2.to_numpy(float))
    dlon = np.radians(lon2.to_numpy(float)) - np.radians(lon1.to_numpy(float))
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return 2 * r * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
