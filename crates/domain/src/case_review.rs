//! The ASB Case Review (section 104, Anti-social Behaviour, Crime and Policing
//! Act 2014): which complaints count towards the threshold, when the officer
//! should tell the victim about the review, the working-day clocks for
//! acknowledging, deciding and meeting (skipping the bank holidays of a
//! [`BankHolidays`] calendar), and the shape of the annual published figures.
//!
//! Calendar rules are applied to UK local dates (see [`crate::uk_time`]), so a
//! complaint received at 00:30 BST on 1 April counts as received on 1 April
//! even though it is still 31 March in UTC.
//!
//! **Window convention.** With `now` on local date `D`, the window starts at
//! local midnight on `D` minus `window_months` calendar months (the same day
//! number, clamped to the end of a shorter month: 31 August minus 6 months is
//! 28 or 29 February). A complaint qualifies when it was received on or after
//! that local date and not after `now`, **and** its local receipt date is no
//! later than the local date of the behaviour plus `report_within_months`
//! calendar months (same clamping: behaviour on 31 January, reported by 28/29
//! February), and not before the behaviour's local date.

use crate::calendar::BankHolidays;
use crate::uk_time::{london_date, london_midnight};
use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A complaint about anti-social behaviour, as counted for the Case Review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Complaint {
    /// The complaint's id.
    pub id: String,
    /// The agency that received it.
    pub agency: String,
    /// When it was received.
    pub received_at: DateTime<Utc>,
    /// When the behaviour complained of happened.
    pub behaviour_at: DateTime<Utc>,
    /// The complainant perceives the behaviour as hate motivated.
    pub hate: bool,
}

/// The partnership's Case Review threshold (published locally).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Rules {
    /// Qualifying complaints needed (statutory maximum 3; default 3).
    pub threshold: u32,
    /// Window, in calendar months before today, in which they must be received (default 6).
    pub window_months: u32,
    /// Each must be received within this many calendar months of the behaviour (default 1).
    pub report_within_months: u32,
    /// Local rule: one qualifying hate-motivated complaint meets the threshold (default false).
    pub single_hate_incident_qualifies: bool,
}

impl Default for Rules {
    fn default() -> Self {
        Self { threshold: 3, window_months: 6, report_within_months: 1, single_hate_incident_qualifies: false }
    }
}

/// The most qualifying complaints a local threshold may require (the 2014
/// Act's Case Review and its statutory guidance: no more than three
/// complaints in six months).
pub const STATUTORY_MAX_THRESHOLD: u32 = 3;
/// The shortest window a local threshold may count complaints in (months).
pub const STATUTORY_MIN_WINDOW_MONTHS: u32 = 6;
/// The shortest time after the behaviour a complaint may be made in and
/// still count (months).
pub const STATUTORY_MIN_REPORT_MONTHS: u32 = 1;

impl Rules {
    /// Refuses a local threshold stricter than the law allows: more than
    /// three complaints, a window shorter than six months, or less than a
    /// month to complain. A partnership may set a lower bar (fewer
    /// complaints, a longer window), never a higher one.
    pub fn validate(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        if !(1..=STATUTORY_MAX_THRESHOLD).contains(&self.threshold) {
            problems.push(format!(
                "case_review.threshold must be from 1 to {STATUTORY_MAX_THRESHOLD} (the statutory maximum), not {}",
                self.threshold
            ));
        }
        if !(STATUTORY_MIN_WINDOW_MONTHS..=120).contains(&self.window_months) {
            problems.push(format!(
                "case_review.window_months must be from {STATUTORY_MIN_WINDOW_MONTHS} (the statutory minimum) to 120, not {}",
                self.window_months
            ));
        }
        if !(STATUTORY_MIN_REPORT_MONTHS..=120).contains(&self.report_within_months) {
            problems.push(format!(
                "case_review.report_within_months must be from {STATUTORY_MIN_REPORT_MONTHS} (the statutory minimum) to 120, not {}",
                self.report_within_months
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join("; "))
        }
    }
}

/// Whether the Case Review threshold is met, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Eligibility {
    /// Ids of the qualifying complaints, in input order (each id once).
    pub qualifying: Vec<String>,
    /// How many complaints qualify.
    pub count: u32,
    /// The threshold applied.
    pub threshold: u32,
    /// The threshold is met (by count, or by the local hate-incident rule).
    pub threshold_met: bool,
    /// One more qualifying complaint would meet the threshold (by default:
    /// at the second): the officer should tell the victim about the Case Review.
    pub prompt_officer: bool,
    /// Complaints received at or after this instant (UK local midnight) are in the window.
    pub window_start: DateTime<Utc>,
    /// Plain-words reasons: each complaint not counted and why, and the outcome.
    pub reasons: Vec<String>,
}

