//! The `TradingStack` custom resource (`tradingstack.io/v1alpha1`).
//!
//! The schema is generated from these types. Rules the API server must enforce live in the
//! schema itself: `minimum`/`maximum` on replicas, required fields, patterns, and CEL
//! `x-kubernetes-validations` for "exactly one Redis mode". [`crate::validate`] checks the
//! same rules in code for objects that never went through an API server.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A Kubernetes resource quantity (`100m`, `128Mi`, `1.5`, `2e3`).
pub const QUANTITY_PATTERN: &str = r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$";

/// The CEL rule that makes the three Redis modes mutually exclusive.
pub const REDIS_MODE_RULE: &str = "[has(self.managed) && self.managed, has(self.url), has(self.urlSecretKey)].filter(x, x).size() == 1";
/// The message the API server returns when [`REDIS_MODE_RULE`] fails.
pub const REDIS_MODE_MESSAGE: &str =
    "spec.redis needs exactly one mode: {managed: true}, {url: redis://...} or {urlSecretKey: KEY}";
/// The CEL rule that restricts `image`/`resources` to managed Redis.
pub const REDIS_MANAGED_ONLY_RULE: &str =
    "(has(self.managed) && self.managed) || (!has(self.image) && !has(self.resources))";
/// The message the API server returns when [`REDIS_MANAGED_ONLY_RULE`] fails.
pub const REDIS_MANAGED_ONLY_MESSAGE: &str =
    "spec.redis.image and spec.redis.resources apply only to managed Redis ({managed: true})";

/// Desired state of a TradingStack: the three services of the trading bot and their Redis.
// Each `printcolumn(...)` repeats `type_`, which clippy takes for a duplicated attribute.
#[allow(clippy::duplicated_attributes)]
#[derive(CustomResource, Deserialize, Serialize, Clone, Debug, PartialEq, JsonSchema)]
#[kube(
    group = "tradingstack.io",
    version = "v1alpha1",
    kind = "TradingStack",
    plural = "tradingstacks",
    singular = "tradingstack",
    shortname = "ts",
    namespaced,
    status = "TradingStackStatus",
    derive = "PartialEq",
    doc = "A Telegram trading bot for Polymarket: Redis (managed or external), the API, the bot and the workers, rolled out in that order.",
    printcolumn(name = "Phase", type_ = "string", json_path = ".status.phase"),
    printcolumn(
        name = "Ready",
        type_ = "string",
        json_path = ".status.conditions[?(@.type==\"Ready\")].status"
    ),
    printcolumn(
        name = "Age",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    )
)]
#[serde(rename_all = "camelCase")]
pub struct TradingStackSpec {
    /// The image that holds the four binaries (`/usr/local/bin/api`, `bot`, `workers`, `operator`).
    pub image: ImageSpec,
    /// The Secret holding the keys of the environment table (DATABASE_URL, API_TOKEN, ...).
    pub secret_ref: SecretRef,
    /// Redis: exactly one of `managed: true`, `url` or `urlSecretKey`.
    pub redis: RedisSpec,
    /// The REST API (port 8000).
    #[serde(default)]
    pub api: ComponentSpec,
    /// The Telegram bot (health on port 8001).
    #[serde(default)]
    pub bot: BotSpec,
    /// The background workers (health on port 8002).
    #[serde(default)]
    pub workers: WorkersSpec,
    /// Where the services send their traces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telemetry: Option<TelemetrySpec>,
    /// Optional overrides of the Polymarket endpoints the workers use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub market_data: Option<MarketDataSpec>,
    /// `paper` (default) or `live`, given to the api and the workers as TRADING_MODE.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trading_mode: Option<TradingMode>,
}

/// The container image of the services.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImageSpec {
    #[schemars(length(min = 1))]
    pub repository: String,
    /// Defaults to `latest`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub tag: Option<String>,
    /// Defaults to `IfNotPresent`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_policy: Option<PullPolicy>,
}

#[derive(Deserialize, Serialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum PullPolicy {
    Always,
    IfNotPresent,
    Never,
}

impl PullPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            PullPolicy::Always => "Always",
            PullPolicy::IfNotPresent => "IfNotPresent",
            PullPolicy::Never => "Never",
        }
    }
}

/// A Secret in the stack's namespace.
#[derive(Deserialize, Serialize, Clone, Debug, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SecretRef {
    #[schemars(length(min = 1))]
    pub name: String,
}

/// Redis: managed by the operator, or external by URL (literal or from the Secret).
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(extend("x-kubernetes-validations" = [
    { "rule": REDIS_MODE_RULE, "message": REDIS_MODE_MESSAGE },
    { "rule": REDIS_MANAGED_ONLY_RULE, "message": REDIS_MANAGED_ONLY_MESSAGE },
]))]
pub struct RedisSpec {
    /// Run Redis as `{stack}-redis` (Deployment and Service).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed: Option<bool>,
    /// An external Redis URL (`redis://` or `rediss://`), given as REDIS_URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^rediss?://.+"))]
    pub url: Option<String>,
    /// The key of the stack's Secret that holds an external Redis URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[-._a-zA-Z0-9]+$"))]
    pub url_secret_key: Option<String>,
    /// Managed Redis only: the image (default `redis:7-alpine`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub image: Option<String>,
    /// Managed Redis only: resource requests and limits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourcesSpec>,
}

