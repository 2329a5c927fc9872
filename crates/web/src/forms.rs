//! GOV.UK form components used across pages, each showing its error (if
//! any) the Design System way, and parsing helpers for form values.

use crate::error::AppError;
use crate::layout::sentence;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use maud::{html, Markup};
use safetynet_domain::uk_time::{london_local, london_to_utc};
use serde::Deserialize;
use std::collections::HashMap;

/// Field errors as (field id, message).
pub type Errors = Vec<(String, String)>;

fn error_for<'a>(errors: &'a Errors, id: &str) -> Option<&'a str> {
    errors.iter().find(|(f, _)| f == id).map(|(_, m)| m.as_str())
}

/// The ids a control's `aria-describedby` names: its hint, its error.
fn described_by(id: &str, hint: bool, errors: &Errors) -> Option<String> {
    let ids: Vec<String> = [hint.then(|| format!("{id}-hint")), error_for(errors, id).map(|_| format!("{id}-error"))]
        .into_iter()
        .flatten()
        .collect();
    (!ids.is_empty()).then(|| ids.join(" "))
}

/// A form group in the Design System's order: label, hint, error message,
/// then the control.
fn group(id: &str, label: &str, hint: Option<&str>, errors: &Errors, control: Markup) -> Markup {
    counting_group(id, label, hint, None, errors, control)
}

/// A field's error message, if it has one.
fn error_message(id: &str, errors: &Errors) -> Markup {
    html! {
        @if let Some(e) = error_for(errors, id) {
            p class="govuk-error-message" id=(format!("{id}-error")) { span class="govuk-visually-hidden" { "Error: " } (sentence(e)) }
        }
    }
}

/// [`group`], and with `max` the Design System's character count around it.
fn counting_group(
    id: &str,
    label: &str,
    hint: Option<&str>,
    max: Option<usize>,
    errors: &Errors,
    control: Markup,
) -> Markup {
    let failed = error_for(errors, id).is_some();
    html! {
        div class={ "govuk-form-group" @if max.is_some() { " govuk-character-count" } @if failed { " govuk-form-group--error" } }
            data-module=[max.map(|_| "govuk-character-count")] data-maxlength=[max] {
            label class="govuk-label" for=(id) { (label) }
            @if let Some(h) = hint { div class="govuk-hint" id=(format!("{id}-hint")) { (h) } }
            (error_message(id, errors))
            (control)
            @if let Some(m) = max { div id=(format!("{id}-info")) class="govuk-hint govuk-character-count__message" { "You can enter up to " (m) " characters" } }
        }
    }
}

/// A labelled text-like input (`kind`: text, date, datetime-local, number, email).
pub fn input(id: &str, label: &str, kind: &str, value: &str, hint: Option<&str>, errors: &Errors) -> Markup {
    let control = html! {
        input class={ "govuk-input" @if error_for(errors, id).is_some() { " govuk-input--error" } } id=(id) name=(id) type=(kind) value=(value)
            aria-describedby=[described_by(id, hint.is_some(), errors)] step=[(kind == "number").then_some("any")];
    };
    group(id, label, hint, errors, control)
}

/// A labelled textarea.
pub fn textarea(id: &str, label: &str, value: &str, hint: Option<&str>, rows: u32, errors: &Errors) -> Markup {
    let control = html! {
        textarea class={ "govuk-textarea" @if error_for(errors, id).is_some() { " govuk-textarea--error" } } id=(id) name=(id) rows=(rows) aria-describedby=[described_by(id, hint.is_some(), errors)] { (value) }
    };
    group(id, label, hint, errors, control)
}

/// A labelled textarea with the Design System's character count: people
/// see how many of `max` characters are left as they type (and, without
/// JavaScript, the limit in the hint).
pub fn counted_textarea(
    id: &str,
    label: &str,
    value: &str,
    hint: Option<&str>,
    rows: u32,
    max: usize,
    errors: &Errors,
) -> Markup {
    let described =
        format!("{id}-info{}", described_by(id, hint.is_some(), errors).map(|d| format!(" {d}")).unwrap_or_default());
    let control = html! {
        textarea class={ "govuk-textarea govuk-js-character-count" @if error_for(errors, id).is_some() { " govuk-textarea--error" } } id=(id) name=(id) rows=(rows)
            aria-describedby=(described) { (value) }
    };
    counting_group(id, label, hint, Some(max), errors, control)
}

/// A select's (value, text) options from a fixed list of values.
pub fn choices<T: Copy>(all: &[T], code: fn(T) -> &'static str, label: fn(T) -> &'static str) -> Vec<(String, String)> {
    all.iter().map(|x| (code(*x).to_string(), label(*x).to_string())).collect()
}

