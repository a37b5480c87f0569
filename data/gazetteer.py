"""The gazetteer's spellings, and a place search that does not care how a name is written.

A place has a main name and any number of other spellings (``alt_names``, ``|``-separated):
Arabic, Kurdish in Latin and Arabic script, Turkish, Syriac, older transliterations. A query
is matched against every one of them after both sides are *folded* the same way:

- case-folded, with the Turkish dotted and dotless i (İ ı) read as i;
- diacritics and vowel points dropped (ê û ş ā ī …, Arabic tashkeel, Syriac points), as
  are tatweel, ʿayn/hamza signs and apostrophes, invisible joiners and direction marks;
- Arabic letters unified: the alef forms (أ إ آ ٱ) as ا, ta marbuta as ha, alef maqsura and
  the Persian/Kurdish yeh forms as ya, keheh as kaf, and Kurdish ە ۆ ڕ ڵ ێ as ه و ر ل ي;
- a leading article dropped ("al-", "ad ", "el-" … and "ال"), so "Darbasiyah",
  "al-Darbasiyah" and "Ad Darbāsīyah" are the same key;
- punctuation read as spaces.

Failing a match of the folded text, a *skeleton* (the consonants of the name's Latin
transliteration by ``anyascii``, q as k) matches across scripts: "الدرباسية", "Dirbêsiyê" and
"ܕܪܒܐܣܝܐ" all read "drbs". It is the weakest kind of match and ranked last.

Results are ranked: exact, then the spelling starts with the query, then a word of it does,
then it contains the query, then the skeleton matches; within a rank the spelling written
exactly as typed, then the main name before another spelling, then the shorter spelling.
Everything returned is the data's own text, unescaped: whoever shows it escapes it.

Pure pandas; no streamlit.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

from data.model import DataSet

#: how a spelling matched, best first (the rank is the index)
MATCH_KINDS = ("exact", "starts with", "a word starts with", "contains", "sounds like")

#: the columns of :func:`search_places`'s frame
RESULT_COLUMNS = [
    "place_id",
    "name",
    "matched",
    "how",
    "rank",
    "kind",
    "placed",
    "lat",
    "lon",
]

#: the shortest skeleton a transliterated match is tried for (shorter ones match anything)
MIN_SKELETON = 3

_LETTERS = str.maketrans(
    {
        # Turkish i without and with dot, before case folding
        "İ": "i",
        "ı": "i",
        # Arabic: alef forms not decomposed by Unicode, ta marbuta, alef maqsura, yeh, kaf
        "ٱ": "ا",
        "ٲ": "ا",
        "ٳ": "ا",
        "ٵ": "ا",
        "ة": "ه",
        "ۀ": "ه",
        "ى": "ي",
        "ی": "ي",
        "ې": "ي",
        "ۍ": "ي",
        "ێ": "ي",
        "ک": "ك",
        # Kurdish (Sorani) letters
        "ە": "ه",
        "ۆ": "و",
        "ۇ": "و",
        "ۋ": "و",
        "ڕ": "ر",
        "ڵ": "ل",
        # Latin letters that do not decompose
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "æ": "ae",
        "œ": "oe",
        # dropped: tatweel, ʿayn and hamza signs, apostrophes, joiners, direction marks
        "ـ": None,
        "ʿ": None,
        "ʾ": None,
        "ʻ": None,
        "ʼ": None,
        "'": None,
        "`": None,
        "’": None,
        "‘": None,
        "ʹ": None,
        "\u200c": None,
        "\u200d": None,
        "\u200e": None,
        "\u200f": None,
        "\u061c": None,
        "\ufeff": None,
        "\u00ad": None,
    }
    | {chr(0x0660 + d): str(d) for d in range(10)}  # Arabic-Indic digits
    | {chr(0x06F0 + d): str(d) for d in range(10)}  # Eastern Arabic-Indic digits
)

_LATIN_ARTICLE = re.compile(
    r"^(?:al|el|il|ul|an|ad|adh|ar|as|ash|at|ath|az|ed|en|er|es|et|ez)[\s-]+(?=\S)"
)
_ARABIC_ARTICLE = re.compile(r"^ال(?=\S\S)")
_NOT_WORD = re.compile(r"[\W_]+")


def fold(text: object) -> str:
    """``text`` as a search key: case, diacritics, Arabic letter forms, punctuation and a
    leading article folded away (see the module's docstring). '' for no text."""
    if not isinstance(text, str) or not text:
        return ""
    out = text.translate(_LETTERS).casefold()
    out = unicodedata.normalize("NFKD", out)
    out = "".join(c for c in out if not unicodedata.combining(c))
    # casefold and NFKD may bring back letters the table maps (ß → ss is fine; ﻯ → ى)
    out = out.translate(_LETTERS)
    out = _NOT_WORD.sub(" ", out).strip()
    out = _LATIN_ARTICLE.sub("", out)
    return _ARABIC_ARTICLE.sub("", out)


_SKELETON_DROP = re.compile(r"[aeiouyhw]+")
_REPEATS = re.compile(r"(.)\1+")


def skeleton(folded: str) -> str:
    """The consonants of a folded key's Latin transliteration (q and c read as k, x as ks;
    vowels, h, w and y dropped, doubled letters single): a key that the same name shares
    across scripts and romanisations."""
    from anyascii import anyascii

    latin = re.sub(r"[^a-z]", "", anyascii(folded).lower())
    latin = latin.replace("q", "k").replace("c", "k").replace("x", "ks")
    return _REPEATS.sub(r"\1", _SKELETON_DROP.sub("", latin))


def spellings(places: pd.DataFrame) -> pd.DataFrame:
    """One row per spelling of every place: place_id, spelling (as written), main (the
    place's own name?), key (:func:`fold`), skeleton, and the place's name, kind, placed,
    lat, lon. Built once per data set and handed to :func:`search_places`."""
    alt = places["alt_names"].fillna("").astype(str).str.split("|")
    names = places["name"].fillna("").astype(str).map(lambda n: [n])
    spelled = (names + alt).map(lambda xs: [x.strip() for x in xs])
    rows = places[["place_id", "name", "kind", "placed", "lat", "lon"]].assign(spelling=spelled)
    rows = rows.explode("spelling", ignore_index=True)
    rows["spelling"] = rows["spelling"].fillna("").astype(str)
    rows = rows[rows["spelling"] != ""]
    rows["main"] = rows["spelling"] == rows["name"]
    rows = rows.drop_duplicates(["place_id", "spelling"]).reset_index(drop=True)
    rows["key"] = rows["spelling"].map(fold)
    rows["skeleton"] = rows["key"].map(skeleton)
    return rows[
        ["place_id", "spelling", "main", "key", "skeleton", "name", "kind", "placed", "lat", "lon"]
    ]


def _rank(keys: pd.Series, skeletons: pd.Series, query: str) -> pd.Series:
    """The best match kind (index into ``MATCH_KINDS``) of each key for the folded
    ``query``, or a missing value where it does not match."""
    rank = pd.Series(pd.NA, index=keys.index, dtype="Int64")
    contains = keys.str.contains(query, regex=False)
    word = (" " + keys).str.contains(" " + query, regex=False)
    checks = [
        (keys == query),
        keys.str.startswith(query),
        word,
        contains,
    ]
    q_skel = skeleton(query)
    if len(q_skel) >= MIN_SKELETON:
        checks.append(skeletons.str.startswith(q_skel))
    for i, hit in reversed(list(enumerate(checks))):
        rank = rank.mask(hit, i)
    return rank


def search_places(
    ds: DataSet, query: str, limit: int = 8, *, index: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The places one of whose spellings matches ``query``, best first, at most ``limit``,
    one row per place (its best-matching spelling): place_id, name (its main name), matched
    (the spelling that matched, as written), how (one of ``MATCH_KINDS``), rank, kind,
    placed, lat, lon. ``index``: :func:`spellings` of ``ds.places``, if already built.
    An empty or punctuation-only query matches nothing."""
    empty = pd.DataFrame(columns=RESULT_COLUMNS)
    q = fold(str(query or "")[:200])
    if not q or limit <= 0:
        return empty
    rows = spellings(ds.places) if index is None else index
    if rows.empty:
        return empty
    rank = _rank(rows["key"], rows["skeleton"], q)
    typed = str(query).strip().casefold()
    hit = rows[rank.notna()].assign(
        rank=rank[rank.notna()].astype(int),
        # of the spellings that fold alike, the one written as the query was typed first
        other=lambda r: r["spelling"].str.casefold() != typed,
        length=lambda r: r["spelling"].str.len(),
        alt=lambda r: ~r["main"],
    )
    if hit.empty:
        return empty
    best = (
        hit.sort_values(["rank", "other", "alt", "length", "name", "spelling"], kind="stable")
        .drop_duplicates("place_id")
        .head(limit)
    )
    return pd.DataFrame(
        {
            "place_id": best["place_id"].to_numpy(),
            "name": best["name"].to_numpy(),
            "matched": best["spelling"].to_numpy(),
            "how": [MATCH_KINDS[r] for r in best["rank"]],
            "rank": best["rank"].to_numpy(),
            "kind": best["kind"].to_numpy(),
            "placed": best["placed"].astype(bool).to_numpy(),
            "lat": best["lat"].to_numpy(),
            "lon": best["lon"].to_numpy(),
        },
        columns=RESULT_COLUMNS,
    )


def place_row(ds: DataSet, place_id: object) -> pd.Series | None:
    """The row of ``ds.places`` for ``place_id`` (as a link may carry it), or None."""
    if not isinstance(place_id, str) or not place_id:
        return None
    rows = ds.places[ds.places["place_id"] == place_id]
    return None if rows.empty else rows.iloc[0]
