//! WGS84 longitude/latitude to and from British National Grid (EPSG:27700)
//! eastings and northings, by a seven-parameter Helmert shift to OSGB36 and
//! the Ordnance Survey Transverse Mercator projection (OS, "A guide to
//! coordinate systems in Great Britain", 2020). Accurate to a few metres,
//! which is what grids of 100 m and more need (OSTN15 would give centimetres).

/// An ellipsoid: semi-major and semi-minor axes in metres.
#[derive(Debug, Clone, Copy)]
struct Ellipsoid {
    a: f64,
    b: f64,
}

const GRS80: Ellipsoid = Ellipsoid { a: 6_378_137.0, b: 6_356_752.314_140 };
const AIRY1830: Ellipsoid = Ellipsoid { a: 6_377_563.396, b: 6_356_256.909 };

/// National Grid projection constants.
const F0: f64 = 0.999_601_271_7;
const LAT0: f64 = 49.0;
const LON0: f64 = -2.0;
const E0: f64 = 400_000.0;
const N0: f64 = -100_000.0;

/// WGS84/ETRS89 to OSGB36 Helmert parameters: translations (m), scale (ppm), rotations (arc seconds).
const HELMERT: [f64; 7] = [-446.448, 125.157, -542.060, 20.4894, -0.1502, -0.2470, -0.8421];

fn to_cartesian(lat: f64, lon: f64, e: Ellipsoid) -> [f64; 3] {
    let (phi, lam) = (lat.to_radians(), lon.to_radians());
    let e2 = 1.0 - (e.b * e.b) / (e.a * e.a);
    let nu = e.a / (1.0 - e2 * phi.sin().powi(2)).sqrt();
    [nu * phi.cos() * lam.cos(), nu * phi.cos() * lam.sin(), (1.0 - e2) * nu * phi.sin()]
}

fn from_cartesian(p: [f64; 3], e: Ellipsoid) -> (f64, f64) {
    let e2 = 1.0 - (e.b * e.b) / (e.a * e.a);
    let r = (p[0] * p[0] + p[1] * p[1]).sqrt();
    let mut phi = (p[2] / (r * (1.0 - e2))).atan();
    for _ in 0..10 {
        let nu = e.a / (1.0 - e2 * phi.sin().powi(2)).sqrt();
        phi = ((p[2] + e2 * nu * phi.sin()) / r).atan();
    }
    (phi.to_degrees(), p[1].atan2(p[0]).to_degrees())
}

fn helmert(p: [f64; 3], sign: f64) -> [f64; 3] {
    let [tx, ty, tz, s, rx, ry, rz] = HELMERT.map(|v| v * sign);
    let s = s * 1e-6;
    let (rx, ry, rz) = ((rx / 3600.0).to_radians(), (ry / 3600.0).to_radians(), (rz / 3600.0).to_radians());
    [
        tx + (1.0 + s) * p[0] - rz * p[1] + ry * p[2],
        ty + rz * p[0] + (1.0 + s) * p[1] - rx * p[2],
        tz - ry * p[0] + rx * p[1] + (1.0 + s) * p[2],
    ]
}

fn meridional_arc(phi: f64, b: f64, n: f64) -> f64 {
    let (d, s) = (phi - LAT0.to_radians(), phi + LAT0.to_radians());
    b * F0
        * ((1.0 + n + 1.25 * n * n + 1.25 * n.powi(3)) * d
            - (3.0 * n + 3.0 * n * n + 2.625 * n.powi(3)) * d.sin() * s.cos()
            + (1.875 * n * n + 1.875 * n.powi(3)) * (2.0 * d).sin() * (2.0 * s).cos()
            - (35.0 / 24.0) * n.powi(3) * (3.0 * d).sin() * (3.0 * s).cos())
}

/// Projects OSGB36 latitude/longitude (degrees) to National Grid (E, N).
pub fn osgb36_to_grid(lat: f64, lon: f64) -> (f64, f64) {
    let Ellipsoid { a, b } = AIRY1830;
    let (phi, lam) = (lat.to_radians(), lon.to_radians());
    let e2 = 1.0 - (b * b) / (a * a);
    let n = (a - b) / (a + b);
    let (sin, cos, tan) = (phi.sin(), phi.cos(), phi.tan());
    let nu = a * F0 / (1.0 - e2 * sin * sin).sqrt();
    let rho = a * F0 * (1.0 - e2) / (1.0 - e2 * sin * sin).powf(1.5);
    let eta2 = nu / rho - 1.0;
    let m = meridional_arc(phi, b, n);
    let i = m + N0;
    let ii = nu / 2.0 * sin * cos;
    let iii = nu / 24.0 * sin * cos.powi(3) * (5.0 - tan * tan + 9.0 * eta2);
    let iiia = nu / 720.0 * sin * cos.powi(5) * (61.0 - 58.0 * tan * tan + tan.powi(4));
    let iv = nu * cos;
    let v = nu / 6.0 * cos.powi(3) * (nu / rho - tan * tan);
    let vi = nu / 120.0 * cos.powi(5) * (5.0 - 18.0 * tan * tan + tan.powi(4) + 14.0 * eta2 - 58.0 * tan * tan * eta2);
    let dl = lam - LON0.to_radians();
    let north = i + ii * dl.powi(2) + iii * dl.powi(4) + iiia * dl.powi(6);
    let east = E0 + iv * dl + v * dl.powi(3) + vi * dl.powi(5);
    (east, north)
}

