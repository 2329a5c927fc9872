//! The standard normal distribution: quantile (Wichura's AS 241, the
//! algorithm of R's `qnorm`), distribution function (Cody's rational
//! Chebyshev approximations, the algorithm of R's `pnorm`) and density.
//! Both agree with R to a few units in the last place.
//!
//! References: M. J. Wichura (1988), Algorithm AS 241: The percentage points
//! of the normal distribution, Applied Statistics 37(3), 477-484;
//! W. J. Cody (1993), Algorithm 715: SPECFUN, ACM TOMS 19, 22-32.

// The coefficients are kept digit for digit as published.
#![allow(clippy::excessive_precision)]

/// 1 / √(2π).
const M_1_SQRT_2PI: f64 = 0.398_942_280_401_432_677_939_946_059_934;

/// Horner evaluation of c[0] + c[1] x + … + c[n] xⁿ.
fn poly(c: &[f64], x: f64) -> f64 {
    c.iter().rev().fold(0.0, |acc, &ci| acc * x + ci)
}

/// The standard normal quantile z with Φ(z) = p (AS 241, PPND16, relative
/// accuracy about 1e-16). Returns −∞ for p = 0, +∞ for p = 1 and NaN for p
/// outside [0, 1] or NaN, as R's `qnorm` does.
pub fn qnorm(p: f64) -> f64 {
    const A: [f64; 8] = [
        3.387_132_872_796_366_608,
        1.331_416_678_917_843_774_5e2,
        1.971_590_950_306_551_442_7e3,
        1.373_169_376_550_946_112_5e4,
        4.592_195_393_154_987_145_7e4,
        6.726_577_092_700_870_085_3e4,
        3.343_057_558_358_812_810_5e4,
        2.509_080_928_730_122_672_7e3,
    ];
    const B: [f64; 8] = [
        1.0,
        4.231_333_070_160_091_125_2e1,
        6.871_870_074_920_579_083e2,
        5.394_196_021_424_751_107_7e3,
        2.121_379_430_158_659_586_7e4,
        3.930_789_580_009_271_061e4,
        2.872_908_573_572_194_267_4e4,
        5.226_495_278_852_854_561e3,
    ];
    const C: [f64; 8] = [
        1.423_437_110_749_683_577_34,
        4.630_337_846_156_545_295_9,
        5.769_497_221_460_691_405_5,
        3.647_848_324_763_204_605_04,
        1.270_458_252_452_368_382_58,
        2.417_807_251_774_506_117_7e-1,
        2.272_384_498_926_918_458_33e-2,
        7.745_450_142_783_414_076_4e-4,
    ];
    const D: [f64; 8] = [
        1.0,
        2.053_191_626_637_758_821_87,
        1.676_384_830_183_803_849_4,
        6.897_673_349_851_000_045_5e-1,
        1.481_039_764_274_800_745_9e-1,
        1.519_866_656_361_645_719_66e-2,
        5.475_938_084_995_344_946e-4,
        1.050_750_071_644_416_843_24e-9,
    ];
    const E: [f64; 8] = [
        6.657_904_643_501_103_777_2,
        5.463_784_911_164_114_369_9,
        1.784_826_539_917_291_335_8,
        2.965_605_718_285_048_912_3e-1,
        2.653_218_952_657_612_309_3e-2,
        1.242_660_947_388_078_438_6e-3,
        2.711_555_568_743_487_578_15e-5,
        2.010_334_399_292_288_132_65e-7,
    ];
    const F: [f64; 8] = [
        1.0,
        5.998_322_065_558_879_376_9e-1,
        1.369_298_809_227_358_053_1e-1,
        1.487_536_129_085_061_485_25e-2,
        7.868_691_311_456_132_591e-4,
        1.846_318_317_510_054_681_8e-5,
        1.421_511_758_316_445_888_7e-7,
        2.044_263_103_389_939_785_64e-15,
    ];
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180625 - q * q;
        return q * poly(&A, r) / poly(&B, r);
    }
    let tail = if q < 0.0 { p } else { 1.0 - p };
    let r = (-tail.ln()).sqrt();
    let value = if r <= 5.0 {
        let r = r - 1.6;
        poly(&C, r) / poly(&D, r)
    } else {
        let r = r - 5.0;
        poly(&E, r) / poly(&F, r)
    };
    if q < 0.0 {
        -value
    } else {
        value
    }
}

/// The standard normal distribution function Φ(x) = P(Z ≤ x) (Cody's
/// algorithm as in R's `pnorm`, relative accuracy about 1e-15 in both tails).
pub fn pnorm(x: f64) -> f64 {
    pnorm_both(x).0
}

/// The upper tail 1 − Φ(x), computed without cancellation.
pub fn pnorm_upper(x: f64) -> f64 {
    pnorm_both(x).1
}

/// The standard normal density φ(x).
pub fn dnorm(x: f64) -> f64 {
    M_1_SQRT_2PI * (-0.5 * x * x).exp()
}