/// A labelled select of (value, text) options.
pub fn select(
    id: &str,
    label: &str,
    options: &[(String, String)],
    current: &str,
    blank: Option<&str>,
    errors: &Errors,
) -> Markup {
    let control = html! {
        select class={ "govuk-select" @if error_for(errors, id).is_some() { " govuk-select--error" } } id=(id) name=(id) aria-describedby=[described_by(id, false, errors)] {
            @if let Some(b) = blank { option value="" { (b) } }
            @for (v, t) in options { option value=(v) selected[v == current] { (t) } }
        }
    };
    group(id, label, None, errors, control)
}

/// A single checkbox.
pub fn checkbox(id: &str, label: &str, checked: bool) -> Markup {
    html! {
        div class="govuk-checkboxes__item" {
            input class="govuk-checkboxes__input" id=(id) name=(id) type="checkbox" value="true" checked[checked];
            label class="govuk-label govuk-checkboxes__label" for=(id) { (label) }
        }
    }
}

/// A question as a fieldset: its legend, its error, then `controls`.
fn question_group(id: &str, question: &str, errors: &Errors, controls: Markup) -> Markup {
    let err = error_for(errors, id);
    html! {
        div class={ "govuk-form-group" @if err.is_some() { " govuk-form-group--error" } } {
            fieldset class="govuk-fieldset" aria-describedby=[described_by(id, false, errors)] {
                legend class="govuk-fieldset__legend govuk-fieldset__legend--s" { (question) }
                (error_message(id, errors))
                (controls)
            }
        }
    }
}

/// Several checkboxes under one question, each named `{id}-{code}`, with
/// the question's error.
pub fn checkboxes(id: &str, question: &str, items: &[(String, String)], errors: &Errors) -> Markup {
    let boxes = html! {
        div class="govuk-checkboxes govuk-checkboxes--small" id=(id) {
            @for (code, label) in items { (checkbox(&format!("{id}-{code}"), label, false)) }
        }
    };
    question_group(id, question, errors, boxes)
}

/// One checkbox that must be ticked, under its question, with its error
/// (the error summary links to the checkbox itself).
pub fn required_checkbox(id: &str, question: &str, label: &str, checked: bool, errors: &Errors) -> Markup {
    question_group(
        id,
        question,
        errors,
        html! { div class="govuk-checkboxes govuk-checkboxes--small" { (checkbox(id, label, checked)) } },
    )
}

/// Yes/no radios for one question.
pub fn yes_no(id: &str, question: &str, current: Option<bool>, errors: &Errors) -> Markup {
    let current = current.map(|yes| if yes { "yes" } else { "no" });
    answer_radios(id, question, current, &[("yes", "Yes"), ("no", "No")], errors)
}

/// Inline radios for one question, one per (value, label) option; the
/// first option's input has the question's id (the error summary's link).
pub fn answer_radios(
    id: &str,
    question: &str,
    current: Option<&str>,
    options: &[(&str, &str)],
    errors: &Errors,
) -> Markup {
    let radios = html! {
        div class="govuk-radios govuk-radios--inline govuk-radios--small" data-module="govuk-radios" {
            @for (i, (value, label)) in options.iter().enumerate() {
                @let input_id = if i == 0 { id.to_string() } else { format!("{id}-{value}") };
                div class="govuk-radios__item" {
                    input class="govuk-radios__input" id=(input_id) name=(id) type="radio" value=(value) checked[current == Some(*value)];
                    label class="govuk-label govuk-radios__label" for=(input_id) { (label) }
                }
            }
        }
    };
    question_group(id, question, errors, radios)
}

/// The value of a [`yes_no`] radio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum YesNo {
    /// "yes".
    Yes,
    /// "no".
    No,
}

impl YesNo {
    /// True for "yes".
    pub fn is_yes(self) -> bool {
        self == Self::Yes
    }
}

/// The outer ring of a GeoJSON Polygon (a geometry or a Feature), as the
/// area-drawing map writes it into a form.
pub fn polygon_ring(geojson: &str) -> Result<Vec<[f64; 2]>, String> {
    let mut g: serde_json::Value = serde_json::from_str(geojson.trim())
        .map_err(|_| "draw the area on the map, or give a GeoJSON Polygon".to_string())?;
    if g["type"] == "Feature" {
        g = g["geometry"].take();
    }
    if g["type"] != "Polygon" {
        return Err("the area must be a GeoJSON Polygon".into());
    }
    serde_json::from_value(g["coordinates"][0].take())
        .map_err(|_| "the area's corners must be longitude, latitude pairs".into())
}

/// A trimmed form value, or `None` when it is blank.
pub fn given(value: &str) -> Option<&str> {
    Some(value.trim()).filter(|v| !v.is_empty())
}

