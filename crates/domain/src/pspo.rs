//! The public spaces protection order register (Part 4 of the 2014 Act): an
//! order's area, its prohibitions, how long it lasts (at most 3 years,
//! s60(1)), its extensions (each at most 3 more years, made before it
//! expires, s60(2) and (3)) and the consultation and publicity it needs (s72).
//!
//! **Dates** are inclusive UK dates: an order made to start on 10 June 2025
//! for 3 years is in force to 9 June 2028, its last day.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::interventions::StatutoryRule;

/// The most months an order (or one extension) may last.
pub const MAX_MONTHS: u32 = 36;

/// A new order, as the page and the API take it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct NewPspo {
    /// Its title (e.g. "City centre alcohol and begging order").
    pub title: String,
    /// What it prohibits or requires, one per line.
    pub prohibitions: String,
    /// The area's boundary: longitude and latitude pairs (WGS84), at least
    /// three corners; the ring is closed for you.
    pub area: Vec<[f64; 2]>,
    /// The date the council made it.
    pub made_on: NaiveDate,
    /// The first day it is in force.
    pub starts_on: NaiveDate,
    /// The last day it is in force.
    pub ends_on: NaiveDate,
    /// The chief officer of police was consulted (s72).
    #[serde(default)]
    pub consulted_police: bool,
    /// The police and crime commissioner was consulted (s72).
    #[serde(default)]
    pub consulted_pcc: bool,
    /// Community representatives were consulted (s72).
    #[serde(default)]
    pub consulted_community: bool,
    /// Owners and occupiers of land in the area were consulted, as far as
    /// reasonably practicable (s72).
    #[serde(default)]
    pub consulted_owners: bool,
    /// The day the proposed order was published (s72).
    #[serde(default)]
    pub publicised_on: Option<NaiveDate>,
}

/// An extension of an order (s60(2) and (3)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct PspoExtension {
    /// The day the council decided to extend it.
    pub decided_on: NaiveDate,
    /// The new last day in force.
    pub ends_on: NaiveDate,
    /// Why it is still needed (s60(2)(a) or (b)).
    pub reason: String,
    /// The police, the PCC and community representatives were consulted
    /// again (s72).
    #[serde(default)]
    pub consulted: bool,
    /// The extended order was published (s60(3)(b)).
    #[serde(default)]
    pub published: bool,
}

fn refuse<T>(rule: &'static str, message: impl Into<String>) -> Result<T, StatutoryRule> {
    Err(StatutoryRule { rule, message: message.into() })
}

/// The last day in force of a period of `MAX_MONTHS` starting on `from`.
pub fn latest_end(from: NaiveDate) -> NaiveDate {
    from.checked_add_months(Months::new(MAX_MONTHS)).and_then(|d| d.pred_opt()).unwrap_or(NaiveDate::MAX)
}

impl NewPspo {
    /// The longest title.
    pub const MAX_TITLE: usize = 200;
    /// The longest list of prohibitions.
    pub const MAX_PROHIBITIONS: usize = 5_000;
    /// The most corners a boundary may have.
    pub const MAX_CORNERS: usize = 2_000;

