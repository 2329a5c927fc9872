//! Partnership meetings: the three kinds (the operational Joint Agency
//! Group, the strategic Responsible Authorities Group and the public
//! Priority Setting Forum) with their standing agendas, action states,
//! statistical disclosure control for anything published, and the ranking
//! of residents' priorities.

use serde::{Deserialize, Serialize};

/// The kind of meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MeetingKind {
    /// Joint Agency Group: operational tasking.
    Jag,
    /// Responsible Authorities Group: strategic.
    Rag,
    /// Priority Setting Forum: public.
    Psf,
}

impl MeetingKind {
    /// Every kind.
    pub const ALL: [MeetingKind; 3] = [MeetingKind::Jag, MeetingKind::Rag, MeetingKind::Psf];

    /// Stable name (`jag`, `rag`, `psf`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Jag => "jag",
            Self::Rag => "rag",
            Self::Psf => "psf",
        }
    }

    /// Full name.
    pub fn label(self) -> &'static str {
        match self {
            Self::Jag => "Joint Agency Group",
            Self::Rag => "Responsible Authorities Group",
            Self::Psf => "Priority Setting Forum",
        }
    }

    /// Parses a stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The standing agenda a new series starts with.
    pub fn standing_agenda(self) -> Vec<String> {
        let items: &[&str] = match self {
            Self::Jag => &[
                "Welcome, attendance and apologies",
                "Actions from the last meeting",
                "New and emerging issues and hotspots since the last JAG",
                "High-risk and overdue cases; ASB Case Reviews due",
                "Active operations and their evaluations",
                "Tasking: new actions",
                "Any other business",
            ],
            Self::Rag => &[
                "Welcome, attendance and apologies",
                "Actions from the last meeting",
                "Performance against each priority",
                "Progress on the strategy's commitments",
                "Operations concluded and their outcomes",
                "Partnership data summary (depersonalised)",
                "Decisions and new actions",
            ],
            Self::Psf => &[
                "Welcome and introductions",
                "Crime and anti-social behaviour in your area",
                "You said, we did",
                "Residents' priorities: survey results",
                "Priorities proposed for the coming period",
                "Questions from residents",
            ],
        };
        items.iter().map(|s| (*s).to_string()).collect()
    }
}

/// Where an action stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    /// Still to do: carried to the next meeting of the series.
    Open,
    /// Done.
    Done,
    /// No longer needed.
    Dropped,
}

impl ActionStatus {
    /// Every status.
    pub const ALL: [ActionStatus; 3] = [ActionStatus::Open, ActionStatus::Done, ActionStatus::Dropped];

    /// Stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Done => "done",
            Self::Dropped => "dropped",
        }
    }

    /// Label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "Open",
            Self::Done => "Done",
            Self::Dropped => "Dropped",
        }
    }

    /// Parses a stable name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The default threshold below which published counts are suppressed.
pub const DEFAULT_DISCLOSURE_THRESHOLD: i64 = 5;

/// A count as it may be published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "shown", rename_all = "snake_case")]
pub enum Disclosed {
    /// Zero: safe to show.
    Zero,
    /// 1 to threshold - 1: shown only as "fewer than threshold".
    Suppressed {
        /// The threshold.
        below: i64,
    },
    /// At or above the threshold: shown rounded to the nearest 5 above 100
    /// (a band that still reads as a number).
    Count {
        /// The value to print.
        value: i64,
    },
    /// At or above the threshold but withheld all the same, so that a
    /// suppressed count beside it cannot be worked out by subtraction from
    /// the total (secondary, or complementary, suppression).
    Withheld,
}

impl Disclosed {
    /// Applies disclosure control to `count` with `threshold` (at least 1).
    pub fn of(count: i64, threshold: i64) -> Self {
        let threshold = threshold.max(1);
        if count <= 0 {
            Self::Zero
        } else if count < threshold {
            Self::Suppressed { below: threshold }
        } else if count > 100 {
            Self::Count { value: (count + 2) / 5 * 5 }
        } else {
            Self::Count { value: count }
        }
    }

