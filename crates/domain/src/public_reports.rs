//! Reports from the public: what a resident tells the partnership (a
//! category the partnership takes reports in, where, what happened, and
//! how to reach them if they wish), the statuses a report moves through
//! (FixMyStreet's extended Open311 statuses, each mapped to Open311's
//! `open` or `closed` and to the milestone the reporter is told about), and
//! the checks a report passes before it is taken.

use crate::fly_tipping::{LandType, NewFlyTip, TipSize, WasteType, CATEGORY as FLY_TIPPING};
use crate::rules::StatutoryRule;
use crate::vocabulary::vocabulary;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

vocabulary! {
    /// Where a report stands (FixMyStreet's extended Open311 statuses).
    ReportStatus {
        /// Received, waiting for the agency to look at it.
        Open = "open" / "Received",
        /// Accepted: the agency is looking into it.
        Investigating = "investigating" / "Being looked into",
        /// Passed to the partner agency whose work it is.
        InternalReferral = "internal_referral" / "Passed to a partner agency",
        /// Action is planned.
        ActionScheduled = "action_scheduled" / "Action planned",
        /// Action is under way.
        InProgress = "in_progress" / "Action under way",
        /// Put right.
        Fixed = "fixed" / "Dealt with",
        /// Not something the partnership deals with.
        NotCouncilsResponsibility = "not_councils_responsibility" / "Not something we deal with",
        /// Already reported: joined to the earlier report.
        Duplicate = "duplicate" / "Already reported",
        /// Looked into; no further action.
        NoFurtherAction = "no_further_action" / "No further action",
        /// Looked into; it could not be put right.
        UnableToFix = "unable_to_fix" / "Could not be dealt with",
        /// Closed.
        Closed = "closed" / "Closed",
    }
}

/// A milestone the reporter is told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Milestone {
    /// The report was received.
    Received,
    /// Someone has it.
    Assigned,
    /// Something was done.
    ActionTaken,
    /// It is closed.
    Closed,
}

impl Milestone {
    /// Every milestone, in order.
    pub const ALL: [Milestone; 4] =
        [Milestone::Received, Milestone::Assigned, Milestone::ActionTaken, Milestone::Closed];

    /// The stable name used in storage, forms and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Milestone::Received => "received",
            Milestone::Assigned => "assigned",
            Milestone::ActionTaken => "action_taken",
            Milestone::Closed => "closed",
        }
    }

    /// Parses a stable name.
    pub fn parse(s: &str) -> Option<Milestone> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

impl ReportStatus {
    /// Open311's basic status: `open` or `closed`.
    pub fn open311(self) -> &'static str {
        if self.is_open() {
            "open"
        } else {
            "closed"
        }
    }

    /// Still being worked.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            ReportStatus::Open
                | ReportStatus::Investigating
                | ReportStatus::InternalReferral
                | ReportStatus::ActionScheduled
                | ReportStatus::InProgress
        )
    }

    /// The milestone this status is.
    pub fn milestone(self) -> Milestone {
        match self {
            ReportStatus::Open => Milestone::Received,
            ReportStatus::Investigating | ReportStatus::InternalReferral => Milestone::Assigned,
            ReportStatus::ActionScheduled | ReportStatus::InProgress | ReportStatus::Fixed => Milestone::ActionTaken,
            _ => Milestone::Closed,
        }
    }
}

/// A report as a resident (or an Open311 client on their behalf) sends it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct NewPublicReport {
    /// The category (an Open311 service code) the partnership takes reports in.
    pub service_code: String,
    /// WGS84 latitude, where the map pin was put.
    #[serde(default)]
    pub latitude: Option<f64>,
    /// WGS84 longitude.
    #[serde(default)]
    pub longitude: Option<f64>,
    /// Where, in words (needed without a pin).
    #[serde(default)]
    pub address: String,
    /// What is happening.
    pub description: String,
    /// The reporter's name (optional).
    #[serde(default)]
    pub name: String,
    /// The reporter's e-mail address, for updates (optional).
    #[serde(default)]
    pub email: String,
    /// The reporter's phone number (optional).
    #[serde(default)]
    pub phone: String,
    /// A link to a photo the client holds (Open311 `media_url`; optional).
    #[serde(default)]
    pub media_url: String,
    /// Answers to the service's attributes ([`attributes_for`]), by code;
    /// answers to attributes the service does not have are dropped.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

