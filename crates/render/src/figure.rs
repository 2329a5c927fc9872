//! Figures as data: a [`Drawing`] of rectangles, lines, polygons, circles
//! and text in its own coordinates (y down), rendered to SVG for pages and
//! to PDF drawing operators for printed packs, so a chart or map looks the
//! same on screen and on paper. Builders for the charts and maps packs use.

use safetynet_analysis::bng::to_grid;
use safetynet_analysis::grid::Grid;
use safetynet_analysis::local::SpotClass;
use std::fmt::Write;

/// An RGB colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Colour(pub u8, pub u8, pub u8);

impl Colour {
    /// GOV.UK black.
    pub const TEXT: Colour = Colour(0x0b, 0x0c, 0x0c);
    /// GOV.UK secondary text.
    pub const GREY: Colour = Colour(0x50, 0x5a, 0x5f);
    /// Borders.
    pub const RULE: Colour = Colour(0xb1, 0xb4, 0xb6);
    /// GOV.UK blue.
    pub const BLUE: Colour = Colour(0x1d, 0x70, 0xb8);
    /// GOV.UK red.
    pub const RED: Colour = Colour(0xd4, 0x35, 0x1c);
    /// Light grey fill.
    pub const LIGHT: Colour = Colour(0xde, 0xde, 0xde);
    /// GOV.UK orange.
    pub const ORANGE: Colour = Colour(0xf4, 0x77, 0x38);

    /// `#rrggbb`.
    pub fn hex(self) -> String {
        format!("#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

/// Horizontal text alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// Left-aligned at x.
    Start,
    /// Centred on x.
    Middle,
    /// Right-aligned at x.
    End,
}

/// One mark.
#[derive(Debug, Clone, PartialEq)]
pub enum Mark {
    /// Marks drawn only inside the rectangle (0, 0, w, h): keeps a map's
    /// outlines inside its frame.
    Clipped {
        /// Width.
        w: f64,
        /// Height.
        h: f64,
        /// The clipped marks.
        marks: Vec<Mark>,
    },
    /// A filled rectangle.
    Rect {
        /// Left.
        x: f64,
        /// Top.
        y: f64,
        /// Width.
        w: f64,
        /// Height.
        h: f64,
        /// Fill.
        fill: Colour,
    },
    /// An open line through points.
    Line {
        /// Points.
        points: Vec<(f64, f64)>,
        /// Colour.
        stroke: Colour,
        /// Width.
        width: f64,
    },
    /// A closed outline, optionally filled.
    Polygon {
        /// Points.
        points: Vec<(f64, f64)>,
        /// Fill.
        fill: Option<Colour>,
        /// Outline colour.
        stroke: Colour,
        /// Outline width.
        width: f64,
    },
    /// A filled circle.
    Circle {
        /// Centre x.
        cx: f64,
        /// Centre y.
        cy: f64,
        /// Radius.
        r: f64,
        /// Fill.
        fill: Colour,
    },
    /// Text on a baseline.
    Text {
        /// x.
        x: f64,
        /// Baseline y.
        y: f64,
        /// Size.
        size: f64,
        /// Alignment.
        anchor: Anchor,
        /// Colour.
        fill: Colour,
        /// The text.
        text: String,
    },
}

/// A figure: size, a text alternative and its marks.
#[derive(Debug, Clone, PartialEq)]
pub struct Drawing {
    /// Width in drawing units.
    pub width: f64,
    /// Height in drawing units.
    pub height: f64,
    /// What it shows, in words (alt text; also the table of values).
    pub alt: String,
    /// Marks, painted in order.
    pub marks: Vec<Mark>,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn points_attr(points: &[(f64, f64)]) -> String {
    points.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect::<Vec<_>>().join(" ")
}

impl Drawing {
    /// Standalone SVG (with namespace, title and a white background).
    pub fn to_svg(&self) -> String {
        let mut s = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w:.0} {h:.0}\" width=\"100%\" role=\"img\" aria-label=\"{alt}\" font-family=\"arial, sans-serif\"><title>{alt}</title><rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>",
            w = self.width,
            h = self.height,
            alt = esc(&self.alt)
        );
        write_svg(&mut s, &self.marks);
        s.push_str("</svg>");
        s
    }
}

/// Writes marks as SVG elements.
fn write_svg(s: &mut String, marks: &[Mark]) {
    for m in marks {
        let _ = match m {
            Mark::Clipped { w, h, marks } => {
                let _ =
                    write!(s, "<svg x=\"0\" y=\"0\" width=\"{w:.1}\" height=\"{h:.1}\" viewBox=\"0 0 {w:.1} {h:.1}\">");
                write_svg(s, marks);
                write!(s, "</svg>")
            }
            Mark::Rect { x, y, w, h, fill } => write!(
                s,
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.2}\" height=\"{h:.2}\" fill=\"{}\"/>",
                fill.hex()
            ),
            Mark::Line { points, stroke, width } => write!(
                s,
                "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{width}\"/>",
                points_attr(points),
                stroke.hex()
            ),
            Mark::Polygon { points, fill, stroke, width } => write!(
                s,
                "<polygon points=\"{}\" fill=\"{}\" stroke=\"{}\" stroke-width=\"{width}\"/>",
                points_attr(points),
                fill.map_or_else(|| "none".to_string(), Colour::hex),
                stroke.hex()
            ),
            Mark::Circle { cx, cy, r, fill } => {
                write!(s, "<circle cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"{r}\" fill=\"{}\"/>", fill.hex())
            }
            Mark::Text { x, y, size, anchor, fill, text } => write!(
                s,
                "<text x=\"{x:.1}\" y=\"{y:.1}\" font-size=\"{size}\" text-anchor=\"{}\" fill=\"{}\">{}</text>",
                match anchor {
                    Anchor::Start => "start",
                    Anchor::Middle => "middle",
                    Anchor::End => "end",
                },
                fill.hex(),
                esc(text)
            ),
        };
    }
}

