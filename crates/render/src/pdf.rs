//! Meeting packs (and subject access exports, laid out as packs) as tagged,
//! accessible PDFs through [krilla]: A4 pages in PDF/UA-1 (PDF 1.7), text in
//! Liberation Sans (regular and bold, SIL OFL; a subset embedded in each
//! file) so names of every background print as written, wrapped paragraphs,
//! lists, tables that break across pages with their header repeated, figures
//! drawn as vector graphics from [`Drawing`]s, and a footer with the handling
//! marking and "Page n of N" on every page.
//!
//! The structure tree follows the reading order: the title as `H1`, the
//! agenda and each section as `H2` with an outline entry, paragraphs as `P`,
//! lists as `L`/`LI`/`Lbl`/`LBody`, tables as `Table`/`THead`/`TBody`/`TR`
//! with `TH` (column scope) and `TD` cells, figures as `Figure` with the
//! drawing's text alternative and a `Caption`. Page furniture (the footer,
//! page numbers, rules, fills and a table header repeated on a later page) is
//! marked as artifacts. The document language is `en-GB`.
//!
//! Text is shaped with rustybuzz (kerning, accents composed), and the same
//! shaping measures it, so wrapping and right-aligned text match what is
//! drawn. A character the font lacks prints as `?`; control characters are
//! dropped. This module must not read data or know about HTTP: it renders a
//! [`Pack`] it is given.

use crate::figure::{Anchor, Colour, Drawing, Mark};
use crate::pack::{Block, Pack};
use krilla::color::rgb;
use krilla::configure::{Accessibility, ConfigurationBuilder};
use krilla::destination::XyzDestination;
use krilla::geom::{Path, PathBuilder, Point};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, Stroke};
use krilla::surface::Surface;
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Identifier, ListNumbering, SpanTag, TableHeaderScope, Tag, TagGroup, TagKind,
    TagTree,
};
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::{Document, SerializeSettings};
use std::num::NonZeroU16;
use std::sync::LazyLock;

const PAGE_W: f64 = 595.0;
const PAGE_H: f64 = 842.0;
const MARGIN: f64 = 50.0;
/// The lowest a line of content may reach (from the top of the page).
const BOTTOM: f64 = PAGE_H - 60.0;
const BODY: f64 = 10.0;
/// The language of every pack.
const LANG: &str = "en-GB";

/// Liberation Sans 2.1.5 regular (`assets/fonts/SOURCE`).
const REGULAR_TTF: &[u8] = include_bytes!("../assets/fonts/LiberationSans-Regular.ttf");
/// Liberation Sans 2.1.5 bold.
const BOLD_TTF: &[u8] = include_bytes!("../assets/fonts/LiberationSans-Bold.ttf");

/// The fonts as the shaper reads them (parsed once).
struct Faces {
    regular: rustybuzz::Face<'static>,
    bold: rustybuzz::Face<'static>,
}

static FACES: LazyLock<Faces> = LazyLock::new(|| Faces {
    // The fonts are part of the binary and checked by the tests, not input.
    regular: rustybuzz::Face::from_slice(REGULAR_TTF, 0).expect("the bundled regular font parses"),
    bold: rustybuzz::Face::from_slice(BOLD_TTF, 0).expect("the bundled bold font parses"),
});

fn face(bold: bool) -> &'static rustybuzz::Face<'static> {
    if bold {
        &FACES.bold
    } else {
        &FACES.regular
    }
}

/// Why a PDF could not be made (a bug, not bad input: text is made
/// printable before it is drawn).
#[derive(Debug, thiserror::Error)]
#[error("the PDF could not be made: {0}")]
pub struct PdfError(String);

/// What a character becomes: itself when the font has it, a space for other
/// white space, nothing for control and format characters, else `?`.
fn printable(face: &rustybuzz::Face<'_>, c: char) -> Option<char> {
    let invisible = c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{feff}');
    if invisible {
        (c == '\t').then_some(' ')
    } else if face.glyph_index(c).is_some() {
        Some(c)
    } else if c.is_whitespace() {
        Some(' ')
    } else {
        Some('?')
    }
}

/// A line of text shaped in one font: its glyphs (advances in em) and the
/// text they stand for.
#[derive(Debug, Clone)]
struct Run {
    text: String,
    glyphs: Vec<KrillaGlyph>,
    bold: bool,
}

