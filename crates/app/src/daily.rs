//! The daily review (the strategy's "all crime and incidents reviewed
//! daily"): the incidents an agency may see from the 24 hours before 08:00
//! UK time on a day, ranked by risk with the reasons.

use crate::{Error, Params};
use chrono::{DateTime, NaiveDate, Utc};
use safetynet_domain::policy::{Permit, ViewRecords};
use safetynet_domain::uk_time::london_midnight;
use safetynet_store::safety::DailyItem;
use safetynet_store::users::Actor;
use safetynet_store::Store;

/// The review of one day: `date` (YYYY-MM-DD, default today in the UK).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DailyReviewRequest {
    /// The day of the morning meeting.
    pub date: NaiveDate,
}

impl DailyReviewRequest {
    /// The request from options; `today` is the UK date now.
    pub fn from_params(p: &Params, today: NaiveDate) -> Result<Self, Error> {
        let date = match p.text("date") {
            None => today,
            Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| Error::Invalid("date must be in the form YYYY-MM-DD".into()))?,
        };
        Ok(Self { date })
    }

    /// The window reviewed: the 24 hours before 08:00 UK time on the day.
    pub fn window(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        let end = london_midnight(self.date) + chrono::Duration::hours(8);
        (end - chrono::Duration::hours(24), end)
    }
}

/// The day's review.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct DailyReview {
    /// The day.
    pub date: NaiveDate,
    /// The window's start.
    pub from: DateTime<Utc>,
    /// The window's end (08:00 UK time on the day).
    pub to: DateTime<Utc>,
    /// The incidents, highest risk first.
    pub items: Vec<DailyItem>,
}

/// The daily review as the permit's agency may see it (audited by `actor`).
pub async fn daily_review(
    store: &Store,
    permit: &Permit<ViewRecords>,
    req: &DailyReviewRequest,
    actor: &Actor<'_>,
) -> Result<DailyReview, Error> {
    let (from, to) = req.window();
    let items = store.daily_review(permit, from, to, actor).await?;
    Ok(DailyReview { date: req.date, from, to, items })
}
