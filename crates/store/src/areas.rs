//! Area boundaries: loading them, finding the area that contains a point
//! (an incident's LSOA, the partnership's district) and reading them back
//! for analysis and maps.

use crate::audit::append;
use crate::sql::Q;
use crate::users::Actor;
use crate::{Exec, Result, Store};
use safetynet_domain::areas::{Area, Level, Shape};
use safetynet_domain::audit::AuditAction;
use safetynet_domain::geo::BoundingBox;

/// A stored area.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredArea {
    /// ONS code.
    pub code: String,
    /// Name.
    pub name: String,
    /// GeoJSON geometry.
    pub geometry: String,
}

impl StoredArea {
    /// Its boundary, if the stored geometry parses.
    pub fn shape(&self) -> Option<Shape> {
        Shape::from_geojson(&serde_json::from_str(&self.geometry).ok()?).ok()
    }
}

/// The partnership's area as incidents are checked against it.
#[derive(Debug)]
pub enum District {
    /// Its districts' boundaries.
    Shapes(Vec<Shape>),
    /// Only its bounding box (or nothing), before boundaries are loaded.
    Box(Option<BoundingBox>),
}

impl District {
    /// Whether a point lies inside; `None` when no area is known.
    pub fn inside(&self, lon: f64, lat: f64) -> Option<bool> {
        match self {
            District::Shapes(shapes) => Some(shapes.iter().any(|s| s.contains(lon, lat))),
            District::Box(b) => b.as_ref().map(|b| b.contains(lon, lat)),
        }
    }
}

impl Store {
    /// Adds or replaces areas of one level; audited. Returns (added, updated).
    pub async fn save_areas(&self, level: Level, areas: &[Area], actor: &Actor<'_>) -> Result<(u64, u64)> {
        let mut tx = self.write().await?;
        let (mut added, mut updated) = (0, 0);
        for a in areas {
            let (x0, y0, x1, y1) = a.shape.bbox();
            let n = tx
                .execute(
                    &Q::new("UPDATE areas SET name = $1, geometry = $2, min_lon = $3, min_lat = $4, max_lon = $5, max_lat = $6 WHERE level = $7 AND code = $8")
                        .bind(&a.name)
                        .bind(&a.geometry)
                        .bind(x0)
                        .bind(y0)
                        .bind(x1)
                        .bind(y1)
                        .bind(level.as_str())
                        .bind(&a.code),
                )
                .await?;
            if n == 0 {
                tx.execute(
                    &Q::new("INSERT INTO areas (level, code, name, geometry, min_lon, min_lat, max_lon, max_lat) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                        .bind(level.as_str())
                        .bind(&a.code)
                        .bind(&a.name)
                        .bind(&a.geometry)
                        .bind(x0)
                        .bind(y0)
                        .bind(x1)
                        .bind(y1),
                )
                .await?;
                added += 1;
            } else {
                updated += 1;
            }
        }
        let detail = serde_json::json!({ "level": level.as_str(), "added": added, "updated": updated });
        append(&mut tx, actor.at_ms, &actor.event(AuditAction::Import, "areas", None, detail)).await?;
        tx.commit().await?;
        Ok((added, updated))
    }

    /// The area of `level` containing (lon, lat), if loaded.
    pub async fn area_at(&self, level: Level, lon: f64, lat: f64) -> Result<Option<(String, String)>> {
        let rows = self
            .conn()
            .await?
            .all(
                &Q::new("SELECT code, name, geometry FROM areas WHERE level = $1 AND min_lon <= $2 AND max_lon >= $2 AND min_lat <= $3 AND max_lat >= $3 ORDER BY code")
                    .bind(level.as_str())
                    .bind(lon)
                    .bind(lat),
            )
            .await?;
        for r in &rows {
            let geometry: serde_json::Value = serde_json::from_str(&r.text("geometry")?).unwrap_or_default();
            if Shape::from_geojson(&geometry).is_ok_and(|s| s.contains(lon, lat)) {
                return Ok(Some((r.text("code")?, r.text("name")?)));
            }
        }
        Ok(None)
    }

    /// Every area of `level`, by code.
    pub async fn areas(&self, level: Level) -> Result<Vec<StoredArea>> {
        let rows = self
            .conn()
            .await?
            .all(&Q::new("SELECT code, name, geometry FROM areas WHERE level = $1 ORDER BY code").bind(level.as_str()))
            .await?;
        rows.iter()
            .map(|r| Ok(StoredArea { code: r.text("code")?, name: r.text("name")?, geometry: r.text("geometry")? }))
            .collect()
    }

    /// Whether (lon, lat) is inside the partnership's district: its LAD
    /// boundaries when loaded, else its bounding box, else `None` (unknown).
    pub async fn in_partnership_area(&self, lon: f64, lat: f64) -> Result<Option<bool>> {
        Ok(self.district().await?.inside(lon, lat))
    }

    /// The shapes of the partnership's districts (their LAD boundaries, as
    /// loaded; those that do not parse are left out).
    pub async fn district_shapes(&self) -> Result<Vec<Shape>> {
        let lads = self.partnership().await?.map(|p| p.lad_codes).unwrap_or_default();
        Ok(self.areas(Level::Lad).await?.iter().filter(|a| lads.contains(&a.code)).filter_map(|a| a.shape()).collect())
    }

    /// The partnership's area: its district shapes, else its bounding box.
    pub async fn district(&self) -> Result<District> {
        let shapes = self.district_shapes().await?;
        Ok(if shapes.is_empty() { District::Box(self.partnership_area().await?) } else { District::Shapes(shapes) })
    }

    /// Police.uk records per LSOA code matching `filter`.
    pub async fn crime_counts_by_lsoa(&self, filter: &crate::crimes::CrimeFilter) -> Result<Vec<(String, i64)>> {
        let mut q = Q::new("SELECT lsoa_code, COUNT(*) AS n FROM police_crimes WHERE lsoa_code <> ''");
        filter.apply(&mut q);
        q.push(" GROUP BY lsoa_code");
        let rows = self.conn().await?.all(&q).await?;
        rows.iter().map(|r| Ok((r.text("lsoa_code")?, r.int("n")?))).collect()
    }
}

/// Deprivation and population for one LSOA.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AreaStats {
    /// LSOA code.
    pub code: String,
    /// LSOA name.
    pub name: String,
    /// District code.
    pub lad_code: String,
    /// IMD 2019 rank (1 = most deprived).
    pub imd_rank: Option<i64>,
    /// IMD 2019 decile (1 = most deprived 10%).
    pub imd_decile: Option<i64>,
    /// Mid-2015 population.
    pub population: Option<i64>,
}

