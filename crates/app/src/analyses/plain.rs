//! The incident analyses in plain English, for the page beside each figure:
//! whether there were enough incidents to say anything, what the result
//! means and what to consider doing. Pure: it reads results, never data.

use super::incidents::{NearRepeat, Scan};

/// Fewer incidents than this give too few pairs for the Knox test to say
/// anything (19 incidents make 171 pairs, spread over every band).
pub const MIN_NEAR_REPEAT_INCIDENTS: usize = 20;

/// Fewer incidents than this cannot show a space-time cluster.
pub const MIN_SCAN_INCIDENTS: usize = 10;

/// Significance used in the explanations.
const ALPHA: f64 = 0.05;

/// An analysis explained for the people who act on it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Explained {
    /// Why the analysis cannot be read, when it cannot.
    pub not_enough: Option<String>,
    /// What it shows, a sentence each.
    pub meaning: Vec<String>,
    /// What to consider.
    pub consider: Vec<String>,
}

fn too_few(n: usize, min: usize) -> Explained {
    Explained {
        not_enough: Some(format!(
            "Not enough incidents to analyse ({n}; at least {min} needed). Widen the dates or choose all categories."
        )),
        meaning: Vec::new(),
        consider: Vec::new(),
    }
}

/// The near-repeat (Knox) result explained.
pub fn near_repeat(v: &NearRepeat) -> Explained {
    if v.events < MIN_NEAR_REPEAT_INCIDENTS {
        return too_few(v.events, MIN_NEAR_REPEAT_INCIDENTS);
    }
    let k = &v.knox;
    let mut meaning = Vec::new();
    for (r, d) in k.distance_bands.iter().enumerate() {
        for (c, t) in k.time_bands.iter().enumerate() {
            let (ratio, p) = (k.ratio_median[r][c], k.p_values[r][c]);
            if p < ALPHA && ratio > 1.0 {
                meaning.push(format!(
                    "Incidents {:.0} to {:.0} m and {:.0} to {:.0} days apart happen {ratio:.1} times as often as chance would give (p = {p:.2}).",
                    d.0, d.1, t.0, t.1
                ));
            }
        }
    }
    if meaning.is_empty() {
        return Explained {
            not_enough: None,
            meaning: vec![format!(
                "No distance and time stands out from chance in these {} incidents: there is no near-repeat pattern to act on.",
                v.events
            )],
            consider: vec!["Look again when more incidents are recorded, or at one category at a time.".into()],
        };
    }
    Explained {
        not_enough: None,
        meaning,
        consider: vec![
            "After a new incident, visit or warn the neighbours within that distance during that time (\"cocooning\").".into(),
            "Small p-values across many cells can happen by chance: act where the ratio is large and the pattern makes sense on the ground.".into(),
        ],
    }
}

/// The space-time scan's most likely cluster explained.
pub fn scan(s: &Scan) -> Explained {
    if s.incidents < MIN_SCAN_INCIDENTS {
        return too_few(s.incidents, MIN_SCAN_INCIDENTS);
    }
    let Some(c) = &s.most_likely_cluster else {
        return Explained {
            not_enough: None,
            meaning: vec!["No place and run of days has more incidents than its usual places and days predict.".into()],
            consider: Vec::new(),
        };
    };
    let p = c.cluster.p_value;
    let times = if c.cluster.expected > 0.0 { f64::from(c.cluster.observed) / c.cluster.expected } else { 0.0 };
    let found = format!(
        "{} incidents between {} and {} within {:.2} km, where {:.1} were expected ({times:.1} times as many).",
        c.cluster.observed, c.start_date, c.end_date, c.cluster.radius_km, c.cluster.expected
    );
    if p < ALPHA {
        Explained {
            not_enough: None,
            meaning: vec![found, format!("A cluster this strong is unlikely to be chance (p = {p:.2}).")],
            consider: vec!["Bring it to the daily review or the next JAG: find out what is happening there and whether it is one problem.".into()],
        }
    } else {
        Explained {
            not_enough: None,
            meaning: vec![found, format!("A cluster like this could well be chance (p = {p:.2}).")],
            consider: vec!["Keep watching rather than acting on it alone.".into()],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use safetynet_analysis::knox::Knox;

    fn knox(events: usize, ratio: f64, p: f64) -> NearRepeat {
        NearRepeat {
            events,
            day_convention: "",
            band_convention: "",
            knox: Knox {
                distance_bands: vec![(0.0, 200.0)],
                time_bands: vec![(0.0, 7.0)],
                observed: vec![vec![12]],
                simulated_mean: vec![vec![5.0]],
                simulated_median: vec![vec![5.0]],
                ratio_mean: vec![vec![ratio]],
                ratio_median: vec![vec![ratio]],
                p_values: vec![vec![p]],
                permutations: 99,
            },
        }
    }

    #[test]
    fn too_few_incidents_say_how_many_are_needed_instead_of_a_grid_of_zeros() {
        let e = near_repeat(&knox(3, 0.0, 1.0));
        assert_eq!(
            e.not_enough.as_deref(),
            Some("Not enough incidents to analyse (3; at least 20 needed). Widen the dates or choose all categories.")
        );
        assert!(e.meaning.is_empty());
        let few = Scan {
            incidents: 9,
            day_convention: "",
            replications: 99,
            cylinders_per_pass: 0,
            most_likely_cluster: None,
        };
        assert!(scan(&few).not_enough.is_some());
    }

    #[test]
    fn a_significant_band_is_said_in_words_and_a_chance_one_is_not() {
        let e = near_repeat(&knox(40, 2.4, 0.01));
        assert_eq!(
            e.meaning,
            ["Incidents 0 to 200 m and 0 to 7 days apart happen 2.4 times as often as chance would give (p = 0.01)."]
        );
        assert!(e.consider[0].contains("cocooning"));
        let e = near_repeat(&knox(40, 2.4, 0.30));
        assert!(e.meaning[0].starts_with("No distance and time stands out from chance in these 40 incidents"));
    }
}