/// Unprojects National Grid (E, N) to OSGB36 latitude/longitude (degrees).
pub fn grid_to_osgb36(east: f64, north: f64) -> (f64, f64) {
    let Ellipsoid { a, b } = AIRY1830;
    let e2 = 1.0 - (b * b) / (a * a);
    let n = (a - b) / (a + b);
    let mut phi = LAT0.to_radians();
    let mut m = 0.0;
    for _ in 0..20 {
        phi += (north - N0 - m) / (a * F0);
        m = meridional_arc(phi, b, n);
        if (north - N0 - m).abs() < 1e-5 {
            break;
        }
    }
    let (sin, cos, tan) = (phi.sin(), phi.cos(), phi.tan());
    let nu = a * F0 / (1.0 - e2 * sin * sin).sqrt();
    let rho = a * F0 * (1.0 - e2) / (1.0 - e2 * sin * sin).powf(1.5);
    let eta2 = nu / rho - 1.0;
    let vii = tan / (2.0 * rho * nu);
    let viii = tan / (24.0 * rho * nu.powi(3)) * (5.0 + 3.0 * tan * tan + eta2 - 9.0 * tan * tan * eta2);
    let ix = tan / (720.0 * rho * nu.powi(5)) * (61.0 + 90.0 * tan * tan + 45.0 * tan.powi(4));
    let x = 1.0 / (cos * nu);
    let xi = 1.0 / (cos * 6.0 * nu.powi(3)) * (nu / rho + 2.0 * tan * tan);
    let xii = 1.0 / (cos * 120.0 * nu.powi(5)) * (5.0 + 28.0 * tan * tan + 24.0 * tan.powi(4));
    let xiia =
        1.0 / (cos * 5040.0 * nu.powi(7)) * (61.0 + 662.0 * tan * tan + 1320.0 * tan.powi(4) + 720.0 * tan.powi(6));
    let de = east - E0;
    let lat = phi - vii * de.powi(2) + viii * de.powi(4) - ix * de.powi(6);
    let lon = LON0.to_radians() + x * de - xi * de.powi(3) + xii * de.powi(5) - xiia * de.powi(7);
    (lat.to_degrees(), lon.to_degrees())
}

/// WGS84 longitude/latitude to National Grid (easting, northing) in metres.
pub fn to_grid(lon: f64, lat: f64) -> (f64, f64) {
    let (la, lo) = from_cartesian(helmert(to_cartesian(lat, lon, GRS80), 1.0), AIRY1830);
    osgb36_to_grid(la, lo)
}

/// National Grid (easting, northing) to WGS84 (longitude, latitude).
pub fn from_grid(east: f64, north: f64) -> (f64, f64) {
    let (la, lo) = grid_to_osgb36(east, north);
    let (lat, lon) = from_cartesian(helmert(to_cartesian(la, lo, AIRY1830), -1.0), GRS80);
    (lon, lat)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dms(d: f64, m: f64, s: f64) -> f64 {
        d + m / 60.0 + s / 3600.0
    }

    /// The OS guide's worked projection example (Annex C): OSGB36
    /// 52°39'27.2531"N 1°43'4.5177"E is E 651409.903, N 313177.270.
    #[test]
    fn projection_matches_the_os_worked_example() {
        let (e, n) = osgb36_to_grid(dms(52.0, 39.0, 27.2531), dms(1.0, 43.0, 4.5177));
        assert!((e - 651_409.903).abs() < 0.01 && (n - 313_177.270).abs() < 0.01, "{e} {n}");
        let (lat, lon) = grid_to_osgb36(651_409.903, 313_177.270);
        assert!(
            (lat - dms(52.0, 39.0, 27.2531)).abs() < 1e-7 && (lon - dms(1.0, 43.0, 4.5177)).abs() < 1e-7,
            "{lat} {lon}"
        );
    }

    /// Round trips, and St Albans lands where it should (the PROJ
    /// comparison is in `tests/reference.rs`).
    #[test]
    fn wgs84_to_grid_round_trips() {
        let (e, n) = to_grid(1.7179216, 52.6580078);
        let (lon, lat) = from_grid(e, n);
        assert!((lon - 1.7179216).abs() < 1e-7 && (lat - 52.6580078).abs() < 1e-7, "{lon} {lat}");
        // St Albans is around E 515000, N 207000.
        let (e, n) = to_grid(-0.3390, 51.7520);
        assert!((514_000.0..517_000.0).contains(&e) && (206_000.0..209_000.0).contains(&n), "{e} {n}");
    }
}
