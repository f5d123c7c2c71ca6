//! The ordered readiness gates, and the status computed from what was applied.
//!
//! * Redis (managed) is applied whatever the Secret holds; external Redis is ready at once.
//! * The API is created only when the Secret is valid and Redis is ready.
//! * Bot and workers are created only when the Secret is valid and the API is ready.
//!
//! A gate only holds back the *first* rollout: a child that exists keeps being reconciled
//! (while the Secret is valid) and a lost component shows as `Degraded`, nothing is torn down.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use k8s_openapi::jiff::Timestamp;

use crate::builders::{self, Child, Role};
use crate::crd::{Phase, RedisMode, TradingStack, TradingStackStatus};
use crate::secrets::{SecretProblem, SecretState};

pub const SECRETS_VALID: &str = "SecretsValid";
pub const READY: &str = "Ready";

pub const REASON_AVAILABLE: &str = "Available";
pub const REASON_EXTERNAL: &str = "External";
pub const REASON_WAITING: &str = "WaitingForReplicas";
pub const REASON_ROLLING_OUT: &str = "RollingOut";
pub const REASON_GATED_ON_SECRETS: &str = "GatedOnSecrets";
pub const REASON_GATED_ON_REDIS: &str = "GatedOnRedis";
pub const REASON_GATED_ON_API: &str = "GatedOnApi";
pub const REASON_INVALID_SPEC: &str = "InvalidSpec";

/// What the operator knows of one component's Deployment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Workload {
    pub desired: i32,
    pub updated: i32,
    pub available: i32,
    /// `status.observedGeneration >= metadata.generation`.
    pub observed: bool,
}

impl Workload {
    pub fn from_deployment(d: &Deployment) -> Self {
        let desired = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
        let status = d.status.as_ref();
        let observed_generation = status.and_then(|s| s.observed_generation).unwrap_or(0);
        let generation = d.metadata.generation.unwrap_or(0);
        Workload {
            desired,
            updated: status.and_then(|s| s.updated_replicas).unwrap_or(0),
            available: status.and_then(|s| s.available_replicas).unwrap_or(0),
            observed: observed_generation >= generation && status.is_some(),
        }
    }

    /// A Deployment whose rollout is complete with every replica available.
    pub fn ready(desired: i32) -> Self {
        Workload {
            desired,
            updated: desired,
            available: desired,
            observed: true,
        }
    }

    /// A Deployment just created: nothing available yet.
    pub fn starting(desired: i32) -> Self {
        Workload {
            desired,
            ..Workload::default()
        }
    }

    /// Available: the controller saw the latest spec, every replica is updated and available.
    pub fn is_ready(&self) -> bool {
        self.observed && self.updated == self.desired && self.available == self.desired
    }
}

/// The Deployments that exist, by role.
pub type Observed = BTreeMap<Role, Workload>;

fn redis_ready(stack: &TradingStack, observed: &Observed) -> bool {
    match stack.spec.redis.mode() {
        Some(RedisMode::Managed) => observed.get(&Role::Redis).is_some_and(Workload::is_ready),
        Some(_) => true,
        None => false,
    }
}

/// The roles whose children are applied in this state, in gate order.
pub fn open_roles(
    stack: &TradingStack,
    secrets: &Result<(), SecretProblem>,
    observed: &Observed,
) -> Vec<Role> {
    let mut roles = vec![Role::Redis];
    if secrets.is_err() {
        return roles;
    }
    let api_ready = observed.get(&Role::Api).is_some_and(Workload::is_ready);
    let gate_open = |role: Role| match role {
        Role::Redis => true,
        Role::Api => redis_ready(stack, observed),
        Role::Bot | Role::Workers => api_ready,
    };
    for role in [Role::Api, Role::Bot, Role::Workers] {
        if gate_open(role) || observed.contains_key(&role) {
            roles.push(role);
        }
    }
    roles
}

