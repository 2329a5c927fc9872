// SafetyNet progressive enhancement: GOV.UK Frontend components and the
// Leaflet crime map. Every page works without this script.
import { initAll } from "/assets/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

const COLOURS = {
  "Anti-social behaviour": "#d4351c", "Violence and sexual offences": "#4c2c92",
  "Burglary": "#f47738", "Vehicle crime": "#1d70b8", "Criminal damage and arson": "#b58840",
  "Shoplifting": "#00703c", "Public order": "#912b88", "Other theft": "#5694ca",
  "Drugs": "#85994b", "Bicycle theft": "#28a197", "Theft from the person": "#f499be",
  "Robbery": "#6f72af", "Possession of weapons": "#0b0c0c", "Other crime": "#505a5f",
};

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

async function crimeMap(el) {
  const L = window.L;
  if (!L) return;
  const map = L.map(el, { preferCanvas: true });
  const tiles = el.dataset.tiles;
  if (tiles) {
    L.tileLayer(tiles, { maxZoom: 19, attribution: "&copy; OpenStreetMap contributors" }).addTo(map);
  }
  map.setView([51.75, -0.34], 12);
  const res = await fetch(el.dataset.geojson, { credentials: "same-origin" });
  if (!res.ok) { el.dataset.state = "error"; return; }
  const data = await res.json();
  const layer = L.geoJSON(data, {
    pointToLayer: (f, latlng) => L.circleMarker(latlng, {
      radius: 5, weight: 1, color: "#0b0c0c", fillOpacity: 0.75,
      fillColor: COLOURS[f.properties.crime_type] || "#505a5f",
    }),
    onEachFeature: (f, l) => l.bindPopup(
      `<strong>${escapeHtml(f.properties.crime_type)}</strong><br>${escapeHtml(f.properties.month)}<br>${escapeHtml(f.properties.location)}`),
  }).addTo(map);
  if (data.features.length > 0) map.fitBounds(layer.getBounds(), { padding: [20, 20] });
  const types = [...new Set(data.features.map((f) => f.properties.crime_type))].sort();
  const legend = L.control({ position: "topright" });
  legend.onAdd = () => {
    const div = L.DomUtil.create("div", "sn-legend");
    div.innerHTML = types.map((t) =>
      `<span class="sn-legend__item"><span class="sn-legend__swatch" data-colour="${escapeHtml(COLOURS[t] || "#505a5f")}"></span>${escapeHtml(t)}</span>`).join("");
    div.querySelectorAll(".sn-legend__swatch").forEach((s) => { s.style.backgroundColor = s.dataset.colour; });
    return div;
  };
  if (types.length > 0) legend.addTo(map);
  el.dataset.points = String(data.features.length);
  el.dataset.state = "ready";
}

document.querySelectorAll("[data-crime-map]").forEach((el) => { crimeMap(el); });

// Pin picker on the incident form: click the map to fill latitude and longitude.
function pinPicker(el) {
  const L = window.L;
  if (!L) return;
  const lat = document.getElementById("latitude");
  const lon = document.getElementById("longitude");
  const map = L.map(el);
  if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: "&copy; OpenStreetMap contributors" }).addTo(map);
  const start = lat.value && lon.value ? [Number(lat.value), Number(lon.value)] : [51.75, -0.34];
  map.setView(start, lat.value ? 16 : 12);
  let marker = lat.value && lon.value ? L.circleMarker(start, { radius: 8 }).addTo(map) : null;
  const pin = (latlng) => {
    lat.value = latlng.lat.toFixed(6);
    lon.value = latlng.lng.toFixed(6);
    if (marker) marker.setLatLng(latlng); else marker = L.circleMarker(latlng, { radius: 8 }).addTo(map);
  };
  map.on("click", (e) => pin(e.latlng));
  document.addEventListener("sn:place", (e) => { pin(L.latLng(e.detail.latitude, e.detail.longitude)); map.setView([e.detail.latitude, e.detail.longitude], 17); });
}

document.querySelectorAll("[data-pin-picker]").forEach((el) => { pinPicker(el); });

// Hotspot map: grid cells coloured by Gi* significance.
const HOT = { hot99: "#b10026", hot95: "#e31a1c", hot90: "#fd8d3c", cold90: "#9ecae1", cold95: "#4292c6", cold99: "#08519c" };

