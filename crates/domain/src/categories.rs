//! Incident categories are data: a TOML file of `[[category]]` entries with
//! a code, label, group and whether the category is high-harm. The default
//! set (NSIR ASB types, police.uk crime types, council categories) is
//! embedded; a partnership can load its own file to extend it.

use serde::{Deserialize, Serialize};

/// One category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// Stable code (lower-case letters, digits, hyphens).
    pub code: String,
    /// Label shown to people.
    pub label: String,
    /// Group for menus and reports.
    pub group: String,
    /// Ranked up by the daily review.
    #[serde(default)]
    pub high_harm: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    category: Vec<Category>,
}

/// Why a categories file was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CategoryError {
    /// Not valid TOML of the expected shape.
    #[error("the categories file is not valid: {0}")]
    Syntax(String),
    /// A code is malformed.
    #[error("category code '{0}' must be 2 to 60 lower-case letters, digits or hyphens")]
    BadCode(String),
    /// A code appears twice.
    #[error("category code '{0}' appears more than once")]
    Duplicate(String),
    /// A label or group is empty or too long.
    #[error("category '{0}' needs a label and a group of at most 100 characters")]
    BadLabel(String),
}

/// Parses and checks a categories file.
pub fn parse_categories(text: &str) -> Result<Vec<Category>, CategoryError> {
    let file: File = toml::from_str(text).map_err(|e| CategoryError::Syntax(e.message().to_string()))?;
    let mut seen = std::collections::BTreeSet::new();
    for c in &file.category {
        let ok = (2..=60).contains(&c.code.len())
            && c.code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !ok {
            return Err(CategoryError::BadCode(c.code.chars().take(60).collect()));
        }
        let fits = |s: &str| !s.trim().is_empty() && s.chars().count() <= 100;
        if !fits(&c.label) || !fits(&c.group) {
            return Err(CategoryError::BadLabel(c.code.clone()));
        }
        if !seen.insert(c.code.clone()) {
            return Err(CategoryError::Duplicate(c.code.clone()));
        }
    }
    Ok(file.category)
}

/// The embedded default categories.
pub fn default_categories() -> Vec<Category> {
    parse_categories(include_str!("../categories/default.toml")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_cover_the_required_categories() {
        let cats = default_categories();
        let codes: Vec<&str> = cats.iter().map(|c| c.code.as_str()).collect();
        for code in [
            "asb-personal",
            "asb-nuisance",
            "asb-environmental",
            "fly-tipping",
            "noise-domestic",
            "noise-commercial",
            "graffiti",
            "abandoned-vehicle",
            "drug-litter",
            "deliberate-fire",
            "drink-spiking",
            "exploitation-county-lines",
            "road-safety",
        ] {
            assert!(codes.contains(&code), "{code}");
        }
        assert_eq!(cats.iter().filter(|c| c.group == "Crime").count(), 14, "the 14 police.uk crime types");
    }

    #[test]
    fn bad_files_are_refused() {
        assert!(matches!(parse_categories("nonsense"), Err(CategoryError::Syntax(_))));
        let dup = "[[category]]\ncode='a-b'\nlabel='A'\ngroup='G'\n[[category]]\ncode='a-b'\nlabel='B'\ngroup='G'\n";
        assert_eq!(parse_categories(dup), Err(CategoryError::Duplicate("a-b".into())));
        assert!(matches!(
            parse_categories("[[category]]\ncode='A B'\nlabel='A'\ngroup='G'\n"),
            Err(CategoryError::BadCode(_))
        ));
        assert!(matches!(
            parse_categories("[[category]]\ncode='ab'\nlabel=''\ngroup='G'\n"),
            Err(CategoryError::BadLabel(_))
        ));
        assert!(matches!(
            parse_categories("[[category]]\ncode='ab'\nlabel='x'\ngroup='G'\ncolour='red'\n"),
            Err(CategoryError::Syntax(_))
        ));
    }
}