fn sub_months(d: NaiveDate, months: u32) -> NaiveDate {
    d.checked_sub_months(Months::new(months)).unwrap_or(NaiveDate::MIN)
}

fn add_months(d: NaiveDate, months: u32) -> NaiveDate {
    d.checked_add_months(Months::new(months)).unwrap_or(NaiveDate::MAX)
}

/// Counts qualifying complaints against `rules` as of `now` (see the module
/// documentation for the window convention). Complaints with a repeated id
/// are counted once.
pub fn eligibility(complaints: &[Complaint], rules: &Rules, now: DateTime<Utc>) -> Eligibility {
    let today = london_date(now);
    let start_date = sub_months(today, rules.window_months);
    let window_start = london_midnight(start_date);
    let mut qualifying = Vec::new();
    let mut seen = BTreeSet::new();
    let mut reasons = Vec::new();
    let mut hate = false;
    for c in complaints {
        if !seen.insert(c.id.as_str()) {
            continue;
        }
        let received = london_date(c.received_at);
        let behaviour = london_date(c.behaviour_at);
        let report_by = add_months(behaviour, rules.report_within_months);
        if c.received_at > now {
            reasons.push(format!("complaint {} not counted: received {received}, after today", c.id));
        } else if received < start_date {
            reasons.push(format!(
                "complaint {} not counted: received {received}, before the window starting {start_date}",
                c.id
            ));
        } else if received < behaviour {
            reasons.push(format!(
                "complaint {} not counted: received {received}, before the behaviour on {behaviour}",
                c.id
            ));
        } else if received > report_by {
            reasons.push(format!(
                "complaint {} not counted: received {received}, more than {} month(s) after the behaviour on {behaviour}",
                c.id, rules.report_within_months
            ));
        } else {
            hate |= c.hate;
            qualifying.push(c.id.clone());
        }
    }
    let count = u32::try_from(qualifying.len()).unwrap_or(u32::MAX);
    let by_count = count >= rules.threshold;
    let by_hate = rules.single_hate_incident_qualifies && hate;
    let threshold_met = by_count || by_hate;
    let prompt_officer = !threshold_met && count.checked_add(1) == Some(rules.threshold);
    reasons
        .push(format!("{count} qualifying complaint(s) received since {start_date} (threshold {})", rules.threshold));
    if by_count {
        reasons.push("threshold met".into());
    } else if by_hate {
        reasons.push("threshold met: a qualifying hate-motivated complaint (local rule)".into());
    } else if prompt_officer {
        reasons.push(
            "one more qualifying complaint meets the threshold: tell the victim about the ASB Case Review".into(),
        );
    }
    Eligibility { qualifying, count, threshold: rules.threshold, threshold_met, prompt_officer, window_start, reasons }
}

/// The last instant of UK local date `d`: eligibility "on the day an
/// application was received" counts every complaint received that day.
pub fn end_of_day(d: NaiveDate) -> DateTime<Utc> {
    d.succ_opt().map_or(DateTime::<Utc>::MAX_UTC, |next| london_midnight(next) - chrono::Duration::milliseconds(1))
}

/// Working-day timescales for handling a Case Review application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Timescales {
    /// Acknowledge the application within (default 3 working days).
    pub acknowledge_working_days: u32,
    /// Decide whether the threshold is met within (default 14 working days).
    pub decision_working_days: u32,
    /// Hold the review meeting within (default 21 working days).
    pub meeting_working_days: u32,
}

impl Default for Timescales {
    fn default() -> Self {
        Self { acknowledge_working_days: 3, decision_working_days: 14, meeting_working_days: 21 }
    }
}

/// The deadlines for one application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Clocks {
    /// Acknowledge by the end of this day.
    pub acknowledge_by: NaiveDate,
    /// Decide on the threshold by the end of this day.
    pub decide_by: NaiveDate,
    /// Hold the meeting by the end of this day.
    pub meeting_by: NaiveDate,
}

