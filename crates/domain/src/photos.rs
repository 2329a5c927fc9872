//! Photos residents send with a report: only JPEG, PNG and WebP, recognised
//! from the bytes (never the name), at most [`MAX_PHOTO_BYTES`], with what
//! the camera or phone wrote about them taken out (Exif with its place and
//! owner, XMP, IPTC, comments, text chunks, times) before they are kept.
//! What stays is the picture: the image data, and the colour profile and
//! segments a decoder needs.

use crate::rules::StatutoryRule;
use img_parts::jpeg::Jpeg;
use img_parts::png::Png;
use img_parts::webp::WebP;
use img_parts::{Bytes, ImageEXIF};

/// The largest photo taken.
pub const MAX_PHOTO_BYTES: usize = 8 * 1024 * 1024;
/// The most photos one report carries.
pub const MAX_PHOTOS: usize = 3;

/// A photo with its metadata taken out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleanPhoto {
    /// `image/jpeg`, `image/png` or `image/webp`.
    pub content_type: &'static str,
    /// The picture.
    pub bytes: Vec<u8>,
}

fn refuse(message: impl Into<String>) -> StatutoryRule {
    StatutoryRule { rule: "report_photo", message: message.into() }
}

/// JPEG markers kept: the JFIF header (APP0), the Adobe colour transform
/// (APP14) and every non-application segment; APP2 only when it is the ICC
/// colour profile (not an MPF set of embedded thumbnails).
fn jpeg_keeps(marker: u8, contents: &[u8]) -> bool {
    match marker {
        0xE0 | 0xEE => true,
        0xE2 => contents.starts_with(b"ICC_PROFILE\0"),
        0xE1..=0xEF | 0xFE => false,
        _ => true,
    }
}

/// PNG chunks that carry words or times rather than the picture.
const PNG_METADATA: [&[u8; 4]; 5] = [b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"tIME"];

/// Checks a photo and takes its metadata out: `report_photo` when it is
/// empty, too large, not a JPEG, PNG or WebP, or cannot be read.
pub fn clean_photo(bytes: &[u8]) -> Result<CleanPhoto, StatutoryRule> {
    if bytes.is_empty() {
        return Err(refuse("the photo is empty"));
    }
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(refuse(format!("a photo must be {} MB or smaller", MAX_PHOTO_BYTES / (1024 * 1024))));
    }
    let unreadable = |_| refuse("the photo could not be read: send a JPEG, PNG or WebP picture");
    let content_type = infer::get(bytes).map(|t| t.mime_type()).unwrap_or_default();
    let data = Bytes::copy_from_slice(bytes);
    let (content_type, cleaned) = match content_type {
        "image/jpeg" => {
            let mut jpeg = Jpeg::from_bytes(data).map_err(unreadable)?;
            jpeg.segments_mut().retain(|s| jpeg_keeps(s.marker(), s.contents()));
            ("image/jpeg", jpeg.encoder().bytes())
        }
        "image/png" => {
            let mut png = Png::from_bytes(data).map_err(unreadable)?;
            png.chunks_mut().retain(|c| !PNG_METADATA.contains(&&c.kind()));
            ("image/png", png.encoder().bytes())
        }
        "image/webp" => {
            let mut webp = WebP::from_bytes(data).map_err(unreadable)?;
            webp.set_exif(None);
            webp.remove_chunks_by_id(*b"XMP ");
            ("image/webp", webp.encoder().bytes())
        }
        _ => return Err(refuse("send a photo as a JPEG, PNG or WebP picture")),
    };
    Ok(CleanPhoto { content_type, bytes: cleaned.to_vec() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(haystack: &[u8], needle: &[u8]) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn a_jpeg_loses_its_exif_xmp_and_comments_and_keeps_its_picture() {
        let original = include_bytes!("../tests/fixtures/photo-with-exif.jpg");
        assert!(has(original, b"secret-"), "the fixture carries metadata");
        let clean = clean_photo(original).expect("a photo");
        assert_eq!(clean.content_type, "image/jpeg");
        assert!(!has(&clean.bytes, b"secret-"), "metadata left in the photo");
        let before = Jpeg::from_bytes(Bytes::copy_from_slice(original)).expect("jpeg");
        let after = Jpeg::from_bytes(Bytes::from(clean.bytes.clone())).expect("still a jpeg");
        assert_eq!(after.dimensions(), before.dimensions());
        assert!(after.segment_by_marker(0xDA).is_some(), "the image data is kept");
        assert_eq!(clean_photo(&clean.bytes).expect("again").bytes, clean.bytes, "cleaning twice changes nothing");
    }

    #[test]
    fn a_png_loses_its_text_and_time_chunks() {
        let original = include_bytes!("../tests/fixtures/photo-with-text.png");
        assert!(has(original, b"secret-"));
        let clean = clean_photo(original).expect("a photo");
        assert_eq!(clean.content_type, "image/png");
        assert!(!has(&clean.bytes, b"secret-") && !has(&clean.bytes, b"tIME"));
        let after = Png::from_bytes(Bytes::from(clean.bytes)).expect("still a png");
        assert!(after.chunk_by_type(*b"IDAT").is_some());
    }

    #[test]
    fn other_files_empty_ones_and_large_ones_are_refused() {
        let rule = |b: &[u8]| clean_photo(b).err().map(|e| e.rule);
        assert_eq!(rule(b"%PDF-1.7 pretending to be a photo"), Some("report_photo"));
        assert_eq!(rule(b""), Some("report_photo"));
        assert_eq!(rule(b"\xff\xd8\xff\xe0 broken"), Some("report_photo"), "a JPEG header on nothing");
        let mut big = include_bytes!("../tests/fixtures/photo-with-exif.jpg").to_vec();
        big.resize(MAX_PHOTO_BYTES + 1, 0);
        assert_eq!(rule(&big), Some("report_photo"));
    }
}