/// A number input's value (`None` when blank), or a 400 naming `what`.
pub fn number(value: &str, what: &str) -> Result<Option<f64>, AppError> {
    match given(value) {
        None => Ok(None),
        Some(v) => v.parse::<f64>().map(Some).map_err(|_| AppError::BadRequest(format!("the {what} must be a number"))),
    }
}

/// An amount of pounds typed in ("450" or "450.50") as pence (`None` when
/// blank), or a message naming `what`.
pub fn pence(value: &str, what: &str) -> Result<Option<i64>, String> {
    match given(value) {
        None => Ok(None),
        Some(v) => match v.trim_start_matches('£').replace(',', "").parse::<f64>() {
            Ok(p) if p.is_finite() && p.abs() < 1e9 => Ok(Some((p * 100.0).round() as i64)),
            _ => Err(format!("the {what} must be a number of pounds")),
        },
    }
}

/// The inputs of a form that lists several records, each input named after
/// its record (`status-{id}`, `agenda-{code}`), read whole.
#[derive(Debug, Default, Deserialize)]
pub struct PerRecord(HashMap<String, String>);

impl PerRecord {
    /// The value of input `{name}-{id}` ("" when absent).
    pub fn of(&self, name: &str, id: &str) -> &str {
        self.0.get(&format!("{name}-{id}")).map_or("", String::as_str)
    }

    /// The value of input `name` ("" when absent), for inputs named by the
    /// record alone (a questionnaire's question ids).
    pub fn named(&self, name: &str) -> &str {
        self.0.get(name).map_or("", String::as_str)
    }

    /// True when the form carries input `name` (a ticked checkbox).
    pub fn ticked(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }
}

/// Parses an `<input type="datetime-local">` value as UK local time.
pub fn parse_local_datetime(s: &str) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%dT%H:%M").ok()?;
    london_to_utc(naive)
}

/// Formats a UTC time for an `<input type="datetime-local">` in UK time.
pub fn local_datetime_value(t: DateTime<Utc>) -> String {
    london_local(t).format("%Y-%m-%dT%H:%M").to_string()
}

/// Parses a `YYYY-MM-DD` date field.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// A refusal from the store as a form field error, at the field `field`
/// names for its rule; any other error passes on.
pub fn rule_error(
    e: safetynet_store::StoreError,
    field: impl Fn(&str) -> &'static str,
) -> Result<(&'static str, String), AppError> {
    match e {
        safetynet_store::StoreError::Rule(rule, message) => Ok((field(rule), message)),
        other => Err(other.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uk_local_times_round_trip_across_bst() {
        let winter = parse_local_datetime("2026-01-15T09:00").map(|t| t.to_rfc3339());
        assert_eq!(winter.as_deref(), Some("2026-01-15T09:00:00+00:00"));
        let summer = parse_local_datetime("2026-07-01T09:00").map(|t| t.to_rfc3339());
        assert_eq!(summer.as_deref(), Some("2026-07-01T08:00:00+00:00"));
        let t = parse_local_datetime("2026-07-01T09:00").expect("time");
        assert_eq!(local_datetime_value(t), "2026-07-01T09:00");
        assert!(parse_local_datetime("yesterday").is_none());
        assert_eq!(parse_date("2026-02-30"), None);
    }

    #[test]
    fn typed_forms_read_repeated_keys_radios_and_per_record_inputs() {
        #[derive(Deserialize)]
        struct Ticked {
            #[serde(default)]
            role: Vec<String>,
            #[serde(default, deserialize_with = "serde_html_form::de::empty_as_none")]
            answer: Option<YesNo>,
        }
        let f: Ticked = serde_html_form::from_str("role=a&role=b&answer=yes").expect("form");
        assert_eq!((f.role, f.answer.map(YesNo::is_yes)), (vec!["a".to_string(), "b".to_string()], Some(true)));
        // An unticked radio is not sent at all.
        let f: Ticked = serde_html_form::from_str("role=a").expect("form");
        assert_eq!((f.role.len(), f.answer), (1, None));
        let f: Ticked = serde_html_form::from_str("answer=").expect("form");
        assert_eq!(f.answer, None);
        assert!(serde_html_form::from_str::<Ticked>("answer=maybe").is_err());
        let f: PerRecord = serde_html_form::from_str("status-7=done&q1=no&notify=on").expect("form");
        assert_eq!((f.of("status", "7"), f.of("status", "8"), f.named("q1")), ("done", "", "no"));
        assert!(f.ticked("notify") && !f.ticked("other"));
        assert_eq!(given("  x "), Some("x"));
        assert_eq!(given("  "), None);
    }
}