/// (Φ(x), 1 − Φ(x)).
fn pnorm_both(x: f64) -> (f64, f64) {
    const A: [f64; 5] = [
        2.235_252_035_460_683_928_7,
        161.028_231_068_555_878_81,
        1_067.689_485_460_370_958_2,
        18_154.981_253_343_561_249,
        0.065_682_337_918_207_449_113,
    ];
    const B: [f64; 4] =
        [47.202_581_904_688_241_87, 976.098_551_737_776_693_22, 10_260.932_208_618_978_205, 45_507.789_335_026_729_956];
    const C: [f64; 9] = [
        0.398_941_512_088_134_667_64,
        8.883_149_794_388_375_941_2,
        93.506_656_132_177_855_979,
        597.270_276_394_800_262_26,
        2_494.537_585_290_372_671_1,
        6_848.190_450_536_282_332_6,
        11_602.651_437_647_350_124,
        9_842.714_838_383_978_021_8,
        1.076_557_677_372_019_231_7e-8,
    ];
    const D: [f64; 8] = [
        22.266_688_044_328_115_691,
        235.387_901_782_624_998_61,
        1_519.377_599_407_554_805,
        6_485.558_298_266_760_755,
        18_615.571_640_885_098_091,
        34_900.952_721_145_977_266,
        38_912.003_286_093_271_411,
        19_685.429_676_859_990_727,
    ];
    const P: [f64; 6] = [
        0.215_898_534_057_956_99,
        0.127_401_161_160_247_363_9,
        0.022_235_277_870_649_807,
        0.001_421_619_193_227_893_466,
        2.911_287_495_116_879_2e-5,
        0.023_073_441_764_940_173_03,
    ];
    const Q: [f64; 5] = [
        1.284_260_096_144_911_21,
        0.468_238_212_480_865_118,
        0.065_988_137_868_928_551_5,
        0.003_782_396_332_027_582_44,
        7.297_515_550_839_662_05e-5,
    ];
    if x.is_nan() {
        return (f64::NAN, f64::NAN);
    }
    let y = x.abs();
    // exp(-x²/2) computed in two parts so that the square is exact.
    let tail = |temp: f64| -> (f64, f64) {
        let xsq = (y * 16.0).trunc() / 16.0;
        let del = (y - xsq) * (y + xsq);
        let small = (-xsq * xsq * 0.5).exp() * (-del * 0.5).exp() * temp;
        if x > 0.0 {
            (1.0 - small, small)
        } else {
            (small, 1.0 - small)
        }
    };
    if y <= 0.674_489_75 {
        let (mut xnum, mut xden) = (0.0, 0.0);
        if y > f64::EPSILON * 0.5 {
            let xsq = x * x;
            xnum = A[4] * xsq;
            xden = xsq;
            for i in 0..3 {
                xnum = (xnum + A[i]) * xsq;
                xden = (xden + B[i]) * xsq;
            }
        }
        let temp = x * (xnum + A[3]) / (xden + B[3]);
        (0.5 + temp, 0.5 - temp)
    } else if y <= 32f64.sqrt() {
        let mut xnum = C[8] * y;
        let mut xden = y;
        for i in 0..7 {
            xnum = (xnum + C[i]) * y;
            xden = (xden + D[i]) * y;
        }
        tail((xnum + C[7]) / (xden + D[7]))
    } else if y < 37.5193 {
        let xsq = 1.0 / (x * x);
        let mut xnum = P[5] * xsq;
        let mut xden = xsq;
        for i in 0..4 {
            xnum = (xnum + P[i]) * xsq;
            xden = (xden + Q[i]) * xsq;
        }
        let temp = xsq * (xnum + P[4]) / (xden + Q[4]);
        tail((M_1_SQRT_2PI - temp) / y)
    } else if x > 0.0 {
        (1.0, 0.0)
    } else {
        (0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(f64::MIN_POSITIVE)
    }

    /// Values printed by R 4.2.2 with sprintf("%.17g").
    #[test]
    fn qnorm_matches_r() {
        for (p, z) in [
            (0.999, 3.0902323061678132),
            (0.975, 1.9599639845400536),
            (1e-10, -6.3613409024040557),
            (0.5 + 1e-9, 2.5066282037387119e-09),
        ] {
            assert!(close(qnorm(p), z, 1e-14), "qnorm({p}) = {} not {z}", qnorm(p));
        }
        assert_eq!(qnorm(0.5), 0.0);
        assert_eq!(qnorm(0.0), f64::NEG_INFINITY);
        assert_eq!(qnorm(1.0), f64::INFINITY);
        assert!(qnorm(1.5).is_nan() && qnorm(f64::NAN).is_nan());
    }

    #[test]
    fn pnorm_matches_r() {
        for (x, p) in [(-10.0, 7.6198530241605269e-24), (1.5, 0.93319279873114191), (-3.3, 0.00048342414238377744)] {
            assert!(close(pnorm(x), p, 1e-14), "pnorm({x}) = {} not {p}", pnorm(x));
        }
        assert!(close(pnorm_upper(10.0), 7.6198530241605269e-24, 1e-14));
        assert_eq!(pnorm(0.0), 0.5);
    }

    #[test]
    fn qnorm_inverts_pnorm() {
        for i in 1..2000 {
            let p = f64::from(i) / 2000.0;
            assert!((pnorm(qnorm(p)) - p).abs() < 1e-15, "p = {p}");
        }
        for e in 1..300 {
            let p = 10f64.powi(-e);
            assert!(close(pnorm(qnorm(p)), p, 1e-12), "p = {p}");
        }
    }
}
