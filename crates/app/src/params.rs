//! Request options as name and value pairs: what a query string or the
//! command line's options give. Typed getters check each value and name it
//! in their message; [`Params::finish`] refuses any name no getter asked
//! for, so a misspelt option is an error rather than silently ignored.

use crate::Error;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, PoisonError};

/// Options by name (each given at most once), and the names read so far.
#[derive(Debug, Default)]
pub struct Params {
    values: BTreeMap<String, String>,
    read: Mutex<BTreeSet<String>>,
}

/// Longest value accepted for any option.
const MAX_VALUE_CHARS: usize = 1_000;

impl Params {
    /// Options from pairs; a name given twice is refused.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Self, Error> {
        let mut values = BTreeMap::new();
        for (k, v) in pairs {
            let (k, v) = (k.into(), v.into());
            if v.chars().count() > MAX_VALUE_CHARS {
                return Err(Error::Invalid(format!("{k} is too long (at most {MAX_VALUE_CHARS} characters)")));
            }
            if values.insert(k.clone(), v).is_some() {
                return Err(Error::Invalid(format!("{k} is given more than once")));
            }
        }
        Ok(Self { values, read: Mutex::default() })
    }

    /// The same options with `name` set to `value` (a default the caller
    /// chose, e.g. a page's own permutations), replacing any given value.
    pub fn with(mut self, name: &str, value: impl Into<String>) -> Self {
        self.values.insert(name.to_string(), value.into());
        self
    }

    /// The trimmed value of `name`, if given and not blank.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.read.lock().unwrap_or_else(PoisonError::into_inner).insert(name.to_string());
        self.values.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    /// A text value of at most `max` characters.
    pub fn short_text(&self, name: &str, max: usize) -> Result<Option<String>, Error> {
        match self.text(name) {
            Some(v) if v.chars().count() > max => {
                Err(Error::Invalid(format!("{name} must be {max} characters or fewer")))
            }
            v => Ok(v.map(str::to_string)),
        }
    }

    /// A value that must be given.
    pub fn required(&self, name: &str) -> Result<&str, Error> {
        self.text(name).ok_or_else(|| Error::Invalid(format!("{name} is required")))
    }

    /// A number, or `default` when not given.
    pub fn number(&self, name: &str, default: f64) -> Result<f64, Error> {
        self.parsed(name, default, "a number")
    }

    /// A whole number, or `default` when not given.
    pub fn count(&self, name: &str, default: usize) -> Result<usize, Error> {
        self.parsed(name, default, "a whole number")
    }

    /// A whole number (possibly negative), or `default` when not given.
    pub fn integer(&self, name: &str, default: i64) -> Result<i64, Error> {
        self.parsed(name, default, "a whole number")
    }

    /// A seed, or `default` when not given.
    pub fn seed(&self, name: &str, default: u64) -> Result<u64, Error> {
        self.parsed(name, default, "a whole number")
    }

    /// `true` or `false`, or `default` when not given.
    pub fn flag(&self, name: &str, default: bool) -> Result<bool, Error> {
        self.parsed(name, default, "true or false")
    }

    fn parsed<T: std::str::FromStr>(&self, name: &str, default: T, what: &str) -> Result<T, Error> {
        match self.text(name) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|_| Error::Invalid(format!("{name} must be {what}, not '{v}'"))),
        }
    }

    /// The names the getters have asked for so far.
    #[cfg(test)]
    pub(crate) fn names_read(&self) -> BTreeSet<String> {
        self.read.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Refuses every option no getter read, naming them (call after
    /// building the request).
    pub fn finish(&self) -> Result<(), Error> {
        let read = self.read.lock().unwrap_or_else(PoisonError::into_inner);
        let unknown: Vec<&str> = self.values.keys().filter(|k| !read.contains(*k)).map(String::as_str).collect();
        if unknown.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(format!(
                "unknown option{}: {}",
                if unknown.len() == 1 { "" } else { "s" },
                unknown.join(", ")
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_typed_and_unknown_names_refused() {
        let p = Params::from_pairs([("cell_m", " 250 "), ("seed", "7"), ("all", "true"), ("tpye", "Burglary")])
            .expect("pairs");
        assert_eq!(p.number("cell_m", 1.0).ok(), Some(250.0));
        assert_eq!(p.seed("seed", 1).ok(), Some(7));
        assert_eq!(p.flag("all", false).ok(), Some(true));
        assert_eq!(p.count("permutations", 99).ok(), Some(99));
        let e = p.finish().expect_err("tpye was never read");
        assert_eq!(e.to_string(), "unknown option: tpye");
        let bad = Params::from_pairs([("cell_m", "wide")]).expect("pairs");
        assert_eq!(bad.number("cell_m", 1.0).expect_err("bad").to_string(), "cell_m must be a number, not 'wide'");
        assert!(Params::from_pairs([("a", "1"), ("a", "2")]).is_err(), "a name given twice");
        assert!(Params::from_pairs([("a", "x".repeat(1_001))]).is_err(), "too long");
        let blank = Params::from_pairs([("type", "  ")]).expect("pairs");
        assert_eq!(blank.text("type"), None);
        assert!(blank.finish().is_ok());
    }
}
