use std::fmt;
use std::sync::Arc;

use crate::Telemetry;

/// The path the preview is served at, by convention and by the `axum` feature.
pub const PREVIEW_PATH: &str = "/api/v1/telemetry/preview";

/// Builds the report exactly as the next send would: the same snapshot
/// function, the same serializer. Serving it needs no outbound connection,
/// so it works whether sending is enabled or not.
pub struct Preview<T> {
    snapshot: Arc<dyn Fn() -> T + Send + Sync>,
}

impl<T: Telemetry> Preview<T> {
    /// A preview of the payload that `snapshot` builds.
    pub fn new(snapshot: impl Fn() -> T + Send + Sync + 'static) -> Self {
        Preview {
            snapshot: Arc::new(snapshot),
        }
    }

    /// The bytes the next report sends: the payload as compact JSON.
    pub fn bytes(&self) -> Vec<u8> {
        report_bytes(&(self.snapshot)())
    }
}

/// The one serializer of a report, shared by preview and send.
pub(crate) fn report_bytes<T: Telemetry>(payload: &T) -> Vec<u8> {
    // Serializing derived payloads cannot fail: every field is a string,
    // number, bool, list or string-keyed map.
    serde_json::to_vec(payload).unwrap_or_default()
}

impl<T> Clone for Preview<T> {
    fn clone(&self) -> Self {
        Preview {
            snapshot: Arc::clone(&self.snapshot),
        }
    }
}

impl<T> fmt::Debug for Preview<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Preview").finish_non_exhaustive()
    }
}