/// Monday to Friday and not a bank holiday in `bank_holidays`. (Past the
/// calendar's end every weekday counts: see [`BankHolidays::covers_until`].)
pub fn is_working_day(d: NaiveDate, bank_holidays: &BankHolidays) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) && !bank_holidays.contains(d)
}

fn next_day(d: NaiveDate) -> NaiveDate {
    d.checked_add_days(Days::new(1)).unwrap_or(NaiveDate::MAX)
}

/// The date `n` working days after `from`. If `from` is not a working day,
/// it is treated as received on the next working day (so an application on
/// Saturday has the same deadlines as one on Monday); `n = 0` gives that day.
pub fn add_working_days(from: NaiveDate, n: u32, bank_holidays: &BankHolidays) -> NaiveDate {
    let mut d = from;
    while !is_working_day(d, bank_holidays) && d < NaiveDate::MAX {
        d = next_day(d);
    }
    for _ in 0..n {
        d = next_day(d);
        while !is_working_day(d, bank_holidays) && d < NaiveDate::MAX {
            d = next_day(d);
        }
    }
    d
}

/// The acknowledge, decide and meeting deadlines for an application received
/// on `received_on` (a UK local date), skipping weekends and `bank_holidays`
/// (see [`add_working_days`] for weekend receipt).
pub fn clocks(received_on: NaiveDate, t: &Timescales, bank_holidays: &BankHolidays) -> Clocks {
    Clocks {
        acknowledge_by: add_working_days(received_on, t.acknowledge_working_days, bank_holidays),
        decide_by: add_working_days(received_on, t.decision_working_days, bank_holidays),
        meeting_by: add_working_days(received_on, t.meeting_working_days, bank_holidays),
    }
}

