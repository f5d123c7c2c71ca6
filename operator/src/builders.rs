//! Pure builders: a stack (and what is known of its Secret) to the Deployments and Services it
//! owns. No I/O; the reconciler and `operator render` both use them.
//!
//! Every child is named `{stack}-{role}`, carries the stack's labels and a controller owner
//! reference to the stack, runs as non-root with a read-only root filesystem (an emptyDir at
//! `/tmp`, and at `/data` for Redis), and has resource requests and limits (the spec's, else the
//! role's defaults). The image holds four binaries, so each service container runs
//! `/usr/local/bin/{role}`.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec, DeploymentStrategy};
use k8s_openapi::api::core::v1::{
    Capabilities, Container, ContainerPort, EmptyDirVolumeSource, EnvVar, EnvVarSource, ExecAction,
    HTTPGetAction, PodSecurityContext, PodSpec, PodTemplateSpec, Probe, ResourceRequirements,
    SeccompProfile, SecretKeySelector, SecurityContext, Service, ServicePort, ServiceSpec,
    TCPSocketAction, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta, OwnerReference};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kube::{Resource, ResourceExt};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::crd::{PullPolicy, RedisMode, ResourcesSpec, TradingStack};
use crate::secrets::{self, SecretState};

pub const API_PORT: i32 = 8000;
pub const BOT_HEALTH_PORT: i32 = 8001;
pub const WORKERS_HEALTH_PORT: i32 = 8002;
pub const REDIS_PORT: i32 = 6379;
pub const DEFAULT_REDIS_IMAGE: &str = "redis:7-alpine";
pub const DEFAULT_IMAGE_TAG: &str = "latest";

/// The uid/gid the services run as.
pub const SERVICE_UID: i64 = 10001;
/// The `redis` user and group of the official Redis Alpine image.
pub const REDIS_UID: i64 = 999;
pub const REDIS_GID: i64 = 1000;

/// A hash of each child as built, so an unchanged child is not applied again.
pub const APPLIED_HASH_ANNOTATION: &str = "tradingstack.io/applied-hash";
/// A hash of the Secret data a role reads, on its pod template.
pub const SECRET_HASH_ANNOTATION: &str = "tradingstack.io/secret-hash";

pub const NAME_LABEL: &str = "app.kubernetes.io/name";
pub const INSTANCE_LABEL: &str = "app.kubernetes.io/instance";
pub const COMPONENT_LABEL: &str = "app.kubernetes.io/component";
pub const PART_OF_LABEL: &str = "app.kubernetes.io/part-of";
pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";
pub const APP_NAME: &str = "tradingstack";
pub const MANAGED_BY: &str = "tradingstack-operator";

/// The label selector that narrows the operator's watches to the children it manages.
pub fn managed_by_selector() -> String {
    format!("{MANAGED_BY_LABEL}={MANAGED_BY}")
}

/// The label selector of one stack's children.
pub fn stack_selector(stack_name: &str) -> String {
    format!("{MANAGED_BY_LABEL}={MANAGED_BY},{INSTANCE_LABEL}={stack_name}")
}

/// The four components of a stack, in gate order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Redis,
    Api,
    Bot,
    Workers,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Redis, Role::Api, Role::Bot, Role::Workers];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Redis => "redis",
            Role::Api => "api",
            Role::Bot => "bot",
            Role::Workers => "workers",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// `{stack}-{role}`.
    pub fn child_name(self, stack_name: &str) -> String {
        format!("{stack_name}-{}", self.as_str())
    }

    /// The condition that reports this component's readiness.
    pub fn condition_type(self) -> &'static str {
        match self {
            Role::Redis => "RedisReady",
            Role::Api => "ApiReady",
            Role::Bot => "BotReady",
            Role::Workers => "WorkersReady",
        }
    }

    /// The port the service listens on (its API or its health endpoints).
    pub fn port(self) -> i32 {
        match self {
            Role::Redis => REDIS_PORT,
            Role::Api => API_PORT,
            Role::Bot => BOT_HEALTH_PORT,
            Role::Workers => WORKERS_HEALTH_PORT,
        }
    }
}

/// A child object as the operator applies it.
#[derive(Clone, Debug, PartialEq)]
pub enum Child {
    Deployment(Role, Box<Deployment>),
    Service(Role, Box<Service>),
}

impl Child {
    pub fn role(&self) -> Role {
        match self {
            Child::Deployment(role, _) | Child::Service(role, _) => *role,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Child::Deployment(..) => "Deployment",
            Child::Service(..) => "Service",
        }
    }

    pub fn name(&self) -> String {
        match self {
            Child::Deployment(_, d) => d.name_any(),
            Child::Service(_, s) => s.name_any(),
        }
    }

    /// The applied-hash annotation of the child.
    pub fn applied_hash(&self) -> Option<&str> {
        let meta = match self {
            Child::Deployment(_, d) => &d.metadata,
            Child::Service(_, s) => &s.metadata,
        };
        applied_hash_of(meta)
    }

    pub fn to_yaml(&self) -> String {
        let yaml = match self {
            Child::Deployment(_, d) => serde_yaml::to_string(d),
            Child::Service(_, s) => serde_yaml::to_string(s),
        };
        yaml.expect("Kubernetes objects always serialize to YAML")
    }
}