/// The children to apply in this state, built by [`builders::children`].
pub fn desired_children(
    stack: &TradingStack,
    secret: &SecretState,
    secrets: &Result<(), SecretProblem>,
    observed: &Observed,
) -> Vec<Child> {
    open_roles(stack, secrets, observed)
        .into_iter()
        .flat_map(|role| builders::children(stack, role, secret))
        .collect()
}

/// Now, to the second: what the API server keeps of a `metav1.Time`.
pub fn now() -> Time {
    let now = Timestamp::now();
    Time(Timestamp::from_second(now.as_second()).unwrap_or(now))
}

struct Verdict {
    ready: bool,
    reason: &'static str,
    message: String,
}

fn workload_verdict(w: &Workload) -> Verdict {
    if w.is_ready() {
        Verdict {
            ready: true,
            reason: REASON_AVAILABLE,
            message: format!("{}/{} ready", w.available, w.desired),
        }
    } else if w.available >= w.desired {
        Verdict {
            ready: false,
            reason: REASON_ROLLING_OUT,
            message: format!(
                "rolling out: {}/{} updated, {}/{} available",
                w.updated, w.desired, w.available, w.desired
            ),
        }
    } else {
        Verdict {
            ready: false,
            reason: REASON_WAITING,
            message: format!("{}/{} ready", w.available, w.desired),
        }
    }
}

fn component_verdict(
    stack: &TradingStack,
    role: Role,
    secrets: &Result<(), SecretProblem>,
    after: &Observed,
) -> Verdict {
    if let Some(w) = after.get(&role) {
        return workload_verdict(w);
    }
    let gated = |reason, message: &str| Verdict {
        ready: false,
        reason,
        message: message.to_string(),
    };
    match role {
        Role::Redis => match stack.spec.redis.mode() {
            Some(RedisMode::Url(_)) => Verdict {
                ready: true,
                reason: REASON_EXTERNAL,
                message: "external Redis at spec.redis.url".into(),
            },
            Some(RedisMode::SecretKey(key)) => Verdict {
                ready: true,
                reason: REASON_EXTERNAL,
                message: format!("external Redis at the URL in Secret key {key}"),
            },
            _ => workload_verdict(&Workload::starting(1)),
        },
        Role::Api if secrets.is_err() => gated(REASON_GATED_ON_SECRETS, "waiting for SecretsValid"),
        Role::Api => gated(REASON_GATED_ON_REDIS, "waiting for RedisReady"),
        Role::Bot | Role::Workers => gated(REASON_GATED_ON_API, "waiting for ApiReady"),
    }
}

fn condition(
    type_: &str,
    ready: bool,
    reason: &str,
    message: String,
    generation: Option<i64>,
    prev: Option<&TradingStackStatus>,
    now: &Time,
) -> Condition {
    let status = if ready { "True" } else { "False" };
    // lastTransitionTime moves only when the status flips.
    let last_transition_time = prev
        .and_then(|p| p.condition(type_))
        .filter(|c| c.status == status)
        .map(|c| c.last_transition_time.clone())
        .unwrap_or_else(|| now.clone());
    Condition {
        type_: type_.into(),
        status: status.into(),
        reason: reason.into(),
        message,
        last_transition_time,
        observed_generation: generation,
    }
}

fn was_ready_or_degraded(prev: Option<&TradingStackStatus>) -> bool {
    matches!(
        prev.and_then(|p| p.phase),
        Some(Phase::Ready | Phase::Degraded)
    )
}

