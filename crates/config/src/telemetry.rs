//! The standard OpenTelemetry variables, read the same way by every service.

use crate::vars::{HTTP, Vars};
use crate::{ConfigError, Role};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TelemetrySettings {
    /// OTLP/HTTP base URL (e.g. `http://localhost:4318`, no trailing `/`);
    /// `None` keeps tracing local (logs only, no export).
    pub otlp_endpoint: Option<String>,
    /// `OTEL_SERVICE_NAME`, defaulting to the role name.
    pub service_name: String,
}

impl TelemetrySettings {
    pub(crate) fn from_vars(vars: &Vars<'_>, role: Role) -> Result<Self, ConfigError> {
        Ok(Self {
            otlp_endpoint: vars.optional_url("OTEL_EXPORTER_OTLP_ENDPOINT", HTTP)?,
            service_name: vars.text_or("OTEL_SERVICE_NAME", role.as_str()),
        })
    }
}
