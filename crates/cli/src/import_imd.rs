//! `safetynet import imd`: English Indices of Deprivation 2019 (File 1: IMD
//! rank and decile) and population denominators (File 6) by LSOA, as
//! published: byte-order marks and thousands separators are handled, a bad
//! row is reported by line and the rest kept, re-importing replaces.

use safetynet_store::areas::AreaStats;
use std::collections::BTreeMap;
use std::path::Path;

/// Rows read from the files, and problems as "file:line: reason".
pub type Read = (Vec<AreaStats>, Vec<String>);

fn number(s: &str) -> Option<i64> {
    s.trim().replace(',', "").parse().ok()
}

fn read_file(
    path: &Path,
    value_columns: &[&str],
    lad_filter: &[String],
    into: &mut BTreeMap<String, AreaStats>,
    problems: &mut Vec<String>,
) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    read_text(&path.display().to_string(), &text, value_columns, lad_filter, into, problems)
}

fn read_text(
    label: &str,
    text: &str,
    value_columns: &[&str],
    lad_filter: &[String],
    into: &mut BTreeMap<String, AreaStats>,
    problems: &mut Vec<String>,
) -> anyhow::Result<()> {
    let mut r = csv::ReaderBuilder::new().flexible(true).from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers: Vec<String> = r.headers()?.iter().map(str::to_string).collect();
    let find = |name: &str| headers.iter().position(|h| h.starts_with(name));
    let (Some(code), Some(name), Some(lad)) =
        (find("LSOA code"), find("LSOA name"), find("Local Authority District code"))
    else {
        anyhow::bail!(
            "{}: not an IoD 2019 file (no LSOA code, LSOA name and Local Authority District code columns)",
            label
        );
    };
    let cols: Vec<Option<usize>> = value_columns.iter().map(|c| find(c)).collect();
    if cols.iter().all(Option::is_none) {
        anyhow::bail!("{}: none of the expected columns ({}) are present", label, value_columns.join(", "));
    }
    for rec in r.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                problems.push(format!("{}: {e}", label));
                continue;
            }
        };
        let line = rec.position().map_or(0, |p| p.line());
        let get = |i: usize| rec.get(i).unwrap_or("").trim().to_string();
        let lad_code = get(lad);
        if !lad_filter.is_empty() && !lad_filter.contains(&lad_code) {
            continue;
        }
        let values: Vec<Option<i64>> = cols.iter().map(|c| c.and_then(|i| number(&get(i)))).collect();
        if cols.iter().zip(&values).any(|(c, v)| c.is_some() && v.is_none()) {
            problems.push(format!("{}:{line}: a number could not be read", label));
            continue;
        }
        let entry = into.entry(get(code)).or_insert_with(|| AreaStats {
            code: get(code),
            name: get(name),
            lad_code: lad_code.clone(),
            imd_rank: None,
            imd_decile: None,
            population: None,
        });
        match value_columns {
            [_, _] => {
                entry.imd_rank = values[0];
                entry.imd_decile = values[1];
            }
            _ => entry.population = values[0],
        }
    }
    Ok(())
}

const IMD_COLUMNS: [&str; 2] =
    ["Index of Multiple Deprivation (IMD) Rank", "Index of Multiple Deprivation (IMD) Decile"];
const POPULATION_COLUMNS: [&str; 1] = ["Total population"];

/// Reads File 1 and File 6 given as text (the demo's embedded extract).
pub fn read_texts(imd: &str, population: &str) -> anyhow::Result<Read> {
    let mut by_code = BTreeMap::new();
    let mut problems = Vec::new();
    read_text("imd", imd, &IMD_COLUMNS, &[], &mut by_code, &mut problems)?;
    read_text("population", population, &POPULATION_COLUMNS, &[], &mut by_code, &mut problems)?;
    Ok((by_code.into_values().collect(), problems))
}

/// Reads File 1 and/or File 6, keeping only districts in `lads` (all when empty).
pub fn read(imd: Option<&Path>, population: Option<&Path>, lads: &[String]) -> anyhow::Result<Read> {
    let mut by_code = BTreeMap::new();
    let mut problems = Vec::new();
    if let Some(p) = imd {
        read_file(p, &IMD_COLUMNS, lads, &mut by_code, &mut problems)?;
    }
    if let Some(p) = population {
        read_file(p, &POPULATION_COLUMNS, lads, &mut by_code, &mut problems)?;
    }
    Ok((by_code.into_values().collect(), problems))
}