/// The status of a stack, computed from the Secret verdict and the Deployments as applied.
pub fn compute_status(
    stack: &TradingStack,
    secrets: &Result<(), SecretProblem>,
    after: &Observed,
    prev: Option<&TradingStackStatus>,
    now: &Time,
) -> TradingStackStatus {
    let generation = stack.metadata.generation;
    let mut conditions = Vec::with_capacity(6);
    conditions.push(match secrets {
        Ok(()) => condition(
            SECRETS_VALID,
            true,
            "AllKeysPresent",
            format!("Secret {} holds every key", stack.spec.secret_ref.name),
            generation,
            prev,
            now,
        ),
        Err(problem) => condition(
            SECRETS_VALID,
            false,
            problem.reason(),
            problem.message(&stack.spec.secret_ref.name),
            generation,
            prev,
            now,
        ),
    });

    let verdicts: Vec<(Role, Verdict)> = Role::ALL
        .into_iter()
        .map(|role| (role, component_verdict(stack, role, secrets, after)))
        .collect();
    for (role, v) in &verdicts {
        conditions.push(condition(
            role.condition_type(),
            v.ready,
            v.reason,
            v.message.clone(),
            generation,
            prev,
            now,
        ));
    }

    let not_ready: Vec<&str> = verdicts
        .iter()
        .filter(|(_, v)| !v.ready)
        .map(|(role, _)| role.as_str())
        .collect();
    let all_ready = secrets.is_ok() && not_ready.is_empty();
    // A component that was available and is no longer (a rollout does not count).
    let lost = conditions.iter().any(|c| {
        c.status == "False"
            && c.reason != REASON_ROLLING_OUT
            && prev
                .and_then(|p| p.condition(&c.type_))
                .is_some_and(|p| p.status == "True")
    });
    let only_rolling_out = secrets.is_ok()
        && verdicts
            .iter()
            .all(|(_, v)| v.ready || v.reason == REASON_ROLLING_OUT);
    let phase = if all_ready {
        Phase::Ready
    } else if lost || (was_ready_or_degraded(prev) && !only_rolling_out) {
        Phase::Degraded
    } else if secrets.is_err() || verdicts.iter().all(|(_, v)| !v.ready) {
        Phase::Pending
    } else {
        Phase::Progressing
    };

    let (reason, message) = if all_ready {
        (
            "AllComponentsReady",
            "redis, api, bot and workers are available".to_string(),
        )
    } else if phase == Phase::Degraded {
        let mut what: Vec<&str> = not_ready.clone();
        if secrets.is_err() {
            what.insert(0, "secrets");
        }
        ("Degraded", format!("not ready: {}", what.join(", ")))
    } else if let Err(problem) = secrets {
        (
            "SecretsInvalid",
            problem.message(&stack.spec.secret_ref.name),
        )
    } else if only_rolling_out {
        (
            REASON_ROLLING_OUT,
            format!("rolling out: {}", not_ready.join(", ")),
        )
    } else {
        (
            "ComponentsNotReady",
            format!("waiting for: {}", not_ready.join(", ")),
        )
    };
    conditions.push(condition(
        READY, all_ready, reason, message, generation, prev, now,
    ));

    TradingStackStatus {
        observed_generation: generation,
        phase: Some(phase),
        conditions,
    }
}