impl Run {
    fn new(text: &str, bold: bool) -> Self {
        let face = face(bold);
        let text: String = text.chars().filter_map(|c| printable(face, c)).collect();
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(&text);
        buffer.guess_segment_properties();
        let shaped = rustybuzz::shape(face, &[], buffer);
        let upem = face.units_per_em() as f32;
        let infos = shaped.glyph_infos();
        // A glyph stands for the text from its cluster to the next cluster
        // (in text order, whichever way the script runs).
        let mut starts: Vec<usize> = infos.iter().map(|i| i.cluster as usize).collect();
        starts.sort_unstable();
        starts.dedup();
        let glyphs = infos
            .iter()
            .zip(shaped.glyph_positions())
            .map(|(info, pos)| {
                let start = info.cluster as usize;
                let end = starts.get(starts.partition_point(|&s| s <= start)).copied().unwrap_or(text.len());
                KrillaGlyph {
                    glyph_id: GlyphId::new(info.glyph_id),
                    text_range: start..end,
                    x_advance: pos.x_advance as f32 / upem,
                    x_offset: pos.x_offset as f32 / upem,
                    y_offset: pos.y_offset as f32 / upem,
                    y_advance: pos.y_advance as f32 / upem,
                    location: None,
                }
            })
            .collect();
        Run { text, glyphs, bold }
    }

    /// Width at `size` points.
    fn width(&self, size: f64) -> f64 {
        f64::from(self.glyphs.iter().map(|g| g.x_advance).sum::<f32>()) * size
    }
}

/// Width of `text` at `size` points, as drawn.
fn text_width(text: &str, size: f64, bold: bool) -> f64 {
    Run::new(text, bold).width(size)
}

/// Splits `text` into lines no wider than `width` (at new lines, then
/// between words; a word longer than the line is cut). A line that ends at
/// a space or a new line keeps one trailing space, so that text read from
/// the document (by a screen reader, or copied) keeps its word breaks.
fn wrap(text: &str, size: f64, bold: bool, width: f64) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split_whitespace() {
            let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
            if line.is_empty() || text_width(&candidate, size, bold) <= width {
                line = candidate;
            } else {
                lines.push(format!("{} ", std::mem::take(&mut line)));
                line = word.to_string();
            }
            while text_width(&line, size, bold) > width && line.chars().count() > 1 {
                let mut cut = String::new();
                for c in line.chars() {
                    if text_width(&format!("{cut}{c}"), size, bold) > width {
                        break;
                    }
                    cut.push(c);
                }
                if cut.is_empty() {
                    cut = line.chars().take(1).collect();
                }
                line = line.chars().skip(cut.chars().count()).collect();
                lines.push(cut);
            }
        }
        lines.push(format!("{line} "));
    }
    if let Some(last) = lines.last_mut() {
        last.pop();
    }
    lines
}

/// How a stretch of page content is marked.
#[derive(Debug, Clone, Copy)]
enum Marked {
    /// Content: a leaf of the structure tree, text or (`figure`) a drawing.
    Leaf { slot: usize, figure: bool },
    /// Page furniture.
    Artifact(ArtifactType),
}

/// One drawing operation on a page, in page points from the top left.
#[derive(Debug)]
enum Op<'a> {
    Begin(Marked),
    End,
    Text { x: f64, y: f64, size: f64, colour: Colour, run: Run },
    Rect { x: f64, y: f64, w: f64, h: f64, fill: Colour },
    Rule { y: f64, colour: Colour, width: f64 },
    Figure { drawing: &'a Drawing, x0: f64, top: f64, s: f64 },
}

/// A node of the structure tree being built; leaves are slots filled with
/// krilla's identifiers when the pages are drawn.
#[derive(Debug)]
struct Node {
    tag: TagKind,
    children: Vec<Child>,
}

#[derive(Debug)]
enum Child {
    Node(Node),
    Leaf(usize),
}

/// An outline entry: heading text, page and height.
#[derive(Debug)]
struct Heading {
    text: String,
    page: usize,
    y: f64,
}

/// Lays content out page by page, building the structure tree alongside.
struct Layout<'a> {
    pages: Vec<Vec<Op<'a>>>,
    /// Top of the free space on the current page, from the top.
    y: f64,
    /// Open structure elements, innermost last.
    open: Vec<Node>,
    /// Closed top-level structure elements, in reading order.
    done: Vec<Node>,
    leaves: usize,
    headings: Vec<Heading>,
}

impl<'a> Layout<'a> {
    fn new() -> Self {
        Self { pages: vec![Vec::new()], y: MARGIN, open: Vec::new(), done: Vec::new(), leaves: 0, headings: Vec::new() }
    }

    fn op(&mut self, op: Op<'a>) {
        let last = self.pages.len() - 1;
        self.pages[last].push(op);
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN;
    }

    fn need(&mut self, height: f64) {
        if self.y + height > BOTTOM {
            self.new_page();
        }
    }

    fn gap(&mut self, h: f64) {
        self.y += h;
    }

    /// Opens a structure element.
    fn open(&mut self, tag: impl Into<TagKind>) {
        self.open.push(Node { tag: tag.into(), children: Vec::new() });
    }