impl Store {
    /// Adds or updates LSOA statistics (fields given as `None` are kept);
    /// audited. Returns how many LSOAs were written.
    pub async fn save_area_stats(&self, stats: &[AreaStats], actor: &Actor<'_>) -> Result<u64> {
        let mut tx = self.write().await?;
        for s in stats {
            let n = tx
                .execute(
                    &Q::new(
                        "UPDATE area_stats SET name = $1, lad_code = $2, imd_rank = COALESCE($3, imd_rank), imd_decile = COALESCE($4, imd_decile),
                           population = COALESCE($5, population) WHERE code = $6",
                    )
                    .bind(&s.name)
                    .bind(&s.lad_code)
                    .bind(s.imd_rank)
                    .bind(s.imd_decile)
                    .bind(s.population)
                    .bind(&s.code),
                )
                .await?;
            if n == 0 {
                tx.execute(
                    &Q::new("INSERT INTO area_stats (code, name, lad_code, imd_rank, imd_decile, population) VALUES ($1, $2, $3, $4, $5, $6)")
                        .bind(&s.code)
                        .bind(&s.name)
                        .bind(&s.lad_code)
                        .bind(s.imd_rank)
                        .bind(s.imd_decile)
                        .bind(s.population),
                )
                .await?;
            }
        }
        append(
            &mut tx,
            actor.at_ms,
            &actor.event(AuditAction::Import, "area_stats", None, serde_json::json!({ "rows": stats.len() })),
        )
        .await?;
        tx.commit().await?;
        Ok(stats.len() as u64)
    }

    /// Statistics for every LSOA loaded, by code.
    pub async fn area_stats(&self) -> Result<Vec<AreaStats>> {
        let rows = self
            .conn()
            .await?
            .all(&Q::new("SELECT code, name, lad_code, imd_rank, imd_decile, population FROM area_stats ORDER BY code"))
            .await?;
        rows.iter()
            .map(|r| {
                Ok(AreaStats {
                    code: r.text("code")?,
                    name: r.text("name")?,
                    lad_code: r.text("lad_code")?,
                    imd_rank: r.opt_int("imd_rank")?,
                    imd_decile: r.opt_int("imd_decile")?,
                    population: r.opt_int("population")?,
                })
            })
            .collect()
    }
}
