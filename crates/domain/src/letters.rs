//! Letters and notices from templates with the statutory wording: the
//! warning letter, the acceptable behaviour contract, the community
//! protection warning and notice, and the closure notice. Templates are
//! data (`crates/domain/letters/*.toml`, embedded at build time); filling one
//! from an intervention refuses, naming it, anything the notice must state
//! that the record does not hold (a CPW's compliance date, a closure
//! notice's hearing).

use crate::interventions::InterventionKind;
use serde::Deserialize;

/// A letter's template.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Template {
    /// The heading.
    pub title: String,
    /// The power it is issued under, as printed under the heading.
    pub basis: String,
    /// The paragraphs, with `{placeholders}`.
    pub paragraphs: Vec<String>,
}

/// The embedded template for an intervention kind, if it has one.
pub fn template(kind: InterventionKind) -> Option<Template> {
    let text = match kind {
        InterventionKind::WarningLetter => include_str!("../letters/warning_letter.toml"),
        InterventionKind::AcceptableBehaviourContract => include_str!("../letters/acceptable_behaviour_contract.toml"),
        InterventionKind::CommunityProtectionWarning => include_str!("../letters/community_protection_warning.toml"),
        InterventionKind::CommunityProtectionNotice => include_str!("../letters/community_protection_notice.toml"),
        InterventionKind::ClosureNotice => include_str!("../letters/closure_notice.toml"),
        _ => return None,
    };
    toml::from_str(text).ok()
}

/// What a letter is filled from, already worded for print (dates as
/// "16 December 2026", times as "10:00 on 16 December 2026").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields {
    /// The person, business or premises it is to.
    pub subject: String,
    /// The behaviour it addresses.
    pub conduct: String,
    /// The issuing agency's name.
    pub agency: String,
    /// The case reference.
    pub reference: String,
    /// The issue date.
    pub issued_on: String,
    /// When it takes effect.
    pub starts_at: String,
    /// When it ends.
    pub expires_at: Option<String>,
    /// A warning's compliance date.
    pub compliance_by: Option<String>,
    /// Who authorised it.
    pub authorised_by: Option<String>,
    /// Where and when the court will hear the application (closure).
    pub hearing: Option<String>,
}

/// A filled letter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Letter {
    /// The heading.
    pub title: String,
    /// The power it is issued under.
    pub basis: String,
    /// The paragraphs, filled.
    pub paragraphs: Vec<String>,
}