    /// How to print it.
    pub fn text(self) -> String {
        match self {
            Self::Zero => "0".into(),
            Self::Suppressed { below } => format!("fewer than {below}"),
            Self::Count { value } => value.to_string(),
            Self::Withheld => "not shown".into(),
        }
    }

    /// Disclosure control for a `total` and the `parts` it is the sum of (a
    /// table's "All areas" row and one row per area). Each count is
    /// controlled as by [`Disclosed::of`], and then, so that no suppressed
    /// count can be worked out by subtracting the published parts from the
    /// published total (complementary suppression):
    ///
    /// - when any part is suppressed and the total is not, the total is
    ///   withheld ("not shown");
    /// - when the total itself is suppressed, every part is shown as
    ///   suppressed, zeros included (otherwise the number of parts that are
    ///   not zero could pin them all at 1).
    ///
    /// The rule looks only at which counts are suppressed, never at their
    /// values, so what is withheld gives nothing away either.
    pub fn of_parts(total: i64, parts: &[i64], threshold: i64) -> (Self, Vec<Self>) {
        let threshold = threshold.max(1);
        let shown: Vec<Self> = parts.iter().map(|p| Self::of(*p, threshold)).collect();
        let total_shown = Self::of(total, threshold);
        match total_shown {
            Self::Suppressed { below } => (total_shown, vec![Self::Suppressed { below }; parts.len()]),
            Self::Count { .. } if shown.iter().any(|d| matches!(d, Self::Suppressed { .. })) => (Self::Withheld, shown),
            _ => (total_shown, shown),
        }
    }
}

/// Borda points of each option from ranked ballots (first of `n` options
/// scores `n`, second `n - 1`, ...), with first preferences; sorted by
/// points, then first preferences, then name.
pub fn borda(options: &[String], ballots: &[Vec<String>]) -> Vec<(String, i64, i64)> {
    let n = options.len() as i64;
    let mut out: Vec<(String, i64, i64)> = options.iter().map(|o| (o.clone(), 0, 0)).collect();
    for ballot in ballots {
        for (rank, choice) in ballot.iter().enumerate() {
            if let Some(e) = out.iter_mut().find(|e| &e.0 == choice) {
                e.1 += n - rank as i64;
                if rank == 0 {
                    e.2 += 1;
                }
            }
        }
    }
    out.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(&b.0)));
    out
}

/// A series' standing agenda as edited: one item a line (blank lines
/// dropped), 1 to [`MAX_AGENDA_ITEMS`] items of at most
/// [`MAX_AGENDA_ITEM`] characters.
pub fn agenda_from_lines(text: &str) -> Result<Vec<String>, String> {
    let items: Vec<String> = text.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect();
    if items.is_empty() || items.len() > MAX_AGENDA_ITEMS || items.iter().any(|a| a.chars().count() > MAX_AGENDA_ITEM) {
        return Err(format!("give 1 to {MAX_AGENDA_ITEMS} agenda items of at most {MAX_AGENDA_ITEM} characters"));
    }
    Ok(items)
}