    /// Closes the innermost structure element.
    fn close(&mut self) {
        if let Some(node) = self.open.pop() {
            match self.open.last_mut() {
                Some(parent) => parent.children.push(Child::Node(node)),
                None => self.done.push(node),
            }
        }
    }

    /// Starts content belonging to the innermost structure element.
    fn begin_leaf(&mut self, figure: bool) {
        let slot = self.leaves;
        self.leaves += 1;
        if let Some(node) = self.open.last_mut() {
            node.children.push(Child::Leaf(slot));
        }
        self.op(Op::Begin(Marked::Leaf { slot, figure }));
    }

    /// One line of text as content of the innermost structure element.
    fn text_leaf(&mut self, x: f64, y: f64, size: f64, bold: bool, colour: Colour, text: &str) {
        self.begin_leaf(false);
        self.op(Op::Text { x, y, size, colour, run: Run::new(text, bold) });
        self.op(Op::End);
    }

    /// Wrapped lines as content of the innermost structure element.
    fn lines(&mut self, text: &str, size: f64, bold: bool, indent: f64, colour: Colour) {
        let leading = size * 1.35;
        for l in wrap(text, size, bold, PAGE_W - 2.0 * MARGIN - indent) {
            self.need(leading);
            self.y += leading;
            self.text_leaf(MARGIN + indent, self.y - size * 0.25, size, bold, colour, &l);
        }
    }

    /// A paragraph (`P`).
    fn paragraph(&mut self, text: &str, size: f64, bold: bool, colour: Colour) {
        self.open(Tag::P);
        self.lines(text, size, bold, 0.0, colour);
        self.close();
    }

    /// A heading (`H1`, `H2`...), with an outline entry.
    fn heading(&mut self, level: u16, text: &str, size: f64) {
        let level = NonZeroU16::new(level).unwrap_or(NonZeroU16::MIN);
        self.open(Tag::Hn(level, Some(text.to_string())));
        self.need(size * 1.35);
        self.headings.push(Heading { text: text.to_string(), page: self.pages.len() - 1, y: self.y });
        self.lines(text, size, true, 0.0, Colour::TEXT);
        self.close();
    }

    /// A list (`L`): each item a label and wrapped text beside it.
    fn list(&mut self, numbering: ListNumbering, items: &[(String, &str)]) {
        let indent = 8.0;
        let label_w = items.iter().map(|(l, _)| text_width(l, BODY, false)).fold(0.0_f64, f64::max) + 5.0;
        let leading = BODY * 1.35;
        self.open(Tag::L(numbering));
        for (label, text) in items {
            self.open(Tag::LI);
            let lines = wrap(text, BODY, false, PAGE_W - 2.0 * MARGIN - indent - label_w);
            for (i, l) in lines.iter().enumerate() {
                self.need(leading);
                self.y += leading;
                let baseline = self.y - BODY * 0.25;
                if i == 0 {
                    self.open(Tag::Lbl);
                    self.text_leaf(MARGIN + indent, baseline, BODY, false, Colour::TEXT, label);
                    self.close();
                    self.open(Tag::LBody);
                }
                self.text_leaf(MARGIN + indent + label_w, baseline, BODY, false, Colour::TEXT, l);
            }
            self.close();
            self.close();
        }
        self.close();
    }

    /// Draws page furniture.
    fn artifact(&mut self, kind: ArtifactType, ops: Vec<Op<'a>>) {
        self.op(Op::Begin(Marked::Artifact(kind)));
        for o in ops {
            self.op(o);
        }
        self.op(Op::End);
    }