/// A question a service asks beyond the standard fields (an Open311
/// service definition attribute): always optional, answered from a list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceAttribute {
    /// The attribute's code (`attribute[code]` in an Open311 request).
    pub code: &'static str,
    /// The question.
    pub description: &'static str,
    /// The answers taken: (key, name).
    pub values: Vec<(&'static str, &'static str)>,
}

/// The attributes a category's reports may carry: fly-tipping asks
/// Defra's land type, waste type and size (as in the WasteDataFlow return);
/// other categories ask nothing more.
pub fn attributes_for(category: &str) -> Vec<ServiceAttribute> {
    if category != FLY_TIPPING {
        return Vec::new();
    }
    vec![
        ServiceAttribute {
            code: "land_type",
            description: "What kind of land is it on?",
            values: LandType::ALL.iter().map(|v| (v.as_str(), v.label())).collect(),
        },
        ServiceAttribute {
            code: "waste_type",
            description: "What has mostly been dumped?",
            values: WasteType::ALL.iter().map(|v| (v.as_str(), v.label())).collect(),
        },
        ServiceAttribute {
            code: "size",
            description: "How much has been dumped?",
            values: TipSize::ALL.iter().map(|v| (v.as_str(), v.label())).collect(),
        },
    ]
}

/// A fly-tipping report's Defra categories, when its answers give all
/// three (land type, waste type and size): accepting the report records
/// them on the new incident, so the WasteDataFlow return counts it.
pub fn fly_tip_from(category: &str, attributes: &BTreeMap<String, String>) -> Option<NewFlyTip> {
    if category != FLY_TIPPING {
        return None;
    }
    let answer = |code: &str| attributes.get(code).map(String::as_str);
    Some(NewFlyTip {
        land_type: LandType::parse(answer("land_type")?)?,
        waste_type: WasteType::parse(answer("waste_type")?)?,
        size: TipSize::parse(answer("size")?)?,
        cleared_on: None,
    })
}

/// The longest photo link taken.
pub const MAX_MEDIA_URL: usize = 500;

/// The shortest description taken.
pub const MIN_DESCRIPTION: usize = 10;
/// The longest description taken.
pub const MAX_DESCRIPTION: usize = 3_000;

fn refuse<T>(rule: &'static str, message: impl Into<String>) -> Result<T, StatutoryRule> {
    Err(StatutoryRule { rule, message: message.into() })
}

/// Whether `s` looks like an e-mail address (one `@`, a dot in the domain,
/// no spaces); delivery is the proof.
pub fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else { return false };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s.contains(char::is_whitespace)
        && !domain.contains('@')
        && s.len() <= 254
}

impl NewPublicReport {
    /// Checks what the resident wrote: `report_description` (10 to 3,000
    /// characters), `report_location` (a pin, both coordinates valid, or an
    /// address), `report_email`, `report_phone`, `report_text` (name and
    /// address bounded), `report_media_url`, `report_attribute`.
    pub fn check(&self) -> Result<(), StatutoryRule> {
        self.check_description()?;
        self.check_place()?;
        self.check_contact()?;
        self.check_extras()
    }

    /// The description: `report_description`.
    pub fn check_description(&self) -> Result<(), StatutoryRule> {
        let described = self.description.trim().chars().count();
        if !(MIN_DESCRIPTION..=MAX_DESCRIPTION).contains(&described) {
            return refuse(
                "report_description",
                format!("describe the problem in {MIN_DESCRIPTION} to {MAX_DESCRIPTION} characters"),
            );
        }
        Ok(())
    }