fn text(x: f64, y: f64, size: f64, anchor: Anchor, fill: Colour, t: impl Into<String>) -> Mark {
    Mark::Text { x, y, size, anchor, fill, text: t.into() }
}

/// A line chart of one or more series over the same labels (months), with
/// highlighted points (alerts) in red.
pub fn line_chart(
    title: &str,
    labels: &[String],
    series: &[(String, Colour, Vec<f64>)],
    highlight: &[String],
) -> Drawing {
    let (w, h, left, bottom, top) = (960.0_f64, 260.0_f64, 48.0_f64, 40.0_f64, 36.0_f64);
    let max = series.iter().flat_map(|s| s.2.iter().copied()).fold(1.0_f64, f64::max);
    let n = labels.len().max(2) as f64;
    let x = |i: usize| left + (w - left - 16.0) * i as f64 / (n - 1.0);
    let y = |v: f64| top + (h - top - bottom) * (1.0 - v / max);
    let mut marks = vec![
        Mark::Line { points: vec![(left, h - bottom), (w - 16.0, h - bottom)], stroke: Colour::RULE, width: 1.0 },
        text(4.0, top + 4.0, 12.0, Anchor::Start, Colour::GREY, format!("{max:.0}")),
        text(4.0, h - bottom, 12.0, Anchor::Start, Colour::GREY, "0"),
    ];
    let mut legend_x = left;
    for (name, colour, values) in series {
        marks.push(Mark::Line {
            points: values.iter().enumerate().map(|(i, v)| (x(i), y(*v))).collect(),
            stroke: *colour,
            width: 3.0,
        });
        for (i, v) in values.iter().enumerate() {
            let alert = labels.get(i).is_some_and(|l| highlight.contains(l));
            marks.push(Mark::Circle {
                cx: x(i),
                cy: y(*v),
                r: if alert { 6.0 } else { 3.0 },
                fill: if alert { Colour::RED } else { *colour },
            });
        }
        marks.push(Mark::Rect { x: legend_x, y: 10.0, w: 14.0, h: 14.0, fill: *colour });
        marks.push(text(legend_x + 20.0, 22.0, 13.0, Anchor::Start, Colour::TEXT, name.clone()));
        legend_x += 30.0 + name.chars().count() as f64 * 7.5;
    }
    for (i, l) in labels.iter().enumerate() {
        if i % 3 == 0 || i + 1 == labels.len() {
            let anchor = if i == 0 {
                Anchor::Start
            } else if i + 1 == labels.len() {
                Anchor::End
            } else {
                Anchor::Middle
            };
            marks.push(text(x(i), h - bottom + 18.0, 12.0, anchor, Colour::GREY, l.clone()));
        }
    }
    let values: Vec<String> = series
        .iter()
        .map(|(name, _, v)| {
            let pts: Vec<String> = labels.iter().zip(v).map(|(l, v)| format!("{l}: {v}")).collect();
            format!("{name}: {}", pts.join(", "))
        })
        .collect();
    Drawing { width: w, height: h, alt: format!("{title}. {}", values.join(". ")), marks }
}

