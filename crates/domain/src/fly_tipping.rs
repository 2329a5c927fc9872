//! Fly-tipping and environmental crime: the Defra categories each
//! fly-tipping incident is recorded in (land type, waste type, size, as in
//! the quarterly WasteDataFlow fly-tipping return), the enforcement actions
//! taken on it with their outcomes (a fixed penalty under the enforcement
//! toolkit's legal bases and maxima, its payment; a prosecution, its court
//! result, fine and costs recovered) and the council's camera deployments.

use crate::fixed_penalty::{FpnBasis, FpnLimits};
use crate::interventions::StatutoryRule;
use crate::powers::Sector;
use crate::vocabulary::vocabulary;
use chrono::{Datelike, Months, NaiveDate};

/// The fly-tipping category's code (`categories/default.toml`).
pub const CATEGORY: &str = "fly-tipping";
use serde::{Deserialize, Serialize};

vocabulary! {
    /// Where the waste was dumped (Defra's land types).
    LandType {
        /// Highway: roads, verges and lay-bys.
        Highway = "highway" / "Highway",
        /// Footpath or bridleway.
        FootpathBridleway = "footpath_bridleway" / "Footpath / bridleway",
        /// Back alleyway.
        BackAlleyway = "back_alleyway" / "Back alleyway",
        /// Railway land.
        Railway = "railway" / "Railway",
        /// Council land.
        CouncilLand = "council_land" / "Council land",
        /// Agricultural land.
        Agricultural = "agricultural" / "Agricultural",
        /// Private or residential land.
        PrivateResidential = "private_residential" / "Private / residential",
        /// Commercial or industrial land.
        CommercialIndustrial = "commercial_industrial" / "Commercial / industrial",
        /// A watercourse or its bank.
        WatercourseBank = "watercourse_bank" / "Watercourse / bank",
        /// Other land.
        Other = "other" / "Other (unidentified)",
    }
}

vocabulary! {
    /// What was dumped (Defra's waste types; the main one).
    WasteType {
        /// An animal carcass.
        AnimalCarcass = "animal_carcass" / "Animal carcass",
        /// Green waste.
        Green = "green" / "Green",
        /// Vehicle parts.
        VehicleParts = "vehicle_parts" / "Vehicle parts",
        /// White goods.
        WhiteGoods = "white_goods" / "White goods",
        /// Other electrical items.
        OtherElectrical = "other_electrical" / "Other electrical",
        /// Tyres.
        Tyres = "tyres" / "Tyres",
        /// Asbestos.
        Asbestos = "asbestos" / "Asbestos",
        /// Clinical waste.
        Clinical = "clinical" / "Clinical",
        /// Construction, demolition and excavation waste.
        Construction = "construction" / "Construction / demolition / excavation",
        /// Black bags of commercial waste.
        BlackBagsCommercial = "black_bags_commercial" / "Black bags (commercial)",
        /// Black bags of household waste.
        BlackBagsHousehold = "black_bags_household" / "Black bags (household)",
        /// Chemical drums, oil or fuel.
        Chemical = "chemical" / "Chemical drums, oil, fuel",
        /// Other household waste.
        OtherHousehold = "other_household" / "Other household waste",
        /// Other commercial waste.
        OtherCommercial = "other_commercial" / "Other commercial waste",
        /// Other waste.
        Other = "other" / "Other (unidentified)",
    }
}

vocabulary! {
    /// How much was dumped (Defra's sizes, smallest first).
    TipSize {
        /// A single black bag.
        SingleBlackBag = "single_black_bag" / "Single black bag",
        /// A single item.
        SingleItem = "single_item" / "Single item",
        /// A car boot or less.
        CarBootOrLess = "car_boot_or_less" / "Car boot or less",
        /// A small van load.
        SmallVanLoad = "small_van_load" / "Small van load",
        /// A transit van load.
        TransitVanLoad = "transit_van_load" / "Transit van load",
        /// A tipper lorry load.
        TipperLorryLoad = "tipper_lorry_load" / "Tipper lorry load",
        /// Significant or multiple loads.
        SignificantMultipleLoads = "significant_multiple_loads" / "Significant / multiple loads",
    }
}