    /// Checks the order, each refusal a named rule:
    /// `pspo_text` (title and prohibitions given and bounded),
    /// `pspo_area` (3 to [`NewPspo::MAX_CORNERS`] corners, each a valid
    /// longitude and latitude), `pspo_dates` (made on or before it starts;
    /// ends on or after it starts), `pspo_max_3_years` (s60(1): its last day
    /// at most 3 years less a day after it starts), and
    /// `pspo_consultation_required` (s72: the police, the police and crime
    /// commissioner and community representatives consulted, and the
    /// proposal published on or before the day it was made).
    pub fn check(&self) -> Result<(), StatutoryRule> {
        crate::text::required("title", &self.title, Self::MAX_TITLE).or_else(|m| refuse("pspo_text", m))?;
        crate::text::required("prohibitions", &self.prohibitions, Self::MAX_PROHIBITIONS)
            .or_else(|m| refuse("pspo_text", m))?;
        let corners = self.corners();
        if corners.len() < 3 || corners.len() > Self::MAX_CORNERS {
            return refuse("pspo_area", format!("draw the area with 3 to {} corners", Self::MAX_CORNERS));
        }
        if let Some([lon, lat]) =
            corners.iter().find(|[lon, lat]| !((-180.0..=180.0).contains(lon) && (-90.0..=90.0).contains(lat)))
        {
            return refuse("pspo_area", format!("({lon}, {lat}) is not a longitude and latitude"));
        }
        if self.made_on > self.starts_on {
            return refuse(
                "pspo_dates",
                format!("it starts ({}) before it was made ({})", self.starts_on, self.made_on),
            );
        }
        if self.ends_on < self.starts_on {
            return refuse("pspo_dates", format!("it ends ({}) before it starts ({})", self.ends_on, self.starts_on));
        }
        let latest = latest_end(self.starts_on);
        if self.ends_on > latest {
            return refuse(
                "pspo_max_3_years",
                format!("an order lasts at most 3 years (s60(1)): from {} its last day is {latest}", self.starts_on),
            );
        }
        let mut missing = Vec::new();
        if !self.consulted_police {
            missing.push("the chief officer of police");
        }
        if !self.consulted_pcc {
            missing.push("the police and crime commissioner");
        }
        if !self.consulted_community {
            missing.push("community representatives");
        }
        if self.publicised_on.is_none_or(|d| d > self.made_on) {
            missing.push("publication of the proposed order before it was made");
        }
        if !missing.is_empty() {
            return refuse(
                "pspo_consultation_required",
                format!("before making an order the council must record (s72): {}", missing.join(", ")),
            );
        }
        Ok(())
    }

    /// The boundary's distinct corners (a closing corner equal to the first
    /// is dropped).
    pub fn corners(&self) -> &[[f64; 2]] {
        crate::geo::distinct_corners(&self.area)
    }

    /// The boundary as a GeoJSON Polygon geometry (closed ring).
    pub fn geometry(&self) -> serde_json::Value {
        crate::geo::polygon_geometry(self.corners())
    }
}