pub fn applied_hash_of(meta: &ObjectMeta) -> Option<&str> {
    meta.annotations
        .as_ref()
        .and_then(|a| a.get(APPLIED_HASH_ANNOTATION))
        .map(String::as_str)
}

/// Every label a child of `role` carries.
pub fn labels(stack_name: &str, role: Role) -> BTreeMap<String, String> {
    let mut labels = selector_labels(stack_name, role);
    labels.insert(PART_OF_LABEL.into(), APP_NAME.into());
    labels.insert(MANAGED_BY_LABEL.into(), MANAGED_BY.into());
    labels
}

/// The labels that select the pods of `role` (immutable once a Deployment exists).
pub fn selector_labels(stack_name: &str, role: Role) -> BTreeMap<String, String> {
    BTreeMap::from([
        (NAME_LABEL.to_string(), APP_NAME.to_string()),
        (INSTANCE_LABEL.to_string(), stack_name.to_string()),
        (COMPONENT_LABEL.to_string(), role.as_str().to_string()),
    ])
}

/// The controller owner reference to the stack: deleting the stack deletes the child.
pub fn owner_reference(stack: &TradingStack) -> OwnerReference {
    OwnerReference {
        api_version: TradingStack::api_version(&()).into_owned(),
        kind: TradingStack::kind(&()).into_owned(),
        name: stack.name_any(),
        uid: stack.metadata.uid.clone().unwrap_or_default(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    }
}

fn metadata(stack: &TradingStack, role: Role) -> ObjectMeta {
    let name = stack.name_any();
    ObjectMeta {
        name: Some(role.child_name(&name)),
        namespace: stack.metadata.namespace.clone(),
        labels: Some(labels(&name, role)),
        owner_references: Some(vec![owner_reference(stack)]),
        ..ObjectMeta::default()
    }
}

/// The URL of the API inside the cluster: `http://{stack}-api:8000`.
pub fn api_url(stack_name: &str) -> String {
    format!("http://{}:{API_PORT}", Role::Api.child_name(stack_name))
}

/// The URL of managed Redis inside the cluster: `redis://{stack}-redis:6379`.
pub fn managed_redis_url(stack_name: &str) -> String {
    format!(
        "redis://{}:{REDIS_PORT}",
        Role::Redis.child_name(stack_name)
    )
}

fn env(name: &str, value: impl Into<String>) -> EnvVar {
    EnvVar {
        name: name.into(),
        value: Some(value.into()),
        value_from: None,
    }
}

fn secret_env(secret_name: &str, key: &secrets::SecretEnv) -> EnvVar {
    EnvVar {
        name: key.env.clone(),
        value: None,
        value_from: Some(EnvVarSource {
            secret_key_ref: Some(SecretKeySelector {
                name: secret_name.to_string(),
                key: key.key.clone(),
                optional: key.optional.then_some(true),
            }),
            ..EnvVarSource::default()
        }),
    }
}

fn otel_env(stack: &TradingStack, role: Role) -> Vec<EnvVar> {
    let mut vars = Vec::new();
    if let Some(endpoint) = stack
        .spec
        .telemetry
        .as_ref()
        .and_then(|t| t.otlp_endpoint.as_deref())
    {
        vars.push(env("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint));
    }
    vars.push(env("OTEL_SERVICE_NAME", role.as_str()));
    vars
}

/// REDIS_URL when it is not a Secret key (that case comes with the role's secret keys).
fn redis_url_env(stack: &TradingStack) -> Option<EnvVar> {
    match stack.spec.redis.mode() {
        Some(RedisMode::Managed) => Some(env("REDIS_URL", managed_redis_url(&stack.name_any()))),
        Some(RedisMode::Url(url)) => Some(env("REDIS_URL", url)),
        Some(RedisMode::SecretKey(_)) | None => None,
    }
}

/// The environment of a service role: plain values first, then the Secret keys it reads.
pub fn role_env(stack: &TradingStack, role: Role, secret: &SecretState) -> Vec<EnvVar> {
    let spec = &stack.spec;
    let name = stack.name_any();
    let trading_mode = spec.trading_mode.unwrap_or_default().as_str();
    let mut vars = Vec::new();
    match role {
        Role::Redis => return vars,
        Role::Api => {
            vars.push(env("API_PORT", API_PORT.to_string()));
            vars.push(env("SKIP_DB", "false"));
            vars.extend(redis_url_env(stack));
            vars.push(env("TRADING_MODE", trading_mode));
        }
        Role::Bot => {
            vars.push(env("SKIP_DB", "true"));
            vars.push(env("API_URL", api_url(&name)));
            vars.push(env("HEALTH_PORT", BOT_HEALTH_PORT.to_string()));
            if let Some(url) = &spec.bot.telegram_api_url {
                vars.push(env("TELEGRAM_API_URL", url));
            }
        }
        Role::Workers => {
            vars.push(env("SKIP_DB", "false"));
            vars.push(env("API_URL", api_url(&name)));
            vars.extend(redis_url_env(stack));
            vars.push(env("HEALTH_PORT", WORKERS_HEALTH_PORT.to_string()));
            vars.push(env("TRADING_MODE", trading_mode));
            if let Some(secs) = spec.workers.poll_interval_secs {
                vars.push(env("POLL_INTERVAL_SECS", secs.to_string()));
            }
            if let Some(md) = &spec.market_data {
                for (var, value) in [
                    ("GAMMA_API_URL", &md.gamma_api_url),
                    ("CLOB_API_URL", &md.clob_api_url),
                    ("CLOB_WS_URL", &md.clob_ws_url),
                    ("DATA_API_URL", &md.data_api_url),
                ] {
                    if let Some(value) = value {
                        vars.push(env(var, value));
                    }
                }
            }
        }
    }
    vars.extend(otel_env(stack, role));
    let secret_name = &spec.secret_ref.name;
    vars.extend(
        secrets::role_secret_env(role, spec, secret)
            .iter()
            .map(|key| secret_env(secret_name, key)),
    );
    vars
}

/// Default (requests, limits) as (cpu, memory) per role.
fn default_resources(role: Role) -> ((&'static str, &'static str), (&'static str, &'static str)) {
    match role {
        Role::Redis => (("50m", "64Mi"), ("500m", "256Mi")),
        Role::Api => (("100m", "128Mi"), ("1", "512Mi")),
        Role::Bot => (("50m", "64Mi"), ("500m", "256Mi")),
        Role::Workers => (("100m", "128Mi"), ("1", "512Mi")),
    }
}

/// The spec's requests and limits, each field left out taking the role's default.
pub fn resources(role: Role, spec: Option<&ResourcesSpec>) -> ResourceRequirements {
    let ((req_cpu, req_mem), (lim_cpu, lim_mem)) = default_resources(role);
    let pick = |amounts: Option<&crate::crd::ResourceAmounts>, cpu: &str, mem: &str| {
        let cpu = amounts
            .and_then(|a| a.cpu.clone())
            .unwrap_or_else(|| cpu.into());
        let mem = amounts
            .and_then(|a| a.memory.clone())
            .unwrap_or_else(|| mem.into());
        BTreeMap::from([
            ("cpu".to_string(), Quantity(cpu)),
            ("memory".to_string(), Quantity(mem)),
        ])
    };
    ResourceRequirements {
        requests: Some(pick(
            spec.and_then(|s| s.requests.as_ref()),
            req_cpu,
            req_mem,
        )),
        limits: Some(pick(spec.and_then(|s| s.limits.as_ref()), lim_cpu, lim_mem)),
        ..ResourceRequirements::default()
    }
}

fn container_security_context(uid: i64, gid: i64) -> SecurityContext {
    SecurityContext {
        allow_privilege_escalation: Some(false),
        read_only_root_filesystem: Some(true),
        run_as_non_root: Some(true),
        run_as_user: Some(uid),
        run_as_group: Some(gid),
        capabilities: Some(Capabilities {
            drop: Some(vec!["ALL".into()]),
            add: None,
        }),
        ..SecurityContext::default()
    }
}

fn pod_security_context(uid: i64, gid: i64) -> PodSecurityContext {
    PodSecurityContext {
        run_as_non_root: Some(true),
        run_as_user: Some(uid),
        run_as_group: Some(gid),
        fs_group: Some(gid),
        seccomp_profile: Some(SeccompProfile {
            type_: "RuntimeDefault".into(),
            localhost_profile: None,
        }),
        ..PodSecurityContext::default()
    }
}

fn empty_dir(name: &str) -> Volume {
    Volume {
        name: name.into(),
        empty_dir: Some(EmptyDirVolumeSource::default()),
        ..Volume::default()
    }
}

fn mount(name: &str, path: &str) -> VolumeMount {
    VolumeMount {
        name: name.into(),
        mount_path: path.into(),
        ..VolumeMount::default()
    }
}

fn http_probe(path: &str, port: i32, period: i32, initial_delay: i32) -> Probe {
    Probe {
        http_get: Some(HTTPGetAction {
            path: Some(path.into()),
            port: IntOrString::Int(port),
            ..HTTPGetAction::default()
        }),
        initial_delay_seconds: Some(initial_delay),
        period_seconds: Some(period),
        timeout_seconds: Some(2),
        failure_threshold: Some(3),
        ..Probe::default()
    }
}

/// Readiness on `/health/ready`, liveness on `/health/live`, both on the role's port.
pub fn service_probes(role: Role) -> (Probe, Probe) {
    (
        http_probe("/health/ready", role.port(), 5, 2),
        http_probe("/health/live", role.port(), 10, 10),
    )
}

fn image(stack: &TradingStack) -> String {
    let img = &stack.spec.image;
    format!(
        "{}:{}",
        img.repository,
        img.tag.as_deref().unwrap_or(DEFAULT_IMAGE_TAG)
    )
}

fn pull_policy(stack: &TradingStack) -> String {
    stack
        .spec
        .image
        .pull_policy
        .unwrap_or(PullPolicy::IfNotPresent)
        .as_str()
        .into()
}

struct PodParts {
    container: Container,
    volumes: Vec<Volume>,
    uid: i64,
    gid: i64,
    secret_hash: Option<String>,
}

fn deployment(
    stack: &TradingStack,
    role: Role,
    replicas: i32,
    recreate: bool,
    pod: PodParts,
) -> Deployment {
    let name = stack.name_any();
    let annotations = pod
        .secret_hash
        .map(|hash| BTreeMap::from([(SECRET_HASH_ANNOTATION.to_string(), hash)]));
    Deployment {
        metadata: metadata(stack, role),
        spec: Some(DeploymentSpec {
            replicas: Some(replicas),
            revision_history_limit: Some(5),
            selector: LabelSelector {
                match_labels: Some(selector_labels(&name, role)),
                match_expressions: None,
            },
            strategy: recreate.then(|| DeploymentStrategy {
                type_: Some("Recreate".into()),
                rolling_update: None,
            }),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels(&name, role)),
                    annotations,
                    ..ObjectMeta::default()
                }),
                spec: Some(PodSpec {
                    containers: vec![pod.container],
                    volumes: Some(pod.volumes),
                    security_context: Some(pod_security_context(pod.uid, pod.gid)),
                    automount_service_account_token: Some(false),
                    enable_service_links: Some(false),
                    termination_grace_period_seconds: Some(30),
                    ..PodSpec::default()
                }),
            },
            ..DeploymentSpec::default()
        }),
        status: None,
    }
}

