#!/usr/bin/env python3
"""Extract the St Albans district from the police.uk Hertfordshire 2021 data.

Usage: scripts/extract_st_albans.py [SOURCE_DIR] [OUT_DIR]

SOURCE_DIR defaults to ../shared/data/police-uk-hertfordshire-2021 (relative to
the repository root); OUT_DIR defaults to data/police-uk/st-albans.

street/YYYY-MM-hertfordshire-street.csv -> street/YYYY-MM-st-albans-street.csv:
    header unchanged, rows whose 'LSOA name' starts with "St Albans".
outcomes/YYYY-MM-hertfordshire-outcomes.csv -> outcomes/YYYY-MM-st-albans-outcomes.csv:
    header unchanged, rows whose 'Crime ID' is the Crime ID of any kept street
    row (any month).

Rows are parsed and written with the csv module using the source's line
terminator; the script checks that re-serialising each source file with that
dialect reproduces it byte for byte, so kept rows are byte-identical to the
source lines.
"""

import csv
import io
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SRC = REPO.parent / "shared" / "data" / "police-uk-hertfordshire-2021"
DEFAULT_OUT = REPO / "data" / "police-uk" / "st-albans"
PREFIX = "St Albans"


def read(path):
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    term = "\r\n" if text.split("\n", 1)[0].endswith("\r") else "\n"
    rows = list(csv.reader(io.StringIO(text, newline="")))
    check = io.StringIO(newline="")
    csv.writer(check, lineterminator=term).writerows(rows)
    if check.getvalue() != text:
        sys.exit(f"{path}: csv round-trip is not byte-identical; refusing to continue")
    return rows[0], rows[1:], term


def write(path, header, rows, term):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator=term)
        w.writerow(header)
        w.writerows(rows)


def main(argv):
    src = Path(argv[1]) if len(argv) > 1 else DEFAULT_SRC
    out = Path(argv[2]) if len(argv) > 2 else DEFAULT_OUT
    street_files = sorted((src / "street").glob("*-hertfordshire-street.csv"))
    outcome_files = sorted((src / "outcomes").glob("*-hertfordshire-outcomes.csv"))
    if not street_files or not outcome_files:
        sys.exit(f"no police.uk files under {src}")

    ids = set()
    total_street = 0
    for p in street_files:
        header, rows, term = read(p)
        col = header.index("LSOA name")
        idcol = header.index("Crime ID")
        kept = [r for r in rows if r[col].startswith(PREFIX)]
        ids.update(r[idcol] for r in kept if r[idcol])
        month = p.name[:7]
        write(out / "street" / f"{month}-st-albans-street.csv", header, kept, term)
        total_street += len(kept)
        print(f"street   {month}: {len(kept):6d} of {len(rows)}")

    total_out = 0
    for p in outcome_files:
        header, rows, term = read(p)
        idcol = header.index("Crime ID")
        kept = [r for r in rows if r[idcol] in ids]
        month = p.name[:7]
        write(out / "outcomes" / f"{month}-st-albans-outcomes.csv", header, kept, term)
        total_out += len(kept)
        print(f"outcomes {month}: {len(kept):6d} of {len(rows)}")

    print(f"total: {total_street} street rows, {total_out} outcome rows, "
          f"{len(ids)} distinct crime IDs")


if __name__ == "__main__":
    main(sys.argv)