/// The Redis mode a valid [`RedisSpec`] selects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RedisMode<'a> {
    Managed,
    Url(&'a str),
    SecretKey(&'a str),
}

impl RedisSpec {
    /// The selected mode, or `None` unless exactly one mode is set.
    pub fn mode(&self) -> Option<RedisMode<'_>> {
        match (
            self.managed.unwrap_or(false),
            self.url.as_deref(),
            self.url_secret_key.as_deref(),
        ) {
            (true, None, None) => Some(RedisMode::Managed),
            (false, Some(url), None) => Some(RedisMode::Url(url)),
            (false, None, Some(key)) => Some(RedisMode::SecretKey(key)),
            _ => None,
        }
    }

    pub fn is_managed(&self) -> bool {
        self.mode() == Some(RedisMode::Managed)
    }
}

/// Replicas and resources of the api.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ComponentSpec {
    /// Defaults to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub replicas: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourcesSpec>,
}

/// The bot. At most one replica: Telegram allows one long-polling consumer per token.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct BotSpec {
    /// 0 or 1 (default 1): Telegram answers a second concurrent getUpdates with 409 Conflict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 1))]
    pub replicas: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourcesSpec>,
    /// Bot API base URL (TELEGRAM_API_URL); Telegram's by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^https?://.+"))]
    pub telegram_api_url: Option<String>,
}

/// The workers.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WorkersSpec {
    /// Defaults to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub replicas: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourcesSpec>,
    /// Markets poller period in seconds (POLL_INTERVAL_SECS); the workers default to 60.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 86400))]
    pub poll_interval_secs: Option<i32>,
}

/// Requests and limits; every field left out takes the role's default.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourcesSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requests: Option<ResourceAmounts>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<ResourceAmounts>,
}

#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ResourceAmounts {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = QUANTITY_PATTERN))]
    pub cpu: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = QUANTITY_PATTERN))]
    pub memory: Option<String>,
}

#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TelemetrySpec {
    /// OTLP/HTTP endpoint of the trace collector, e.g. `http://jaeger-collector:4318`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^https?://.+"))]
    pub otlp_endpoint: Option<String>,
}

/// Polymarket endpoints for the workers; each defaults to Polymarket's public one.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct MarketDataSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^https?://.+"))]
    pub gamma_api_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^https?://.+"))]
    pub clob_api_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^wss?://.+"))]
    pub clob_ws_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^https?://.+"))]
    pub data_api_url: Option<String>,
}

#[derive(Deserialize, Serialize, Clone, Copy, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TradingMode {
    #[default]
    Paper,
    Live,
}

impl TradingMode {
    pub fn as_str(self) -> &'static str {
        match self {
            TradingMode::Paper => "paper",
            TradingMode::Live => "live",
        }
    }
}

/// Observed state, computed only from what the operator read and applied.
#[derive(Deserialize, Serialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TradingStackStatus {
    /// The `metadata.generation` this status describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<Phase>,
    /// SecretsValid, RedisReady, ApiReady, BotReady, WorkersReady and Ready.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend("x-kubernetes-list-type" = "map", "x-kubernetes-list-map-keys" = ["type"]))]
    pub conditions: Vec<Condition>,
}

#[derive(Deserialize, Serialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
pub enum Phase {
    /// The Secret is invalid, or nothing is available yet.
    Pending,
    /// Gates are opening: some components are available, not all.
    Progressing,
    /// Every component is available.
    Ready,
    /// The stack was ready (or a component was available) and something became unavailable.
    Degraded,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Pending => "Pending",
            Phase::Progressing => "Progressing",
            Phase::Ready => "Ready",
            Phase::Degraded => "Degraded",
        }
    }
}

impl TradingStackStatus {
    pub fn condition(&self, type_: &str) -> Option<&Condition> {
        self.conditions.iter().find(|c| c.type_ == type_)
    }
}

/// The CRD of [`TradingStack`], as the API server receives it.
///
/// `Option<Enum>` fields come out of the generator as `enum: [..., null]` with
/// `nullable: true`; the `null` entry is dropped so every enum value has the declared type
/// (`nullable` already admits null).
pub fn crd() -> CustomResourceDefinition {
    use kube::CustomResourceExt;
    let mut value = serde_json::to_value(TradingStack::crd()).expect("a CRD serializes to JSON");
    drop_null_enum_values(&mut value);
    serde_json::from_value(value).expect("the CRD still deserializes")
}

fn drop_null_enum_values(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::Array(values)) = map.get_mut("enum") {
                values.retain(|v| !v.is_null());
            }
            map.values_mut().for_each(drop_null_enum_values);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(drop_null_enum_values),
        _ => {}
    }
}

/// The CRD as YAML, exactly what `crdgen` prints and `deploy/crds/tradingstack.yaml` holds.
pub fn crd_yaml() -> String {
    let body = serde_yaml::to_string(&crd()).expect("a CRD always serializes to YAML");
    format!(
        "# Generated by `cargo run -p tradingstack-operator --bin crdgen`; do not edit.\n{body}"
    )
}

#[cfg(test)]
mod tests;
