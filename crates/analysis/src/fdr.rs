//! Multiple-testing control: Benjamini-Hochberg false discovery rate.

/// Which of `p_values` are discoveries at false discovery rate `q`
/// (Benjamini & Hochberg 1995). NaN p-values are never discoveries.
pub fn benjamini_hochberg(p_values: &[f64], q: f64) -> Vec<bool> {
    let m = p_values.len();
    let mut order: Vec<usize> = (0..m).filter(|&i| p_values[i].is_finite()).collect();
    order.sort_by(|&a, &b| p_values[a].total_cmp(&p_values[b]));
    let tested = order.len();
    let mut cutoff = None;
    for (rank, &i) in order.iter().enumerate() {
        if p_values[i] <= (rank + 1) as f64 / tested as f64 * q {
            cutoff = Some(rank);
        }
    }
    let mut out = vec![false; m];
    if let Some(c) = cutoff {
        for &i in &order[..=c] {
            out[i] = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_up_procedure() {
        // Classic example: 10 p-values at q = 0.05.
        let p = [0.001, 0.008, 0.039, 0.041, 0.042, 0.060, 0.074, 0.205, 0.212, 0.216];
        let d = benjamini_hochberg(&p, 0.05);
        assert_eq!(d, vec![true, true, false, false, false, false, false, false, false, false]);
        // Step-up: a later p under its line carries the earlier ones.
        let d = benjamini_hochberg(&[0.04, 0.03, 0.02, 0.01], 0.05);
        assert_eq!(d, vec![true, true, true, true]);
        assert!(benjamini_hochberg(&[], 0.05).is_empty());
        assert_eq!(benjamini_hochberg(&[f64::NAN, 0.001], 0.05), vec![false, true]);
    }
}