    fn rule(&mut self, colour: Colour, width: f64) {
        let y = self.y;
        self.artifact(ArtifactType::Layout, vec![Op::Rule { y, colour, width }]);
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
        let height = |cells: &[Vec<String>]| cells.iter().map(Vec::len).max().unwrap_or(1) as f64 * leading + 4.0;
        let header_fill = Colour(0xf3, 0xf2, 0xf1);
        // Draws a row: `Some(tag)` tags each cell as content of that kind,
        // `None` draws it as an artifact (a header repeated on a new page).
        let draw_row = |l: &mut Layout<'a>, cells: &[Vec<String>], bold: bool, cell_tag: Option<&TagKind>| {
            let h = height(cells);
            l.need(h);
            let top = l.y;
            if bold {
                l.artifact(ArtifactType::Layout, vec![Op::Rect { x: MARGIN, y: top, w: avail, h, fill: header_fill }]);
            }
            let mut x = MARGIN;
            let mut texts = Vec::new();
            for (i, lines) in cells.iter().enumerate() {
                if let Some(tag) = cell_tag {
                    l.open(tag.clone());
                }
                for (j, text) in lines.iter().enumerate() {
                    let (tx, ty) = (x + 3.0, top + (j as f64 + 1.0) * leading - 1.0);
                    match cell_tag {
                        Some(_) => l.text_leaf(tx, ty, size, bold, Colour::TEXT, text),
                        None => {
                            texts.push(Op::Text { x: tx, y: ty, size, colour: Colour::TEXT, run: Run::new(text, bold) })
                        }
                    }
                }
                if cell_tag.is_some() {
                    l.close();
                }
                x += widths[i];
            }
            if !texts.is_empty() {
                l.artifact(ArtifactType::PaginationOther, texts);
            }
            l.y = top + h;
            l.rule(Colour::RULE, 0.5);
        };
        let th: TagKind = Tag::TH(TableHeaderScope::Column).into();
        let td: TagKind = Tag::TD.into();
        let header_cells = cell_lines(headers, true);
        // The header starts a page rather than end one alone.
        let first = rows.first().map_or(0.0, |r| height(&cell_lines(r, false)));
        self.need(height(&header_cells) + first);
        self.open(Tag::Table);
        self.open(Tag::THead);
        self.open(Tag::TR);
        draw_row(self, &header_cells, true, Some(&th));
        self.close();
        self.close();
        self.open(Tag::TBody);
        for r in rows {
            let cells = cell_lines(r, false);
            if self.y + height(&cells) > BOTTOM {
                self.new_page();
                draw_row(self, &header_cells, true, None);
            }
            self.open(Tag::TR);
            draw_row(self, &cells, false, Some(&td));
            self.close();
        }
        self.close();
        self.close();
        self.gap(8.0);
    }

    /// Scale that fits a drawing to the text width and at most 380 points high.
    fn figure_scale(d: &Drawing) -> f64 {
        ((PAGE_W - 2.0 * MARGIN) / d.width).min(380.0 / d.height)
    }

    fn figure_height(d: &Drawing) -> f64 {
        d.height * Self::figure_scale(d) + 6.0
    }

    /// A figure (`Figure` with its text alternative) and its caption above it.
    fn figure(&mut self, caption: &str, alt: &str, drawing: &'a Drawing) {
        self.need(Self::figure_height(drawing) + BODY * 2.0);
        self.open(Tag::Caption);
        self.lines(caption, BODY, true, 0.0, Colour::TEXT);
        self.close();
        let alt = if alt.trim().is_empty() { caption } else { alt };
        let s = Self::figure_scale(drawing);
        let h = drawing.height * s;
        self.need(h + 6.0);
        self.open(Tag::Figure(Some(alt.to_string())));
        self.begin_leaf(true);
        self.op(Op::Figure { drawing, x0: MARGIN, top: self.y, s });
        self.op(Op::End);
        self.close();
        self.y += h + 6.0;
    }
}

fn colour(c: Colour) -> rgb::Color {
    rgb::Color::new(c.0, c.1, c.2)
}

fn fill(c: Colour) -> Fill {
    Fill { paint: colour(c).into(), opacity: NormalizedF32::ONE, rule: FillRule::NonZero }
}

fn stroke(c: Colour, width: f64) -> Stroke {
    Stroke { paint: colour(c).into(), width: width as f32, ..Stroke::default() }
}

fn polyline(points: &[(f64, f64)], close: bool) -> Option<Path> {
    let mut pb = PathBuilder::new();
    for (i, (x, y)) in points.iter().enumerate() {
        if i == 0 {
            pb.move_to(*x as f32, *y as f32);
        } else {
            pb.line_to(*x as f32, *y as f32);
        }
    }
    if close {
        pb.close();
    }
    pb.finish()
}

fn rect(x: f64, y: f64, w: f64, h: f64) -> Option<Path> {
    polyline(&[(x, y), (x + w, y), (x + w, y + h), (x, y + h)], true)
}

/// Draws a path with the given fill and stroke.
fn paint(surface: &mut Surface<'_>, path: Option<Path>, f: Option<Fill>, s: Option<Stroke>) {
    if let Some(path) = path {
        surface.set_fill(f);
        surface.set_stroke(s);
        surface.draw_path(&path);
        surface.set_stroke(None);
    }
}

/// The two embedded fonts as krilla draws them.
struct Fonts {
    regular: Font,
    bold: Font,
}

impl Fonts {
    fn load() -> Result<Self, PdfError> {
        let load = |data: &'static [u8]| {
            Font::new(data.into(), 0).ok_or_else(|| PdfError("the bundled font could not be read".into()))
        };
        Ok(Self { regular: load(REGULAR_TTF)?, bold: load(BOLD_TTF)? })
    }
}