/// Most items on a standing agenda.
pub const MAX_AGENDA_ITEMS: usize = 30;
/// The longest agenda item.
pub const MAX_AGENDA_ITEM: usize = 200;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_counts_are_suppressed_at_the_threshold_and_large_ones_banded() {
        assert_eq!(Disclosed::of(0, 5), Disclosed::Zero);
        assert_eq!(Disclosed::of(1, 5).text(), "fewer than 5");
        assert_eq!(Disclosed::of(4, 5).text(), "fewer than 5");
        assert_eq!(Disclosed::of(5, 5).text(), "5");
        assert_eq!(Disclosed::of(100, 5).text(), "100");
        assert_eq!(Disclosed::of(123, 5).text(), "125");
        assert_eq!(Disclosed::of(122, 5).text(), "120");
        assert_eq!(Disclosed::of(2, 3).text(), "fewer than 3");
        assert_eq!(Disclosed::of(3, 3).text(), "3");
    }

    #[test]
    fn a_suppressed_part_cannot_be_recovered_from_the_total() {
        let text = |(t, p): (Disclosed, Vec<Disclosed>)| {
            std::iter::once(t.text()).chain(p.into_iter().map(Disclosed::text)).collect::<Vec<_>>()
        };
        // One area suppressed: the total is withheld, the other areas shown.
        assert_eq!(text(Disclosed::of_parts(29, &[3, 12, 8, 6], 5)), ["not shown", "fewer than 5", "12", "8", "6"]);
        assert_eq!(text(Disclosed::of_parts(22, &[1, 1, 20], 5)), ["not shown", "fewer than 5", "fewer than 5", "20"]);
        // Nothing suppressed, zeros shown.
        assert_eq!(text(Disclosed::of_parts(15, &[0, 5, 10], 5)), ["15", "0", "5", "10"]);
        assert_eq!(text(Disclosed::of_parts(123, &[0, 61, 62], 5)), ["125", "0", "61", "62"]);
        // A suppressed total: every part is suppressed, zeros included.
        assert_eq!(text(Disclosed::of_parts(3, &[3, 0], 5)), ["fewer than 5", "fewer than 5", "fewer than 5"]);
        assert_eq!(text(Disclosed::of_parts(0, &[0, 0], 5)), ["0", "0", "0"]);
        // Brute force: no published table determines a suppressed part, even
        // to a reader who knows the rule.
        for t in [3, 5] {
            for a in 0..9 {
                for b in 0..9 {
                    for c in 0..9 {
                        let parts = [a, b, c];
                        let (tot, shown) = Disclosed::of_parts(a + b + c, &parts, t);
                        let consistent = |x: &[i64; 3]| {
                            let (t2, s2) = Disclosed::of_parts(x.iter().sum(), x, t);
                            t2 == tot && s2 == shown
                        };
                        for (i, d) in shown.iter().enumerate() {
                            if !matches!(d, Disclosed::Suppressed { .. }) {
                                continue;
                            }
                            let mut values = std::collections::BTreeSet::new();
                            for x in 0..15 {
                                for y in 0..15 {
                                    for z in 0..15 {
                                        let cand = [x, y, z];
                                        if consistent(&cand) {
                                            values.insert(cand[i]);
                                        }
                                    }
                                }
                            }
                            assert!(values.len() > 1, "{parts:?} at {t}: part {i} is given away");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn borda_counts_ranked_choices() {
        let opts: Vec<String> = ["Speeding", "Drugs", "Litter"].map(String::from).to_vec();
        let v = |xs: &[&str]| xs.iter().map(|s| (*s).to_string()).collect::<Vec<_>>();
        let ballots = vec![v(&["Drugs", "Speeding"]), v(&["Speeding"]), v(&["Drugs", "Litter", "Speeding"])];
        let r = borda(&opts, &ballots);
        assert_eq!(r[0], ("Drugs".into(), 6, 2));
        assert_eq!(r[1], ("Speeding".into(), 6, 1));
        assert_eq!(r[2], ("Litter".into(), 2, 0));
    }

    #[test]
    fn kinds_and_statuses_round_trip() {
        assert_eq!(agenda_from_lines(" Welcome \n\nActions"), Ok(vec!["Welcome".into(), "Actions".into()]));
        assert!(agenda_from_lines(" \n").is_err());
        assert!(agenda_from_lines(&"x".repeat(201)).is_err());
        for k in MeetingKind::ALL {
            assert_eq!(MeetingKind::parse(k.as_str()), Some(k));
            assert!(k.standing_agenda().len() >= 5);
            assert!(agenda_from_lines(&k.standing_agenda().join("\n")).is_ok());
        }
        for s in ActionStatus::ALL {
            assert_eq!(ActionStatus::parse(s.as_str()), Some(s));
        }
    }
}