/// What a map is framed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    /// The whole district (and every cell and zone).
    District,
    /// The zones, with a margin (the district outline is clipped).
    Zones,
}

/// A named, coloured outline (WGS84 ring) drawn on a map.
pub type Zone = (String, Colour, Vec<(f64, f64)>);

/// The most place names a map shows.
const MAX_MAP_NAMES: usize = 8;

/// What is drawn over a map's cells and zones.
#[derive(Debug, Clone, Default)]
pub struct Overlay {
    /// Recorded crime as grey dots (longitude, latitude).
    pub points: Vec<(f64, f64)>,
    /// Numbered markers at grid points (easting, northing), which a table
    /// beside the map names ("1: St Peter's Street").
    pub markers: Vec<(f64, f64)>,
    /// Place names at their points (longitude, latitude), most important
    /// first: at most eight are shown, each where it hides no marker and no
    /// other name.
    pub names: Vec<(f64, f64, String)>,
    /// Shaded grid squares (easting and northing of the south-west corner,
    /// side in metres, level 0 to 1: darker is more), e.g. a density surface.
    pub shades: Vec<(f64, f64, f64, f64)>,
    /// Lines between two points (longitude, latitude), e.g. near-repeat pairs.
    pub lines: Vec<[(f64, f64); 2]>,
    /// What the overlay shows, for the legend.
    pub legend: String,
}

/// The shade of a level from 0 (pale) to 1 (dark purple).
fn shade(level: f64) -> Colour {
    let t = level.clamp(0.0, 1.0);
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
    Colour(mix(0xef, 0x3f), mix(0xed, 0x00), mix(0xf5, 0x7d))
}