async function hotspotMap(el) {
  const L = window.L;
  if (!L) return;
  const map = L.map(el, { preferCanvas: true });
  if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: "&copy; OpenStreetMap contributors" }).addTo(map);
  map.setView([51.75, -0.34], 12);
  const res = await fetch(el.dataset.geojson, { credentials: "same-origin" });
  if (!res.ok) {
    const body = await res.json().catch(() => ({}));
    el.dataset.state = "error";
    el.textContent = (body.error && body.error.message) || "The hotspots could not be computed.";
    return;
  }
  const data = await res.json();
  const layer = L.geoJSON(data, {
    // Empty cells are only drawn when they are part of a hot spot: cold
    // "spots" of empty countryside would otherwise fill the map.
    filter: (f) => f.properties.count > 0 || f.properties.gi_class.startsWith("hot"),
    style: (f) => {
      const c = f.properties.gi_class;
      const hot = c.startsWith("hot");
      return { weight: hot ? 0.8 : 0.3, color: hot ? "#6d0019" : "#b1b4b6", fillColor: HOT[c] || "#ffffff",
        fillOpacity: hot ? (f.properties.gi_fdr_significant ? 0.8 : 0.55) : (c === "not_significant" ? 0.15 : 0.25) };
    },
    onEachFeature: (f, l) => {
      const p = f.properties;
      let html = `<strong>${p.count} records</strong><br>Gi* z = ${p.gi_z.toFixed(2)}, p = ${p.gi_p.toFixed(3)}${p.gi_fdr_significant ? " (FDR)" : ""}<br>LISA ${p.quadrant}`;
      // The CSP manager can start an operation on a hot cell from here.
      if (p.gi_class.startsWith("hot") && el.dataset.operations === "true") {
        const c = l.getBounds().getCenter();
        const r = Math.round(map.distance(c, l.getBounds().getNorthEast()));
        const q = new URLSearchParams({
          prompted_by: `Hot spot: ${p.count} records (Gi* z = ${p.gi_z.toFixed(2)})`,
          prompted_link: location.pathname + location.search,
          target_lat: c.lat.toFixed(5), target_lon: c.lng.toFixed(5), target_radius_m: String(r), buffer_m: String(r),
        });
        html += `<br><a href="/operations?${q}#new">Start an operation here</a>`;
      }
      l.bindPopup(html);
    },
  }).addTo(map);
  if (layer.getLayers().length > 0) map.fitBounds(layer.getBounds(), { padding: [10, 10] });
  const legend = L.control({ position: "topright" });
  legend.onAdd = () => {
    const div = L.DomUtil.create("div", "sn-legend");
    div.innerHTML = [["hot99", "Hot spot, 99%"], ["hot95", "Hot spot, 95%"], ["hot90", "Hot spot, 90%"], ["cold95", "Cold spot, 95%+"]]
      .map(([k, t]) => `<span class="sn-legend__item"><span class="sn-legend__swatch" data-colour="${HOT[k]}"></span>${t}</span>`).join("")
      + '<span class="sn-legend__item">Darker: significant after FDR</span>';
    div.querySelectorAll(".sn-legend__swatch").forEach((s) => { s.style.backgroundColor = s.dataset.colour; s.style.borderRadius = "0"; });
    return div;
  };
  legend.addTo(map);
  const hot = data.features.filter((f) => f.properties.gi_class.startsWith("hot"));
  el.dataset.hotCells = String(hot.length);
  hotspotList(el, map, hot);
  el.dataset.state = "ready";
}