/// The Case Review figures a partnership publishes each year (counted by storage).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct AnnualFigures {
    /// Applications for a Case Review received.
    pub applications: u32,
    /// Applications where the threshold was met.
    pub threshold_met: u32,
    /// Case Reviews carried out.
    pub reviews_held: u32,
    /// Reviews that resulted in recommendations.
    pub recommendations: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_local_threshold_may_be_lower_than_the_law_but_never_higher() {
        assert!(Rules::default().validate().is_ok(), "3 complaints in 6 months, each within a month");
        let at = |threshold, window_months, report_within_months| {
            Rules { threshold, window_months, report_within_months, single_hate_incident_qualifies: false }.validate()
        };
        assert!(at(1, 12, 3).is_ok(), "a lower bar is allowed");
        let four = at(4, 6, 1).expect_err("4 complaints is above the statutory maximum");
        assert!(four.contains("case_review.threshold must be from 1 to 3"), "{four}");
        assert!(at(0, 6, 1).is_err(), "no threshold at all");
        assert!(at(3, 5, 1).expect_err("5 months").contains("window_months"));
        assert!(at(3, 6, 0).expect_err("no time to complain").contains("report_within_months"));
        let all = at(9, 2, 0).expect_err("everything wrong");
        assert_eq!(all.matches("must be").count(), 3, "every problem named at once: {all}");
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).expect("time").with_timezone(&Utc)
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn c(id: &str, received: &str, behaviour: &str) -> Complaint {
        Complaint {
            id: id.into(),
            agency: "police".into(),
            received_at: utc(received),
            behaviour_at: utc(behaviour),
            hate: false,
        }
    }

    #[test]
    fn three_in_six_months_meets_threshold_and_two_prompts() {
        let now = utc("2025-06-15T12:00:00Z");
        let mut cs = vec![
            c("a", "2025-02-01T10:00:00Z", "2025-01-30T10:00:00Z"),
            c("b", "2025-05-01T10:00:00Z", "2025-05-01T09:00:00Z"),
        ];
        let e = eligibility(&cs, &Rules::default(), now);
        assert_eq!((e.count, e.threshold, e.threshold_met, e.prompt_officer), (2, 3, false, true));
        cs.push(c("c", "2025-06-14T10:00:00Z", "2025-06-01T10:00:00Z"));
        let e = eligibility(&cs, &Rules::default(), now);
        assert_eq!(e.qualifying, vec!["a", "b", "c"]);
        assert_eq!((e.count, e.threshold_met, e.prompt_officer), (3, true, false));
        // a repeated id counts once
        cs.push(c("c", "2025-06-14T10:00:00Z", "2025-06-01T10:00:00Z"));
        assert_eq!(eligibility(&cs, &Rules::default(), now).count, 3);
        // one complaint: neither met nor prompt
        let e = eligibility(&cs[..1], &Rules::default(), now);
        assert_eq!((e.count, e.threshold_met, e.prompt_officer), (1, false, false));
    }

    #[test]
    fn window_edge_exactly_six_months_and_one_day_over() {
        // today (local) 15 June 2025 (BST); window starts 00:00 BST 15 Dec 2024 = 00:00 UTC (GMT in December)
        let now = utc("2025-06-15T08:00:00Z");
        let e = eligibility(&[], &Rules::default(), now);
        assert_eq!(e.window_start, utc("2024-12-15T00:00:00Z"));
        let on_edge = c("edge", "2024-12-15T00:00:00Z", "2024-12-10T00:00:00Z");
        let over = c("over", "2024-12-14T23:59:59Z", "2024-12-10T00:00:00Z");
        let e = eligibility(&[on_edge, over], &Rules::default(), now);
        assert_eq!(e.qualifying, vec!["edge"]);
        assert!(e
            .reasons
            .iter()
            .any(|r| r.starts_with("complaint over not counted") && r.contains("before the window")));
        // future complaints are not counted
        let e = eligibility(&[c("f", "2025-06-15T09:00:00Z", "2025-06-15T07:00:00Z")], &Rules::default(), now);
        assert_eq!(e.count, 0);
    }

    #[test]
    fn window_start_clamps_to_month_end() {
        // 31 August minus 6 months is 28 February (2025 not a leap year)
        let e = eligibility(&[], &Rules::default(), utc("2025-08-31T12:00:00Z"));
        assert_eq!(e.window_start, utc("2025-02-28T00:00:00Z"));
        let e = eligibility(&[], &Rules::default(), utc("2024-08-31T12:00:00Z"));
        assert_eq!(e.window_start, utc("2024-02-29T00:00:00Z"));
    }

    #[test]
    fn reported_within_one_calendar_month_of_behaviour() {
        let now = utc("2025-03-01T12:00:00Z");
        let exactly = c("exact", "2025-02-10T16:00:00Z", "2025-01-10T09:00:00Z");
        let late = c("late", "2025-02-11T08:00:00Z", "2025-01-10T09:00:00Z");
        let e = eligibility(&[exactly, late], &Rules::default(), now);
        assert_eq!(e.qualifying, vec!["exact"]);
        assert!(e.reasons.iter().any(|r| r.starts_with("complaint late not counted") && r.contains("month")));
        // behaviour on 31 January: reported by 28 February
        let e = eligibility(
            &[
                c("feb28", "2025-02-28T12:00:00Z", "2025-01-31T12:00:00Z"),
                c("mar1", "2025-03-01T00:30:00Z", "2025-01-31T12:00:00Z"),
            ],
            &Rules::default(),
            now,
        );
        assert_eq!(e.qualifying, vec!["feb28"]);
        // received before the behaviour: not counted
        let e = eligibility(&[c("odd", "2025-02-01T12:00:00Z", "2025-02-02T12:00:00Z")], &Rules::default(), now);
        assert_eq!(e.count, 0);
    }

    #[test]
    fn eligibility_by_local_dates_across_bst_changes() {
        // Behaviour 31 March 2025: report by 30 April (clamped). Received 23:30 BST on 30 April
        // qualifies; received 00:30 BST on 1 May (still 30 April in UTC) does not.
        let now = utc("2025-05-10T12:00:00Z");
        let e = eligibility(
            &[
                c("x", "2025-04-30T22:30:00Z", "2025-03-31T12:00:00Z"),
                c("z", "2025-04-30T23:30:00Z", "2025-03-31T12:00:00Z"),
            ],
            &Rules::default(),
            now,
        );
        assert_eq!(e.qualifying, vec!["x"]);
        // Behaviour at 00:30 BST on 1 April (31 March UTC), received 1 May: exactly a month by local date.
        let e = eligibility(
            &[c("y", "2025-05-01T10:00:00Z", "2025-03-31T23:30:00Z")],
            &Rules::default(),
            utc("2025-05-02T12:00:00Z"),
        );
        assert_eq!(e.count, 1);

        // Window edge across the October change: today 26 April 2026 (BST); the window starts
        // 26 October 2025 local midnight, which is 23:00 UTC on 25 October (still BST at midnight).
        let now = utc("2026-04-26T12:00:00Z");
        let e = eligibility(&[], &Rules::default(), now);
        assert_eq!(e.window_start, utc("2025-10-25T23:00:00Z"));
        let inside = c("in", "2025-10-25T23:30:00Z", "2025-10-20T12:00:00Z"); // 00:30 BST on 26 Oct
        let outside = c("out", "2025-10-25T22:30:00Z", "2025-10-20T12:00:00Z"); // 23:30 BST on 25 Oct
        let e = eligibility(&[inside, outside], &Rules::default(), now);
        assert_eq!(e.qualifying, vec!["in"]);
    }

    #[test]
    fn hate_rule_and_custom_threshold() {
        let now = utc("2025-06-15T12:00:00Z");
        let mut h = c("h", "2025-06-01T10:00:00Z", "2025-06-01T09:00:00Z");
        h.hate = true;
        let e = eligibility(std::slice::from_ref(&h), &Rules::default(), now);
        assert!(!e.threshold_met);
        let local = Rules { single_hate_incident_qualifies: true, ..Rules::default() };
        let e = eligibility(std::slice::from_ref(&h), &local, now);
        assert!(e.threshold_met && !e.prompt_officer);
        assert!(e.reasons.iter().any(|r| r.contains("hate")));
        // a hate complaint outside the window does not count
        let mut old = h.clone();
        old.received_at = utc("2024-01-02T10:00:00Z");
        old.behaviour_at = utc("2024-01-01T10:00:00Z");
        assert!(!eligibility(&[old], &local, now).threshold_met);
        // threshold 2: first complaint prompts
        let two = Rules { threshold: 2, ..Rules::default() };
        let e = eligibility(&[c("a", "2025-06-01T10:00:00Z", "2025-06-01T09:00:00Z")], &two, now);
        assert!(e.prompt_officer && !e.threshold_met);
        // threshold 0 is trivially met and never prompts
        let zero = Rules { threshold: 0, ..Rules::default() };
        let e = eligibility(&[], &zero, now);
        assert!(e.threshold_met && !e.prompt_officer);
        // rules deserialise with defaults
        let r: Rules = toml::from_str("threshold = 2").expect("rules");
        assert_eq!((r.threshold, r.window_months, r.report_within_months), (2, 6, 1));
    }

    #[test]
    fn working_day_clocks() {
        let bh = BankHolidays::bundled();
        assert!(bh.days().iter().all(|x| is_working_day(x.date, &weekends_only())), "every bank holiday is a weekday");
        let t = Timescales::default();
        // Monday 2 June 2025, no holidays in range
        let k = clocks(d(2025, 6, 2), &t, bh);
        assert_eq!(k.acknowledge_by, d(2025, 6, 5));
        assert_eq!(k.decide_by, d(2025, 6, 20));
        assert_eq!(k.meeting_by, d(2025, 7, 1));
        // received Saturday: same as Monday
        assert_eq!(clocks(d(2025, 5, 31), &t, bh), k);
        // across Easter 2025 (Good Friday 18 April, Easter Monday 21 April)
        let k = clocks(d(2025, 4, 16), &t, bh);
        assert_eq!(k.acknowledge_by, d(2025, 4, 23));
        // across Christmas 2026 (25 Dec Friday, 28 Dec substitute, 1 Jan Friday)
        let k = clocks(d(2026, 12, 24), &t, bh);
        assert_eq!(k.acknowledge_by, d(2026, 12, 31));
        // received on a bank holiday: counting as from the next working day
        assert_eq!(add_working_days(d(2025, 8, 25), 0, bh), d(2025, 8, 26));
        assert_eq!(add_working_days(d(2025, 8, 25), 1, bh), d(2025, 8, 27));
        // without the holidays, weekends only
        assert_eq!(add_working_days(d(2025, 4, 16), 3, &weekends_only()), d(2025, 4, 21));
        // 2028, past the old hard-coded list: Easter (14 and 17 April) is skipped
        assert_eq!(add_working_days(d(2028, 4, 12), 3, bh), d(2028, 4, 19));
    }

    /// A calendar whose only holiday is far from every date tested.
    fn weekends_only() -> BankHolidays {
        BankHolidays::parse(
            r#"{"england-and-wales": {"events": [{"title": "X", "date": "1990-01-01", "notes": "", "bunting": true}]}}"#,
        )
        .expect("calendar")
    }

    #[test]
    fn working_days_across_a_loaded_year_beyond_the_bundled_calendar() {
        // GOV.UK's file as it would be published for 2029 (Easter Sunday 1 April 2029).
        let json = r#"{"england-and-wales": {"division": "england-and-wales", "events": [
            {"title": "New Year’s Day", "date": "2029-01-01", "notes": "", "bunting": true},
            {"title": "Good Friday", "date": "2029-03-30", "notes": "", "bunting": false},
            {"title": "Easter Monday", "date": "2029-04-02", "notes": "", "bunting": true},
            {"title": "Early May bank holiday", "date": "2029-05-07", "notes": "", "bunting": true},
            {"title": "Spring bank holiday", "date": "2029-05-28", "notes": "", "bunting": true},
            {"title": "Summer bank holiday", "date": "2029-08-27", "notes": "", "bunting": true},
            {"title": "Christmas Day", "date": "2029-12-25", "notes": "", "bunting": true},
            {"title": "Boxing Day", "date": "2029-12-26", "notes": "", "bunting": true}
        ]}}"#;
        let loaded = BankHolidays::parse(json).expect("2029");
        let t = Timescales::default();
        // Received Wednesday 28 March 2029: Thursday 29, (Good Friday, weekend, Easter Monday), Tuesday 3, Wednesday 4.
        let k = clocks(d(2029, 3, 28), &t, &loaded);
        assert_eq!(k.acknowledge_by, d(2029, 4, 4));
        assert_eq!(k.decide_by, d(2029, 4, 19));
        assert_eq!(k.meeting_by, d(2029, 4, 30));
        // Thursday 3 May: Friday 4, (weekend, early May bank holiday), Tuesday 8, Wednesday 9
        assert_eq!(clocks(d(2029, 5, 3), &t, &loaded).acknowledge_by, d(2029, 5, 9));
        // Christmas 2029: Monday 24, (25, 26), 27, 28, (weekend), 31 December
        assert_eq!(clocks(d(2029, 12, 24), &t, &loaded).acknowledge_by, d(2029, 12, 31));
        // the bundled calendar (to 2028) knows nothing of 2029: Easter counted as working days
        assert_eq!(clocks(d(2029, 3, 28), &t, BankHolidays::bundled()).acknowledge_by, d(2029, 4, 2));
    }

    #[test]
    fn annual_figures_default_and_serialise() {
        let f = AnnualFigures::default();
        assert_eq!(f.applications + f.threshold_met + f.reviews_held + f.recommendations, 0);
        let json = serde_json::to_string(&f).expect("json");
        assert!(json.contains("\"reviews_held\":0"));
    }
}

