"""Drives SafetyNet's Open311 GeoReport v2 server with an Open311 client from
another ecosystem: georeport (Python, unmodified) for what it does (services,
service definitions, requests, one request; JSON and XML), and plain HTTP
(requests, xmltodict) for what it does not (creating requests, tokens and
FixMyStreet's servicerequestupdates), exactly as the specification says.

    check.py create BASE KEY          creates two requests (JSON, XML); prints their ids
    check.py follow BASE KEY ID NOTE  checks ID is closed with NOTE, and its updates

Installed by fetch.sh; run by crates/cli/tests/open311_client.rs.
"""

import json
import sys

import requests
import xmltodict
from georeport import GeoReport


def as_list(x):
    """xmltodict gives one element as a dict, several as a list."""
    return x if isinstance(x, list) else [x]


def check(cond, what):
    if not cond:
        raise SystemExit(f"open311 client check failed: {what}")


def create(base, key):
    root = base + "/open311/v2"
    for fmt in ("json", "xml"):
        client = GeoReport(root, output_format=fmt)
        codes = [s["service_code"] for s in as_list(client.get_service_list())]
        check("fly-tipping" in codes, f"services.{fmt} lists fly-tipping: {codes}")
        definition = client.get_service_definition("fly-tipping")
        attributes = definition["attributes"]
        if fmt == "xml":
            attributes = as_list(attributes["attribute"])
        check([a["code"] for a in attributes] == ["land_type", "waste_type", "size"], f"the {fmt} definition's attributes: {attributes}")

    form = {
        "api_key": key,
        "service_code": "fly-tipping",
        "lat": "51.752049",
        "long": "-0.339012",
        "email": "resident@example.org",
        "first_name": "Rita",
        "last_name": "Resident",
        "media_url": "https://fixmystreet.example/photo/1.jpeg",
        "attribute[size]": "small_van_load",
    }
    created = {}
    reports = (
        ("json", "51.752049", "A sofa and ten black bags dumped by the garages"),
        ("xml", "51.753500", "Builders' rubble tipped in the lay-by overnight"),
    )
    for fmt, lat, words in reports:
        res = requests.post(f"{root}/requests.{fmt}", data={**form, "lat": lat, "description": words}, timeout=30)
        check(res.status_code == 200, f"POST requests.{fmt}: {res.status_code} {res.text}")
        if fmt == "json":
            answer = res.json()[0]
        else:
            answer = xmltodict.parse(res.content)["service_requests"]["request"]
        created[fmt] = answer["service_request_id"]
        token = requests.get(f"{root}/tokens/{answer['token']}.{fmt}", timeout=30)
        check(token.status_code == 200 and answer["service_request_id"] in token.text, f"tokens/{answer['token']}.{fmt}: {token.text}")

    bad = requests.post(f"{root}/requests.json", data={**form, "api_key": "not-a-key", "description": "A key nobody issued"}, timeout=30)
    check(bad.status_code == 403 and bad.json()[0]["code"] == 403, f"a key nobody issued: {bad.status_code} {bad.text}")
    bad = requests.post(f"{root}/requests.xml", data={**form, "lat": "", "long": "", "description": "Nowhere at all, it seems"}, timeout=30)
    errors = xmltodict.parse(bad.content)["errors"]["error"]
    check(bad.status_code == 400 and errors["code"] == "400", f"a request with no place: {bad.status_code} {bad.text}")

    both = ",".join(created.values())
    for fmt in ("json", "xml"):
        client = GeoReport(root, output_format=fmt)
        found = as_list(client.get_service_requests(service_request_id=both))
        check(sorted(r["service_request_id"] for r in found) == sorted(created.values()), f"requests.{fmt} by id: {found}")
        check(all("description" not in r and "lat" not in r for r in found), "without the key, nobody's words or place are shown")
        one = client.get_service_request(created[fmt])
        check(one["status"] == "open" and one["service_code"] == "fly-tipping", f"requests/{created[fmt]}.{fmt}: {one}")
        listed = as_list(client.get_service_requests(service_code="fly-tipping", status="open"))
        check(set(created.values()) <= {r["service_request_id"] for r in listed}, f"requests.{fmt} by service and status")
    mine = requests.get(f"{root}/requests.json", params={"api_key": key, "service_request_id": created["json"]}, timeout=30).json()[0]
    check(mine["description"].startswith("A sofa") and float(mine["lat"]) > 51, f"the sender sees its own request in full: {mine}")
    print(json.dumps(created))


def follow(base, key, request_id, note):
    root = base + "/open311/v2"
    for fmt in ("json", "xml"):
        one = GeoReport(root, output_format=fmt).get_service_request(request_id)
        check(one["status"] == "closed" and one["status_notes"] == note, f"requests/{request_id}.{fmt}: {one}")
    res = requests.get(
        f"{root}/servicerequestupdates.xml",
        params={"api_key": key, "start_date": "2000-01-01T00:00:00Z", "end_date": "2000-03-01T00:00:00Z"},
        timeout=30,
    )
    check(res.status_code == 200, f"servicerequestupdates.xml: {res.status_code} {res.text}")
    res = requests.get(f"{root}/servicerequestupdates.xml", params={"api_key": key}, timeout=30)
    updates = xmltodict.parse(res.content)["service_requests_updates"]
    updates = as_list(updates["request_update"]) if updates else []
    mine = [(u["status"], u.get("description") or "") for u in updates if u["service_request_id"] == request_id]
    check(mine == [("open", ""), ("investigating", ""), ("fixed", note)], f"the updates to {request_id}: {mine}")
    res = requests.get(f"{root}/servicerequestupdates.json", params={"api_key": key}, timeout=30)
    check(any(u["status"] == "fixed" and u["service_request_id"] == request_id for u in res.json()), "servicerequestupdates.json")
    print("followed")


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "create":
        create(sys.argv[2], sys.argv[3])
    elif len(sys.argv) >= 6 and sys.argv[1] == "follow":
        follow(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
    else:
        raise SystemExit(__doc__)