// The hot cells as a list beside the map, busiest first: each can be shown
// on the map from the keyboard.
function hotspotList(el, map, hot) {
  const box = document.getElementById(el.dataset.list || "");
  if (!box) return;
  const cells = [...hot].sort((a, b) => b.properties.count - a.properties.count).slice(0, 15);
  if (cells.length === 0) { box.innerHTML = '<p class="govuk-body">No cell is a hot spot.</p>'; return; }
  const level = { hot99: "99%", hot95: "95%", hot90: "90%" };
  box.innerHTML = '<table class="govuk-table" data-testid="hotspot-list"><caption class="govuk-table__caption govuk-table__caption--s">The ' + cells.length +
    ' busiest hot spot cells</caption><thead class="govuk-table__head"><tr class="govuk-table__row"><th scope="col" class="govuk-table__header">Records</th>' +
    '<th scope="col" class="govuk-table__header">Confidence</th><th scope="col" class="govuk-table__header">Centre (latitude, longitude)</th>' +
    '<th scope="col" class="govuk-table__header"><span class="govuk-visually-hidden">Map</span></th></tr></thead><tbody class="govuk-table__body"></tbody></table>';
  const body = box.querySelector("tbody");
  for (const f of cells) {
    const p = f.properties;
    const bounds = L.geoJSON(f).getBounds();
    const c = bounds.getCenter();
    const tr = document.createElement("tr");
    tr.className = "govuk-table__row";
    tr.innerHTML = `<td class="govuk-table__cell">${p.count}</td><td class="govuk-table__cell">${level[p.gi_class] || ""}${p.gi_fdr_significant ? " (FDR)" : ""}</td>` +
      `<td class="govuk-table__cell">${c.lat.toFixed(4)}, ${c.lng.toFixed(4)}</td><td class="govuk-table__cell"></td>`;
    const b = document.createElement("button");
    b.type = "button";
    b.className = "govuk-button govuk-button--secondary govuk-!-margin-bottom-0";
    b.textContent = "Show on map";
    b.addEventListener("click", () => { map.fitBounds(bounds, { maxZoom: 16 }); el.scrollIntoView(); });
    tr.lastElementChild.append(b);
    body.append(tr);
  }
}

document.querySelectorAll("[data-hotspot-map]").forEach((el) => { hotspotMap(el); });

// Analysis layers (density squares, a scan cluster and its places,
// near-repeat pairs) from the API's GeoJSON: data-layers lists the URLs.
function densityColour(level) {
  const t = Math.max(0, Math.min(1, level));
  const mix = (a, b) => Math.round(a + (b - a) * t);
  return `rgb(${mix(0xef, 0x3f)},${mix(0xed, 0x00)},${mix(0xf5, 0x7d)})`;
}

function layerStyle(f) {
  const p = f.properties;
  if (f.geometry.type === "Point") return pointStyle(p);
  if (p.kind === "cluster") return { color: "#d4351c", weight: 3, fillColor: "#d4351c", fillOpacity: 0.1 };
  if (p.kind === "pair") return { color: "#d4351c", weight: 2, opacity: 0.8 };
  if (p.kind === "pspo" || p.kind === "dispersal") return { color: "#1d70b8", weight: 3, fillColor: "#1d70b8", fillOpacity: 0.15 };
  return { weight: 0, fillColor: densityColour(p.level), fillOpacity: 0.35 + 0.45 * p.level };
}

function layerPopup(p) {
  if (p.kind === "cluster") {
    return `<strong>Emerging cluster</strong><br>${escapeHtml(p.start_date)} to ${escapeHtml(p.end_date)}<br>` +
      `${p.observed} incidents against ${p.expected.toFixed(1)} expected, p = ${p.p_value.toFixed(2)}`;
  }
  if (p.kind === "pair") {
    return `<strong>${Math.round(p.distance_m)} m and ${p.days} days apart</strong><br>${escapeHtml(p.from_date)} and ${escapeHtml(p.to_date)}`;
  }
  if (p.kind === "place") return "A place in the cluster";
  if (p.kind === "pspo") return `<strong>${escapeHtml(p.reference)}</strong><br>${escapeHtml(p.title)}<br>In force to ${escapeHtml(p.ends_on)}`;
  if (p.kind === "dispersal") return `<strong>Dispersal area</strong><br>Issued ${escapeHtml(p.issued_on)}`;
  if (p.kind === "premises") {
    const due = p.next_inspection_due ? `<br>Next inspection ${escapeHtml(p.next_inspection_due)}` : "";
    return `<a href="/programmes/premises/${encodeURIComponent(p.id)}">${escapeHtml(p.name)}</a>${due}`;
  }
  if (p.kind === "fly_tip") {
    const land = p.land_type ? `<br>${escapeHtml(p.land_type)}${p.size ? ", " + escapeHtml(p.size) : ""}` : "<br>Not yet categorised";
    return `<a href="/programmes/fly-tipping/${encodeURIComponent(p.id)}">${escapeHtml(p.reference)}</a>${land}`;
  }
  if (p.kind === "deliberate_fire") return `<strong>Deliberate fire</strong><br><a href="/incidents/${encodeURIComponent(p.id)}">${escapeHtml(p.reference)}</a>`;
  if (p.kind === "vigilance") {
    const risks = p.risks.length ? p.risks.map(escapeHtml).join(", ") : "No risks found";
    return `<strong>Checked: ${escapeHtml(p.area)}</strong><br>${escapeHtml(p.checked_on)}<br>${risks}`;
  }
  if (p.kind === "camera") {
    const until = p.removed_on ? ` to ${escapeHtml(p.removed_on)}` : " (still up)";
    return `<strong>Camera: ${escapeHtml(p.site)}</strong><br>From ${escapeHtml(p.deployed_on)}${until}`;
  }
  return `<strong>${p.density_per_km2.toFixed(0)} records per km²</strong>`;
}

