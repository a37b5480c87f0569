"""Peak memory of importing the worst files the default limits let through (and a few they
refuse), each previewed in a fresh process against the shipped data set.

    .venv/bin/python -m bench.import_memory          # every case
    .venv/bin/python -m bench.import_memory csv kmz  # some

The target: any import stays under 1 GB peak (resident set, ``ru_maxrss``). Every file is
SYNTHETIC, generated into a temporary directory and deleted afterwards.

Measured with the default limits (2 cores shared with other work, so seconds are loose):

    case            file MB  baseline MB  peak MB  result
    csv               25.0       204        586    58,452 ACLED rows previewed
    kml               25.0       266        508    27,806 placemarks previewed
    kmz                7.7       292        492    the same KML, zipped
    geojson-points    25.0       270        778    165,318 points previewed (245 s)
    geojson-line      11.4       292        390    refused: 1,000,000 points in one path
    zip-bomb           0.2       204        205    refused before unpacking (200 MB declared)
    xlsx               —         ~290     ≥ 643   1.6 M cells: still running after 16 min CPU
"""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from data.importers.base import ImportLimits

LIMITS = ImportLimits()
TARGET_MB = 1024
ROOT = Path(__file__).resolve().parents[1]
WORDS = [f"w{i}" for i in range(500)]


def _text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n // 4))[:n]


def acled_csv(path: Path) -> None:
    """An ACLED-shaped CSV just under the file limit (31 columns)."""
    from data.importers.acled import CURRENT_COLUMNS

    rng = random.Random(1)
    with path.open("w", encoding="utf-8") as f:
        f.write(",".join(CURRENT_COLUMNS) + "\n")
        i = 0
        while f.tell() < LIMITS.max_bytes - 2000:
            row = {c: "" for c in CURRENT_COLUMNS}
            row.update(
                event_id_cnty=f"SYN{i}",
                event_date="2024-03-04",
                time_precision="1",
                event_type="Strategic developments",
                sub_event_type="Other",
                actor1="Military Forces of Turkey (2016-)",
                location=f"Synthplace {i % 300}",
                latitude=f"{36.5 + rng.random():.4f}",
                longitude=f"{40 + rng.random():.4f}",
                geo_precision="1",
                notes="SYNTHETIC " + _text(rng, 300),
            )
            f.write(",".join(row[c] for c in CURRENT_COLUMNS) + "\n")
            i += 1


def _kml(size: int) -> bytes:
    rng = random.Random(2)
    parts, total, i = [], 0, 0
    head = '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
    while total < size - 5000:
        p = (
            f"<Placemark><name>Synth {i}</name><description>SYNTHETIC {_text(rng, 800)}"
            f"</description><Point><coordinates>{40 + rng.random():.5f},"
            f"{36.5 + rng.random():.5f}</coordinates></Point></Placemark>"
        )
        parts.append(p)
        total += len(p)
        i += 1
    return (head + "".join(parts) + "</Document></kml>").encode()


def kml(path: Path) -> None:
    """A KML of placemarks just under the file limit."""
    path.write_bytes(_kml(LIMITS.max_bytes))


def kmz(path: Path) -> None:
    """A KMZ whose KML is just under the document limit."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("doc.kml", _kml(LIMITS.max_bytes))


def xlsx(path: Path) -> None:
    """A workbook as big as the limits let through: near the unpacked limit (at these
    cells' size that is about 80 % of the cell limit)."""
    from openpyxl import Workbook

    rng = random.Random(3)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("events")
    cols = ["event_id", "theatre_id", "date", "date_precision", "kind", "status",
            "description", "sources"]  # fmt: skip
    ws.append(cols)
    rows = int(LIMITS.max_cells * 0.8) // len(cols)
    for i in range(rows):
        ws.append([f"syn-{i}", "syn", "2024-03-04", "day", "incident", "carried_out",
                   "SYNTHETIC " + _text(rng, 30), "synthetic:3"])  # fmt: skip
    wb.save(path)


def geojson_line(path: Path) -> None:
    """A 1e6-vertex line (refused by the vertex limit, after parsing)."""
    coords = ",".join(["[40.1,37.1],[40.2,37.2]"] * 500_000)
    path.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
        f'"geometry":{{"type":"LineString","coordinates":[{coords}]}}}}]}}'
    )


