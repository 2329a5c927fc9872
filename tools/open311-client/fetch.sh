#!/usr/bin/env bash
# Installs the Open311 client the tests drive SafetyNet's /open311/v2 with:
# georeport 0.3.1 (Python, Apache-2.0, https://pypi.org/project/georeport/),
# unmodified, into tools/open311-client/vendor (not committed), checked
# against its published SHA-256. Its dependencies (requests, xmltodict) come
# from the system's Python when present, otherwise from PyPI into vendor.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
vendor="$here/vendor"
wheel="georeport-0.3.1-py3-none-any.whl"
sha256="e76c4932a3a496aa7eb31a0b533b18b037dd3db696230e00ae3538fc6889d3f7"
mkdir -p "$vendor"
if [ ! -d "$vendor/georeport" ]; then
  tmp=$(mktemp -d)
  python3 -m pip download --quiet --no-deps --only-binary=:all: "georeport==0.3.1" -d "$tmp"
  echo "$sha256  $tmp/$wheel" | sha256sum -c --quiet
  python3 -m zipfile -e "$tmp/$wheel" "$vendor"
  rm -rf "$tmp"
fi
if ! python3 -c 'import requests, xmltodict' 2>/dev/null && ! PYTHONPATH="$vendor" python3 -c 'import requests, xmltodict' 2>/dev/null; then
  python3 -m pip install --quiet --target "$vendor" "requests>=2.32,<3" "xmltodict>=0.13,<0.15"
fi
PYTHONPATH="$vendor" python3 -c 'import georeport, requests, xmltodict; print("open311 client: georeport ready")'
