//! Free text as the front doors take it: trimmed, bounded in characters,
//! with messages that name the field (the same from the page and the API).

/// Required free text: trimmed, 1 to `max` characters.
pub fn required(field: &str, value: &str, max: usize) -> Result<String, String> {
    let value = value.trim();
    match value.chars().count() {
        0 => Err(format!("{field} must not be empty")),
        n if n > max => Err(format!("{field} must be {max} characters or fewer")),
        _ => Ok(value.to_string()),
    }
}

/// Optional free text: trimmed, at most `max` characters (may be empty).
pub fn optional(field: &str, value: &str, max: usize) -> Result<String, String> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(format!("{field} must be {max} characters or fewer"));
    }
    Ok(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_bounded_and_named() {
        assert_eq!(required("note", "  hello ", 5), Ok("hello".into()));
        assert_eq!(required("note", "   ", 5), Err("note must not be empty".into()));
        assert_eq!(required("note", "éééééé", 5), Err("note must be 5 characters or fewer".into()));
        assert_eq!(optional("notes", "  ", 5), Ok(String::new()));
        assert_eq!(optional("notes", "123456", 5), Err("notes must be 5 characters or fewer".into()));
    }
}