// Points, drawn above any shading: cameras blue and larger, areas checked
// green, the rest red.
function pointStyle(p) {
  if (p.kind === "vigilance") return { pane: "markerPane", radius: 7, weight: 2, color: "#0b0c0c", fillColor: "#00703c", fillOpacity: 0.9 };
  if (p.kind === "camera") return { pane: "markerPane", radius: 8, weight: 2, color: "#0b0c0c", fillColor: "#1d70b8", fillOpacity: 0.9 };
  return { pane: "markerPane", radius: 5, weight: 1, color: "#0b0c0c", fillColor: "#d4351c", fillOpacity: 0.9 };
}

async function layerMap(el) {
  const L = window.L;
  if (!L) return;
  const map = L.map(el, { preferCanvas: true });
  if (el.dataset.tiles) L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: "&copy; OpenStreetMap contributors" }).addTo(map);
  map.setView([51.75, -0.34], 12);
  const bounds = L.latLngBounds([]);
  let features = 0;
  for (const url of el.dataset.layers.split(" ").filter(Boolean)) {
    const res = await fetch(url, { credentials: "same-origin" });
    if (!res.ok) continue;
    const data = await res.json();
    const layer = L.geoJSON(data, {
      style: layerStyle,
      pointToLayer: (f, latlng) => L.circleMarker(latlng, pointStyle(f.properties)),
      onEachFeature: (f, l) => l.bindPopup(layerPopup(f.properties)),
    }).addTo(map);
    features += data.features.length;
    if (data.features.length > 0) bounds.extend(layer.getBounds());
  }
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [20, 20], maxZoom: 15 });
  el.dataset.features = String(features);
  el.dataset.state = "ready";
}

document.querySelectorAll("[data-layer-map]").forEach((el) => { layerMap(el); });

// Drawing an operation's target area: each click on the map adds a corner;
// from three corners the polygon is written as GeoJSON into the form's
// textarea (which also works by hand without this script).
function drawMap(el) {
  const L = window.L;
  const out = document.getElementById(el.dataset.drawTarget);
  if (!L || !out) return;
  const map = L.map(el);
  const tiles = el.dataset.tiles;
  if (tiles) {
    L.tileLayer(tiles, { maxZoom: 19, attribution: "&copy; OpenStreetMap contributors" }).addTo(map);
  }
  map.setView([Number(el.dataset.lat || 51.75), Number(el.dataset.lon || -0.34)], 13);
  const corners = [];
  let shape = null;
  const redraw = () => {
    if (shape) shape.remove();
    shape = corners.length >= 2 ? L.polygon(corners, { color: "#d4351c", weight: 3 }).addTo(map) : null;
    if (corners.length >= 3) {
      const ring = corners.map((p) => [Number(p.lng.toFixed(6)), Number(p.lat.toFixed(6))]);
      ring.push(ring[0]);
      out.value = JSON.stringify({ type: "Polygon", coordinates: [ring] });
    }
    el.dataset.corners = String(corners.length);
  };
  map.on("click", (e) => { corners.push(e.latlng); redraw(); });
  const clear = document.createElement("button");
  clear.type = "button";
  clear.className = "govuk-button govuk-button--secondary";
  clear.textContent = "Clear the drawing";
  clear.addEventListener("click", () => { corners.length = 0; out.value = ""; redraw(); });
  el.after(clear);
  // A map drawn inside a closed "details" has no size until it is opened.
  const folded = el.closest("details");
  if (folded) folded.addEventListener("toggle", () => { if (folded.open) map.invalidateSize(); });
  el.dataset.state = "ready";
}

document.querySelectorAll("[data-draw-target]").forEach((el) => { drawMap(el); });

