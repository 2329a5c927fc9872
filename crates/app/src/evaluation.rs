//! Evaluating an operation: recorded crime of its types in the target,
//! buffer and control areas for its months and as many months before, then
//! the weighted displacement difference and quotient with a plain
//! recommendation. Run on demand and, by the scheduler, once an operation
//! has ended and police.uk data covers its months.

use crate::analyses::evaluate::{evaluate as weigh, EvaluateRequest};
use crate::Error;
use chrono::NaiveDate;
use safetynet_analysis::evaluate::BeforeAfter;
use safetynet_domain::month::Month;
use safetynet_domain::operation::{evaluation_months, Place, Placer};
use safetynet_store::crimes::CrimeFilter;
use safetynet_store::operations::Operation;
use safetynet_store::users::Actor;
use safetynet_store::Store;

/// Before and after counts for one area.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
struct Counts {
    before: f64,
    after: f64,
}

/// Computes an operation's evaluation (without storing it). Refused when
/// police.uk data does not yet cover the months compared.
pub async fn evaluate(store: &Store, op: &Operation) -> Result<(serde_json::Value, String), Error> {
    let ((b0, b1), (a0, a1)) = evaluation_months(op.starts_on, op.ends_on)
        .ok_or_else(|| Error::Invalid("the operation's dates are out of range".into()))?;
    let held = store.crime_months().await?;
    let covers = |from: Month, to: Month| {
        let mut m = from;
        loop {
            if !held.contains(&m) {
                return false;
            }
            if m == to {
                return true;
            }
            m = m.next();
        }
    };
    if !covers(b0, b1) || !covers(a0, a1) {
        return Err(Error::Refused {
            rule: "evaluation_data",
            message: format!(
                "recorded crime for {b0} to {a1} is not all loaded yet (police.uk publishes each month about two months later)"
            ),
        });
    }
    let (mut target, mut buffer, mut control) = (Counts::default(), Counts::default(), Counts::default());
    let types: Vec<Option<String>> =
        if op.crime_types.is_empty() { vec![None] } else { op.crime_types.iter().cloned().map(Some).collect() };
    let placer = Placer::new(&op.target, op.buffer_m, op.control.as_ref());
    for (from, to, after) in [(b0, b1, false), (a0, a1, true)] {
        for t in &types {
            let filter = CrimeFilter { from: Some(from), to: Some(to), crime_type: t.clone(), lsoa: None };
            for (lon, lat) in store.crime_locations(&filter).await? {
                let counts = match placer.place(lon, lat) {
                    Place::Target => &mut target,
                    Place::Buffer => &mut buffer,
                    Place::Control => &mut control,
                    Place::Outside => continue,
                };
                if after {
                    counts.after += 1.0;
                } else {
                    counts.before += 1.0;
                }
            }
        }
    }
    // Without a control zone the rest of the district is the control, scaled
    // so that its "before" count equals the target's: the comparison is of
    // trends, not of sizes.
    let scale = match (&op.control, control.before > 0.0) {
        (None, true) => target.before.max(1.0) / control.before,
        _ => 1.0,
    };
    let scaled = Counts { before: control.before * scale, after: control.after * scale };
    let pair = |c: Counts| BeforeAfter::new(c.before, c.after);
    let request = EvaluateRequest::new(pair(target), pair(scaled), pair(buffer), BeforeAfter::new(0.0, 0.0))?;
    let mut result = serde_json::to_value(weigh(&request)?).map_err(|e| Error::Internal(e.to_string()))?;
    let recommendation = result["advice"]["recommendation"].as_str().unwrap_or("change_approach").to_string();
    result["months"] = serde_json::json!({ "before": [b0, b1], "during": [a0, a1] });
    result["counts"] = serde_json::json!({
        "target": target, "buffer": buffer, "control": control,
        "control_is_rest_of_district": op.control.is_none(), "control_scale": scale,
    });
    Ok((result, recommendation))
}

/// Evaluates and stores one operation's result, as `actor`.
pub async fn evaluate_and_save(store: &Store, op: &Operation, actor: &Actor<'_>) -> Result<String, Error> {
    let (result, recommendation) = evaluate(store, op).await?;
    store.save_operation_evaluation(&op.id, &result, &recommendation, actor).await?;
    Ok(recommendation)
}

/// The scheduler's pass: evaluates every ended operation whose months are
/// covered by the data; returns how many were evaluated. Operations still
/// waiting for data are left for a later pass.
pub async fn evaluate_ended(store: &Store, today: NaiveDate, actor: &Actor<'_>) -> Result<usize, Error> {
    let ended = store.operations_to_evaluate(today).await?;
    let mut n = 0;
    for op in &ended {
        match evaluate_and_save(store, op, actor).await {
            Ok(_) => n += 1,
            Err(Error::Refused { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}