fn draw_text(surface: &mut Surface<'_>, fonts: &Fonts, x: f64, y: f64, size: f64, c: Colour, run: &Run) {
    if run.glyphs.is_empty() {
        return;
    }
    let font = if run.bold { fonts.bold.clone() } else { fonts.regular.clone() };
    surface.set_fill(Some(fill(c)));
    surface.draw_glyphs(Point::from_xy(x as f32, y as f32), &run.glyphs, font, &run.text, size as f32, false);
}

/// Where a drawing goes on the page: its top-left corner and scale.
struct Frame {
    x0: f64,
    top: f64,
    s: f64,
}

/// Draws marks as vector graphics (clipped marks nested).
fn draw_marks(surface: &mut Surface<'_>, fonts: &Fonts, marks: &[Mark], f: &Frame) {
    let s = f.s;
    let px = |x: f64| f.x0 + x * s;
    let py = |y: f64| f.top + y * s;
    let page = |points: &[(f64, f64)]| points.iter().map(|(x, y)| (px(*x), py(*y))).collect::<Vec<_>>();
    for m in marks {
        match m {
            Mark::Clipped { w, h, marks } => {
                if let Some(clip) = rect(px(0.0), py(0.0), w * s, h * s) {
                    surface.push_clip_path(&clip, &FillRule::NonZero);
                    draw_marks(surface, fonts, marks, f);
                    surface.pop();
                }
            }
            Mark::Rect { x, y, w, h, fill: c } => {
                paint(surface, rect(px(*x), py(*y), w * s, h * s), Some(fill(*c)), None);
            }
            Mark::Line { points, stroke: c, width } => {
                paint(surface, polyline(&page(points), false), None, Some(stroke(*c, (width * s).max(0.3))));
            }
            Mark::Polygon { points, fill: inside, stroke: c, width } => {
                let outline = Some(stroke(*c, (width * s).max(0.3)));
                paint(surface, polyline(&page(points), true), inside.map(fill), outline);
            }
            Mark::Circle { cx, cy, r, fill: c } => {
                let (x, y, r) = (px(*cx) as f32, py(*cy) as f32, (r * s) as f32);
                let k = 0.5523 * r;
                let mut pb = PathBuilder::new();
                pb.move_to(x + r, y);
                pb.cubic_to(x + r, y + k, x + k, y + r, x, y + r);
                pb.cubic_to(x - k, y + r, x - r, y + k, x - r, y);
                pb.cubic_to(x - r, y - k, x - k, y - r, x, y - r);
                pb.cubic_to(x + k, y - r, x + r, y - k, x + r, y);
                pb.close();
                paint(surface, pb.finish(), Some(fill(*c)), None);
            }
            Mark::Text { x, y, size, anchor, fill: c, text } => {
                let size = (size * s).max(4.0);
                let run = Run::new(text, false);
                let w = run.width(size);
                let x = match anchor {
                    Anchor::Start => px(*x),
                    Anchor::Middle => px(*x) - w / 2.0,
                    Anchor::End => px(*x) - w,
                };
                draw_text(surface, fonts, x, py(*y), size, *c, &run);
            }
        }
    }
}

/// Draws one page's operations, recording the identifiers of its content.
fn draw_page(surface: &mut Surface<'_>, fonts: &Fonts, ops: &[Op<'_>], ids: &mut [Option<Identifier>]) {
    for op in ops {
        match op {
            Op::Begin(Marked::Leaf { slot, figure }) => {
                let tag = if *figure { ContentTag::Other } else { ContentTag::Span(SpanTag::empty()) };
                let id = surface.start_tagged(tag);
                if let Some(place) = ids.get_mut(*slot) {
                    *place = Some(id);
                }
            }
            Op::Begin(Marked::Artifact(kind)) => {
                surface.start_tagged(ContentTag::Artifact(Artifact::with_kind(*kind)));
            }
            Op::End => surface.end_tagged(),
            Op::Text { x, y, size, colour, run } => draw_text(surface, fonts, *x, *y, *size, *colour, run),
            Op::Rect { x, y, w, h, fill: c } => paint(surface, rect(*x, *y, *w, *h), Some(fill(*c)), None),
            Op::Rule { y, colour, width } => {
                let line = polyline(&[(MARGIN, *y), (PAGE_W - MARGIN, *y)], false);
                paint(surface, line, None, Some(stroke(*colour, *width)));
            }
            Op::Figure { drawing, x0, top, s } => {
                draw_marks(surface, fonts, &drawing.marks, &Frame { x0: *x0, top: *top, s: *s });
            }
        }
    }
}

/// The structure element for a node, with the identifiers drawn.
fn tag_group(node: Node, ids: &[Option<Identifier>]) -> TagGroup {
    let mut group = TagGroup::new(node.tag);
    for child in node.children {
        match child {
            Child::Node(n) => group.push(tag_group(n, ids)),
            Child::Leaf(slot) => {
                if let Some(Some(id)) = ids.get(slot) {
                    group.push(*id);
                }
            }
        }
    }
    group
}

