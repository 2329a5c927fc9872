//! Links that users type and other users later click: a path inside
//! SafetyNet, or (for evidence) an `https://` address. A link that a browser
//! would take off-site while it looks like a path (`//host`, `/\host`) is
//! refused, as are spaces and control characters.

/// Longest link accepted.
pub const MAX_LINK_LEN: usize = 500;

/// True for a path inside SafetyNet such as `/analysis?type=Burglary`.
pub fn is_local_path(link: &str) -> bool {
    let mut chars = link.chars();
    link.len() <= MAX_LINK_LEN
        && chars.next() == Some('/')
        && !matches!(chars.next(), Some('/' | '\\'))
        && !link.contains('\\')
        && !link.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// True for a local path or an `https://` address with a host.
pub fn is_evidence_link(link: &str) -> bool {
    if is_local_path(link) {
        return true;
    }
    let Some(rest) = link.strip_prefix("https://") else { return false };
    link.len() <= MAX_LINK_LEN
        && rest.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && !link.contains('\\')
        && !link.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_site_links_that_look_like_paths_are_refused() {
        assert!(is_local_path("/analysis?type=Burglary"));
        assert!(is_local_path("/"));
        for bad in
            ["//evil.example", "/\\evil.example", "/ok\\..\\x", "analysis", "", "/a b", "/a\u{0}", "https://x.example"]
        {
            assert!(!is_local_path(bad), "{bad:?}");
        }
        assert!(is_evidence_link("https://www.gov.uk/guidance"));
        assert!(is_evidence_link("/cases/1"));
        for bad in ["http://x.example", "https://", "https:///x", "https://\\evil", "javascript:alert(1)", "/\\evil"] {
            assert!(!is_evidence_link(bad), "{bad:?}");
        }
    }
}