/// A map on the British National Grid (north up): the district boundary,
/// grid hotspots (when given), zones (target, buffer, control) as outlines
/// with their colours, and the overlay.
pub fn map(
    title: &str,
    boundary: &[Vec<(f64, f64)>],
    grid: Option<&Grid>,
    zones: &[Zone],
    overlay: &Overlay,
    focus: Focus,
) -> Drawing {
    let to_bng = |ring: &Vec<(f64, f64)>| ring.iter().map(|(lon, lat)| to_grid(*lon, *lat)).collect::<Vec<_>>();
    let rings: Vec<Vec<(f64, f64)>> = boundary.iter().map(to_bng).collect();
    let zone_rings: Vec<Zone> = zones.iter().map(|(n, c, r)| (n.clone(), *c, to_bng(r))).collect();
    let cell = grid.map_or(250.0, |g| g.cell_m);
    let cells: Vec<_> = grid
        .map(|g| {
            g.cells
                .iter()
                .filter(|c| {
                    c.count > 0 || matches!(c.stats.gi_class, SpotClass::Hot99 | SpotClass::Hot95 | SpotClass::Hot90)
                })
                .collect()
        })
        .unwrap_or_default();
    let on_zones = focus == Focus::Zones && !zone_rings.is_empty();
    let framed: Vec<(f64, f64)> = if on_zones {
        zone_rings.iter().flat_map(|z| z.2.iter().copied()).collect()
    } else {
        cells
            .iter()
            .flat_map(|c| [(c.easting, c.northing), (c.easting + cell, c.northing + cell)])
            .chain(rings.iter().flatten().copied())
            .chain(zone_rings.iter().flat_map(|z| z.2.iter().copied()))
            .collect()
    };
    let (mut min_e, mut max_e) =
        framed.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (mut min_n, mut max_n) =
        framed.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| (a.min(p.1), b.max(p.1)));
    if on_zones {
        let margin = ((max_e - min_e).max(max_n - min_n) * 0.6).max(400.0);
        (min_e, max_e, min_n, max_n) = (min_e - margin, max_e + margin, min_n - margin, max_n + margin);
    }
    let (min_e, max_n) = if min_e.is_finite() { (min_e - cell, max_n + cell) } else { (0.0, 1.0) };
    let (w, h) = if max_e.is_finite() { (max_e - min_e + cell, max_n - min_n + cell) } else { (1.0, 1.0) };
    let scale = 900.0 / w.max(h);
    let p = |(e, n): (f64, f64)| ((e - min_e) * scale, (max_n - n) * scale);
    let colour = |c: SpotClass| match c {
        SpotClass::Hot99 => Colour(0xb1, 0x00, 0x26),
        SpotClass::Hot95 => Colour(0xe3, 0x1a, 0x1c),
        SpotClass::Hot90 => Colour(0xfd, 0x8d, 0x3c),
        _ => Colour::LIGHT,
    };
    let mut marks = Vec::new();
    for (e, n, side, level) in &overlay.shades {
        let (x, y) = p((*e, n + side));
        marks.push(Mark::Rect { x, y, w: side * scale, h: side * scale, fill: shade(*level) });
    }
    for c in &cells {
        let (x, y) = p((c.easting, c.northing + cell));
        marks.push(Mark::Rect { x, y, w: cell * scale, h: cell * scale, fill: colour(c.stats.gi_class) });
    }
    for ring in &rings {
        marks.push(Mark::Polygon {
            points: ring.iter().map(|q| p(*q)).collect(),
            fill: None,
            stroke: Colour::TEXT,
            width: 1.5,
        });
    }
    for (lon, lat) in &overlay.points {
        let (x, y) = p(to_grid(*lon, *lat));
        marks.push(Mark::Circle { cx: x, cy: y, r: 2.5, fill: Colour::GREY });
    }
    for [a, b] in &overlay.lines {
        let (a, b) = (p(to_grid(a.0, a.1)), p(to_grid(b.0, b.1)));
        marks.push(Mark::Line { points: vec![a, b], stroke: Colour::RED, width: 2.0 });
        for (cx, cy) in [a, b] {
            marks.push(Mark::Circle { cx, cy, r: 3.0, fill: Colour::RED });
        }
    }
    for (_, c, ring) in &zone_rings {
        marks.push(Mark::Polygon { points: ring.iter().map(|q| p(*q)).collect(), fill: None, stroke: *c, width: 3.0 });
    }
    // Names go where they hide no marker and no other name; the rest are
    // left out (the table beside the map names every marker).
    let mut taken: Vec<(f64, f64, f64, f64)> = overlay
        .markers
        .iter()
        .map(|at| {
            let (x, y) = p(*at);
            (x - 9.0, y - 9.0, x + 9.0, y + 9.0)
        })
        .collect();
    let mut named = 0;
    for (lon, lat, name) in &overlay.names {
        if named == MAX_MAP_NAMES {
            break;
        }
        let (x, y) = p(to_grid(*lon, *lat));
        let w = name.chars().count() as f64 * 6.2 + 6.0;
        let b = (x - w / 2.0, y - 11.0, x + w / 2.0, y + 4.0);
        if taken.iter().any(|t| b.0 < t.2 && t.0 < b.2 && b.1 < t.3 && t.1 < b.3) {
            continue;
        }
        taken.push(b);
        named += 1;
        marks.push(Mark::Rect { x: b.0, y: b.1, w, h: 15.0, fill: Colour(0xff, 0xff, 0xff) });
        marks.push(text(x, y, 11.0, Anchor::Middle, Colour::GREY, name.clone()));
    }
    for (i, at) in overlay.markers.iter().enumerate() {
        let (cx, cy) = p(*at);
        // Small enough that neighbouring cells' markers (250 m apart) do not hide each other.
        marks.push(Mark::Circle { cx, cy, r: 8.5, fill: Colour::TEXT });
        marks.push(Mark::Circle { cx, cy, r: 7.0, fill: Colour(0xff, 0xff, 0xff) });
        marks.push(text(cx, cy + 4.0, 11.0, Anchor::Middle, Colour::TEXT, (i + 1).to_string()));
    }
    let base = h * scale;
    let mut marks = vec![Mark::Clipped { w: w * scale, h: base, marks }];
    let mut legend = if grid.is_some() {
        format!("Hot spots (Gi*, 99% / 95% / 90%) on {cell} m cells; grey: other cells with records")
    } else {
        String::new()
    };
    if !overlay.legend.is_empty() {
        if !legend.is_empty() {
            legend.push_str("; ");
        }
        legend.push_str(&overlay.legend);
    }
    for (name, _, _) in &zone_rings {
        if !legend.is_empty() {
            legend.push_str("; ");
        }
        legend.push_str(name);
    }
    let mut x = 10.0;
    for (name, c, _) in &zone_rings {
        marks.push(Mark::Rect { x, y: base + 10.0, w: 20.0, h: 20.0, fill: *c });
        marks.push(text(x + 26.0, base + 26.0, 20.0, Anchor::Start, Colour::TEXT, name.clone()));
        x += 50.0 + name.chars().count() as f64 * 11.0;
    }
    let line = if zone_rings.is_empty() { base + 25.0 } else { base + 58.0 };
    if grid.is_some() || !overlay.legend.is_empty() {
        marks.push(text(10.0, line, 16.0, Anchor::Start, Colour::TEXT, legend.clone()));
    }
    marks.push(text(
        10.0,
        line + 23.0,
        12.0,
        Anchor::Start,
        Colour::GREY,
        "Contains public sector information licensed under the Open Government Licence v3.0 (data.police.uk).",
    ));
    Drawing { width: w * scale, height: line + 35.0, alt: format!("{title}. {legend}"), marks }
}