/// Renders a pack as a tagged PDF/UA-1 document.
pub fn pack_pdf(pack: &Pack) -> Result<Vec<u8>, PdfError> {
    let mut l = Layout::new();
    l.paragraph(&pack.partnership, 11.0, false, Colour::GREY);
    l.heading(1, &pack.title, 20.0);
    let when =
        if pack.location.is_empty() { pack.long_date() } else { format!("{} · {}", pack.long_date(), pack.location) };
    l.paragraph(&when, 12.0, false, Colour::TEXT);
    l.gap(6.0);
    l.rule(Colour::BLUE, 2.0);
    l.gap(6.0);
    if !pack.agenda.is_empty() {
        l.open(Tag::Section);
        l.heading(2, "Agenda", 14.0);
        let items: Vec<(String, &str)> =
            pack.agenda.iter().enumerate().map(|(i, item)| (format!("{}.", i + 1), item.as_str())).collect();
        l.list(ListNumbering::Decimal, &items);
        l.close();
    }
    for s in &pack.sections {
        l.gap(10.0);
        l.need(60.0);
        l.open(Tag::Section);
        l.heading(2, &s.title, 14.0);
        l.gap(3.0);
        for b in &s.blocks {
            match b {
                Block::Paragraph { text } => {
                    l.paragraph(text, BODY, false, Colour::TEXT);
                    l.gap(4.0);
                }
                Block::Bullets { items } => {
                    let items: Vec<(String, &str)> = items.iter().map(|it| ("•".to_string(), it.as_str())).collect();
                    l.list(ListNumbering::Disc, &items);
                    l.gap(4.0);
                }
                Block::Table { headers, rows } => l.table(headers, rows),
                Block::Figure { caption, alt, drawing } => l.figure(caption, alt, drawing),
                Block::Restricted { text } => {
                    l.paragraph(&format!("Restricted: {text}"), BODY, true, Colour::RED);
                    l.gap(4.0);
                }
            }
        }
        l.close();
    }
    let n = l.pages.len();
    for i in 0..n {
        let number = format!("Page {} of {n}", i + 1);
        let marking = Op::Text {
            x: MARGIN,
            y: PAGE_H - 30.0,
            size: 8.0,
            colour: Colour::GREY,
            run: Run::new(&pack.marking, true),
        };
        let run = Run::new(&number, false);
        let x = PAGE_W - MARGIN - run.width(8.0);
        let page_number = Op::Text { x, y: PAGE_H - 30.0, size: 8.0, colour: Colour::GREY, run };
        let page = &mut l.pages[i];
        page.extend([Op::Begin(Marked::Artifact(ArtifactType::Footer)), marking, Op::End]);
        page.extend([Op::Begin(Marked::Artifact(ArtifactType::PageNumber)), page_number, Op::End]);
    }
    render(l, &format!("{} {}", pack.title, pack.long_date()))
}