/// The managed Redis Deployment `{stack}-redis`.
pub fn redis_deployment(stack: &TradingStack) -> Deployment {
    let redis = &stack.spec.redis;
    let container = Container {
        name: Role::Redis.as_str().into(),
        image: Some(
            redis
                .image
                .clone()
                .unwrap_or_else(|| DEFAULT_REDIS_IMAGE.into()),
        ),
        image_pull_policy: Some("IfNotPresent".into()),
        command: Some(vec!["redis-server".into()]),
        args: Some(vec!["--dir".into(), "/data".into()]),
        ports: Some(vec![ContainerPort {
            name: Some("redis".into()),
            container_port: REDIS_PORT,
            protocol: Some("TCP".into()),
            ..ContainerPort::default()
        }]),
        readiness_probe: Some(Probe {
            exec: Some(ExecAction {
                command: Some(vec!["redis-cli".into(), "ping".into()]),
            }),
            period_seconds: Some(5),
            timeout_seconds: Some(2),
            failure_threshold: Some(3),
            ..Probe::default()
        }),
        liveness_probe: Some(Probe {
            tcp_socket: Some(TCPSocketAction {
                port: IntOrString::Int(REDIS_PORT),
                host: None,
            }),
            initial_delay_seconds: Some(5),
            period_seconds: Some(10),
            timeout_seconds: Some(2),
            failure_threshold: Some(3),
            ..Probe::default()
        }),
        resources: Some(resources(Role::Redis, redis.resources.as_ref())),
        security_context: Some(container_security_context(REDIS_UID, REDIS_GID)),
        volume_mounts: Some(vec![mount("data", "/data"), mount("tmp", "/tmp")]),
        ..Container::default()
    };
    deployment(
        stack,
        Role::Redis,
        1,
        true,
        PodParts {
            container,
            volumes: vec![empty_dir("data"), empty_dir("tmp")],
            uid: REDIS_UID,
            gid: REDIS_GID,
            secret_hash: None,
        },
    )
}