    /// Where: `report_location`, `report_text` (the address bounded).
    pub fn check_place(&self) -> Result<(), StatutoryRule> {
        crate::text::optional("address", &self.address, 300).or_else(|m| refuse("report_text", m))?;
        match (self.latitude, self.longitude) {
            (Some(lat), Some(lon)) if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) => Ok(()),
            (None, None) if self.address.trim().chars().count() >= 3 => Ok(()),
            (None, None) => refuse("report_location", "put a pin on the map or give the address or place"),
            _ => refuse("report_location", "give both a latitude and a longitude, or an address"),
        }
    }

    /// The reporter's details: `report_text` (the name bounded),
    /// `report_email`, `report_phone`.
    pub fn check_contact(&self) -> Result<(), StatutoryRule> {
        crate::text::optional("name", &self.name, 100).or_else(|m| refuse("report_text", m))?;
        let email = self.email.trim();
        if !email.is_empty() && !looks_like_email(email) {
            return refuse("report_email", "enter an e-mail address in the right format, like name@example.com");
        }
        let phone = self.phone.trim();
        let digits = phone.chars().filter(char::is_ascii_digit).count();
        if !phone.is_empty()
            && (!(7..=15).contains(&digits) || !phone.chars().all(|c| c.is_ascii_digit() || " +()-".contains(c)))
        {
            return refuse("report_phone", "enter a phone number, like 01727 866100 or +44 7700 900123");
        }
        Ok(())
    }

    /// What Open311 clients add: `report_media_url`, `report_attribute`.
    fn check_extras(&self) -> Result<(), StatutoryRule> {
        let media = self.media_url.trim();
        if !media.is_empty()
            && (media.len() > MAX_MEDIA_URL
                || !(media.starts_with("https://") || media.starts_with("http://"))
                || media.contains(char::is_whitespace))
        {
            return refuse(
                "report_media_url",
                format!("media_url must be an http(s) link of at most {MAX_MEDIA_URL} characters"),
            );
        }
        self.check_attributes()
    }

    /// The answers to the service's attributes: `report_attribute` for an
    /// answer not on the attribute's list.
    fn check_attributes(&self) -> Result<(), StatutoryRule> {
        match self.off_list_attribute() {
            Some(a) => {
                let keys: Vec<&str> = a.values.iter().map(|(key, _)| *key).collect();
                refuse("report_attribute", format!("attribute {} must be one of {}", a.code, keys.join(", ")))
            }
            None => Ok(()),
        }
    }

    /// The first of the service's attributes answered with a value not on
    /// its list.
    pub fn off_list_attribute(&self) -> Option<ServiceAttribute> {
        attributes_for(&self.service_code).into_iter().find(|a| {
            self.attributes
                .get(a.code)
                .is_some_and(|answer| !answer.is_empty() && !a.values.iter().any(|(key, _)| key == answer))
        })
    }

    /// The answers kept: those to the service's own attributes, not empty.
    pub fn kept_attributes(&self) -> BTreeMap<String, String> {
        let asked = attributes_for(&self.service_code);
        self.attributes
            .iter()
            .filter(|(code, answer)| !answer.is_empty() && asked.iter().any(|a| a.code == code.as_str()))
            .map(|(code, answer)| (code.clone(), answer.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> NewPublicReport {
        NewPublicReport {
            service_code: "fly-tipping".into(),
            latitude: Some(51.75),
            longitude: Some(-0.34),
            description: "Mattresses dumped in the lay-by".into(),
            ..NewPublicReport::default()
        }
    }

    #[test]
    fn a_report_needs_a_description_and_a_place_and_valid_contact_details() {
        let rule = |r: NewPublicReport| r.check().err().map(|e| e.rule);
        assert_eq!(rule(report()), None);
        assert_eq!(rule(NewPublicReport { description: "Rubbish".into(), ..report() }), Some("report_description"));
        let nowhere = NewPublicReport { latitude: None, longitude: None, ..report() };
        assert_eq!(rule(nowhere.clone()), Some("report_location"));
        assert_eq!(rule(NewPublicReport { address: "Verulam Road".into(), ..nowhere }), None);
        assert_eq!(rule(NewPublicReport { longitude: None, ..report() }), Some("report_location"));
        assert_eq!(rule(NewPublicReport { email: "jane@".into(), ..report() }), Some("report_email"));
        assert_eq!(rule(NewPublicReport { email: "jane@example.org".into(), ..report() }), None);
        assert_eq!(rule(NewPublicReport { phone: "call me".into(), ..report() }), Some("report_phone"));
        assert_eq!(rule(NewPublicReport { phone: "01727 866100".into(), ..report() }), None);
        assert_eq!(
            rule(NewPublicReport { media_url: "javascript:alert(1)".into(), ..report() }),
            Some("report_media_url")
        );
        assert_eq!(rule(NewPublicReport { media_url: "https://fms.example/p/1.jpeg".into(), ..report() }), None);
    }

    #[test]
    fn only_the_services_own_attributes_are_kept_and_their_answers_come_from_its_list() {
        let answers = |pairs: &[(&str, &str)]| NewPublicReport {
            attributes: pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            ..report()
        };
        let sized = answers(&[("size", "small_van_load"), ("fixmystreet_id", "123")]);
        assert_eq!(sized.check().err().map(|e| e.rule), None);
        assert_eq!(
            sized.kept_attributes().into_iter().collect::<Vec<_>>(),
            vec![("size".into(), "small_van_load".into())]
        );
        assert_eq!(answers(&[("size", "a lot")]).check().err().map(|e| e.rule), Some("report_attribute"));
        let noise = NewPublicReport { service_code: "noise-domestic".into(), ..answers(&[("size", "a lot")]) };
        assert!(noise.check().is_ok() && noise.kept_attributes().is_empty(), "other services ask nothing more");
        assert_eq!(attributes_for("fly-tipping").len(), 3);
    }

    #[test]
    fn all_three_fly_tipping_answers_give_the_defra_categories() {
        let answers = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
        };
        let full = answers(&[
            ("land_type", "footpath_bridleway"),
            ("waste_type", "other_household"),
            ("size", "car_boot_or_less"),
        ]);
        let tip = fly_tip_from("fly-tipping", &full).expect("all three answered");
        assert_eq!(fly_tip_from("graffiti", &full), None, "only a fly-tip has Defra's categories");
        assert_eq!(
            (tip.land_type, tip.waste_type, tip.size, tip.cleared_on),
            (LandType::FootpathBridleway, WasteType::OtherHousehold, TipSize::CarBootOrLess, None)
        );
        assert_eq!(
            fly_tip_from("fly-tipping", &answers(&[("land_type", "footpath_bridleway"), ("size", "car_boot_or_less")])),
            None
        );
        assert_eq!(
            fly_tip_from(
                "fly-tipping",
                &answers(&[("land_type", "moon"), ("waste_type", "other_household"), ("size", "car_boot_or_less")])
            ),
            None
        );
    }

    #[test]
    fn statuses_map_to_open311_and_to_the_milestones_residents_hear_about() {
        assert_eq!(ReportStatus::InternalReferral.open311(), "open");
        assert_eq!(ReportStatus::Duplicate.open311(), "closed");
        assert_eq!(ReportStatus::Investigating.milestone(), Milestone::Assigned);
        assert_eq!(ReportStatus::Fixed.milestone(), Milestone::ActionTaken);
        assert_eq!(ReportStatus::NoFurtherAction.milestone(), Milestone::Closed);
        assert!(!looks_like_email("a b@example.org") && looks_like_email("a.b@example.org"));
    }
}
