//! The TradingStack operator.
//!
//! A reconcile is a pipeline of small steps, each in its own module:
//!
//! * [`crd`]: the `TradingStack` custom resource and its schema;
//! * [`validate`]: checks of the spec that mirror the schema's rules, for objects that did not
//!   come through an API server (`operator render`) and as a guard in the reconciler;
//! * [`secrets`]: which secret keys each role needs, the `SecretsValid` verdict and the per-role
//!   hash of the secret data that rolls exactly the pods that use a changed key;
//! * [`builders`]: pure functions from a stack to the Deployments and Services it owns;
//! * [`gates`]: the ordered readiness gates (Redis, then the API, then bot and workers), the
//!   status and phase computed from what was applied, and the events of each gate transition;
//! * [`controller`]: reads the cluster, applies what the gates allow and writes the status;
//! * [`render`]: the same gates and builders without a cluster (`operator render`).

pub mod builders;
pub mod controller;
pub mod crd;
pub mod gates;
pub mod metrics;
pub mod render;
pub mod secrets;
pub mod server;
pub mod telemetry;
pub mod validate;

#[cfg(test)]
pub mod fixtures;

pub use controller::{Context, error_policy, reconcile};
pub use crd::{TradingStack, TradingStackSpec, TradingStackStatus};
pub use metrics::Metrics;

/// The field manager of every server-side apply the operator makes.
pub const FIELD_MANAGER: &str = "tradingstack-operator";

/// Errors of a reconcile; each step has its own variant so logs and metrics say where it failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("TradingStack {0} has no namespace")]
    MissingNamespace(String),

    #[error("reading Secret {name}: {source}")]
    ReadSecret {
        name: String,
        #[source]
        source: kube::Error,
    },

    #[error("listing the children of {stack}: {source}")]
    ListChildren {
        stack: String,
        #[source]
        source: kube::Error,
    },

    #[error("applying {kind} {name}: {source}")]
    ApplyChild {
        kind: &'static str,
        name: String,
        #[source]
        source: kube::Error,
    },

    #[error("writing the status of {stack}: {source}")]
    PatchStatus {
        stack: String,
        #[source]
        source: kube::Error,
    },

    #[error("serializing {what}: {source}")]
    Serialize {
        what: String,
        #[source]
        source: serde_json::Error,
    },
}

impl Error {
    /// A short stable label for the `error` dimension of the failure metric.
    pub fn metric_label(&self) -> &'static str {
        match self {
            Error::MissingNamespace(_) => "missing_namespace",
            Error::ReadSecret { .. } => "read_secret",
            Error::ListChildren { .. } => "list_children",
            Error::ApplyChild { .. } => "apply_child",
            Error::PatchStatus { .. } => "patch_status",
            Error::Serialize { .. } => "serialize",
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