/// The decision and meeting details of a Case Review.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct CaseReviewUpdate {
    /// Threshold met.
    pub threshold_met: Option<bool>,
    /// Decision date.
    pub decided_on: Option<NaiveDate>,
    /// Meeting date.
    pub meeting_on: Option<NaiveDate>,
    /// Chair.
    pub chair: Option<String>,
    /// Panel.
    pub panel: Option<String>,
    /// Victim attended.
    pub victim_attended: Option<bool>,
    /// Recommendations made.
    #[serde(default)]
    pub recommendations: i64,
    /// Outcome.
    pub outcome: Option<String>,
    /// Appeal.
    pub appeal: Option<String>,
}

/// Most recommendations one Case Review can record.
pub const MAX_RECOMMENDATIONS: i64 = 100;

impl CaseReviewUpdate {
    /// Checks every field's range before anything is stored: the
    /// recommendations count, the lengths of the free text, and dates from
    /// the 2014 Act to a year after `today`.
    pub fn check(&self, today: NaiveDate) -> Result<(), String> {
        if !(0..=MAX_RECOMMENDATIONS).contains(&self.recommendations) {
            return Err(format!("recommendations must be a whole number from 0 to {MAX_RECOMMENDATIONS}"));
        }
        for (field, value, max) in [
            ("chair", &self.chair, 200),
            ("panel", &self.panel, 2_000),
            ("outcome", &self.outcome, 5_000),
            ("appeal", &self.appeal, 5_000),
        ] {
            if value.as_deref().is_some_and(|v| v.chars().count() > max) {
                return Err(format!("{field} must be {max} characters or fewer"));
            }
        }
        let earliest = NaiveDate::from_ymd_opt(2014, 10, 20).unwrap_or(NaiveDate::MIN);
        let next_year = today.checked_add_days(chrono::Days::new(366)).unwrap_or(today);
        for (field, date) in [("decided_on", self.decided_on), ("meeting_on", self.meeting_on)] {
            if date.is_some_and(|d| d < earliest || d > next_year) {
                return Err(format!("{field} must be a date from 20 October 2014 (the 2014 Act) to a year from today"));
            }
        }
        Ok(())
    }
}

