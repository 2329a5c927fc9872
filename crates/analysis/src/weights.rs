//! Spatial weights: who neighbours whom. Built from area adjacency lists or
//! from a regular grid (queen contiguity: the eight surrounding cells).

use crate::AnalysisError;

/// Sparse spatial weights: for each observation, its neighbours and weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Weights {
    neighbours: Vec<Vec<(usize, f64)>>,
}

impl Weights {
    /// Binary weights from adjacency lists (`adjacency[i]` lists i's
    /// neighbours). Self-links are ignored; links must be symmetric.
    pub fn binary(adjacency: &[Vec<usize>]) -> Result<Self, AnalysisError> {
        let n = adjacency.len();
        let mut neighbours = Vec::with_capacity(n);
        for (i, list) in adjacency.iter().enumerate() {
            let mut row: Vec<(usize, f64)> = Vec::with_capacity(list.len());
            for &j in list {
                if j >= n {
                    return Err(AnalysisError::Invalid(format!("area {i} names a neighbour {j} that does not exist")));
                }
                if j != i && !row.iter().any(|(k, _)| *k == j) {
                    row.push((j, 1.0));
                }
            }
            row.sort_by_key(|(j, _)| *j);
            neighbours.push(row);
        }
        for (i, row) in neighbours.iter().enumerate() {
            for (j, _) in row {
                if !neighbours[*j].iter().any(|(k, _)| *k == i) {
                    return Err(AnalysisError::Invalid(format!("areas {i} and {j} disagree about being neighbours")));
                }
            }
        }
        Ok(Self { neighbours })
    }

    /// Queen contiguity on a `cols` x `rows` grid, cells numbered row by row.
    pub fn grid_queen(cols: usize, rows: usize) -> Result<Self, AnalysisError> {
        let mut adjacency = vec![Vec::new(); cols * rows];
        for r in 0..rows {
            for c in 0..cols {
                for dr in -1i64..=1 {
                    for dc in -1i64..=1 {
                        let (rr, cc) = (r as i64 + dr, c as i64 + dc);
                        if (dr, dc) != (0, 0) && (0..rows as i64).contains(&rr) && (0..cols as i64).contains(&cc) {
                            adjacency[r * cols + c].push(rr as usize * cols + cc as usize);
                        }
                    }
                }
            }
        }
        Self::binary(&adjacency)
    }

    /// Queen contiguity between areas given as their vertex lists: areas
    /// that share at least one vertex are neighbours (as libpysal's `Queen`).
    pub fn queen_from_vertices(areas: &[Vec<(f64, f64)>]) -> Result<Self, AnalysisError> {
        let key = |(x, y): (f64, f64)| ((x * 1e9).round() as i64, (y * 1e9).round() as i64);
        let mut at: std::collections::HashMap<(i64, i64), Vec<usize>> = std::collections::HashMap::new();
        for (i, vs) in areas.iter().enumerate() {
            for v in vs {
                let list = at.entry(key(*v)).or_default();
                if list.last() != Some(&i) {
                    list.push(i);
                }
            }
        }
        let mut adjacency = vec![std::collections::BTreeSet::new(); areas.len()];
        for list in at.values() {
            for &a in list {
                for &b in list {
                    if a != b {
                        adjacency[a].insert(b);
                    }
                }
            }
        }
        Self::binary(&adjacency.into_iter().map(|s| s.into_iter().collect()).collect::<Vec<Vec<usize>>>())
    }

    /// Number of observations.
    pub fn len(&self) -> usize {
        self.neighbours.len()
    }

    /// True when there are no observations.
    pub fn is_empty(&self) -> bool {
        self.neighbours.is_empty()
    }

    /// Neighbours of `i` with their weights.
    pub fn of(&self, i: usize) -> &[(usize, f64)] {
        &self.neighbours[i]
    }

    /// Observations with no neighbours.
    pub fn islands(&self) -> Vec<usize> {
        (0..self.len()).filter(|&i| self.neighbours[i].is_empty()).collect()
    }

    /// The same links, each row scaled to sum to 1 (islands stay empty).
    pub fn row_standardised(&self) -> Self {
        let neighbours = self
            .neighbours
            .iter()
            .map(|row| {
                let sum: f64 = row.iter().map(|(_, w)| w).sum();
                row.iter().map(|(j, w)| (*j, if sum > 0.0 { w / sum } else { 0.0 })).collect()
            })
            .collect();
        Self { neighbours }
    }

    /// Σ_ij w_ij.
    pub fn s0(&self) -> f64 {
        self.neighbours.iter().flatten().map(|(_, w)| w).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_and_adjacency() {
        let w = Weights::grid_queen(3, 3).expect("grid");
        assert_eq!(w.of(4).len(), 8, "the centre has eight neighbours");
        assert_eq!(w.of(0).len(), 3, "a corner has three");
        assert_eq!(w.s0(), 40.0);
        let r = w.row_standardised();
        assert!((r.of(0).iter().map(|(_, v)| v).sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(Weights::binary(&[vec![1], vec![]]).is_err(), "asymmetric");
        assert!(Weights::binary(&[vec![5]]).is_err());
        let islands = Weights::binary(&[vec![1], vec![0], vec![]]).expect("w");
        assert_eq!(islands.islands(), vec![2]);
    }
}
