//! The counts behind each computed commitment measure
//! (`safetynet_domain::measures`), read from the programmes' own tables.
//! Counts only: no personal data leaves here.

use crate::fly_tipping::{enforcement, FLY_TIPPING};
use crate::noise::investigated;
use crate::premises::{inspections_overdue, visited};
use crate::referrals::ReferralCount;
use crate::schools::reach;
use crate::sql::Q;
use crate::taxi::checked_counts;
use crate::vawg::panels_held;
use crate::vigilance::vigilance_counts;
use crate::{Exec, Result, Store};
use chrono::NaiveDate;
use safetynet_domain::measures::{Counts, MeasureSource};
use safetynet_domain::powers::Sector;
use safetynet_domain::premises::VisitKind;
use safetynet_domain::referrals::{Programme, ReferralReason, ReferralStatus};
use safetynet_domain::schools::Topic;
use safetynet_domain::uk_time::london_midnight;

/// Taken on by a programme: accepted or completed.
const TAKEN_ON: [ReferralStatus; 2] = [ReferralStatus::Accepted, ReferralStatus::Completed];
const COMPLETED: [ReferralStatus; 1] = [ReferralStatus::Completed];

impl Store {
    /// The counts for `source` over `period` (inclusive UK dates; a share
    /// such as the drivers checked is taken on the period's last day).
    pub async fn measure_counts(&self, source: MeasureSource, period: (NaiveDate, NaiveDate)) -> Result<Counts> {
        let mut c = self.conn().await?;
        let completed = |p| referrals(p, &COMPLETED, None, period);
        Ok(match source {
            MeasureSource::CountyLinesSchools => {
                let r = topic_reach(&mut c, Topic::CountyLines, period).await?;
                Counts { count: r.0, ..Counts::default() }
            }
            MeasureSource::HealthyRelationshipsSchools => {
                let r = topic_reach(&mut c, Topic::HealthyRelationships, period).await?;
                Counts { count: r.0, of: None, also: Some(r.1) }
            }
            MeasureSource::FireSafetyTalks => {
                let talks: i64 = reach(&mut c, period, None)
                    .await?
                    .iter()
                    .filter(|t| t.topic.is_fire_safety_talk())
                    .map(|t| t.sessions)
                    .sum();
                let life = completed(Programme::Life).run(&mut c).await?;
                Counts { count: talks, of: None, also: Some(life) }
            }
            MeasureSource::SafeAndWellVisits => single(completed(Programme::SafeAndWell).run(&mut c).await?),
            MeasureSource::NewTenancyVisits => single(
                referrals(Programme::SafeAndWell, &COMPLETED, Some(ReferralReason::NewTenancy), period)
                    .run(&mut c)
                    .await?,
            ),
            MeasureSource::NoMoreSupported => {
                single(referrals(Programme::NoMore, &TAKEN_ON, None, period).run(&mut c).await?)
            }
            MeasureSource::YouthOfferEngaged => {
                single(referrals(Programme::YouthOffer, &TAKEN_ON, None, period).run(&mut c).await?)
            }
            MeasureSource::YouthOutreachReached => {
                let r = reach(&mut c, period, Some(Topic::DetachedYouthWork)).await?;
                let (pupils, sessions) = r.first().map_or((0, 0), |t| (t.pupils, t.sessions));
                Counts { count: pupils, of: None, also: Some(sessions) }
            }
            MeasureSource::PhoenixOutcomes => {
                let done = completed(Programme::Phoenix).run(&mut c).await?;
                let achieved = ReferralCount { achieved: true, ..completed(Programme::Phoenix) }.run(&mut c).await?;
                Counts { count: achieved, of: Some(done), also: None }
            }
            MeasureSource::PremisesInspected => {
                let (inspected, _) = visited(&mut c, VisitKind::FireInspection, period).await?;
                Counts { count: inspected, of: None, also: Some(inspections_overdue(&mut c, period.1).await?) }
            }
            MeasureSource::DrinkSpikingPremises => {
                single(visited(&mut c, VisitKind::DrinkSpikingAdvice, period).await?.0)
            }
            MeasureSource::SafeguardingPremises => {
                single(visited(&mut c, VisitKind::SafeguardingTraining, period).await?.0)
            }
            MeasureSource::VigilantDeployments => {
                let (premises, nights) = visited(&mut c, VisitKind::VigilantDeployment, period).await?;
                Counts { count: nights, of: None, also: Some(premises) }
            }
            MeasureSource::NoiseInvestigations => investigated(&mut c, period).await?,
            MeasureSource::FlyTippingReportedByFire => single(fly_tipping_by_fire(&mut c, period).await?),
            MeasureSource::FlyTippingEnforcement => enforcement(&mut c, period).await?,
            MeasureSource::VigilanceChecks => vigilance_counts(&mut c, period).await?,
            MeasureSource::VawgPanelsHeld => single(panels_held(&mut c, period).await?),
            MeasureSource::TaxiDbsChecked => checked_counts(&mut c, period.1).await?,
        })
    }
}

fn single(count: i64) -> Counts {
    Counts { count, ..Counts::default() }
}

fn referrals(
    programme: Programme,
    statuses: &[ReferralStatus],
    reason: Option<ReferralReason>,
    period: (NaiveDate, NaiveDate),
) -> ReferralCount<'_> {
    ReferralCount { programme, statuses, reason, achieved: false, period }
}

/// (distinct schools, pupils) for one topic.
async fn topic_reach(conn: &mut impl Exec, topic: Topic, period: (NaiveDate, NaiveDate)) -> Result<(i64, i64)> {
    Ok(reach(conn, period, Some(topic)).await?.first().map_or((0, 0), |t| (t.schools, t.pupils)))
}

/// Fly-tipping incidents reported in `period` that a fire and rescue
/// service recorded (and so passed on to the partners through the shared
/// system).
async fn fly_tipping_by_fire(conn: &mut impl Exec, period: (NaiveDate, NaiveDate)) -> Result<i64> {
    let until = period.1.succ_opt().unwrap_or(period.1);
    let q = Q::new(
        "SELECT COUNT(*) AS n FROM incidents i CROSS JOIN agencies a WHERE a.code = i.owner_agency AND a.sector = $1
           AND i.category = $2 AND i.reported_at >= $3 AND i.reported_at < $4",
    )
    .bind(Sector::Fire.as_str())
    .bind(FLY_TIPPING)
    .bind(london_midnight(period.0).timestamp_millis())
    .bind(london_midnight(until).timestamp_millis());
    Ok(conn.one(&q).await?.int("n")?)
}