vocabulary! {
    /// An enforcement action (Defra's kinds, as the return counts them).
    EnforcementAction {
        /// An investigation.
        Investigation = "investigation" / "Investigation",
        /// A warning letter.
        WarningLetter = "warning_letter" / "Warning letter",
        /// A statutory notice.
        StatutoryNotice = "statutory_notice" / "Statutory notice",
        /// A duty of care inspection.
        DutyOfCareInspection = "duty_of_care_inspection" / "Duty of care inspection",
        /// A fixed penalty notice.
        FixedPenaltyNotice = "fixed_penalty_notice" / "Fixed penalty notice",
        /// A formal caution.
        FormalCaution = "formal_caution" / "Formal caution",
        /// An injunction.
        Injunction = "injunction" / "Injunction",
        /// A prosecution.
        Prosecution = "prosecution" / "Prosecution",
        /// A stop and search of a waste carrier.
        StopAndSearch = "stop_and_search" / "Stop and search",
        /// A vehicle seized.
        VehicleSeized = "vehicle_seized" / "Vehicle seized",
    }
}

vocabulary! {
    /// How a prosecution ended.
    CourtResult {
        /// Convicted (a guilty plea or verdict).
        Convicted = "convicted" / "Convicted",
        /// Found not guilty.
        NotGuilty = "not_guilty" / "Not guilty",
        /// Withdrawn or discontinued.
        Withdrawn = "withdrawn" / "Withdrawn or discontinued",
    }
}

/// The legal bases a fixed penalty for fly-tipping may be issued under:
/// the deposit itself (s33ZA) or a householder's duty of care (s34ZA).
pub const FPN_BASES: [FpnBasis; 2] = [FpnBasis::FlyTipping, FpnBasis::HouseholdWasteDutyOfCare];

fn refuse<T>(rule: &'static str, message: impl Into<String>) -> Result<T, StatutoryRule> {
    Err(StatutoryRule { rule, message: message.into() })
}

fn not_after(day: NaiveDate, today: NaiveDate, what: &str) -> Result<(), StatutoryRule> {
    if day > today {
        return refuse("fly_tip_date", format!("the {what} cannot be in the future ({day})"));
    }
    Ok(())
}

/// The Defra categories of one fly-tipping incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewFlyTip {
    /// Where it was dumped.
    pub land_type: LandType,
    /// What was dumped (the main waste type).
    pub waste_type: WasteType,
    /// How much.
    pub size: TipSize,
    /// The day it was cleared, once it has been.
    #[serde(default)]
    pub cleared_on: Option<NaiveDate>,
}

impl NewFlyTip {
    /// Checks the clearance day is not in the future (`fly_tip_date`).
    pub fn check(&self, today: NaiveDate) -> Result<(), StatutoryRule> {
        self.cleared_on.map_or(Ok(()), |d| not_after(d, today, "clearance day"))
    }
}

/// An enforcement action taken on a fly-tipping incident.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewAction {
    /// The action.
    pub action: EnforcementAction,
    /// The day it was taken (a notice issued, a case laid).
    pub taken_on: NaiveDate,
    /// The legal basis of a fixed penalty notice (`fly_tipping` or `household_waste_duty_of_care`).
    #[serde(default)]
    pub legal_basis: Option<FpnBasis>,
    /// A fixed penalty's amount in pence (at most the basis's maximum in `[safety.fpn]`).
    #[serde(default)]
    pub amount_pence: Option<i64>,
    /// What was done; no names (they are on the incident's people).
    #[serde(default)]
    pub notes: String,
}

impl NewAction {
    /// Checks the action by an agency of `sector` on `today`: `fly_tip_date`,
    /// `fly_tip_action_fields` (a basis and amount only on a fixed penalty;
    /// its basis one of [`FPN_BASES`]), then the toolkit's penalty rules
    /// ([`FpnLimits::check`]: the council issues them, up to the maximum),
    /// `fly_tip_text`.
    pub fn check(&self, sector: Option<Sector>, limits: &FpnLimits, today: NaiveDate) -> Result<(), StatutoryRule> {
        not_after(self.taken_on, today, "day of the action")?;
        if self.action == EnforcementAction::FixedPenaltyNotice {
            if self.legal_basis.is_some_and(|b| !FPN_BASES.contains(&b)) {
                let bases: Vec<&str> = FPN_BASES.iter().map(|b| b.label()).collect();
                return refuse(
                    "fly_tip_action_fields",
                    format!("a fixed penalty for fly-tipping is issued under {}", bases.join(" or ")),
                );
            }
            let Some(sector) = sector else {
                return refuse(
                    "power_not_available",
                    "your agency's sector is not set: an administrator sets it with `safetynet agency sector`",
                );
            };
            limits.check(self.legal_basis, self.amount_pence, sector)?;
        } else if self.legal_basis.is_some() || self.amount_pence.is_some() {
            return refuse(
                "fly_tip_action_fields",
                "a legal basis and an amount are given only for a fixed penalty notice",
            );
        }
        crate::text::optional("notes", &self.notes, 2_000).or_else(|m| refuse("fly_tip_text", m))?;
        Ok(())
    }
}

