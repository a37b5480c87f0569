#!/usr/bin/env bash
# Installs the front-end files the map needs, so the browser never asks a CDN for them.
#
#   static/node_modules/   npm packages pinned in static/package.json (Leaflet, jQuery,
#                          Bootstrap, Font Awesome and the Leaflet plugins folium uses)
#   static/vendor/folium/  files that folium itself ships in its Python package and would
#                          otherwise load from a CDN (the patched Leaflet.heat it expects)
#
# Both folders are git-ignored; Streamlit serves ./static at /app/static/. The table
# "CDN URL -> file under static/" is components/assets.py, which also checks the result.
#
# Idempotent and quick: when static/package.json and the folium file are unchanged since the
# last install (a stamp in static/node_modules/) and nothing is missing, it does nothing.
# Works for root (CI) and for a normal user. Set PYTHON to choose the interpreter that has
# folium installed (default: .venv/bin/python, else python3).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
static="$root/static"
stamp="$static/node_modules/.patrolwatch-assets.stamp"

if [[ -z "${PYTHON:-}" ]]; then
    if [[ -x "$root/.venv/bin/python" ]]; then
        PYTHON="$root/.venv/bin/python"
    else
        PYTHON="python3"
    fi
fi

die() {
    echo "install_assets: $*" >&2
    exit 1
}

command -v npm >/dev/null 2>&1 || die "npm is not installed (Debian: apt-get install npm)"

# folium ships the Leaflet.heat build its HeatMap plugin expects (with the weights patch that
# the npm release of leaflet.heat lacks); copy it from the installed Python package.
heat_src="$(cd "$root" && "$PYTHON" -c \
    'import pathlib, folium; print(pathlib.Path(folium.__file__).parent / "templates" / "leaflet_heat.min.js")' \
    2>/dev/null)" || die "cannot import folium with $PYTHON: install the Python requirements first (make install)"
[[ -f "$heat_src" ]] || die "folium does not ship $heat_src any more: update components/assets.py"

want="$(cat "$static/package.json" "$heat_src" | sha256sum | cut -d' ' -f1)"

missing() {
    (cd "$root" && "$PYTHON" -c '
import sys
from pathlib import Path
from components.assets import missing_assets
gone = missing_assets(Path("static"))
print("\n".join(gone))
sys.exit(1 if gone else 0)
')
}

if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]] && missing >/dev/null; then
    echo "install_assets: front-end assets already installed"
    exit 0
fi

echo "install_assets: installing front-end packages into static/node_modules"
rm -f "$stamp"
(
    cd "$static"
    # --ignore-scripts: no package runs code at install; --omit=peer: Bootstrap's bundle
    # already contains Popper. No lock file: the versions are exact pins in package.json.
    npm install --no-package-lock --no-audit --no-fund --ignore-scripts --omit=peer \
        --no-update-notifier --loglevel=error
)

mkdir -p "$static/vendor/folium"
cp "$heat_src" "$static/vendor/folium/leaflet_heat.min.js"

if ! gone="$(missing)"; then
    echo "install_assets: these files are still missing after the install:" >&2
    echo "$gone" >&2
    exit 1
fi

echo "$want" >"$stamp"
echo "install_assets: done"