// A link to something inside a closed "details" opens it (the case page's
// "Change" links, the error summary's links to fields in a closed form).
function openTarget() {
  const id = decodeURIComponent(location.hash.slice(1));
  const el = id && document.getElementById(id);
  const details = el && el.closest("details");
  if (details) details.open = true;
}
window.addEventListener("hashchange", openTarget);
openTarget();
document.querySelectorAll(".govuk-error-summary a").forEach((a) => a.addEventListener("click", () => setTimeout(openTarget, 0)));
document.querySelectorAll(".govuk-form-group--error").forEach((g) => { const d = g.closest("details"); if (d) d.open = true; });

// Session timeout warning (WCAG 2.2.1): two minutes before the session
// would end, a dialog offers to stay signed in; if nobody answers, what
// was typed is kept and the browser goes to sign in, then comes back here.
const idleMs = Number(document.querySelector("meta[name=session-idle-ms]")?.content || 0);
const csrf = document.querySelector("meta[name=csrf-token]")?.content;
const user = document.querySelector("meta[name=session-user]")?.content;
const DRAFTS = "sn-drafts";
const REAUTH = "sn-reauth";

function readDrafts() {
  try { return JSON.parse(sessionStorage.getItem(DRAFTS) || "{}"); } catch { return {}; }
}
function writeDrafts(d) {
  try { sessionStorage.setItem(DRAFTS, JSON.stringify(d)); } catch { /* storage full or off: nothing kept */ }
}
function draftFields(form) {
  return [...form.elements].filter((e) => e.name && !["hidden", "password", "file", "submit", "button"].includes(e.type) && e.name !== "csrf_token");
}
function keepDraft(form, submitted) {
  const fields = {};
  for (const e of draftFields(form)) {
    if (e.type === "checkbox" || e.type === "radio") { if (e.checked) fields[e.name + "=" + e.value] = true; } else if (e.value) fields[e.name] = e.value;
  }
  const drafts = readDrafts();
  const key = form.getAttribute("action");
  if (Object.keys(fields).length === 0) delete drafts[key]; else drafts[key] = { fields, submitted, user, at: Date.now() };
  writeDrafts(drafts);
}

// Signing out on purpose forgets every draft.
document.querySelectorAll("form[action='/sign-out']").forEach((f) => f.addEventListener("submit", () => sessionStorage.removeItem(DRAFTS)));

const writable = [...document.querySelectorAll("form[method=post]")].filter((f) => !f.action.includes("/sign-in") && !f.action.includes("/sign-out"));
for (const form of writable) {
  form.addEventListener("input", () => keepDraft(form, false));
  form.addEventListener("submit", () => keepDraft(form, true));
}

function restoreDrafts() {
  if (location.pathname.startsWith("/sign-in")) {
    if (Object.keys(readDrafts()).length > 0) sessionStorage.setItem(REAUTH, "1");
    return;
  }
  const reauth = sessionStorage.getItem(REAUTH) === "1";
  sessionStorage.removeItem(REAUTH);
  const drafts = readDrafts();
  for (const [key, d] of Object.entries(drafts)) {
    const form = writable.find((f) => f.getAttribute("action") === key);
    // Only the person who typed it gets it back: a shared computer's next
    // user never sees it.
    const stale = Date.now() - d.at > 12 * 3600 * 1000 || d.user !== user;
    if (stale || (d.submitted && !reauth)) { delete drafts[key]; continue; }
    if (!reauth || !form) continue;
    for (const e of draftFields(form)) {
      if (e.type === "checkbox" || e.type === "radio") e.checked = !!d.fields[e.name + "=" + e.value];
      else if (e.name in d.fields) e.value = d.fields[e.name];
    }
    const details = form.closest("details");
    if (details) details.open = true;
    const note = document.createElement("div");
    note.className = "govuk-notification-banner";
    note.setAttribute("role", "region");
    note.setAttribute("aria-labelledby", "draft-title");
    note.dataset.testid = "draft-restored";
    note.innerHTML = '<div class="govuk-notification-banner__header"><h2 class="govuk-notification-banner__title" id="draft-title">Important</h2></div>' +
      '<div class="govuk-notification-banner__content"><p class="govuk-notification-banner__heading">We kept what you typed before you were signed out.</p>' +
      '<p class="govuk-body">It has not been saved yet: check it and submit the form again.</p></div>';
    form.prepend(note);
    form.scrollIntoView();
    delete drafts[key];
  }
  writeDrafts(drafts);
}
restoreDrafts();

