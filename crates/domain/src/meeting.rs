//! Partnership meetings: the three kinds (the operational Joint Agency
//! Group, the strategic Responsible Authorities Group and the public
//! Priority Setting Forum) with their standing agendas, action states,
//! statistical disclosure control for anything published, and the ranking
//! of residents' priorities.

use serde::{Deserialize, Serialize};

/// The kind of meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
        for k in MeetingKind::ALL {
            assert_eq!(MeetingKind::parse(k.as_str()), Some(k));
            assert!(k.standing_agenda().len() >= 5);
        }
        for s in ActionStatus::ALL {
            assert_eq!(ActionStatus::parse(s.as_str()), Some(s));
        }
    }
}