/// Fills `t` from `f`. A placeholder the record has no value for is
/// refused with what to give: "the letter needs where and when the court
/// will hear the application".
pub fn fill(t: &Template, f: &Fields) -> Result<Letter, String> {
    let values: [(&str, Option<&str>, &str); 10] = [
        ("subject", Some(&f.subject), "who it is to"),
        ("conduct", Some(&f.conduct), "the conduct"),
        ("agency", Some(&f.agency), "the agency"),
        ("reference", Some(&f.reference), "the reference"),
        ("issued_on", Some(&f.issued_on), "the issue date"),
        ("starts_at", Some(&f.starts_at), "when it takes effect"),
        ("expires_at", f.expires_at.as_deref(), "when it ends"),
        ("compliance_by", f.compliance_by.as_deref(), "the date by which the behaviour must stop"),
        ("authorised_by", f.authorised_by.as_deref(), "who authorised it"),
        ("hearing", f.hearing.as_deref(), "where and when the court will hear the application"),
    ];
    let mut paragraphs = Vec::with_capacity(t.paragraphs.len());
    for p in &t.paragraphs {
        // One pass over the template: what the record holds is copied in as
        // it is, never read again for placeholders.
        let mut text = String::with_capacity(p.len());
        let mut rest = p.as_str();
        while let Some(start) = rest.find('{') {
            text.push_str(&rest[..start]);
            let after = &rest[start + 1..];
            let end = after.find('}').unwrap_or(after.len());
            let name = &after[..end];
            let Some((_, value, what)) = values.iter().find(|(known, _, _)| *known == name) else {
                return Err(format!("the template has an unknown placeholder {{{name}}}"));
            };
            let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
                return Err(format!("the letter needs {what}"));
            };
            text.push_str(v);
            rest = after.get(end + 1..).unwrap_or("");
        }
        text.push_str(rest);
        paragraphs.push(text);
    }
    Ok(Letter { title: t.title.clone(), basis: t.basis.clone(), paragraphs })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> Fields {
        Fields {
            subject: "Kyle Example".into(),
            conduct: "Playing loud music at night".into(),
            agency: "St Albans City & District Council".into(),
            reference: "CASE-2026-00001".into(),
            issued_on: "15 January 2026".into(),
            starts_at: "09:00 on 15 January 2026".into(),
            expires_at: Some("09:00 on 16 January 2026".into()),
            compliance_by: Some("29 January 2026".into()),
            authorised_by: Some("Council chief executive (or designate)".into()),
            hearing: Some("St Albans Magistrates' Court, 10:00 on 16 January 2026".into()),
        }
    }

    #[test]
    fn every_template_parses_and_fills_without_leftover_placeholders() {
        let with_templates: Vec<InterventionKind> =
            InterventionKind::ALL.into_iter().filter(|k| template(*k).is_some()).collect();
        assert_eq!(with_templates.len(), 5, "{with_templates:?}");
        for k in with_templates {
            let t = template(k).expect("template");
            let letter = fill(&t, &fields()).expect("filled");
            assert!(letter.paragraphs.iter().all(|p| !p.contains('{') && !p.contains('}')), "{k}");
            assert!(letter.paragraphs.iter().any(|p| p.contains("Kyle Example")), "{k}");
        }
    }

    #[test]
    fn the_statutory_wording_is_there() {
        let cpw = fill(&template(InterventionKind::CommunityProtectionWarning).expect("t"), &fields()).expect("cpw");
        assert!(cpw.basis.contains("section 43(5)"));
        assert!(cpw.paragraphs.iter().any(|p| p.contains("unless this conduct stops by 29 January 2026")));
        let cpn = fill(&template(InterventionKind::CommunityProtectionNotice).expect("t"), &fields()).expect("cpn");
        assert!(cpn.paragraphs.iter().any(|p| p.contains("within 21 days") && p.contains("section 46")));
        let closure = fill(&template(InterventionKind::ClosureNotice).expect("t"), &fields()).expect("closure");
        assert!(closure.paragraphs.iter().any(|p| p.contains("St Albans Magistrates' Court")));
        assert!(closure.paragraphs.iter().any(|p| p.contains("habitually live")));
    }

    #[test]
    fn what_a_notice_must_state_is_asked_for() {
        let t = template(InterventionKind::ClosureNotice).expect("t");
        assert_eq!(
            fill(&t, &Fields { hearing: None, ..fields() }),
            Err("the letter needs where and when the court will hear the application".into())
        );
        let t = template(InterventionKind::CommunityProtectionWarning).expect("t");
        assert!(fill(&t, &Fields { compliance_by: Some(" ".into()), ..fields() }).is_err());
        let odd = Template { title: "x".into(), basis: "y".into(), paragraphs: vec!["Dear {name}".into()] };
        assert_eq!(fill(&odd, &fields()), Err("the template has an unknown placeholder {name}".into()));
        assert!(template(InterventionKind::FixedPenaltyNotice).is_none());
        let braces = Fields { conduct: "shouting \"{hearing}\" at 3am".into(), hearing: None, ..fields() };
        let letter = fill(&template(InterventionKind::WarningLetter).expect("t"), &braces).expect("filled");
        assert!(letter.paragraphs.iter().any(|p| p.contains("shouting \"{hearing}\" at 3am")), "copied as typed");
    }
}
