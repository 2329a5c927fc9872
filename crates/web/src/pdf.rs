//! A small PDF 1.4 writer for meeting packs: A4 pages, the standard
//! Helvetica fonts (no embedding; WinAnsi text), wrapped paragraphs,
//! bullets, tables that break across pages with their header repeated,
//! figures drawn as vector graphics from [`Drawing`]s, and a footer with the
//! handling marking and "Page n of N" on every page.

use crate::figure::{Anchor, Colour, Drawing, Mark};
use crate::packs::{Block, Pack};
use std::fmt::Write;

const PAGE_W: f64 = 595.0;
const PAGE_H: f64 = 842.0;
const MARGIN: f64 = 50.0;
const BOTTOM: f64 = 60.0;
const BODY: f64 = 10.0;

/// Helvetica widths (1/1000 em) for ASCII 32 to 126.
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556,
    556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833,
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556,
    556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334,
    260, 334, 584,
];

/// Helvetica-Bold widths for ASCII 32 to 126.
const HELVETICA_BOLD: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556,
    556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833,
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611,
    556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389,
    280, 389, 584,
];

/// Maps a character to its WinAnsi byte ('?' when it has none).
fn win_ansi(c: char) -> u8 {
    match c {
        ' '..='~' => c as u8,
        '\u{a0}'..='\u{ff}' => c as u32 as u8,
        '€' => 0x80,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '•' => 0x95,
        '–' => 0x96,
        '—' => 0x97,
        '…' => 0x85,
        '▲' | '▼' => b'*',
        _ => b'?',
    }
}

fn char_width(c: char, bold: bool) -> f64 {
    let table = if bold { &HELVETICA_BOLD } else { &HELVETICA };
    let b = win_ansi(c);
    let w = if (32..=126).contains(&b) { table[usize::from(b - 32)] } else { 556 };
    f64::from(w) / 1000.0
}

/// Width of `text` at `size` points.
pub fn text_width(text: &str, size: f64, bold: bool) -> f64 {
    text.chars().map(|c| char_width(c, bold)).sum::<f64>() * size
}

/// Splits `text` into lines no wider than `width`.
pub fn wrap(text: &str, size: f64, bold: bool, width: f64) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split_whitespace() {
            let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
            if text_width(&candidate, size, bold) <= width || line.is_empty() {
                line = candidate;
                // A single word longer than the line is cut.
                while text_width(&line, size, bold) > width && line.chars().count() > 1 {
                    let mut cut = String::new();
                    for c in line.chars() {
                        if text_width(&format!("{cut}{c}"), size, bold) > width {
                            break;
                        }
                        cut.push(c);
                    }
                    let rest: String = line.chars().skip(cut.chars().count().max(1)).collect();
                    lines.push(if cut.is_empty() { line.chars().take(1).collect() } else { cut });
                    line = rest;
                }
            } else {
                lines.push(std::mem::take(&mut line));
                line = word.to_string();
            }
        }
        lines.push(line);
    }
    lines
}

fn pdf_string(text: &str) -> String {
    let mut s = String::from("(");
    for c in text.chars() {
        match win_ansi(c) {
            b'(' => s.push_str("\\("),
            b')' => s.push_str("\\)"),
            b'\\' => s.push_str("\\\\"),
            b @ 32..=126 => s.push(b as char),
            b => {
                let _ = write!(s, "\\{b:03o}");
            }
        }
    }
    s.push(')');
    s
}

fn rgb(c: Colour) -> String {
    format!("{:.3} {:.3} {:.3}", f64::from(c.0) / 255.0, f64::from(c.1) / 255.0, f64::from(c.2) / 255.0)
}

/// Lays content out page by page.
struct Layout {
    pages: Vec<String>,
    y: f64,
}

impl Layout {
    fn new() -> Self {
        Self { pages: vec![String::new()], y: PAGE_H - MARGIN }
    }