/// What became of an action: a penalty paid, a prosecution's result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ActionOutcome {
    /// The day a fixed penalty was paid.
    #[serde(default)]
    pub paid_on: Option<NaiveDate>,
    /// How a prosecution ended.
    #[serde(default)]
    pub court_result: Option<CourtResult>,
    /// The day of the court's result.
    #[serde(default)]
    pub result_on: Option<NaiveDate>,
    /// The fine, in pence (a conviction).
    #[serde(default)]
    pub fine_pence: Option<i64>,
    /// Costs the court awarded the council, in pence.
    #[serde(default)]
    pub costs_awarded_pence: Option<i64>,
    /// Costs recovered so far, in pence.
    #[serde(default)]
    pub costs_recovered_pence: Option<i64>,
}

impl ActionOutcome {
    /// Checks the outcome of a `action` taken on `taken_on`:
    /// `fly_tip_outcome_fields` (payment only for a penalty; a result, fine
    /// and costs only for a prosecution, a fine only on a conviction, costs
    /// recovered no more than awarded, amounts not negative), `fly_tip_date`
    /// (not before the action, not in the future).
    pub fn check(&self, action: EnforcementAction, taken_on: NaiveDate, today: NaiveDate) -> Result<(), StatutoryRule> {
        let fields = |m: &str| refuse("fly_tip_outcome_fields", m);
        let court = self.court_result.is_some()
            || self.result_on.is_some()
            || self.fine_pence.is_some()
            || self.costs_awarded_pence.is_some()
            || self.costs_recovered_pence.is_some();
        if self.paid_on.is_some() && action != EnforcementAction::FixedPenaltyNotice {
            return fields("a payment is recorded only for a fixed penalty notice");
        }
        if court && action != EnforcementAction::Prosecution {
            return fields("a court result, fine and costs are recorded only for a prosecution");
        }
        if self.court_result.is_some() != self.result_on.is_some() {
            return fields("give the court's result and the day of it together");
        }
        if self.fine_pence.is_some() && self.court_result != Some(CourtResult::Convicted) {
            return fields("a fine follows a conviction");
        }
        let amounts = [self.fine_pence, self.costs_awarded_pence, self.costs_recovered_pence];
        if amounts.iter().flatten().any(|a| *a < 0) {
            return fields("amounts cannot be negative");
        }
        if self.costs_recovered_pence.unwrap_or(0) > self.costs_awarded_pence.unwrap_or(0) {
            return fields("costs recovered cannot be more than the costs awarded");
        }
        for day in [self.paid_on, self.result_on].into_iter().flatten() {
            not_after(day, today, "day")?;
            if day < taken_on {
                return refuse("fly_tip_date", format!("the outcome cannot be before the action on {taken_on}"));
            }
        }
        Ok(())
    }
}

/// A camera put up at a fly-tipping site.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewCamera {
    /// The site, e.g. "Ver Valley lay-by, A5183".
    pub site: String,
    /// The camera's asset tag or reference.
    #[serde(default)]
    pub camera: String,
    /// WGS84 latitude of the site.
    pub latitude: f64,
    /// WGS84 longitude of the site.
    pub longitude: f64,
    /// The day it went up.
    pub deployed_on: NaiveDate,
}

impl NewCamera {
    /// Checks the deployment: `fly_tip_text`, `camera_location` (a valid
    /// point), `fly_tip_date`.
    pub fn check(&self, today: NaiveDate) -> Result<(), StatutoryRule> {
        crate::text::required("site", &self.site, 200).or_else(|m| refuse("fly_tip_text", m))?;
        crate::text::optional("camera", &self.camera, 60).or_else(|m| refuse("fly_tip_text", m))?;
        if !(-90.0..=90.0).contains(&self.latitude) || !(-180.0..=180.0).contains(&self.longitude) {
            return refuse("camera_location", "give the site's latitude and longitude, for the map");
        }
        not_after(self.deployed_on, today, "deployment day")
    }
}

