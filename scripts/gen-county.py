#!/usr/bin/env python3
"""Deterministic county-scale data for load benchmarks (issue 10). Never committed.

Writes, under OUT:
  police-uk/street/*.csv, police-uk/outcomes/*.csv
      the police.uk months in DATA relabelled over YEARS years (shifted back
      12 months at a time), each copy with its own Crime IDs, so a force's
      five years hold about 5 x 108,000 street rows for Hertfordshire;
  incidents/AGENCY.csv
      INCIDENTS partner incidents in the `safetynet import incidents` format,
      dealt in turn to the ten AGENCIES (one file each, imported with
      `--agency AGENCY`), placed where the street rows of LSOAs named PLACE
      are (so they fall inside the partnership's area), over the five years
      before 2026-12, a victim on every tenth and a perpetrator on every
      twentieth (about 150,000 people for 1,000,000 incidents), with names,
      dates of birth and addresses drawn from a pool of INCIDENTS / 40, so
      repeats and possible duplicates occur as they do in real records.

The users, cases and meetings come from `safetynet generate` once these are
imported (scripts/bench-load.sh does both).

Usage: scripts/gen-county.py OUT [--data DIR] [--years 5] [--incidents 200000]
                                 [--place "St Albans"] [--seed 1]
The same arguments always give the same files.
"""

import argparse
import contextlib
import csv
import hashlib
import os
import random
import sys
from datetime import datetime, timedelta

CATEGORIES = [
    "asb-personal", "asb-nuisance", "asb-environmental", "crime-burglary", "crime-criminal-damage-arson",
    "crime-drugs", "crime-other-theft", "crime-public-order", "crime-shoplifting", "crime-vehicle",
    "crime-violence-sexual", "fly-tipping", "noise-domestic", "noise-commercial",
]
FIRST = ["Alex", "Sam", "Jo", "Chris", "Pat", "Lukasz", "Aisha", "Wyn", "Mei", "Tomasz", "Priya", "Kemal",
         "Niamh", "Oluwaseun", "Zofia", "Hamza", "Ellie", "Dylan", "Grace", "Yusuf"]
LAST = ["Smith", "Jones", "Patel", "Kowalski", "Okafor", "Evans", "Khan", "Murphy", "Nowak", "Ahmed",
        "Williams", "Brown", "Taylor", "Davies", "Wilson", "Hughes", "Ali", "Walker", "Wright", "Green"]
AGENCIES = ["SACDC", "HERTS-POLICE", "HFRS", "PROBATION", "HV-CCG", "HCC", "HCC-SFYP", "BTP", "HOUSING",
            "HCC-TS"]
STREETS = ["High Street", "Station Road", "Church Lane", "London Road", "Victoria Street", "Park Avenue",
           "Hatfield Road", "Marshalswick Lane", "Verulam Road", "Catherine Street"]


def relabel(month, shift_years):
    year, m = month.split("-")
    return f"{int(year) - shift_years:04d}-{m}"


def new_id(crime_id, shift_years):
    if not crime_id or shift_years == 0:
        return crime_id
    return hashlib.sha256(f"{shift_years}:{crime_id}".encode()).hexdigest()


def police_uk(data, out, years):
    """Copies every month YEARS times, shifted back a year each time; returns
    (street rows, points of the partnership's LSOAs)."""
    rows = 0
    for kind in ("street", "outcomes"):
        src = os.path.join(data, kind)
        dst = os.path.join(out, "police-uk", kind)
        os.makedirs(dst, exist_ok=True)
        for name in sorted(os.listdir(src)):
            if not name.endswith(".csv"):
                continue
            with open(os.path.join(src, name), newline="", encoding="utf-8") as f:
                reader = csv.reader(f)
                header = next(reader)
                body = list(reader)
            month_col, id_col = header.index("Month"), header.index("Crime ID")
            for shift in range(years):
                target = os.path.join(dst, f"{shift}-{name}")
                with open(target, "w", newline="", encoding="utf-8") as f:
                    w = csv.writer(f, lineterminator="\n")
                    w.writerow(header)
                    for r in body:
                        r = list(r)
                        r[month_col] = relabel(r[month_col], shift)
                        r[id_col] = new_id(r[id_col], shift)
                        w.writerow(r)
                if kind == "street":
                    rows += len(body)
    return rows


def points(data, place):
    found = []
    street = os.path.join(data, "street")
    for name in sorted(os.listdir(street)):
        with open(os.path.join(street, name), newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                if r["LSOA name"].startswith(place) and r["Longitude"] and r["Latitude"]:
                    found.append((r["Latitude"], r["Longitude"]))
    return found


def incidents(out, n, where, rng):
    end = datetime(2026, 11, 30, 23, 0)
    span_minutes = 5 * 365 * 24 * 60
    people = [(f"{rng.choice(FIRST)} {rng.choice(LAST)}",
               f"{rng.randint(1940, 2008)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
               f"{rng.randint(1, 200)} {rng.choice(STREETS)}") for _ in range(max(1, n // 40))]
    header = ["reference", "category", "occurred_at", "latitude", "longitude", "description", "source",
              "victim_name", "victim_dob", "victim_address", "perpetrator_name", "perpetrator_dob"]
    folder = os.path.join(out, "incidents")
    os.makedirs(folder, exist_ok=True)
    with contextlib.ExitStack() as stack:
        writers = [csv.writer(stack.enter_context(open(os.path.join(folder, f"{a}.csv"), "w", newline="",
                                                       encoding="utf-8")), lineterminator="\n") for a in AGENCIES]
        for w in writers:
            w.writerow(header)
        for i in range(n):
            w = writers[i % len(writers)]
            lat, lon = rng.choice(where)
            at = end - timedelta(minutes=rng.randrange(span_minutes))
            category = rng.choice(CATEGORIES)
            victim = people[rng.randrange(len(people))] if rng.random() < 0.10 else ("", "", "")
            perp = people[rng.randrange(len(people))] if rng.random() < 0.05 else ("", "", "")
            w.writerow([f"GEN-{i:07d}", category, at.strftime("%Y-%m-%dT%H:%M:00Z"), lat, lon,
                        f"Generated incident {i} ({category})", rng.choice(["public", "police", "council", "housing"]), victim[0], victim[1], victim[2],
                        perp[0], perp[1]])


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out")
    p.add_argument("--data", default=os.path.join(here, "..", "..", "shared", "data", "police-uk-hertfordshire-2021"))
    p.add_argument("--years", type=int, default=5)
    p.add_argument("--incidents", type=int, default=200_000)
    p.add_argument("--place", default="St Albans")
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    if not os.path.isdir(os.path.join(a.data, "street")):
        sys.exit(f"gen-county: no street/ folder under {a.data}")
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    rows = police_uk(a.data, a.out, a.years)
    where = points(a.data, a.place)
    if not where:
        sys.exit(f"gen-county: no street rows in LSOAs named {a.place!r}")
    incidents(a.out, a.incidents, where, rng)
    print(f"police.uk street rows: {rows}; incidents: {a.incidents}; under {a.out}")


if __name__ == "__main__":
    main()