fn service(stack: &TradingStack, role: Role, port_name: &str) -> Service {
    Service {
        metadata: metadata(stack, role),
        spec: Some(ServiceSpec {
            type_: Some("ClusterIP".into()),
            selector: Some(selector_labels(&stack.name_any(), role)),
            ports: Some(vec![ServicePort {
                name: Some(port_name.into()),
                port: role.port(),
                target_port: Some(IntOrString::String(port_name.into())),
                protocol: Some("TCP".into()),
                ..ServicePort::default()
            }]),
            ..ServiceSpec::default()
        }),
        status: None,
    }
}

/// The managed Redis Service `{stack}-redis` (port 6379).
pub fn redis_service(stack: &TradingStack) -> Service {
    service(stack, Role::Redis, "redis")
}

/// The API Service `{stack}-api` (port 8000).
pub fn api_service(stack: &TradingStack) -> Service {
    service(stack, Role::Api, "http")
}

fn service_deployment(stack: &TradingStack, role: Role, secret: &SecretState) -> Deployment {
    let spec = &stack.spec;
    let (replicas, res) = match role {
        Role::Api => (spec.api.replicas, spec.api.resources.as_ref()),
        Role::Bot => (spec.bot.replicas, spec.bot.resources.as_ref()),
        Role::Workers => (spec.workers.replicas, spec.workers.resources.as_ref()),
        Role::Redis => unreachable!("Redis is built by redis_deployment"),
    };
    let (readiness, liveness) = service_probes(role);
    let port_name = if role == Role::Api { "http" } else { "health" };
    let container = Container {
        name: role.as_str().into(),
        image: Some(image(stack)),
        image_pull_policy: Some(pull_policy(stack)),
        command: Some(vec![format!("/usr/local/bin/{}", role.as_str())]),
        ports: Some(vec![ContainerPort {
            name: Some(port_name.into()),
            container_port: role.port(),
            protocol: Some("TCP".into()),
            ..ContainerPort::default()
        }]),
        env: Some(role_env(stack, role, secret)),
        readiness_probe: Some(readiness),
        liveness_probe: Some(liveness),
        resources: Some(resources(role, res)),
        security_context: Some(container_security_context(SERVICE_UID, SERVICE_UID)),
        volume_mounts: Some(vec![mount("tmp", "/tmp")]),
        ..Container::default()
    };
    deployment(
        stack,
        role,
        replicas.unwrap_or(1),
        // One bot at a time: Telegram rejects a second long-polling consumer.
        role == Role::Bot,
        PodParts {
            container,
            volumes: vec![empty_dir("tmp")],
            uid: SERVICE_UID,
            gid: SERVICE_UID,
            secret_hash: Some(secrets::role_hash(role, spec, secret)),
        },
    )
}

