//! The dashboard, the aggregates it is drawn from, and their exports: one
//! view per field of the schema (at every depth, by dotted path), each
//! captioned with the field's why-text from the schema file, for a window
//! of days; the same data as JSON and CSV; and the public view's
//! k-anonymity.
//!
//! In flow order:
//!
//! - [`window`]: the days asked for (`?window=30`, `?from=&to=`).
//! - [`data`]: what one window shows, read from the store
//!   ([`data::read`]), as plain data.
//! - [`summary`]: what the page draws, read from the store
//!   ([`summary::read_page`]) without carrying every per-day row.
//! - [`public`]: the k-anonymity filter, from data to data.
//! - [`views`]: each field's table, lines and histogram, computed.
//! - [`charts`]: SVG drawn with plotters.
//! - [`page`]: the HTML.
//! - [`export`]: the JSON and CSV.
//! - [`all_fields`] and [`stream`]: the JSON and CSV of every field, read
//!   compactly ([`all_fields::read_all`]) and written as they are sent.
//!
//! The page's and the exports' reads of long windows take the days that
//! no longer change from what the receiver keeps of them
//! ([`crate::store::past_days`]).
//!
//! Everything after [`data::read`], [`summary::read_page`] and
//! [`all_fields::read_all`] is a pure function of its input, so the page
//! and the exports are tested from data alone, and a public answer cannot
//! show what the filter removed: nothing reads the store after it.

pub mod all_fields;
pub mod charts;
pub mod data;
pub mod export;
pub mod page;
pub mod public;
pub mod stream;
pub mod summary;
pub mod views;
pub mod window;

pub use data::{read, WindowData};
pub use page::render;
pub use public::{k_anonymous, k_anonymous_page};
pub use summary::{read_page, PageData};
pub use window::{Window, WindowQuery};