impl PspoExtension {
    /// Checks an extension of an order whose last day is now `current_end`:
    /// `pspo_text` (a reason given), `pspo_extension_after_expiry` (decided
    /// on or before that day, s60(2)), `pspo_dates` (a later last day),
    /// `pspo_extension_max_3_years` (at most 3 years from the day after
    /// `current_end`, s60(3)(a)), `pspo_consultation_required` (consulted
    /// again, s72) and `pspo_extension_publication_required` (s60(3)(b)).
    pub fn check(&self, current_end: NaiveDate) -> Result<(), StatutoryRule> {
        crate::text::required("reason", &self.reason, NewPspo::MAX_PROHIBITIONS).or_else(|m| refuse("pspo_text", m))?;
        if self.decided_on > current_end {
            return refuse(
                "pspo_extension_after_expiry",
                format!("the order ended on {current_end}: an extension is made before it expires (s60(2))"),
            );
        }
        if self.ends_on <= current_end {
            return refuse("pspo_dates", format!("the new last day must be after {current_end}"));
        }
        let latest = current_end.succ_opt().map_or(NaiveDate::MAX, latest_end);
        if self.ends_on > latest {
            return refuse(
                "pspo_extension_max_3_years",
                format!("an extension lasts at most 3 years (s60(3)): the latest last day is {latest}"),
            );
        }
        if !self.consulted {
            return refuse(
                "pspo_consultation_required",
                "record that the police, the police and crime commissioner and community representatives were consulted on the extension (s72)",
            );
        }
        if !self.published {
            return refuse(
                "pspo_extension_publication_required",
                "record that the extended order was published (s60(3)(b))",
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn order() -> NewPspo {
        NewPspo {
            title: "City centre alcohol order".into(),
            prohibitions: "No drinking alcohol when asked to stop".into(),
            area: vec![[-0.34, 51.75], [-0.33, 51.75], [-0.33, 51.76], [-0.34, 51.76]],
            made_on: d(2025, 6, 1),
            starts_on: d(2025, 6, 10),
            ends_on: d(2028, 6, 9),
            consulted_police: true,
            consulted_pcc: true,
            consulted_community: true,
            consulted_owners: false,
            publicised_on: Some(d(2025, 4, 1)),
        }
    }

    fn rule(r: Result<(), StatutoryRule>) -> Option<&'static str> {
        r.err().map(|e| e.rule)
    }

    #[test]
    fn an_order_lasts_at_most_3_years() {
        assert_eq!(order().check(), Ok(()));
        assert_eq!(rule(NewPspo { ends_on: d(2028, 6, 10), ..order() }.check()), Some("pspo_max_3_years"));
        assert_eq!(latest_end(d(2024, 2, 29)), d(2027, 2, 27), "from a leap day: 28 Feb 2027 less a day");
        assert_eq!(rule(NewPspo { ends_on: d(2025, 6, 9), ..order() }.check()), Some("pspo_dates"));
        assert_eq!(NewPspo { ends_on: d(2025, 6, 10), ..order() }.check(), Ok(()), "a one-day order");
        assert_eq!(rule(NewPspo { made_on: d(2025, 6, 11), ..order() }.check()), Some("pspo_dates"));
    }

    #[test]
    fn an_order_needs_its_consultation_and_publicity() {
        let e = NewPspo { consulted_pcc: false, publicised_on: None, ..order() }.check().expect_err("refused");
        assert_eq!(e.rule, "pspo_consultation_required");
        assert!(
            e.message.contains("police and crime commissioner") && e.message.contains("publication"),
            "{}",
            e.message
        );
        assert_eq!(
            NewPspo { publicised_on: Some(d(2025, 6, 1)), ..order() }.check(),
            Ok(()),
            "published the day it was made"
        );
        assert_eq!(
            rule(NewPspo { publicised_on: Some(d(2025, 6, 2)), ..order() }.check()),
            Some("pspo_consultation_required")
        );
        assert_eq!(rule(NewPspo { consulted_police: false, ..order() }.check()), Some("pspo_consultation_required"));
    }

    #[test]
    fn an_area_has_three_corners_in_range() {
        assert_eq!(rule(NewPspo { area: vec![[-0.34, 51.75], [-0.33, 51.75]], ..order() }.check()), Some("pspo_area"));
        let closed = NewPspo { area: vec![[0.0, 51.0], [0.1, 51.0], [0.0, 51.1], [0.0, 51.0]], ..order() };
        assert_eq!(closed.corners().len(), 3);
        assert_eq!(closed.geometry()["coordinates"][0].as_array().map(Vec::len), Some(4));
        assert_eq!(
            rule(NewPspo { area: vec![[0.0, 51.0], [0.1, 91.0], [0.0, 51.1]], ..order() }.check()),
            Some("pspo_area")
        );
        assert_eq!(rule(NewPspo { title: " ".into(), ..order() }.check()), Some("pspo_text"));
    }

    #[test]
    fn an_extension_is_made_in_time_for_up_to_3_more_years() {
        let end = d(2028, 6, 9);
        let ext = PspoExtension {
            decided_on: d(2028, 6, 9),
            ends_on: d(2031, 6, 9),
            reason: "Still needed".into(),
            consulted: true,
            published: true,
        };
        assert_eq!(ext.check(end), Ok(()), "decided on the last day, 3 more years");
        assert_eq!(
            rule(PspoExtension { decided_on: d(2028, 6, 10), ..ext.clone() }.check(end)),
            Some("pspo_extension_after_expiry")
        );
        assert_eq!(
            rule(PspoExtension { ends_on: d(2031, 6, 10), ..ext.clone() }.check(end)),
            Some("pspo_extension_max_3_years")
        );
        assert_eq!(rule(PspoExtension { ends_on: end, ..ext.clone() }.check(end)), Some("pspo_dates"));
        assert_eq!(
            rule(PspoExtension { consulted: false, ..ext.clone() }.check(end)),
            Some("pspo_consultation_required")
        );
        assert_eq!(
            rule(PspoExtension { published: false, ..ext.clone() }.check(end)),
            Some("pspo_extension_publication_required")
        );
        assert_eq!(rule(PspoExtension { reason: "".into(), ..ext }.check(end)), Some("pspo_text"));
    }
}