/// A camera taken down, with what it captured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CameraRemoval {
    /// The day it came down.
    pub removed_on: NaiveDate,
    /// Fly-tipping incidents captured on it.
    pub captures: u32,
    /// Vehicles identified from its footage.
    pub vehicles_identified: u32,
    /// What it captured, in words; no names.
    #[serde(default)]
    pub notes: String,
}

impl CameraRemoval {
    /// Checks the removal of a camera deployed on `deployed_on`:
    /// `fly_tip_date` (not before it went up, not in the future),
    /// `fly_tip_text` (vehicles no more than captures' plausible bound).
    pub fn check(&self, deployed_on: NaiveDate, today: NaiveDate) -> Result<(), StatutoryRule> {
        not_after(self.removed_on, today, "removal day")?;
        if self.removed_on < deployed_on {
            return refuse("fly_tip_date", format!("the camera went up on {deployed_on}"));
        }
        if self.captures > 10_000 || self.vehicles_identified > 10_000 {
            return refuse("fly_tip_text", "enter the captures and vehicles as counts, at most 10,000");
        }
        crate::text::optional("notes", &self.notes, 2_000).or_else(|m| refuse("fly_tip_text", m))?;
        Ok(())
    }
}

/// A quarter of the financial year (April to March), the period of the
/// WasteDataFlow return.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct ReturnQuarter {
    /// The year the financial year starts in (2025 for 2025/26).
    pub year: i32,
    /// 1 (April to June) to 4 (January to March).
    pub quarter: u32,
}

impl ReturnQuarter {
    /// The quarter, refused outside 2000/01 to 2099/00 or 1..=4.
    pub fn new(year: i32, quarter: u32) -> Result<Self, String> {
        if !(2000..=2099).contains(&year) || !(1..=4).contains(&quarter) {
            return Err("give a financial year from 2000 to 2099 and a quarter from 1 to 4".into());
        }
        Ok(Self { year, quarter })
    }

    /// The quarter `day` falls in.
    pub fn containing(day: NaiveDate) -> Self {
        let (year, month) =
            if day.month() >= 4 { (day.year(), day.month()) } else { (day.year() - 1, day.month() + 12) };
        Self { year, quarter: (month - 4) / 3 + 1 }
    }

    /// Its first and last days.
    pub fn days(self) -> (NaiveDate, NaiveDate) {
        let month = 4 + (self.quarter - 1) * 3;
        let (y, m) = if month > 12 { (self.year + 1, month - 12) } else { (self.year, month) };
        let first = NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(NaiveDate::MIN);
        let last = first.checked_add_months(Months::new(3)).and_then(|d| d.pred_opt()).unwrap_or(first);
        (first, last)
    }