/// The API Deployment `{stack}-api`.
pub fn api_deployment(stack: &TradingStack, secret: &SecretState) -> Deployment {
    service_deployment(stack, Role::Api, secret)
}

/// The bot Deployment `{stack}-bot`.
pub fn bot_deployment(stack: &TradingStack, secret: &SecretState) -> Deployment {
    service_deployment(stack, Role::Bot, secret)
}

/// The workers Deployment `{stack}-workers`.
pub fn workers_deployment(stack: &TradingStack, secret: &SecretState) -> Deployment {
    service_deployment(stack, Role::Workers, secret)
}

fn content_hash<T: Serialize>(obj: &T) -> String {
    let bytes = serde_json::to_vec(obj).expect("Kubernetes objects always serialize to JSON");
    hex::encode(&Sha256::digest(&bytes)[..16])
}

fn stamp(meta: &mut ObjectMeta, hash: String) {
    meta.annotations
        .get_or_insert_with(BTreeMap::new)
        .insert(APPLIED_HASH_ANNOTATION.into(), hash);
}

/// The children of one role, each stamped with the hash of its content.
/// External Redis has no children.
pub fn children(stack: &TradingStack, role: Role, secret: &SecretState) -> Vec<Child> {
    let mut out = match role {
        Role::Redis if stack.spec.redis.is_managed() => vec![
            Child::Deployment(role, Box::new(redis_deployment(stack))),
            Child::Service(role, Box::new(redis_service(stack))),
        ],
        Role::Redis => vec![],
        Role::Api => vec![
            Child::Deployment(role, Box::new(api_deployment(stack, secret))),
            Child::Service(role, Box::new(api_service(stack))),
        ],
        Role::Bot | Role::Workers => vec![Child::Deployment(
            role,
            Box::new(service_deployment(stack, role, secret)),
        )],
    };
    for child in &mut out {
        match child {
            Child::Deployment(_, d) => {
                let hash = content_hash(d);
                stamp(&mut d.metadata, hash);
            }
            Child::Service(_, s) => {
                let hash = content_hash(s);
                stamp(&mut s.metadata, hash);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crd::{MarketDataSpec, RedisSpec, TelemetrySpec};
    use crate::fixtures::{full_secret_data, stack};

    fn full() -> SecretState {
        SecretState::Found(full_secret_data())
    }

    fn container(d: &Deployment) -> &Container {
        &d.spec
            .as_ref()
            .unwrap()
            .template
            .spec
            .as_ref()
            .unwrap()
            .containers[0]
    }

    fn env_map(d: &Deployment) -> BTreeMap<String, EnvVar> {
        container(d)
            .env
            .iter()
            .flatten()
            .map(|e| (e.name.clone(), e.clone()))
            .collect()
    }

    fn value(d: &Deployment, name: &str) -> Option<String> {
        env_map(d).get(name).and_then(|e| e.value.clone())
    }

    /// (env name, secret name, key, optional) of every secretKeyRef.
    fn secret_refs(d: &Deployment) -> Vec<(String, String, String, bool)> {
        container(d)
            .env
            .iter()
            .flatten()
            .filter_map(|e| {
                let r = e.value_from.as_ref()?.secret_key_ref.as_ref()?;
                Some((
                    e.name.clone(),
                    r.name.clone(),
                    r.key.clone(),
                    r.optional.unwrap_or(false),
                ))
            })
            .collect()
    }

    fn required_ref(env: &str) -> (String, String, String, bool) {
        (env.into(), "demo-secrets".into(), env.into(), false)
    }

    fn with_otlp() -> TradingStack {
        let mut s = stack("demo");
        s.spec.telemetry = Some(TelemetrySpec {
            otlp_endpoint: Some("http://jaeger-collector:4318".into()),
        });
        s
    }

    #[test]
    fn api_env_has_every_plain_variable() {
        let d = api_deployment(&with_otlp(), &full());
        let names: Vec<_> = container(&d)
            .env
            .iter()
            .flatten()
            .map(|e| e.name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "API_PORT",
                "SKIP_DB",
                "REDIS_URL",
                "TRADING_MODE",
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                "OTEL_SERVICE_NAME",
                "DATABASE_URL",
                "API_TOKEN",
                "WEBHOOK_SECRET",
                "ENCRYPTION_KEY"
            ]
        );
        assert_eq!(value(&d, "API_PORT").as_deref(), Some("8000"));
        assert_eq!(value(&d, "SKIP_DB").as_deref(), Some("false"));
        assert_eq!(
            value(&d, "REDIS_URL").as_deref(),
            Some("redis://demo-redis:6379")
        );
        assert_eq!(value(&d, "TRADING_MODE").as_deref(), Some("paper"));
        assert_eq!(
            value(&d, "OTEL_EXPORTER_OTLP_ENDPOINT").as_deref(),
            Some("http://jaeger-collector:4318")
        );
        assert_eq!(value(&d, "OTEL_SERVICE_NAME").as_deref(), Some("api"));
        assert_eq!(value(&d, "API_URL"), None);
    }

    #[test]
    fn api_reads_exactly_its_secret_keys() {
        let d = api_deployment(&stack("demo"), &full());
        assert_eq!(
            secret_refs(&d),
            vec![
                required_ref("DATABASE_URL"),
                required_ref("API_TOKEN"),
                required_ref("WEBHOOK_SECRET"),
                required_ref("ENCRYPTION_KEY"),
            ]
        );
    }

    #[test]
    fn bot_has_skip_db_true_and_never_database_url() {
        let d = bot_deployment(&with_otlp(), &full());
        let names: Vec<_> = container(&d)
            .env
            .iter()
            .flatten()
            .map(|e| e.name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "SKIP_DB",
                "API_URL",
                "HEALTH_PORT",
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                "OTEL_SERVICE_NAME",
                "TELEGRAM_BOT_TOKEN",
                "API_TOKEN"
            ]
        );
        assert_eq!(value(&d, "SKIP_DB").as_deref(), Some("true"));
        assert_eq!(
            value(&d, "API_URL").as_deref(),
            Some("http://demo-api:8000")
        );
        assert_eq!(value(&d, "HEALTH_PORT").as_deref(), Some("8001"));
        assert_eq!(value(&d, "OTEL_SERVICE_NAME").as_deref(), Some("bot"));
        assert!(!env_map(&d).contains_key("DATABASE_URL"));
        assert!(!env_map(&d).contains_key("REDIS_URL"));
        assert_eq!(
            secret_refs(&d),
            vec![
                required_ref("TELEGRAM_BOT_TOKEN"),
                required_ref("API_TOKEN")
            ]
        );
    }

    #[test]
    fn bot_gets_the_telegram_api_url_when_the_spec_sets_it() {
        let mut s = stack("demo");
        assert_eq!(
            value(&bot_deployment(&s, &full()), "TELEGRAM_API_URL"),
            None
        );
        s.spec.bot.telegram_api_url = Some("http://telegram-fake:8081".into());
        assert_eq!(
            value(&bot_deployment(&s, &full()), "TELEGRAM_API_URL").as_deref(),
            Some("http://telegram-fake:8081")
        );
    }

    #[test]
    fn bot_never_receives_database_url_even_with_every_key_present() {
        let mut data = full_secret_data();
        for key in secrets::CLOB_KEYS {
            data.insert(key.into(), b"x".to_vec());
        }
        let d = bot_deployment(&stack("demo"), &SecretState::Found(data));
        let keys: Vec<_> = secret_refs(&d).into_iter().map(|r| r.2).collect();
        assert_eq!(keys, vec!["TELEGRAM_BOT_TOKEN", "API_TOKEN"]);
    }

    #[test]
    fn workers_env_has_every_variable() {
        let mut s = with_otlp();
        s.spec.workers.poll_interval_secs = Some(30);
        s.spec.market_data = Some(MarketDataSpec {
            gamma_api_url: Some("http://fake:1/gamma".into()),
            clob_api_url: Some("http://fake:1/clob".into()),
            clob_ws_url: Some("ws://fake:1/ws".into()),
            data_api_url: Some("http://fake:1/data".into()),
        });
        let d = workers_deployment(&s, &full());
        assert_eq!(value(&d, "SKIP_DB").as_deref(), Some("false"));
        assert_eq!(
            value(&d, "API_URL").as_deref(),
            Some("http://demo-api:8000")
        );
        assert_eq!(
            value(&d, "REDIS_URL").as_deref(),
            Some("redis://demo-redis:6379")
        );
        assert_eq!(value(&d, "HEALTH_PORT").as_deref(), Some("8002"));
        assert_eq!(value(&d, "TRADING_MODE").as_deref(), Some("paper"));
        assert_eq!(value(&d, "POLL_INTERVAL_SECS").as_deref(), Some("30"));
        assert_eq!(
            value(&d, "GAMMA_API_URL").as_deref(),
            Some("http://fake:1/gamma")
        );
        assert_eq!(
            value(&d, "CLOB_API_URL").as_deref(),
            Some("http://fake:1/clob")
        );
        assert_eq!(value(&d, "CLOB_WS_URL").as_deref(), Some("ws://fake:1/ws"));
        assert_eq!(
            value(&d, "DATA_API_URL").as_deref(),
            Some("http://fake:1/data")
        );
        assert_eq!(value(&d, "OTEL_SERVICE_NAME").as_deref(), Some("workers"));
        assert_eq!(
            secret_refs(&d),
            vec![required_ref("DATABASE_URL"), required_ref("API_TOKEN")]
        );
    }

    #[test]
    fn optional_settings_are_left_out_when_unset() {
        let d = workers_deployment(&stack("demo"), &full());
        for var in [
            "POLL_INTERVAL_SECS",
            "GAMMA_API_URL",
            "CLOB_API_URL",
            "CLOB_WS_URL",
            "DATA_API_URL",
            "OTEL_EXPORTER_OTLP_ENDPOINT",
        ] {
            assert!(!env_map(&d).contains_key(var), "{var}");
        }
    }

    #[test]
    fn clob_credentials_are_optional_refs_for_api_and_workers() {
        let mut data = full_secret_data();
        for key in secrets::CLOB_KEYS {
            data.insert(key.into(), b"x".to_vec());
        }
        let secret = SecretState::Found(data);
        for d in [
            api_deployment(&stack("demo"), &secret),
            workers_deployment(&stack("demo"), &secret),
        ] {
            let optional: Vec<_> = secret_refs(&d)
                .into_iter()
                .filter(|r| r.3)
                .map(|r| r.2)
                .collect();
            assert_eq!(optional, secrets::CLOB_KEYS.to_vec());
        }
    }

    #[test]
    fn live_trading_mode_reaches_api_and_workers() {
        let mut s = stack("demo");
        s.spec.trading_mode = Some(crate::crd::TradingMode::Live);
        assert_eq!(
            value(&api_deployment(&s, &full()), "TRADING_MODE").as_deref(),
            Some("live")
        );
        assert_eq!(
            value(&workers_deployment(&s, &full()), "TRADING_MODE").as_deref(),
            Some("live")
        );
    }

    #[test]
    fn external_redis_url_is_a_plain_value() {
        let mut s = stack("demo");
        s.spec.redis = RedisSpec {
            url: Some("rediss://cache.example:6380".into()),
            ..RedisSpec::default()
        };
        assert_eq!(
            value(&api_deployment(&s, &full()), "REDIS_URL").as_deref(),
            Some("rediss://cache.example:6380")
        );
        assert!(children(&s, Role::Redis, &full()).is_empty());
    }

    #[test]
    fn redis_url_from_the_secret_is_a_secret_ref_for_api_and_workers() {
        let mut s = stack("demo");
        s.spec.redis = RedisSpec {
            url_secret_key: Some("HOSTED_REDIS".into()),
            ..RedisSpec::default()
        };
        let mut data = full_secret_data();
        data.insert("HOSTED_REDIS".into(), b"rediss://x".to_vec());
        let secret = SecretState::Found(data);
        for d in [api_deployment(&s, &secret), workers_deployment(&s, &secret)] {
            let redis = env_map(&d).remove("REDIS_URL").unwrap();
            assert_eq!(redis.value, None);
            let r = redis.value_from.unwrap().secret_key_ref.unwrap();
            assert_eq!(
                (r.name.as_str(), r.key.as_str()),
                ("demo-secrets", "HOSTED_REDIS")
            );
        }
        assert!(!env_map(&bot_deployment(&s, &secret)).contains_key("REDIS_URL"));
    }

    #[test]
    fn probes_use_the_health_paths_on_each_role_port() {
        for (role, port) in [(Role::Api, 8000), (Role::Bot, 8001), (Role::Workers, 8002)] {
            let d = service_deployment(&stack("demo"), role, &full());
            let c = container(&d);
            let ready = c
                .readiness_probe
                .as_ref()
                .unwrap()
                .http_get
                .as_ref()
                .unwrap();
            let live = c
                .liveness_probe
                .as_ref()
                .unwrap()
                .http_get
                .as_ref()
                .unwrap();
            assert_eq!(ready.path.as_deref(), Some("/health/ready"), "{role:?}");
            assert_eq!(live.path.as_deref(), Some("/health/live"), "{role:?}");
            assert_eq!(ready.port, IntOrString::Int(port), "{role:?}");
            assert_eq!(live.port, IntOrString::Int(port), "{role:?}");
            assert_eq!(c.ports.as_ref().unwrap()[0].container_port, port);
            assert_eq!(
                c.command.as_deref(),
                Some(&[format!("/usr/local/bin/{}", role.as_str())][..])
            );
        }
    }

    #[test]
    fn api_service_exposes_port_8000_to_the_api_pods() {
        let svc = api_service(&stack("demo"));
        assert_eq!(svc.metadata.name.as_deref(), Some("demo-api"));
        let spec = svc.spec.unwrap();
        let port = &spec.ports.unwrap()[0];
        assert_eq!(port.port, 8000);
        assert_eq!(port.target_port, Some(IntOrString::String("http".into())));
        assert_eq!(spec.selector.unwrap(), selector_labels("demo", Role::Api));
    }

    #[test]
    fn every_pod_is_non_root_with_a_read_only_root_and_resources() {
        let s = stack("demo");
        let deployments = [
            redis_deployment(&s),
            api_deployment(&s, &full()),
            bot_deployment(&s, &full()),
            workers_deployment(&s, &full()),
        ];
        for d in &deployments {
            let pod = d.spec.as_ref().unwrap().template.spec.as_ref().unwrap();
            assert_eq!(
                pod.security_context.as_ref().unwrap().run_as_non_root,
                Some(true)
            );
            let c = &pod.containers[0];
            let sc = c.security_context.as_ref().unwrap();
            assert_eq!(sc.read_only_root_filesystem, Some(true));
            assert_eq!(sc.allow_privilege_escalation, Some(false));
            assert_eq!(sc.run_as_non_root, Some(true));
            assert_ne!(sc.run_as_user, Some(0));
            let r = c.resources.as_ref().unwrap();
            for list in [r.requests.as_ref().unwrap(), r.limits.as_ref().unwrap()] {
                assert!(list.contains_key("cpu") && list.contains_key("memory"));
            }
            let mounts: Vec<_> = c
                .volume_mounts
                .iter()
                .flatten()
                .map(|m| m.mount_path.as_str())
                .collect();
            assert!(mounts.contains(&"/tmp"), "{}", d.name_any());
        }
        let redis = container(&deployments[0]);
        assert_eq!(redis.image.as_deref(), Some(DEFAULT_REDIS_IMAGE));
        assert_eq!(
            redis.security_context.as_ref().unwrap().run_as_user,
            Some(REDIS_UID)
        );
        assert!(
            redis
                .volume_mounts
                .iter()
                .flatten()
                .any(|m| m.mount_path == "/data")
        );
    }

    #[test]
    fn resources_take_the_spec_and_default_the_rest() {
        let spec = ResourcesSpec {
            requests: Some(crate::crd::ResourceAmounts {
                cpu: Some("250m".into()),
                memory: None,
            }),
            limits: None,
        };
        let r = resources(Role::Api, Some(&spec));
        let req = r.requests.unwrap();
        assert_eq!(req["cpu"], Quantity("250m".into()));
        assert_eq!(req["memory"], Quantity("128Mi".into()));
        assert_eq!(r.limits.unwrap()["memory"], Quantity("512Mi".into()));
    }

    #[test]
    fn managed_redis_image_is_overridable() {
        let mut s = stack("demo");
        s.spec.redis.image = Some("redis:7.4-alpine".into());
        assert_eq!(
            container(&redis_deployment(&s)).image.as_deref(),
            Some("redis:7.4-alpine")
        );
    }

    #[test]
    fn images_replicas_and_pull_policy_come_from_the_spec() {
        let mut s = stack("demo");
        s.spec.api.replicas = Some(3);
        s.spec.bot.replicas = Some(0);
        let api = api_deployment(&s, &full());
        assert_eq!(api.spec.as_ref().unwrap().replicas, Some(3));
        assert_eq!(container(&api).image.as_deref(), Some("tradingstack:dev"));
        assert_eq!(
            container(&api).image_pull_policy.as_deref(),
            Some("IfNotPresent")
        );
        assert_eq!(bot_deployment(&s, &full()).spec.unwrap().replicas, Some(0));
        assert_eq!(
            workers_deployment(&s, &full()).spec.unwrap().replicas,
            Some(1)
        );
    }

    #[test]
    fn every_child_is_owned_by_the_stack_as_controller() {
        let s = stack("demo");
        for role in Role::ALL {
            for child in children(&s, role, &full()) {
                let meta = match &child {
                    Child::Deployment(_, d) => &d.metadata,
                    Child::Service(_, s) => &s.metadata,
                };
                let owners = meta.owner_references.as_ref().unwrap();
                assert_eq!(owners.len(), 1);
                let o = &owners[0];
                assert_eq!(o.api_version, "tradingstack.io/v1alpha1");
                assert_eq!(o.kind, "TradingStack");
                assert_eq!(o.name, "demo");
                assert_eq!(o.uid, s.metadata.uid.clone().unwrap());
                assert_eq!(o.controller, Some(true));
                assert_eq!(o.block_owner_deletion, Some(true));
                assert_eq!(meta.name.as_deref(), Some(role.child_name("demo").as_str()));
                assert_eq!(meta.namespace.as_deref(), Some("default"));
                assert_eq!(meta.labels.as_ref().unwrap()[MANAGED_BY_LABEL], MANAGED_BY);
            }
        }
    }

    #[test]
    fn children_are_deterministic_and_hashed() {
        let s = stack("demo");
        let a = children(&s, Role::Api, &full());
        let b = children(&s, Role::Api, &full());
        assert_eq!(a, b);
        assert_eq!(a[0].applied_hash().unwrap().len(), 32);
        let mut changed = s.clone();
        changed.spec.image.tag = Some("v2".into());
        assert_ne!(
            children(&changed, Role::Api, &full())[0].applied_hash(),
            a[0].applied_hash()
        );
        // The Service does not depend on the image.
        assert_eq!(
            children(&changed, Role::Api, &full())[1].applied_hash(),
            a[1].applied_hash()
        );
    }

    #[test]
    fn secret_hash_is_on_the_pod_template() {
        let d = api_deployment(&stack("demo"), &full());
        let annotations = d
            .spec
            .unwrap()
            .template
            .metadata
            .unwrap()
            .annotations
            .unwrap();
        assert_eq!(
            annotations[SECRET_HASH_ANNOTATION],
            secrets::role_hash(Role::Api, &stack("demo").spec, &full())
        );
    }

    #[test]
    fn the_bot_is_replaced_not_rolled() {
        let d = bot_deployment(&stack("demo"), &full());
        assert_eq!(
            d.spec.unwrap().strategy.unwrap().type_.as_deref(),
            Some("Recreate")
        );
        assert_eq!(
            api_deployment(&stack("demo"), &full())
                .spec
                .unwrap()
                .strategy,
            None
        );
    }
}