    fn out(&mut self) -> &mut String {
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    fn new_page(&mut self) {
        self.pages.push(String::new());
        self.y = PAGE_H - MARGIN;
    }

    fn need(&mut self, height: f64) {
        if self.y - height < BOTTOM {
            self.new_page();
        }
    }

    fn text_at(&mut self, x: f64, y: f64, size: f64, bold: bool, colour: Colour, text: &str) {
        let font = if bold { "F2" } else { "F1" };
        let line = format!("BT {} rg /{font} {size:.1} Tf {x:.2} {y:.2} Td {} Tj ET\n", rgb(colour), pdf_string(text));
        self.out().push_str(&line);
    }

    fn lines(&mut self, text: &str, size: f64, bold: bool, indent: f64, colour: Colour) {
        let leading = size * 1.35;
        for l in wrap(text, size, bold, PAGE_W - 2.0 * MARGIN - indent) {
            self.need(leading);
            self.y -= leading;
            self.text_at(MARGIN + indent, self.y + size * 0.25, size, bold, colour, &l);
        }
    }

    fn gap(&mut self, h: f64) {
        self.y -= h;
    }

    fn rule(&mut self, colour: Colour, width: f64) {
        let y = self.y;
        let line = format!("{} RG {width} w {MARGIN} {y:.2} m {:.2} {y:.2} l S\n", rgb(colour), PAGE_W - MARGIN);
        self.out().push_str(&line);
    }

    fn table(&mut self, headers: &[String], rows: &[Vec<String>]) {
        let size = 8.5;
        let leading = size * 1.3;
        let avail = PAGE_W - 2.0 * MARGIN;
        let n = headers.len().max(1);
        // Each column gets at least its longest word; the rest of the line is
        // shared in proportion to how much more each column's text needs.
        let cells_of = |i: usize| rows.iter().filter_map(move |r| r.get(i)).chain(headers.get(i));
        let natural: Vec<f64> = (0..n)
            .map(|i| cells_of(i).map(|c| text_width(c, size, true)).fold(0.0_f64, f64::max).min(260.0) + 8.0)
            .collect();
        let minimum: Vec<f64> = (0..n)
            .map(|i| {
                let word = cells_of(i)
                    .flat_map(|c| c.split_whitespace())
                    .map(|w| text_width(w, size, true))
                    .fold(0.0_f64, f64::max);
                (word + 8.0).min(natural[i]).min(avail / 3.0)
            })
            .collect();
        let base: f64 = minimum.iter().sum();
        let extra: f64 = natural.iter().zip(&minimum).map(|(a, b)| a - b).sum();
        let widths: Vec<f64> = if base >= avail {
            minimum.iter().map(|w| w * avail / base).collect()
        } else {
            let share = ((avail - base) / extra.max(1e-9)).min(1.0);
            let w: Vec<f64> = natural.iter().zip(&minimum).map(|(a, b)| b + (a - b) * share).collect();
            let total: f64 = w.iter().sum();
            w.iter().map(|x| x * avail / total).collect()
        };
        let cell_lines = |row: &[String], bold: bool| -> Vec<Vec<String>> {
            (0..n).map(|i| wrap(row.get(i).map_or("", String::as_str), size, bold, widths[i] - 6.0)).collect()
        };
        let draw_row = |l: &mut Layout, row: &[String], bold: bool, fill: Option<Colour>| {
            let cells = cell_lines(row, bold);
            let h = cells.iter().map(Vec::len).max().unwrap_or(1) as f64 * leading + 4.0;
            l.need(h);
            let top = l.y;
            if let Some(f) = fill {
                let rect = format!("{} rg {MARGIN} {:.2} {avail:.2} {h:.2} re f\n", rgb(f), top - h);
                l.out().push_str(&rect);
            }
            let mut x = MARGIN;
            for (i, lines) in cells.iter().enumerate() {
                for (j, text) in lines.iter().enumerate() {
                    l.text_at(x + 3.0, top - (j as f64 + 1.0) * leading + 1.0, size, bold, Colour::TEXT, text);
                }
                x += widths[i];
            }
            l.y = top - h;
            l.rule(Colour::RULE, 0.5);
        };
        draw_row(self, headers, true, Some(Colour(0xf3, 0xf2, 0xf1)));
        for r in rows {
            let cells = cell_lines(r, false);
            let h = cells.iter().map(Vec::len).max().unwrap_or(1) as f64 * leading + 4.0;
            if self.y - h < BOTTOM {
                self.new_page();
                draw_row(self, headers, true, Some(Colour(0xf3, 0xf2, 0xf1)));
            }
            draw_row(self, r, false, None);
        }
        self.gap(8.0);
    }

    /// Scale that fits a drawing to the text width and at most 380 points high.
    fn figure_scale(d: &Drawing) -> f64 {
        ((PAGE_W - 2.0 * MARGIN) / d.width).min(380.0 / d.height)
    }

    fn figure_height(d: &Drawing) -> f64 {
        d.height * Self::figure_scale(d) + 6.0
    }

    fn drawing(&mut self, d: &Drawing) {
        let s = Self::figure_scale(d);
        let h = d.height * s;
        self.need(h + 6.0);
        let top = self.y;
        let mut o = String::from("q\n");
        draw_marks(&mut o, &d.marks, &Frame { x0: MARGIN, top, s });
        o.push_str("Q\n");
        self.out().push_str(&o);
        self.y = top - h - 6.0;
    }
}

/// Where a drawing goes on the page: its top-left corner and scale.
struct Frame {
    x0: f64,
    top: f64,
    s: f64,
}

/// Writes marks as PDF drawing operators (y flipped; clipped marks nested).
fn draw_marks(o: &mut String, marks: &[Mark], f: &Frame) {
    let s = f.s;
    let px = |x: f64| f.x0 + x * s;
    let py = |y: f64| f.top - y * s;
    for m in marks {
        let _ = match m {
            Mark::Clipped { w, h, marks } => {
                let _ = writeln!(o, "q {:.2} {:.2} {:.2} {:.2} re W n", px(0.0), py(*h), w * s, h * s);
                draw_marks(o, marks, f);
                writeln!(o, "Q")
            }
            Mark::Rect { x, y, w, h, fill } => {
                writeln!(o, "{} rg {:.2} {:.2} {:.2} {:.2} re f", rgb(*fill), px(*x), py(y + h), w * s, h * s)
            }
            Mark::Line { points, stroke, width } | Mark::Polygon { points, stroke, width, fill: None } => {
                let close = matches!(m, Mark::Polygon { .. });
                let _ = write!(o, "{} RG {:.2} w ", rgb(*stroke), (width * s).max(0.3));
                for (i, (x, y)) in points.iter().enumerate() {
                    let _ = write!(o, "{:.2} {:.2} {} ", px(*x), py(*y), if i == 0 { "m" } else { "l" });
                }
                writeln!(o, "{}", if close { "h S" } else { "S" })
            }
            Mark::Polygon { points, stroke, width, fill: Some(f) } => {
                let _ = write!(o, "{} rg {} RG {:.2} w ", rgb(*f), rgb(*stroke), (width * s).max(0.3));
                for (i, (x, y)) in points.iter().enumerate() {
                    let _ = write!(o, "{:.2} {:.2} {} ", px(*x), py(*y), if i == 0 { "m" } else { "l" });
                }
                writeln!(o, "h B")
            }
            Mark::Circle { cx, cy, r, fill } => {
                let (x, y, r) = (px(*cx), py(*cy), r * s);
                let k = 0.5523 * r;
                writeln!(
                    o,
                    "{} rg {:.2} {y:.2} m {:.2} {:.2} {:.2} {:.2} {x:.2} {:.2} c {:.2} {:.2} {:.2} {:.2} {:.2} {y:.2} c {:.2} {:.2} {:.2} {:.2} {x:.2} {:.2} c {:.2} {:.2} {:.2} {:.2} {:.2} {y:.2} c f",
                    rgb(*fill),
                    x + r,
                    x + r, y + k, x + k, y + r, y + r,
                    x - k, y + r, x - r, y + k, x - r,
                    x - r, y - k, x - k, y - r, y - r,
                    x + k, y - r, x + r, y - k, x + r
                )
            }
            Mark::Text { x, y, size, anchor, fill, text } => {
                let size = (size * s).max(4.0);
                let w = text_width(text, size, false);
                let x = match anchor {
                    Anchor::Start => px(*x),
                    Anchor::Middle => px(*x) - w / 2.0,
                    Anchor::End => px(*x) - w,
                };
                writeln!(o, "BT {} rg /F1 {size:.1} Tf {x:.2} {:.2} Td {} Tj ET", rgb(*fill), py(*y), pdf_string(text))
            }
        };
    }
}

/// Renders a pack as a PDF document.
pub fn pack_pdf(pack: &Pack) -> Vec<u8> {
    let mut l = Layout::new();
    l.lines(&pack.partnership, 11.0, false, 0.0, Colour::GREY);
    l.lines(&pack.title, 20.0, true, 0.0, Colour::TEXT);
    let when = if pack.location.is_empty() { pack.date.clone() } else { format!("{} · {}", pack.date, pack.location) };
    l.lines(&when, 12.0, false, 0.0, Colour::TEXT);
    l.gap(6.0);
    l.rule(Colour::BLUE, 2.0);
    l.gap(6.0);
    if !pack.agenda.is_empty() {
        l.lines("Agenda", 14.0, true, 0.0, Colour::TEXT);
    }
    for (i, item) in pack.agenda.iter().enumerate() {
        l.lines(&format!("{}. {item}", i + 1), BODY, false, 8.0, Colour::TEXT);
    }
    for s in &pack.sections {
        l.gap(10.0);
        l.need(60.0);
        l.lines(&s.title, 14.0, true, 0.0, Colour::TEXT);
        l.gap(3.0);
        for b in &s.blocks {
            match b {
                Block::Paragraph { text } => {
                    l.lines(text, BODY, false, 0.0, Colour::TEXT);
                    l.gap(4.0);
                }
                Block::Bullets { items } => {
                    for it in items {
                        l.lines(&format!("• {it}"), BODY, false, 8.0, Colour::TEXT);
                    }
                    l.gap(4.0);
                }
                Block::Table { headers, rows } => l.table(headers, rows),
                Block::Figure { caption, drawing, .. } => {
                    l.need(Layout::figure_height(drawing) + BODY * 2.0);
                    l.lines(caption, BODY, true, 0.0, Colour::TEXT);
                    l.drawing(drawing);
                }
                Block::Restricted { text } => {
                    l.lines(&format!("Restricted: {text}"), BODY, true, 0.0, Colour::RED);
                    l.gap(4.0);
                }
            }
        }
    }
    let n = l.pages.len();
    for (i, page) in l.pages.iter_mut().enumerate() {
        let _ = write!(
            page,
            "BT {} rg /F2 8 Tf {MARGIN} 30 Td {} Tj ET\nBT {} rg /F1 8 Tf {:.2} 30 Td {} Tj ET\n",
            rgb(Colour::GREY),
            pdf_string(&pack.marking),
            rgb(Colour::GREY),
            PAGE_W - MARGIN - text_width(&format!("Page {} of {n}", i + 1), 8.0, false),
            pdf_string(&format!("Page {} of {n}", i + 1))
        );
    }
    assemble(&l.pages, &format!("{} {}", pack.title, pack.date))
}

/// Writes the objects, cross-reference table and trailer.
fn assemble(pages: &[String], title: &str) -> Vec<u8> {
    // Objects: 1 catalog, 2 pages, 3 F1, 4 F2, 5 info, then per page a page
    // object and its content stream.
    let mut objects: Vec<Vec<u8>> = Vec::new();
    let kids: Vec<String> = (0..pages.len()).map(|i| format!("{} 0 R", 6 + 2 * i)).collect();
    objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    objects.push(format!("<< /Type /Pages /Kids [{}] /Count {} >>", kids.join(" "), pages.len()).into_bytes());
    objects.push(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_vec());
    objects.push(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>".to_vec());
    objects.push(format!("<< /Title {} /Producer (SafetyNet) >>", pdf_string(title)).into_bytes());
    for (i, content) in pages.iter().enumerate() {
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {} 0 R >>",
                7 + 2 * i
            )
            .into_bytes(),
        );
        let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
        stream.extend_from_slice(content.as_bytes());
        stream.extend_from_slice(b"\nendstream");
        objects.push(stream);
    }
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for off in offsets {
        let _ = writeln!(table, "{off:010} 00000 n ");
    }
    let _ =
        write!(table, "trailer\n<< /Size {} /Root 1 0 R /Info 5 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1);
    out.extend_from_slice(table.as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_wraps_to_the_width_and_long_words_are_cut() {
        let lines = wrap("The quick brown fox jumps over the lazy dog", 10.0, false, 100.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| text_width(l, 10.0, false) <= 100.0));
        let cut = wrap(&"x".repeat(200), 10.0, false, 50.0);
        assert!(cut.len() > 5 && cut.iter().all(|l| text_width(l, 10.0, false) <= 50.0));
        assert_eq!(wrap("", 10.0, false, 50.0), vec![String::new()]);
    }

    #[test]
    fn strings_are_escaped_and_mapped_to_win_ansi() {
        assert_eq!(pdf_string("a(b)\\c"), "(a\\(b\\)\\\\c)");
        assert_eq!(pdf_string("£5 – ok"), "(\\2435 \\226 ok)");
        assert_eq!(pdf_string("日"), "(?)");
    }

    #[test]
    fn documents_have_a_valid_cross_reference_table() {
        let pdf = assemble(&["BT /F1 10 Tf 50 800 Td (Hello) Tj ET".to_string(), String::new()], "Test");
        assert!(pdf.starts_with(b"%PDF-1.4"));
        let find = |needle: &[u8]| pdf.windows(needle.len()).rposition(|w| w == needle).expect("found");
        assert!(find(b"/Count 2") > 0);
        let tail = String::from_utf8_lossy(&pdf[find(b"startxref\n") + 10..]).to_string();
        let start: usize = tail.lines().next().and_then(|s| s.parse().ok()).expect("startxref");
        assert_eq!(&pdf[start..start + 4], b"xref");
        // Each offset points at its object.
        let xref = String::from_utf8_lossy(&pdf[start..]).to_string();
        for (i, line) in xref.lines().skip(3).take(9).enumerate() {
            let off: usize = line[..10].parse().expect("offset");
            assert!(pdf[off..].starts_with(format!("{} 0 obj", i + 1).as_bytes()), "object {}", i + 1);
        }
    }
}
