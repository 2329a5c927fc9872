//! Response shapes the API handlers share; each derives its OpenAPI schema.

use serde::Serialize;
use utoipa::ToSchema;

/// `{items}`: every record there is.
#[derive(Debug, Serialize, ToSchema)]
pub struct Items<T> {
    /// The records.
    pub items: Vec<T>,
}

impl<T> From<Vec<T>> for Items<T> {
    fn from(items: Vec<T>) -> Self {
        Self { items }
    }
}

/// `{items, total, page, per_page}`: one page of records.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    /// The records on this page.
    pub items: Vec<T>,
    /// Records matching, on every page.
    pub total: i64,
    /// This page, from 1.
    pub page: i64,
    /// Page size.
    pub per_page: i64,
}

/// `{id, reference}` of a new record.
#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    /// The new record's id.
    pub id: String,
    /// Its human reference.
    pub reference: String,
}
