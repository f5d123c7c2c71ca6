//! `operator render`: what the operator would apply for a stack in a given state, without a
//! cluster, through the same gates and builders as the reconciler.
//!
//! The state is which components count as ready (`--ready redis,api`); a component that is
//! ready is taken to exist. The output is multi-document YAML: the children that would be
//! applied, then the TradingStack with the status that would be written.

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::Secret;
use kube::ResourceExt;

use crate::builders::{self, Role};
use crate::crd::TradingStack;
use crate::gates::{self, Observed, Workload};
use crate::secrets::{self, SecretState};
use crate::validate;

/// The owner UID shown when the stack file has none (it is assigned by the API server).
pub const NIL_UID: &str = "00000000-0000-0000-0000-000000000000";

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("reading {what}: {source}")]
    Yaml {
        what: &'static str,
        #[source]
        source: serde_yaml::Error,
    },
    #[error("{what} is a {kind}, expected a {expected}")]
    WrongKind {
        what: &'static str,
        kind: String,
        expected: &'static str,
    },
    #[error("unknown component {0:?} in --ready; use redis, api, bot, workers")]
    UnknownComponent(String),
    #[error("the Secret file holds Secret {found:?} but spec.secretRef.name is {expected:?}")]
    SecretMismatch { found: String, expected: String },
}

/// Parses `--ready`: a comma-separated list of components; empty means none.
pub fn parse_ready(list: &str) -> Result<BTreeSet<Role>, RenderError> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| Role::parse(s).ok_or_else(|| RenderError::UnknownComponent(s.to_string())))
        .collect()
}

fn parse<T: serde::de::DeserializeOwned>(
    yaml: &str,
    what: &'static str,
    expected_kind: &'static str,
) -> Result<T, RenderError> {
    let value: serde_yaml::Value =
        serde_yaml::from_str(yaml).map_err(|source| RenderError::Yaml { what, source })?;
    let kind = value
        .get("kind")
        .and_then(|k| k.as_str())
        .unwrap_or("document without kind");
    if kind != expected_kind {
        return Err(RenderError::WrongKind {
            what,
            kind: kind.to_string(),
            expected: expected_kind,
        });
    }
    serde_yaml::from_value(value).map_err(|source| RenderError::Yaml { what, source })
}

fn replicas(stack: &TradingStack, role: Role) -> i32 {
    match role {
        Role::Redis => 1,
        Role::Api => stack.spec.api.replicas.unwrap_or(1),
        Role::Bot => stack.spec.bot.replicas.unwrap_or(1),
        Role::Workers => stack.spec.workers.replicas.unwrap_or(1),
    }
}