/// An application for an ASB Case Review as received, checked: who applied
/// (`victim`, `on_behalf` or `community`), about whom (optional) and when
/// (never after today).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseReviewApplication {
    /// The person the application is about, when recorded.
    pub person_id: Option<String>,
    /// Who applied: `victim`, `on_behalf` or `community`.
    pub applicant_kind: String,
    /// The day it was received.
    pub received_on: NaiveDate,
}

impl CaseReviewApplication {
    /// Who may apply.
    pub const APPLICANT_KINDS: [&str; 3] = ["victim", "on_behalf", "community"];

    /// A checked application, or the message to show.
    pub fn new(
        person_id: Option<&str>,
        applicant_kind: &str,
        received_on: NaiveDate,
        today: NaiveDate,
    ) -> Result<Self, String> {
        let applicant_kind = applicant_kind.trim();
        if !Self::APPLICANT_KINDS.contains(&applicant_kind) {
            return Err("applicant_kind must be victim, on_behalf or community".into());
        }
        if received_on > today {
            return Err("received_on cannot be in the future".into());
        }
        let person_id = person_id.map(str::trim).filter(|p| !p.is_empty()).map(str::to_string);
        Ok(Self { person_id, applicant_kind: applicant_kind.to_string(), received_on })
    }
}

#[cfg(test)]
mod command_tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn an_application_is_checked_with_the_field_named() {
        let today = d("2026-01-15");
        let a = CaseReviewApplication::new(Some(" "), " victim ", today, today).expect("application");
        assert_eq!((a.person_id, a.applicant_kind.as_str()), (None, "victim"));
        assert_eq!(
            CaseReviewApplication::new(None, "neighbour", today, today),
            Err("applicant_kind must be victim, on_behalf or community".into())
        );
        assert_eq!(
            CaseReviewApplication::new(None, "victim", d("2026-01-16"), today),
            Err("received_on cannot be in the future".into())
        );
    }

    #[test]
    fn an_update_is_checked_with_the_field_named() {
        let today = d("2026-01-15");
        assert_eq!(CaseReviewUpdate::default().check(today), Ok(()));
        let panel = CaseReviewUpdate { panel: Some("x".repeat(2_001)), ..Default::default() };
        assert_eq!(panel.check(today), Err("panel must be 2000 characters or fewer".into()));
        let many = CaseReviewUpdate { recommendations: 101, ..Default::default() };
        assert!(many.check(today).is_err_and(|e| e.starts_with("recommendations")));
        let early = CaseReviewUpdate { meeting_on: Some(d("2014-10-19")), ..Default::default() };
        assert!(early.check(today).is_err_and(|e| e.starts_with("meeting_on")));
    }
}

#[cfg(test)]
mod application_date_tests {
    use super::*;

    #[test]
    fn the_end_of_a_uk_day_in_summer_and_winter() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("date");
        assert_eq!(end_of_day(d(2026, 6, 1)).to_rfc3339(), "2026-06-01T22:59:59.999+00:00");
        assert_eq!(end_of_day(d(2026, 1, 14)).to_rfc3339(), "2026-01-14T23:59:59.999+00:00");
        assert_eq!(london_date(end_of_day(d(2026, 3, 29))), d(2026, 3, 29), "the day the clocks go forward");
    }
}
