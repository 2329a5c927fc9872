//! How good are our hotspots? The Predictive Accuracy Index (Chainey et al.
//! 2008): the share of later crimes captured divided by the share of area
//! flagged, and its efficiency (PEI: PAI over the best PAI possible for the
//! same area).

use crate::AnalysisError;
use serde::Serialize;

/// PAI and PEI when the top `cells` predicted cells are flagged.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PaiPoint {
    /// Cells flagged (the top-k by prediction).
    pub cells: usize,
    /// Share of area flagged.
    pub area_share: f64,
    /// Share of observed crimes captured.
    pub hit_rate: f64,
    /// Hit rate / area share.
    pub pai: f64,
    /// PAI / the best PAI for the same number of cells.
    pub pei: f64,
}

/// The PAI curve: for k = 1..n, flag the k cells with the highest
/// `predicted` score (ties broken by cell order) and score on `observed`
/// (crimes in each cell in the later period). Cells have equal area.
pub fn pai_curve(predicted: &[f64], observed: &[f64]) -> Result<Vec<PaiPoint>, AnalysisError> {
    if predicted.len() != observed.len() {
        return Err(AnalysisError::Invalid("predicted and observed must have one value per cell".into()));
    }
    let n = predicted.len();
    if n == 0 {
        return Err(AnalysisError::Empty);
    }
    if predicted.iter().chain(observed).any(|v| !v.is_finite()) || observed.iter().any(|v| *v < 0.0) {
        return Err(AnalysisError::Invalid("scores must be numbers and counts zero or more".into()));
    }
    let total: f64 = observed.iter().sum();
    if total <= 0.0 {
        return Err(AnalysisError::NoVariation("0".into()));
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| predicted[b].total_cmp(&predicted[a]).then(a.cmp(&b)));
    let mut best: Vec<f64> = observed.to_vec();
    best.sort_by(|a, b| b.total_cmp(a));
    let (mut hits, mut best_hits) = (0.0, 0.0);
    let mut out = Vec::with_capacity(n);
    for k in 0..n {
        hits += observed[order[k]];
        best_hits += best[k];
        let area_share = (k + 1) as f64 / n as f64;
        let pai = (hits / total) / area_share;
        let best_pai = (best_hits / total) / area_share;
        out.push(PaiPoint {
            cells: k + 1,
            area_share,
            hit_rate: hits / total,
            pai,
            pei: if best_pai > 0.0 { pai / best_pai } else { 0.0 },
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example in the issue: observed (6, 3, 0) over predicted ranks (3, 2, 1).
    #[test]
    fn matches_the_worked_example() {
        let curve = pai_curve(&[3.0, 2.0, 1.0], &[6.0, 3.0, 0.0]).expect("pai");
        let pai: Vec<f64> = curve.iter().map(|p| p.pai).collect();
        assert_eq!(pai, vec![2.0, 1.5, 1.0]);
        assert!(curve.iter().all(|p| (p.pei - 1.0).abs() < 1e-12), "a perfect ranking has PEI 1");
        let reversed = pai_curve(&[1.0, 2.0, 3.0], &[6.0, 3.0, 0.0]).expect("pai");
        assert_eq!(reversed[0].pai, 0.0);
        assert_eq!(reversed[0].pei, 0.0);
    }

    #[test]
    fn bad_input() {
        assert_eq!(pai_curve(&[], &[]), Err(AnalysisError::Empty));
        assert!(pai_curve(&[1.0], &[1.0, 2.0]).is_err());
        assert!(pai_curve(&[1.0, 2.0], &[0.0, 0.0]).is_err());
        assert!(pai_curve(&[f64::NAN], &[1.0]).is_err());
    }
}