/// Renders the children and the status for `stack_yaml` in the state where exactly the
/// components of `ready` are available.
pub fn render(
    stack_yaml: &str,
    secret_yaml: Option<&str>,
    ready: &BTreeSet<Role>,
) -> Result<String, RenderError> {
    let original: TradingStack = parse(stack_yaml, "the stack file", "TradingStack")?;
    let mut notes = Vec::new();

    // What the API server would have filled in.
    let mut stack = original.clone();
    if stack.metadata.namespace.is_none() {
        stack.metadata.namespace = Some("default".into());
        notes.push("no metadata.namespace: rendered in namespace default".to_string());
    }
    if stack.metadata.uid.is_none() {
        stack.metadata.uid = Some(NIL_UID.into());
        notes.push(format!(
            "no metadata.uid (assigned by the API server): owner references show {NIL_UID}"
        ));
    }
    if stack.metadata.generation.is_none() {
        stack.metadata.generation = Some(1);
    }

    let secret = match secret_yaml {
        Some(yaml) => {
            let secret: Secret = parse(yaml, "the Secret file", "Secret")?;
            if secret.name_any() != stack.spec.secret_ref.name {
                return Err(RenderError::SecretMismatch {
                    found: secret.name_any(),
                    expected: stack.spec.secret_ref.name.clone(),
                });
            }
            SecretState::from_secret(&secret)
        }
        None => {
            notes.push(format!(
                "no --secret given: Secret {} is assumed to hold every required key \
                 (optional CLOB keys are left out, secret hashes cover no data)",
                stack.spec.secret_ref.name
            ));
            SecretState::Assumed
        }
    };

    let ready_list: Vec<&str> = ready.iter().map(|r| r.as_str()).collect();
    let mut out = format!(
        "# operator render: TradingStack {}/{} with ready: [{}]\n",
        stack.metadata.namespace.as_deref().unwrap_or_default(),
        stack.name_any(),
        ready_list.join(", ")
    );
    for note in &notes {
        out.push_str(&format!("# note: {note}\n"));
    }

    let now = gates::now();
    let prev = original.status.as_ref();
    let problems = validate::problems(&stack.spec);
    let (children, status) = if problems.is_empty() {
        let verdict = secrets::check(&stack.spec, &secret);
        let observed: Observed = ready
            .iter()
            .map(|role| (*role, Workload::ready(replicas(&stack, *role))))
            .collect();
        let children = gates::desired_children(&stack, &secret, &verdict, &observed);
        let mut after = observed;
        for child in &children {
            if matches!(child, builders::Child::Deployment(..)) {
                let role = child.role();
                after
                    .entry(role)
                    .or_insert_with(|| Workload::starting(replicas(&stack, role)));
            }
        }
        let mut status = gates::compute_status(&stack, &verdict, &after, prev, &now);
        if secret == SecretState::Assumed
            && let Some(c) = status
                .conditions
                .iter_mut()
                .find(|c| c.type_ == gates::SECRETS_VALID)
        {
            c.message = format!(
                "Secret {} assumed to hold every key (no --secret given)",
                stack.spec.secret_ref.name
            );
        }
        (children, status)
    } else {
        out.push_str("# the spec is invalid: nothing is applied\n");
        (
            Vec::new(),
            gates::invalid_spec_status(&stack, &problems, prev, &now),
        )
    };

    for child in &children {
        out.push_str(&format!(
            "---\n# apply {} {}\n{}",
            child.kind(),
            child.name(),
            child.to_yaml()
        ));
    }
    let mut written = original;
    written.status = Some(status);
    let yaml = serde_yaml::to_string(&written).expect("a TradingStack always serializes to YAML");
    out.push_str(&format!(
        "---\n# status written to the TradingStack\n{yaml}"
    ));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::Deployment;

    const STACK: &str = include_str!("../../deploy/samples/tradingstack.yaml");
    const SECRET: &str = include_str!("../../deploy/samples/secret.yaml");

    /// (kind, name) of every document, and the TradingStack parsed back.
    fn documents(out: &str) -> (Vec<(String, String)>, TradingStack) {
        let mut kinds = Vec::new();
        let mut stack = None;
        for doc in serde_yaml::Deserializer::from_str(out) {
            let value = serde_yaml::Value::deserialize(doc).unwrap();
            let kind = value["kind"].as_str().unwrap().to_string();
            let name = value["metadata"]["name"].as_str().unwrap().to_string();
            if kind == "TradingStack" {
                stack = Some(serde_yaml::from_value(value).unwrap());
            } else {
                kinds.push((kind, name));
            }
        }
        (kinds, stack.expect("the TradingStack comes last"))
    }

    use serde::Deserialize;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    fn cond(stack: &TradingStack, t: &str) -> (String, String) {
        let c = stack.status.as_ref().unwrap().condition(t).unwrap();
        (c.status.clone(), c.reason.clone())
    }

    #[test]
    fn nothing_ready_shows_redis_only() {
        let out = render(STACK, Some(SECRET), &parse_ready("").unwrap()).unwrap();
        let (children, stack) = documents(&out);
        assert_eq!(
            children,
            pairs(&[("Deployment", "demo-redis"), ("Service", "demo-redis")])
        );
        assert_eq!(
            cond(&stack, "ApiReady"),
            ("False".into(), "GatedOnRedis".into())
        );
        assert!(
            out.trim_end().ends_with("type: Ready"),
            "the status is the last document"
        );
    }

    #[test]
    fn redis_ready_adds_the_api() {
        let out = render(STACK, Some(SECRET), &parse_ready("redis").unwrap()).unwrap();
        let (children, stack) = documents(&out);
        assert_eq!(
            children,
            pairs(&[
                ("Deployment", "demo-redis"),
                ("Service", "demo-redis"),
                ("Deployment", "demo-api"),
                ("Service", "demo-api")
            ])
        );
        assert_eq!(
            cond(&stack, "BotReady"),
            ("False".into(), "GatedOnApi".into())
        );
        assert_eq!(
            cond(&stack, "WorkersReady"),
            ("False".into(), "GatedOnApi".into())
        );
    }

    #[test]
    fn redis_and_api_ready_add_bot_and_workers() {
        let out = render(STACK, Some(SECRET), &parse_ready("redis,api").unwrap()).unwrap();
        let (children, stack) = documents(&out);
        assert_eq!(
            children,
            pairs(&[
                ("Deployment", "demo-redis"),
                ("Service", "demo-redis"),
                ("Deployment", "demo-api"),
                ("Service", "demo-api"),
                ("Deployment", "demo-bot"),
                ("Deployment", "demo-workers")
            ])
        );
        let status = stack.status.unwrap();
        assert_eq!(status.phase, Some(crate::crd::Phase::Progressing));
        // The bot document has SKIP_DB=true and no DATABASE_URL.
        let bot: Deployment = serde_yaml::Deserializer::from_str(&out)
            .map(|d| serde_yaml::Value::deserialize(d).unwrap())
            .find(|v| v["metadata"]["name"] == "demo-bot")
            .map(|v| serde_yaml::from_value(v).unwrap())
            .unwrap();
        let env = bot.spec.unwrap().template.spec.unwrap().containers[0]
            .env
            .clone()
            .unwrap();
        assert!(
            env.iter()
                .any(|e| e.name == "SKIP_DB" && e.value.as_deref() == Some("true"))
        );
        assert!(env.iter().all(|e| e.name != "DATABASE_URL"));
    }

    #[test]
    fn everything_ready_is_ready() {
        let out = render(
            STACK,
            Some(SECRET),
            &parse_ready("redis, api,bot,workers").unwrap(),
        )
        .unwrap();
        let (_, stack) = documents(&out);
        assert_eq!(stack.status.unwrap().phase, Some(crate::crd::Phase::Ready));
    }

    #[test]
    fn a_secret_missing_a_key_is_named_in_the_status() {
        let secret = SECRET
            .lines()
            .filter(|l| !l.trim_start().starts_with("WEBHOOK_SECRET:"))
            .collect::<Vec<_>>()
            .join("\n");
        let out = render(STACK, Some(&secret), &parse_ready("redis").unwrap()).unwrap();
        let (children, stack) = documents(&out);
        assert_eq!(
            children,
            pairs(&[("Deployment", "demo-redis"), ("Service", "demo-redis")])
        );
        let status = stack.status.unwrap();
        let sv = status.condition("SecretsValid").unwrap();
        assert_eq!(sv.status, "False");
        assert_eq!(
            sv.message,
            "Secret demo-secrets: missing keys: WEBHOOK_SECRET"
        );
    }

    #[test]
    fn without_a_secret_every_key_is_assumed_and_it_says_so() {
        let out = render(STACK, None, &parse_ready("redis").unwrap()).unwrap();
        assert!(out.contains("# note: no --secret given"));
        let (children, stack) = documents(&out);
        assert_eq!(children.len(), 4);
        assert_eq!(cond(&stack, "SecretsValid").0, "True");
        let message = &stack.status.unwrap().conditions[0].message;
        assert!(message.contains("assumed"), "{message}");
    }

    #[test]
    fn bad_input_is_reported() {
        assert!(
            matches!(parse_ready("redis,db"), Err(RenderError::UnknownComponent(c)) if c == "db")
        );
        assert!(matches!(
            render(SECRET, None, &BTreeSet::new()),
            Err(RenderError::WrongKind { .. })
        ));
        let other = SECRET.replace("name: demo-secrets", "name: other");
        assert!(matches!(
            render(STACK, Some(&other), &BTreeSet::new()),
            Err(RenderError::SecretMismatch { .. })
        ));
    }

    #[test]
    fn an_invalid_spec_renders_no_child_and_says_why() {
        let invalid = STACK.replace("managed: true", "managed: true\n    url: redis://x:6379");
        assert_ne!(invalid, STACK);
        let out = render(&invalid, Some(SECRET), &BTreeSet::new()).unwrap();
        let (children, stack) = documents(&out);
        assert!(children.is_empty());
        assert_eq!(
            cond(&stack, "Ready"),
            ("False".into(), "InvalidSpec".into())
        );
    }
}