if (idleMs > 0 && csrf) {
  const warnBefore = Math.min(120000, idleMs / 2);
  let warnTimer;
  let endTimer;
  const dialog = document.createElement("dialog");
  dialog.className = "sn-timeout";
  dialog.setAttribute("aria-labelledby", "timeout-title");
  dialog.setAttribute("aria-describedby", "timeout-text");
  dialog.innerHTML = '<h2 class="govuk-heading-m" id="timeout-title">You are about to be signed out</h2>' +
    '<p class="govuk-body" id="timeout-text">For your security, we will sign you out in ' + (warnBefore >= 60000 ? Math.round(warnBefore / 60000) + " minutes" : Math.round(warnBefore / 1000) + " seconds") + ' if nothing happens. Anything you have typed will be kept for you.</p>' +
    '<div class="govuk-button-group"><button type="button" class="govuk-button" data-testid="stay-signed-in">Stay signed in</button>' +
    '<a class="govuk-link" href="#" data-testid="timeout-sign-out">Sign out</a></div>';
  document.body.append(dialog);
  const signOut = () => {
    writable.forEach((f) => keepDraft(f, false));
    location.assign("/sign-in?expired=1&next=" + encodeURIComponent(location.pathname + location.search));
  };
  const arm = () => {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    warnTimer = setTimeout(() => { if (!dialog.open) dialog.showModal(); }, idleMs - warnBefore);
    endTimer = setTimeout(signOut, idleMs);
  };
  dialog.querySelector("[data-testid=stay-signed-in]").addEventListener("click", async () => {
    const res = await fetch("/session/keep-alive", { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "csrf_token=" + encodeURIComponent(csrf) });
    dialog.close();
    if (res.ok) arm(); else signOut();
  });
  dialog.querySelector("[data-testid=timeout-sign-out]").addEventListener("click", (e) => { e.preventDefault(); signOut(); });
  dialog.addEventListener("cancel", (e) => { e.preventDefault(); dialog.querySelector("[data-testid=stay-signed-in]").click(); });
  arm();
}

// A table wider than the screen scrolls inside its own box, which the
// keyboard can reach.
function fitTables() {
  document.querySelectorAll(".govuk-main-wrapper table").forEach((t) => {
    let wrap = t.parentElement;
    if (!wrap.classList.contains("sn-table-wrap")) {
      wrap = document.createElement("div");
      wrap.className = "sn-table-wrap";
      t.replaceWith(wrap);
      wrap.append(t);
    }
    if (wrap.scrollWidth > wrap.clientWidth + 1) {
      wrap.tabIndex = 0;
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", t.querySelector("caption")?.textContent || "Table (scrolls sideways)");
    }
  });
}
fitTables();
window.addEventListener("resize", fitTables);

// Finding a place on the incident form: the council's gazetteer and the
// streets in police.uk data (GET /places), chosen from a list of buttons.
function placeSearch(box) {
  const q = box.querySelector("#place_q");
  const status = box.querySelector(".sn-place-status");
  const list = box.querySelector(".sn-place-results");
  const set = (id, v) => { const el = document.getElementById(id); if (el && v != null) el.value = v; };
  const find = async () => {
    list.replaceChildren();
    if (q.value.trim().length < 3) { status.textContent = "Type at least 3 characters."; return; }
    status.textContent = "Searching…";
    const res = await fetch("/places?q=" + encodeURIComponent(q.value.trim()), { credentials: "same-origin" });
    if (!res.ok) { status.textContent = "The search did not work: type the address and drop a pin instead."; return; }
    const { places } = await res.json();
    status.textContent = places.length === 0 ? "No places found: check the spelling, or type the address and drop a pin." : places.length + (places.length === 1 ? " place found" : " places found") + ": choose one.";
    for (const p of places) {
      const li = document.createElement("li");
      const b = document.createElement("button");
      b.type = "button";
      b.className = "govuk-button govuk-button--secondary govuk-!-margin-bottom-1 sn-place";
      b.textContent = p.label + (p.kind === "street" ? " (street)" : "");
      b.addEventListener("click", () => {
        set("address", p.label);
        set("uprn", p.uprn || "");
        set("latitude", p.latitude.toFixed(6));
        set("longitude", p.longitude.toFixed(6));
        document.dispatchEvent(new CustomEvent("sn:place", { detail: p }));
        status.textContent = "Chosen: " + p.label;
        list.replaceChildren();
      });
      li.append(b);
      list.append(li);
    }
  };
  box.querySelector("[data-testid=find-place]").addEventListener("click", find);
  q.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); find(); } });
  box.hidden = false;
}
document.querySelectorAll("[data-place-search]").forEach(placeSearch);