def geojson_points(path: Path) -> None:
    """Points just under the file limit."""
    rng = random.Random(4)
    feats = []
    size = 0
    i = 0
    while size < LIMITS.max_bytes - 5000:
        f = json.dumps(
            {
                "type": "Feature",
                "properties": {"name": f"Synth {i}", "description": "SYNTHETIC"},
                "geometry": {"type": "Point", "coordinates": [40 + rng.random(), 37]},
            }
        )
        feats.append(f)
        size += len(f) + 1
        i += 1
    path.write_text('{"type":"FeatureCollection","features":[' + ",".join(feats) + "]}")


def zip_bomb(path: Path) -> None:
    """200 MB of zeros packed into a KMZ (refused before it is unpacked)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z, z.open("doc.kml", "w") as f:
        for _ in range(200):
            f.write(b"\0" * (1024 * 1024))
    path.write_bytes(buf.getvalue())


CASES: dict[str, tuple[str, Callable[[Path], None]]] = {
    "csv": ("acled.csv", acled_csv),
    "kml": ("places.kml", kml),
    "kmz": ("places.kmz", kmz),
    "xlsx": ("events.xlsx", xlsx),
    "geojson-line": ("line.geojson", geojson_line),
    "geojson-points": ("points.geojson", geojson_points),
    "zip-bomb": ("bomb.kmz", zip_bomb),
}

CHILD = """
import resource, sys, time
from pathlib import Path
from data.importers import ImportContext, ImportOptions, ImportRefused, preview_import
from data.load import load_dataset_files
from data.records import combine
from data.store import Store
path = Path(sys.argv[1])
base = load_dataset_files()
store = Store.open("sqlite://")
snap = store.snapshot()
ctx = ImportContext(base, snap, combine(base, snap.texts())[0])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
source = {"source_id": "synthetic-bench", "publisher": "Synthetic", "title": "SYNTHETIC",
          "url": "https://example.org/synthetic", "kind": "dataset", "language": "en",
          "affiliation": "unknown", "reliability": "F", "reliability_basis": "synthetic"}
options = ImportOptions(new_source=tuple(source.items()), credibility=6,
                        theatre_id=base.theatres["theatre_id"].iloc[0], event_kind="incident")
try:
    p = preview_import(path.name, path.read_bytes(), ctx, options)
    result = p.summary()[:90]
except ImportRefused as err:
    result = "refused: " + str(err)[:90]
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(f"{before / 1024:.0f}\\t{peak / 1024:.0f}\\t{time.perf_counter() - t:.1f}\\t{result}")
"""


def main(names: list[str]) -> int:
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        print("case\tfile MB\tbaseline MB\tpeak MB\tseconds\tresult")
        for key in names or list(CASES):
            file_name, make = CASES[key]
            path = Path(tmp) / file_name
            make(path)
            out = subprocess.run(
                [sys.executable, "-c", CHILD, str(path)],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
            )
            if out.returncode:
                print(f"{key}\tFAILED\n{out.stderr[-2000:]}")
                return 1
            before, peak, secs, result = out.stdout.strip().split("\t", 3)
            worst = max(worst, float(peak))
            size = path.stat().st_size / 1024 / 1024
            print(f"{key}\t{size:.1f}\t{before}\t{peak}\t{secs}\t{result}")
            path.unlink()
    verdict = "within" if worst < TARGET_MB else "OVER"
    print(f"worst peak {worst:.0f} MB: {verdict} the {TARGET_MB} MB target")
    return 0 if worst < TARGET_MB else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