/// The status of a stack whose spec is invalid: `Ready` is False with reason `InvalidSpec`
/// naming every problem; the other conditions keep what they said.
pub fn invalid_spec_status(
    stack: &TradingStack,
    problems: &[String],
    prev: Option<&TradingStackStatus>,
    now: &Time,
) -> TradingStackStatus {
    let mut conditions: Vec<Condition> = prev
        .map(|p| {
            p.conditions
                .iter()
                .filter(|c| c.type_ != READY)
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    conditions.push(condition(
        READY,
        false,
        REASON_INVALID_SPEC,
        problems.join("; "),
        stack.metadata.generation,
        prev,
        now,
    ));
    TradingStackStatus {
        observed_generation: stack.metadata.generation,
        phase: Some(if was_ready_or_degraded(prev) {
            Phase::Degraded
        } else {
            Phase::Pending
        }),
        conditions,
    }
}

/// An Event announcing a gate transition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GateEvent {
    pub warning: bool,
    pub reason: String,
    pub note: String,
}

fn false_reason(type_: &str) -> String {
    match type_ {
        SECRETS_VALID => "SecretsInvalid".into(),
        READY => "NotReady".into(),
        other => format!("{}NotReady", other.trim_end_matches("Ready")),
    }
}

/// The Events of the condition flips between two statuses: a condition turning True is a
/// Normal event named after it (`RedisReady`); one turning False because a new version rolls
/// out is a Normal `ApiRollingOut`; one turning False otherwise after being True is a Warning
/// (`ApiNotReady`); an invalid Secret or spec is a Warning from the first time it is seen.
pub fn gate_events(prev: Option<&TradingStackStatus>, new: &TradingStackStatus) -> Vec<GateEvent> {
    let mut events = Vec::new();
    for c in &new.conditions {
        let before = prev
            .and_then(|p| p.condition(&c.type_))
            .map(|p| p.status.as_str());
        if before == Some(c.status.as_str()) {
            continue;
        }
        if c.status == "True" {
            events.push(GateEvent {
                warning: false,
                reason: c.type_.clone(),
                note: c.message.clone(),
            });
        } else if c.reason == REASON_ROLLING_OUT {
            // A rollout of something that was available: routine, not a warning.
            events.push(GateEvent {
                warning: false,
                reason: format!("{}{REASON_ROLLING_OUT}", c.type_.trim_end_matches(READY)),
                note: c.message.clone(),
            });
        } else if before == Some("True")
            || c.type_ == SECRETS_VALID
            || c.reason == REASON_INVALID_SPEC
        {
            let reason = if c.reason == REASON_INVALID_SPEC {
                REASON_INVALID_SPEC.to_string()
            } else {
                false_reason(&c.type_)
            };
            events.push(GateEvent {
                warning: true,
                reason,
                note: c.message.clone(),
            });
        }
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crd::RedisSpec;
    use crate::fixtures::{full_secret_data, stack};

    fn t(s: i64) -> Time {
        Time(Timestamp::from_second(s).unwrap())
    }

    fn observed(pairs: &[(Role, Workload)]) -> Observed {
        pairs.iter().copied().collect()
    }

    fn cond<'a>(s: &'a TradingStackStatus, type_: &str) -> &'a Condition {
        s.condition(type_).unwrap_or_else(|| panic!("no {type_}"))
    }

    fn roles(children: &[Child]) -> Vec<(Role, &'static str)> {
        children.iter().map(|c| (c.role(), c.kind())).collect()
    }

    #[test]
    fn redis_not_ready_creates_redis_only() {
        let s = stack("demo");
        let secret = SecretState::Found(full_secret_data());
        let obs = observed(&[(Role::Redis, Workload::starting(1))]);
        let children = desired_children(&s, &secret, &Ok(()), &obs);
        assert_eq!(
            roles(&children),
            [(Role::Redis, "Deployment"), (Role::Redis, "Service")]
        );
        let st = compute_status(&s, &Ok(()), &obs, None, &t(1));
        assert_eq!(cond(&st, "ApiReady").reason, REASON_GATED_ON_REDIS);
        assert_eq!(cond(&st, "BotReady").reason, REASON_GATED_ON_API);
        assert_eq!(cond(&st, "WorkersReady").reason, REASON_GATED_ON_API);
        assert_eq!(cond(&st, "RedisReady").message, "0/1 ready");
        assert_eq!(st.phase, Some(Phase::Pending));
    }

    #[test]
    fn redis_ready_opens_the_api_gate_only() {
        let s = stack("demo");
        let secret = SecretState::Found(full_secret_data());
        let obs = observed(&[(Role::Redis, Workload::ready(1))]);
        let children = desired_children(&s, &secret, &Ok(()), &obs);
        assert_eq!(
            roles(&children),
            [
                (Role::Redis, "Deployment"),
                (Role::Redis, "Service"),
                (Role::Api, "Deployment"),
                (Role::Api, "Service")
            ]
        );
        let after = observed(&[
            (Role::Redis, Workload::ready(1)),
            (Role::Api, Workload::starting(1)),
        ]);
        let st = compute_status(&s, &Ok(()), &after, None, &t(1));
        assert_eq!(cond(&st, "RedisReady").status, "True");
        assert_eq!(cond(&st, "ApiReady").reason, REASON_WAITING);
        assert_eq!(cond(&st, "ApiReady").message, "0/1 ready");
        assert_eq!(cond(&st, "BotReady").reason, REASON_GATED_ON_API);
        assert_eq!(cond(&st, "WorkersReady").reason, REASON_GATED_ON_API);
        assert_eq!(st.phase, Some(Phase::Progressing));
    }

    #[test]
    fn api_ready_opens_bot_and_workers() {
        let s = stack("demo");
        let secret = SecretState::Found(full_secret_data());
        let obs = observed(&[
            (Role::Redis, Workload::ready(1)),
            (Role::Api, Workload::ready(1)),
        ]);
        let children = desired_children(&s, &secret, &Ok(()), &obs);
        let got = roles(&children);
        assert!(got.contains(&(Role::Bot, "Deployment")));
        assert!(got.contains(&(Role::Workers, "Deployment")));
        let all = observed(&[
            (Role::Redis, Workload::ready(1)),
            (Role::Api, Workload::ready(1)),
            (Role::Bot, Workload::ready(1)),
            (Role::Workers, Workload::ready(1)),
        ]);
        let st = compute_status(&s, &Ok(()), &all, None, &t(1));
        assert_eq!(st.phase, Some(Phase::Ready));
        assert!(st.conditions.iter().all(|c| c.status == "True"), "{st:?}");
        assert_eq!(st.conditions.len(), 6);
    }

    #[test]
    fn an_invalid_secret_holds_back_everything_but_redis() {
        let s = stack("demo");
        let problem = Err(SecretProblem::Invalid {
            missing: vec!["WEBHOOK_SECRET".into()],
            malformed: vec![],
        });
        let obs = observed(&[(Role::Redis, Workload::ready(1))]);
        let children = desired_children(&s, &SecretState::NotFound, &problem, &obs);
        assert!(children.iter().all(|c| c.role() == Role::Redis));
        let st = compute_status(&s, &problem, &obs, None, &t(1));
        let sv = cond(&st, SECRETS_VALID);
        assert_eq!(sv.status, "False");
        assert_eq!(sv.reason, "MissingKeys");
        assert!(sv.message.contains("WEBHOOK_SECRET"));
        assert_eq!(cond(&st, "ApiReady").reason, REASON_GATED_ON_SECRETS);
        assert_eq!(cond(&st, READY).reason, "SecretsInvalid");
        assert_eq!(st.phase, Some(Phase::Pending));
    }

    #[test]
    fn existing_children_are_kept_when_a_gate_closes() {
        let s = stack("demo");
        // Redis went unavailable after the API was created: the API is still applied (and,
        // the API being ready, bot and workers too).
        let obs = observed(&[
            (Role::Redis, Workload::starting(1)),
            (Role::Api, Workload::ready(1)),
        ]);
        let open = open_roles(&s, &Ok(()), &obs);
        assert_eq!(open, vec![Role::Redis, Role::Api, Role::Bot, Role::Workers]);
        // The API went unavailable after bot and workers were created: they stay.
        let obs = observed(&[
            (Role::Redis, Workload::ready(1)),
            (Role::Api, Workload::starting(1)),
            (Role::Bot, Workload::ready(1)),
        ]);
        assert_eq!(
            open_roles(&s, &Ok(()), &obs),
            vec![Role::Redis, Role::Api, Role::Bot]
        );
    }

    #[test]
    fn external_redis_is_ready_at_once() {
        let mut s = stack("demo");
        s.spec.redis = RedisSpec {
            url: Some("redis://cache:6379".into()),
            ..RedisSpec::default()
        };
        let secret = SecretState::Found(full_secret_data());
        let children = desired_children(&s, &secret, &Ok(()), &Observed::new());
        assert_eq!(
            roles(&children),
            [(Role::Api, "Deployment"), (Role::Api, "Service")]
        );
        let st = compute_status(&s, &Ok(()), &Observed::new(), None, &t(1));
        let redis = cond(&st, "RedisReady");
        assert_eq!(
            (redis.status.as_str(), redis.reason.as_str()),
            ("True", REASON_EXTERNAL)
        );
        assert_eq!(st.phase, Some(Phase::Progressing));
    }

    #[test]
    fn last_transition_time_moves_only_on_a_flip() {
        let s = stack("demo");
        let obs = observed(&[(Role::Redis, Workload::starting(1))]);
        let first = compute_status(&s, &Ok(()), &obs, None, &t(100));
        // Same statuses, later: every time is kept, so the status is equal.
        let again = compute_status(&s, &Ok(()), &obs, Some(&first), &t(200));
        assert_eq!(again, first);
        // Redis flips to True: only RedisReady (and nothing else) moves.
        let obs = observed(&[(Role::Redis, Workload::ready(1))]);
        let flipped = compute_status(&s, &Ok(()), &obs, Some(&first), &t(300));
        for c in &flipped.conditions {
            let expected = if c.type_ == "RedisReady" {
                t(300)
            } else {
                t(100)
            };
            assert_eq!(c.last_transition_time, expected, "{}", c.type_);
        }
        // A changed message without a flip keeps the time too.
        let obs = observed(&[(
            Role::Redis,
            Workload {
                available: 0,
                ..Workload::starting(2)
            },
        )]);
        let msg = compute_status(&s, &Ok(()), &obs, Some(&first), &t(400));
        assert_eq!(cond(&msg, "RedisReady").message, "0/2 ready");
        assert_eq!(cond(&msg, "RedisReady").last_transition_time, t(100));
    }

    #[test]
    fn conditions_carry_the_generation() {
        let mut s = stack("demo");
        s.metadata.generation = Some(7);
        let st = compute_status(&s, &Ok(()), &Observed::new(), None, &t(1));
        assert_eq!(st.observed_generation, Some(7));
        assert!(
            st.conditions
                .iter()
                .all(|c| c.observed_generation == Some(7))
        );
    }

    #[test]
    fn losing_a_component_after_ready_is_degraded() {
        let s = stack("demo");
        let all = observed(&[
            (Role::Redis, Workload::ready(1)),
            (Role::Api, Workload::ready(1)),
            (Role::Bot, Workload::ready(1)),
            (Role::Workers, Workload::ready(1)),
        ]);
        let ready = compute_status(&s, &Ok(()), &all, None, &t(1));
        assert_eq!(ready.phase, Some(Phase::Ready));
        let mut broken = all.clone();
        broken.insert(
            Role::Api,
            Workload {
                available: 0,
                ..Workload::ready(1)
            },
        );
        let degraded = compute_status(&s, &Ok(()), &broken, Some(&ready), &t(2));
        assert_eq!(degraded.phase, Some(Phase::Degraded));
        assert_eq!(cond(&degraded, READY).message, "not ready: api");
        // Still broken: stays Degraded; repaired: Ready again.
        let still = compute_status(&s, &Ok(()), &broken, Some(&degraded), &t(3));
        assert_eq!(still.phase, Some(Phase::Degraded));
        let back = compute_status(&s, &Ok(()), &all, Some(&still), &t(4));
        assert_eq!(back.phase, Some(Phase::Ready));
        // The Warning of the loss and the Normal event of the recovery.
        let lost = gate_events(Some(&ready), &degraded);
        assert_eq!(
            lost,
            vec![
                GateEvent {
                    warning: true,
                    reason: "ApiNotReady".into(),
                    note: "0/1 ready".into()
                },
                GateEvent {
                    warning: true,
                    reason: "NotReady".into(),
                    note: "not ready: api".into()
                }
            ]
        );
        let recovered: Vec<_> = gate_events(Some(&still), &back)
            .into_iter()
            .map(|e| e.reason)
            .collect();
        assert_eq!(recovered, vec!["ApiReady", "Ready"]);
    }

    #[test]
    fn a_rollout_of_a_ready_stack_is_progressing_not_degraded() {
        let s = stack("demo");
        let all = observed(&[
            (Role::Redis, Workload::ready(1)),
            (Role::Api, Workload::ready(1)),
            (Role::Bot, Workload::ready(1)),
            (Role::Workers, Workload::ready(1)),
        ]);
        let ready = compute_status(&s, &Ok(()), &all, None, &t(1));
        let mut rolling = all.clone();
        rolling.insert(
            Role::Api,
            Workload {
                desired: 1,
                updated: 0,
                available: 1,
                observed: false,
            },
        );
        let st = compute_status(&s, &Ok(()), &rolling, Some(&ready), &t(2));
        assert_eq!(cond(&st, "ApiReady").reason, REASON_ROLLING_OUT);
        assert_eq!(st.phase, Some(Phase::Progressing));
    }

    #[test]
    fn first_events_announce_opened_gates_and_an_invalid_secret() {
        let s = stack("demo");
        let obs = observed(&[(Role::Redis, Workload::starting(1))]);
        let st = compute_status(&s, &Ok(()), &obs, None, &t(1));
        let reasons: Vec<_> = gate_events(None, &st)
            .into_iter()
            .map(|e| e.reason)
            .collect();
        assert_eq!(reasons, vec!["SecretsValid"]);
        let bad = Err(SecretProblem::NotFound {
            name: "demo-secrets".into(),
        });
        let st = compute_status(&s, &bad, &obs, None, &t(1));
        let events = gate_events(None, &st);
        assert_eq!(
            events,
            vec![GateEvent {
                warning: true,
                reason: "SecretsInvalid".into(),
                note: "Secret demo-secrets not found".into()
            }]
        );
        // Nothing flips: no event.
        assert!(gate_events(Some(&st), &st).is_empty());
    }

    #[test]
    fn workload_readiness_follows_the_deployment_status() {
        use k8s_openapi::api::apps::v1::{DeploymentSpec, DeploymentStatus};
        let mut d = Deployment {
            spec: Some(DeploymentSpec {
                replicas: Some(2),
                ..Default::default()
            }),
            ..Default::default()
        };
        d.metadata.generation = Some(3);
        assert!(!Workload::from_deployment(&d).is_ready(), "no status yet");
        d.status = Some(DeploymentStatus {
            observed_generation: Some(2),
            updated_replicas: Some(2),
            available_replicas: Some(2),
            ..Default::default()
        });
        assert!(
            !Workload::from_deployment(&d).is_ready(),
            "stale observedGeneration"
        );
        d.status.as_mut().unwrap().observed_generation = Some(3);
        assert!(Workload::from_deployment(&d).is_ready());
        d.status.as_mut().unwrap().updated_replicas = Some(1);
        assert!(
            !Workload::from_deployment(&d).is_ready(),
            "rollout incomplete"
        );
        d.status.as_mut().unwrap().updated_replicas = Some(2);
        d.status.as_mut().unwrap().available_replicas = Some(1);
        assert!(
            !Workload::from_deployment(&d).is_ready(),
            "one replica unavailable"
        );
    }

    #[test]
    fn an_invalid_spec_says_why_in_ready() {
        let s = stack("demo");
        let st = invalid_spec_status(&s, &["a".into(), "b".into()], None, &t(1));
        let ready = cond(&st, READY);
        assert_eq!(ready.reason, REASON_INVALID_SPEC);
        assert_eq!(ready.message, "a; b");
        assert_eq!(st.phase, Some(Phase::Pending));
        let events = gate_events(None, &st);
        assert_eq!(events[0].reason, REASON_INVALID_SPEC);
    }
}