    /// "2025/26 Q3".
    pub fn label(self) -> String {
        format!("{}/{:02} Q{}", self.year, (self.year + 1) % 100, self.quarter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn fpn(basis: Option<FpnBasis>, amount: Option<i64>) -> NewAction {
        NewAction {
            action: EnforcementAction::FixedPenaltyNotice,
            taken_on: d("2026-01-10"),
            legal_basis: basis,
            amount_pence: amount,
            notes: String::new(),
        }
    }

    #[test]
    fn a_fly_tipping_penalty_follows_the_toolkits_bases_and_maxima() {
        let (limits, today) = (FpnLimits::default(), d("2026-01-15"));
        let rule = |a: NewAction, s| a.check(s, &limits, today).err().map(|e| e.rule);
        let council = Some(Sector::Council);
        assert_eq!(rule(fpn(Some(FpnBasis::FlyTipping), Some(40_000)), council), None);
        assert_eq!(rule(fpn(Some(FpnBasis::FlyTipping), Some(100_000)), council), None);
        assert_eq!(rule(fpn(Some(FpnBasis::FlyTipping), Some(100_001)), council), Some("fpn_amount_above_maximum"));
        assert_eq!(
            rule(fpn(Some(FpnBasis::HouseholdWasteDutyOfCare), Some(60_001)), council),
            Some("fpn_amount_above_maximum")
        );
        assert_eq!(rule(fpn(None, Some(40_000)), council), Some("fpn_legal_basis_required"));
        assert_eq!(rule(fpn(Some(FpnBasis::Litter), Some(10_000)), council), Some("fly_tip_action_fields"));
        assert_eq!(rule(fpn(Some(FpnBasis::FlyTipping), None), council), Some("fpn_amount_required"));
        assert_eq!(
            rule(fpn(Some(FpnBasis::FlyTipping), Some(40_000)), Some(Sector::Police)),
            Some("power_not_available")
        );
        assert_eq!(rule(fpn(Some(FpnBasis::FlyTipping), Some(40_000)), None), Some("power_not_available"));
        let letter = NewAction { action: EnforcementAction::WarningLetter, ..fpn(None, None) };
        assert_eq!(rule(letter.clone(), Some(Sector::Police)), None);
        let priced = NewAction { amount_pence: Some(1), ..letter.clone() };
        assert_eq!(rule(priced, council), Some("fly_tip_action_fields"));
        let future = NewAction { taken_on: d("2026-01-16"), ..letter };
        assert_eq!(rule(future, council), Some("fly_tip_date"));
    }

    #[test]
    fn outcomes_suit_their_action() {
        let today = d("2026-03-01");
        let taken = d("2026-01-10");
        let rule = |o: ActionOutcome, a| o.check(a, taken, today).err().map(|e| e.rule);
        let paid = ActionOutcome { paid_on: Some(d("2026-01-20")), ..ActionOutcome::default() };
        assert_eq!(rule(paid.clone(), EnforcementAction::FixedPenaltyNotice), None);
        assert_eq!(rule(paid, EnforcementAction::Prosecution), Some("fly_tip_outcome_fields"));
        let early = ActionOutcome { paid_on: Some(d("2026-01-09")), ..ActionOutcome::default() };
        assert_eq!(rule(early, EnforcementAction::FixedPenaltyNotice), Some("fly_tip_date"));
        let convicted = ActionOutcome {
            court_result: Some(CourtResult::Convicted),
            result_on: Some(d("2026-02-20")),
            fine_pence: Some(120_000),
            costs_awarded_pence: Some(45_000),
            costs_recovered_pence: Some(45_000),
            ..ActionOutcome::default()
        };
        assert_eq!(rule(convicted.clone(), EnforcementAction::Prosecution), None);
        assert_eq!(rule(convicted.clone(), EnforcementAction::FixedPenaltyNotice), Some("fly_tip_outcome_fields"));
        let over = ActionOutcome { costs_recovered_pence: Some(45_001), ..convicted.clone() };
        assert_eq!(rule(over, EnforcementAction::Prosecution), Some("fly_tip_outcome_fields"));
        let acquitted = ActionOutcome { court_result: Some(CourtResult::NotGuilty), ..convicted.clone() };
        assert_eq!(rule(acquitted, EnforcementAction::Prosecution), Some("fly_tip_outcome_fields"));
        let undated = ActionOutcome { result_on: None, ..convicted };
        assert_eq!(rule(undated, EnforcementAction::Prosecution), Some("fly_tip_outcome_fields"));
    }

    #[test]
    fn cameras_are_placed_and_come_down_after_they_went_up() {
        let today = d("2026-01-15");
        let cam = NewCamera {
            site: "Ver Valley lay-by".into(),
            camera: "CAM-04".into(),
            latitude: 51.74,
            longitude: -0.36,
            deployed_on: d("2026-01-02"),
        };
        assert!(cam.check(today).is_ok());
        let nowhere = NewCamera { latitude: 95.0, ..cam.clone() };
        assert_eq!(nowhere.check(today).err().map(|e| e.rule), Some("camera_location"));
        let off =
            CameraRemoval { removed_on: d("2026-01-01"), captures: 2, vehicles_identified: 1, notes: String::new() };
        assert_eq!(off.check(cam.deployed_on, today).err().map(|e| e.rule), Some("fly_tip_date"));
        assert!(CameraRemoval { removed_on: d("2026-01-14"), ..off }.check(cam.deployed_on, today).is_ok());
    }

    #[test]
    fn return_quarters_run_april_to_march() {
        let q = ReturnQuarter::containing(d("2026-01-15"));
        assert_eq!((q.year, q.quarter, q.label()), (2025, 4, "2025/26 Q4".to_string()));
        assert_eq!(q.days(), (d("2026-01-01"), d("2026-03-31")));
        let q = ReturnQuarter::containing(d("2025-04-01"));
        assert_eq!((q.year, q.quarter), (2025, 1));
        assert_eq!(q.days(), (d("2025-04-01"), d("2025-06-30")));
        assert_eq!(ReturnQuarter::new(2025, 3).map(|q| q.days()), Ok((d("2025-10-01"), d("2025-12-31"))));
        assert!(ReturnQuarter::new(2025, 5).is_err());
    }
}