/// The outer ring of an operation zone (first polygon of a MultiPolygon).
pub fn zone_ring(z: &safetynet_domain::operation::Zone) -> Vec<(f64, f64)> {
    let g = z.to_geojson();
    let coords = if g["type"] == "MultiPolygon" { &g["coordinates"][0][0] } else { &g["coordinates"][0] };
    coords.as_array().into_iter().flatten().filter_map(|p| Some((p[0].as_f64()?, p[1].as_f64()?))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_name_their_values_and_render_as_svg() {
        let labels: Vec<String> = ["2021-01", "2021-02", "2021-03"].map(String::from).to_vec();
        let d = line_chart(
            "Burglary per month",
            &labels,
            &[("Burglary".into(), Colour::BLUE, vec![3.0, 5.0, 4.0])],
            &["2021-02".into()],
        );
        assert!(d.alt.contains("2021-02: 5"));
        let svg = d.to_svg();
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains("fill=\"#d4351c\""), "the alert month is red");
        assert_eq!(svg.matches("<circle").count(), 3);
    }

    #[test]
    fn maps_frame_the_boundary_and_zones() {
        let square = vec![(-0.34, 51.75), (-0.33, 51.75), (-0.33, 51.76), (-0.34, 51.76), (-0.34, 51.75)];
        let d = map(
            "Operation area",
            std::slice::from_ref(&square),
            None,
            &[("Target".into(), Colour::RED, square.clone())],
            &Overlay {
                points: vec![(-0.335, 51.755)],
                markers: vec![to_grid(-0.335, 51.755)],
                names: vec![(-0.336, 51.756, "Fishpool Street".into())],
                ..Overlay::default()
            },
            Focus::Zones,
        );
        assert!(d.width > 100.0 && d.height > 100.0);
        assert!(d.marks.iter().any(|m| matches!(m, Mark::Clipped { marks, .. } if marks.iter().any(|k| matches!(k, Mark::Text { text, .. } if text == "1")))), "the marker is numbered");
        let mut flat = d.marks.iter().flat_map(|m| match m {
            Mark::Clipped { marks, .. } => marks.iter().collect::<Vec<_>>(),
            other => vec![other],
        });
        assert!(flat.any(|m| matches!(m, Mark::Polygon { stroke, .. } if *stroke == Colour::RED)));
        assert!(d.to_svg().contains("Target") && d.to_svg().contains("Fishpool Street"), "zones and places are named");
    }

    #[test]
    fn shaded_squares_and_lines_are_drawn_with_their_legend() {
        let square = vec![(-0.34, 51.75), (-0.33, 51.75), (-0.33, 51.76), (-0.34, 51.76), (-0.34, 51.75)];
        let (e, n) = to_grid(-0.335, 51.755);
        let overlay = Overlay {
            shades: vec![(e, n, 100.0, 1.0), (e + 100.0, n, 100.0, 0.1)],
            lines: vec![[(-0.336, 51.754), (-0.335, 51.755)]],
            legend: "Density: darker is more".into(),
            ..Overlay::default()
        };
        let d = map("Density", std::slice::from_ref(&square), None, &[], &overlay, Focus::District);
        let flat: Vec<&Mark> = d
            .marks
            .iter()
            .flat_map(|m| match m {
                Mark::Clipped { marks, .. } => marks.iter().collect::<Vec<_>>(),
                other => vec![other],
            })
            .collect();
        let fills: Vec<Colour> =
            flat.iter().filter_map(|m| if let Mark::Rect { fill, .. } = m { Some(*fill) } else { None }).collect();
        assert!(fills.contains(&shade(1.0)) && fills.contains(&shade(0.1)), "both squares, by level");
        assert!(shade(1.0).0 < shade(0.1).0, "darker is more");
        assert!(
            flat.iter().any(|m| matches!(m, Mark::Line { stroke, .. } if *stroke == Colour::RED)),
            "the pair's line"
        );
        assert!(d.alt.contains("Density: darker is more") && d.to_svg().contains("Density: darker is more"));
    }
}
