//! Documents and evidence attached to incidents and cases: what kind each
//! is, which file types are taken (recognised by their first bytes, never by
//! the name or the type the browser claims), the size limit, and a safe name
//! for downloading. Evidence is kept exactly as uploaded, metadata included:
//! a photo's time and place can matter in court.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// A photograph.
    Photo,
    /// A sound or noise recording.
    Recording,
    /// A victim's or witness's diary sheet.
    DiarySheet,
    /// A witness statement.
    Statement,
    /// A letter or notice produced from a template.
    Letter,
    /// Anything else.
    Other,
}

impl DocumentKind {
    /// Every kind, in the order forms list them.
    pub const ALL: [DocumentKind; 6] = [
        DocumentKind::Photo,
        DocumentKind::Recording,
        DocumentKind::DiarySheet,
        DocumentKind::Statement,
        DocumentKind::Letter,
        DocumentKind::Other,
    ];

    /// The stable name used in storage and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Photo => "photo",
            DocumentKind::Recording => "recording",
            DocumentKind::DiarySheet => "diary_sheet",
            DocumentKind::Statement => "statement",
            DocumentKind::Letter => "letter",
            DocumentKind::Other => "other",
        }
    }

    /// A human label.
    pub fn label(self) -> &'static str {
        match self {
            DocumentKind::Photo => "Photo",
            DocumentKind::Recording => "Recording",
            DocumentKind::DiarySheet => "Diary sheet",
            DocumentKind::Statement => "Witness statement",
            DocumentKind::Letter => "Letter or notice",
            DocumentKind::Other => "Other",
        }
    }

    /// Parses a stable name.
    pub fn parse(s: &str) -> Result<Self, String> {
        Self::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| {
            format!(
                "kind must be one of {}, not '{}'",
                Self::ALL.map(Self::as_str).join(", "),
                s.chars().take(40).collect::<String>()
            )
        })
    }
}

impl fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The file types taken, as (media type, what to call it).
pub const ACCEPTED: [(&str, &str); 8] = [
    ("image/jpeg", "JPEG photo"),
    ("image/png", "PNG image"),
    ("image/heif", "HEIC photo"),
    ("application/pdf", "PDF"),
    ("audio/mpeg", "MP3 recording"),
    ("audio/x-wav", "WAV recording"),
    ("audio/m4a", "M4A recording"),
    ("text/plain", "plain text"),
];

/// The default largest file, in bytes (20 MiB: a few minutes of recording).
pub const DEFAULT_MAX_BYTES: usize = 20 * 1024 * 1024;

/// A file that was checked and may be kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// The media type its bytes show it to be.
    pub content_type: &'static str,
    /// A name safe to offer for download.
    pub filename: String,
}

/// Checks an upload: not empty, at most `max_bytes`, one of the
/// [`ACCEPTED`] types by its first bytes (plain text must be UTF-8 without
/// control characters other than tabs and line ends), and gives it a safe
/// name. The message names what is wrong and what is taken.
pub fn check_upload(filename: &str, bytes: &[u8], max_bytes: usize) -> Result<Accepted, String> {
    if bytes.is_empty() {
        return Err("the file is empty".into());
    }
    if bytes.len() > max_bytes {
        return Err(format!(
            "the file is {}, more than the {} allowed",
            size_label(bytes.len()),
            size_label(max_bytes)
        ));
    }
    let sniffed = infer::get(bytes).map(|t| t.mime_type());
    let content_type = match sniffed {
        Some(m) => ACCEPTED.iter().map(|(t, _)| *t).find(|t| *t == m),
        None if is_plain_text(bytes) => Some("text/plain"),
        None => None,
    };
    let Some(content_type) = content_type else {
        let taken: Vec<&str> = ACCEPTED.iter().map(|(_, name)| *name).collect();
        return Err(format!(
            "the file must be a {}{}",
            taken.join(", "),
            sniffed.map_or(String::new(), |m| format!(" (this one is {m})"))
        ));
    };
    Ok(Accepted { content_type, filename: safe_filename(filename, content_type) })
}