/// Draws the laid-out pages and writes the document with its structure tree,
/// outline and metadata.
fn render(mut l: Layout<'_>, title: &str) -> Result<Vec<u8>, PdfError> {
    while !l.open.is_empty() {
        l.close();
    }
    let configuration = ConfigurationBuilder::new()
        .with_accessibility_validator(Accessibility::UA1)
        .finish()
        .map_err(|e| PdfError(format!("{e:?}")))?;
    let settings = SerializeSettings { configuration, enable_tagging: true, ..SerializeSettings::default() };
    let mut doc = Document::new_with(settings);
    let fonts = Fonts::load()?;
    let size = PageSettings::from_wh(PAGE_W as f32, PAGE_H as f32).ok_or_else(|| PdfError("page size".into()))?;
    let mut ids = vec![None; l.leaves];
    for ops in &l.pages {
        let mut page = doc.start_page_with(size.clone());
        let mut surface = page.surface();
        draw_page(&mut surface, &fonts, ops, &mut ids);
        surface.finish();
        page.finish();
    }
    let mut tree = TagTree::new().with_lang(Some(LANG.to_string()));
    for node in l.done.drain(..) {
        tree.push(tag_group(node, &ids));
    }
    doc.set_tag_tree(tree);
    let destination = |h: &Heading| XyzDestination::new(h.page, Point::from_xy(MARGIN as f32, h.y as f32));
    let mut outline = Outline::new();
    let mut headings = l.headings.iter();
    if let Some(first) = headings.next() {
        let mut top = OutlineNode::new(first.text.clone(), destination(first)).with_open(true);
        for h in headings {
            top.push_child(OutlineNode::new(h.text.clone(), destination(h)));
        }
        outline.push_child(top);
    }
    doc.set_outline(outline);
    doc.set_metadata(
        Metadata::new().title(title.to_string()).language(LANG.to_string()).creator("SafetyNet".to_string()),
    );
    doc.finish().map_err(|e| match e {
        krilla::error::KrillaError::Validation(errors) => PdfError(format!("not PDF/UA-1: {errors:?}")),
        other => PdfError(other.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_wraps_to_the_width_and_long_words_are_cut() {
        let lines = wrap("The quick brown fox jumps over the lazy dog", 10.0, false, 100.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| text_width(l.trim_end(), 10.0, false) <= 100.0));
        assert_eq!(lines.concat(), "The quick brown fox jumps over the lazy dog", "word breaks kept");
        let cut = wrap(&format!("a {} b", "x".repeat(200)), 10.0, false, 50.0);
        assert!(cut.len() > 5 && cut.iter().all(|l| text_width(l.trim_end(), 10.0, false) <= 50.0), "{cut:?}");
        assert_eq!(cut.concat(), format!("a {} b", "x".repeat(200)), "a cut word has no space added");
        assert_eq!(wrap("", 10.0, false, 50.0), vec![String::new()]);
        assert_eq!(wrap("one\ntwo", 10.0, false, 50.0), vec!["one ", "two"]);
        // Liberation Sans keeps Helvetica's widths: "x" is 0.5 em, bold "W" 0.944.
        assert!((text_width("x", 10.0, false) - 5.0).abs() < 1e-3);
        assert!((text_width("W", 10.0, true) - 9.44).abs() < 1e-2);
    }

    #[test]
    fn the_font_covers_the_names_of_residents_of_every_background() {
        // Polish, Welsh, Irish, Turkish, Romanian (comma and cedilla forms),
        // Hungarian, Czech/Slovak, Croatian/Serbian, Baltic, Nordic, Vietnamese.
        let letters = "ŁłŚśŻżŹźĄąĘęŃńĆć ŴŵŶŷẀẁẂẃẄẅỲỳ ÁÉÍÓÚáéíóú ĞğıİŞşÇçÖöÜü ȘșȚțŞşŢţĂăÂâÎî ŐőŰű \
                       ČčĎďĚěŇňŘřŠšŤťŮůŽžĹĺĽľŔŕ ĐđĆć ĀāĒēĪīŪūĖėĮįŲųĶķĻļŅņĢģ ÅåÆæØøÐðÞþß \
                       ƠơƯưẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỸỹ \
                       ‘’“”–—…•€£·";
        for bold in [false, true] {
            let missing: String =
                letters.chars().filter(|c| !c.is_whitespace() && face(bold).glyph_index(*c).is_none()).collect();
            assert!(missing.is_empty(), "bold {bold}: no glyph for {missing}");
        }
    }

    #[test]
    fn characters_the_font_lacks_print_as_a_question_mark_and_controls_are_dropped() {
        assert_eq!(Run::new("Łukasz 日\u{0}\u{feff}\tok", false).text, "Łukasz ? ok");
        // Accents typed as combining marks are shaped onto their letters.
        let composed = Run::new("s\u{301}", false);
        assert_eq!(composed.glyphs.len(), 1, "{composed:?}");
    }

    /// A pack with the names of residents of several backgrounds in a
    /// paragraph, a table, a list and a figure.
    fn pack_with_names() -> Pack {
        let chart = Drawing {
            width: 300.0,
            height: 120.0,
            alt: "Reports per month. 2026-01: 4".into(),
            marks: vec![Mark::Clipped {
                w: 300.0,
                h: 120.0,
                marks: vec![
                    Mark::Rect { x: 0.0, y: 0.0, w: 300.0, h: 120.0, fill: Colour::LIGHT },
                    Mark::Line { points: vec![(10.0, 100.0), (290.0, 20.0)], stroke: Colour::BLUE, width: 2.0 },
                    Mark::Polygon {
                        points: vec![(20.0, 20.0), (60.0, 20.0), (40.0, 50.0)],
                        fill: Some(Colour::ORANGE),
                        stroke: Colour::TEXT,
                        width: 1.0,
                    },
                    Mark::Circle { cx: 150.0, cy: 60.0, r: 5.0, fill: Colour::RED },
                    Mark::Text {
                        x: 290.0,
                        y: 115.0,
                        size: 8.0,
                        anchor: Anchor::End,
                        fill: Colour::TEXT,
                        text: "Ynys Môn".into(),
                    },
                ],
            }],
        };
        Pack {
            kind: safetynet_domain::meeting::MeetingKind::Jag,
            title: "Joint Agency Group pack".into(),
            partnership: "Safer St Albans".into(),
            date: "2026-01-22".into(),
            meeting_id: None,
            location: "Civic Centre".into(),
            marking: "OFFICIAL-SENSITIVE".into(),
            agenda: vec!["Actions from the last meeting".into(), "Cases".into()],
            sections: vec![crate::pack::Section {
                id: "people".into(),
                title: "People".into(),
                blocks: vec![
                    Block::Paragraph { text: "Victim: Łukasz Wiśniewski".into() },
                    Block::Table {
                        headers: vec!["Name".into(), "Role".into()],
                        rows: (0..80)
                            .map(|i| vec![format!("Ağır Çelik {i}"), "witness".into()])
                            .chain([vec!["Ŵyn ap Gruffydd".into()]])
                            .collect(),
                    },
                    Block::Bullets {
                        items: vec!["Síle Ní Bhriain".into(), "Ioana Țăranu, Nguyễn Thị Hương".into()]
                    },
                    Block::Figure { caption: "Reports per month".into(), alt: chart.alt.clone(), drawing: chart },
                    Block::Restricted { text: "Another agency's record.".into() },
                ],
            }],
        }
    }

    /// Runs a poppler tool (Debian package poppler-utils) on a file; `None`
    /// when it is not installed, except under CI, which installs it.
    fn poppler(tool: &str, args: &[&str], pdf: &std::path::Path) -> Option<String> {
        match std::process::Command::new(tool).arg(pdf).args(args).output() {
            Ok(out) => {
                assert!(out.status.success(), "{tool}: {}", String::from_utf8_lossy(&out.stderr));
                Some(String::from_utf8_lossy(&out.stdout).into_owned())
            }
            Err(_) if std::env::var_os("CI").is_some() => panic!("{tool} (poppler-utils) must be installed under CI"),
            Err(_) => {
                eprintln!("SKIPPED: install the Debian package poppler-utils to check PDFs with {tool}");
                None
            }
        }
    }

    #[test]
    fn names_print_as_written_in_a_tagged_pdf_with_the_font_embedded() {
        let pdf = pack_pdf(&pack_with_names()).expect("pdf");
        assert!(pdf.starts_with(b"%PDF-1.7"));
        let path = std::env::temp_dir().join(format!("safetynet-names-{}.pdf", std::process::id()));
        std::fs::write(&path, &pdf).expect("write the PDF");
        let checked = (|| {
            let text = poppler("pdftotext", &["-"], &path)?;
            for name in [
                "Łukasz Wiśniewski",
                "Ŵyn ap Gruffydd",
                "Ağır Çelik 0",
                "Ağır Çelik 79",
                "Síle Ní Bhriain",
                "Ioana Țăranu, Nguyễn Thị Hương",
                "Ynys Môn",
                "Restricted: Another agency's record.",
            ] {
                assert!(text.contains(name), "{name:?} not printed as written:\n{text}");
            }
            assert!(!text.contains('?'), "a character printed as ?:\n{text}");
            let info = poppler("pdfinfo", &[], &path)?;
            assert!(info.contains("Tagged:          yes"), "{info}");
            assert!(info.contains("Title:           Joint Agency Group pack 22 January 2026"), "{info}");
            let pages: usize =
                info.lines().find_map(|l| l.strip_prefix("Pages:")).and_then(|n| n.trim().parse().ok()).expect("pages");
            assert!(pages >= 2, "the table breaks across pages: {info}");
            assert!(text.contains(&format!("Page {pages} of {pages}")), "{text}");
            let fonts = poppler("pdffonts", &[], &path)?;
            for font in ["LiberationSans ", "LiberationSans-Bold "] {
                let line = fonts.lines().find(|l| l.contains(font)).unwrap_or_else(|| panic!("{font}: {fonts}"));
                assert!(line.contains("CID TrueType      Identity-H       yes yes yes"), "embedded subset: {line}");
            }
            Some(())
        })();
        let _ = std::fs::remove_file(&path);
        if checked.is_none() {
            eprintln!("SKIPPED: the PDF was made but not read back");
        }
    }

    #[test]
    fn packs_have_a_structure_tree_language_and_pdf_ua_identification_and_are_reproducible() {
        let pdf = pack_pdf(&pack_with_names()).expect("pdf");
        assert!(pdf == pack_pdf(&pack_with_names()).expect("pdf"), "the same pack gives the same bytes");
        let text = String::from_utf8_lossy(&pdf);
        for want in ["/StructTreeRoot", "/MarkInfo", "pdfuaid:part", "/Lang(en-GB)", "/Outlines"] {
            assert!(text.contains(want), "missing {want}");
        }
        // Header cells, figures with their text alternative, artifacts.
        for want in ["/S/TH", "/S/Figure", "/Alt(Reports per month", "/S/H1", "/S/L"] {
            assert!(text.contains(want), "missing {want}");
        }
    }
}