fn is_plain_text(bytes: &[u8]) -> bool {
    std::str::from_utf8(bytes).is_ok_and(|s| s.chars().all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t')))
}

/// The usual extension for an accepted type.
fn extension(content_type: &str) -> &'static str {
    match content_type {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/heif" => "heic",
        "application/pdf" => "pdf",
        "audio/mpeg" => "mp3",
        "audio/x-wav" => "wav",
        "audio/m4a" => "m4a",
        _ => "txt",
    }
}

/// A download name: the uploaded name's letters, digits, spaces, dots,
/// hyphens and underscores (no path, at most 100 characters), with the
/// extension of the type the bytes show.
pub fn safe_filename(uploaded: &str, content_type: &str) -> String {
    let base = uploaded.rsplit(['/', '\\']).next().unwrap_or_default();
    let stem = base.rsplit_once('.').map_or(base, |(s, _)| s);
    let clean: String = stem
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.'))
        .take(100)
        .collect::<String>()
        .trim_matches(['.', ' '])
        .to_string();
    let stem = if clean.is_empty() { "document".to_string() } else { clean };
    format!("{stem}.{}", extension(content_type))
}

/// A size in bytes as people say it ("2.5 MB").
pub fn size_label(bytes: usize) -> String {
    let b = bytes as f64;
    if b >= 1024.0 * 1024.0 {
        format!("{:.1} MB", b / (1024.0 * 1024.0))
    } else if b >= 1024.0 {
        format!("{:.0} KB", b / 1024.0)
    } else {
        format!("{bytes} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JPEG: &[u8] = &[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0];
    const PDF: &[u8] = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n";

    #[test]
    fn files_are_recognised_by_their_bytes_not_their_names() {
        assert_eq!(
            check_upload("IMG_0042.JPG", JPEG, 1000),
            Ok(Accepted { content_type: "image/jpeg", filename: "IMG_0042.jpg".into() })
        );
        // A PDF named as a photo is a PDF; an executable named as a PDF is refused.
        assert_eq!(check_upload("photo.jpg", PDF, 1000).map(|a| a.filename), Ok("photo.pdf".into()));
        let exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00";
        let e = check_upload("letter.pdf", exe, 1000).expect_err("refused");
        assert!(e.contains("JPEG photo") && e.contains("application/vnd.microsoft.portable-executable"), "{e}");
        let html = check_upload("diary.txt", b"Monday: music until 2am\nTuesday: shouting\n", 1000).expect("text");
        assert_eq!(html.content_type, "text/plain");
        assert!(check_upload("x.txt", b"bad \x00 byte", 1000).is_err());
        assert!(check_upload("x.txt", &[0xC3, 0x28], 1000).is_err(), "not UTF-8");
    }

    #[test]
    fn the_size_limit_includes_its_edge() {
        let mut at_limit = PDF.to_vec();
        at_limit.resize(2048, b' ');
        assert!(check_upload("a.pdf", &at_limit, 2048).is_ok());
        at_limit.push(b' ');
        let e = check_upload("a.pdf", &at_limit, 2048).expect_err("too big");
        assert!(e.contains("2 KB"), "{e}");
        assert_eq!(check_upload("a.pdf", &[], 2048), Err("the file is empty".into()));
    }

    #[test]
    fn download_names_are_safe() {
        assert_eq!(safe_filename("../../etc/passwd", "text/plain"), "passwd.txt");
        assert_eq!(safe_filename("C:\\Users\\me\\noise log.wav", "audio/x-wav"), "noise log.wav");
        assert_eq!(safe_filename("<script>.pdf", "application/pdf"), "script.pdf");
        assert_eq!(safe_filename("...", "image/png"), "document.png");
        assert_eq!(safe_filename("a\"; filename=evil.exe", "image/png"), "a filenameevil.png");
        assert_eq!(safe_filename(&"x".repeat(300), "image/png").len(), 104);
    }

    #[test]
    fn kinds_round_trip() {
        for k in DocumentKind::ALL {
            assert_eq!(DocumentKind::parse(k.as_str()), Ok(k));
        }
        assert!(DocumentKind::parse("video").is_err_and(|e| e.contains("diary_sheet")));
        assert_eq!(size_label(20 * 1024 * 1024), "20.0 MB");
        assert_eq!(size_label(512), "512 bytes");
    }
}
