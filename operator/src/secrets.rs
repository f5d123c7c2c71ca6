//! The referenced Secret: which keys each role needs, whether the Secret holds them, and the
//! per-role hash of the data a role uses.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::Secret;
use sha2::{Digest, Sha256};

use crate::builders::Role;
use crate::crd::{RedisMode, TradingStackSpec};

pub const DATABASE_URL: &str = "DATABASE_URL";
pub const API_TOKEN: &str = "API_TOKEN";
pub const WEBHOOK_SECRET: &str = "WEBHOOK_SECRET";
pub const ENCRYPTION_KEY: &str = "ENCRYPTION_KEY";
pub const TELEGRAM_BOT_TOKEN: &str = "TELEGRAM_BOT_TOKEN";
/// Accepted in the Secret instead of TELEGRAM_BOT_TOKEN; the bot still sees TELEGRAM_BOT_TOKEN.
pub const BOT_TOKEN: &str = "BOT_TOKEN";
/// Polymarket CLOB credentials: given to api and workers when present, never required.
pub const CLOB_KEYS: [&str; 3] = ["CLOB_API_KEY", "CLOB_API_SECRET", "CLOB_API_PASSPHRASE"];
/// The length the api requires of ENCRYPTION_KEY (an AES-256-GCM key).
pub const ENCRYPTION_KEY_LEN: usize = 32;

/// The data of the Secret, as far as the operator knows it.
#[derive(Clone, Debug, PartialEq)]
pub enum SecretState {
    /// The Secret does not exist.
    NotFound,
    /// The Secret's data (`data` and `stringData` merged, `stringData` winning).
    Found(BTreeMap<String, Vec<u8>>),
    /// Not read (`operator render` without `--secret`): every key is assumed present.
    Assumed,
}

impl SecretState {
    pub fn from_secret(secret: &Secret) -> Self {
        let mut data: BTreeMap<String, Vec<u8>> = secret
            .data
            .iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.0.clone()))
            .collect();
        for (k, v) in secret.string_data.iter().flatten() {
            data.insert(k.clone(), v.clone().into_bytes());
        }
        SecretState::Found(data)
    }

    fn value(&self, key: &str) -> Option<&[u8]> {
        match self {
            SecretState::Found(data) => data.get(key).map(Vec::as_slice).filter(|v| !v.is_empty()),
            SecretState::NotFound | SecretState::Assumed => None,
        }
    }

    /// Whether a key is present with a non-empty value (always true when assumed).
    pub fn has(&self, key: &str) -> bool {
        match self {
            SecretState::Assumed => true,
            _ => self.value(key).is_some(),
        }
    }
}

/// A key of the Secret that a role reads, and the environment variable it becomes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretEnv {
    pub env: String,
    pub key: String,
    pub optional: bool,
}

/// The Secret keys a role cannot start without, as environment variables.
fn required(role: Role, spec: &TradingStackSpec, secret: &SecretState) -> Vec<SecretEnv> {
    let redis_key = match spec.redis.mode() {
        Some(RedisMode::SecretKey(key)) => Some(key.to_owned()),
        _ => None,
    };
    let env = |env: &str, key: &str| SecretEnv {
        env: env.to_owned(),
        key: key.to_owned(),
        optional: false,
    };
    let mut keys = Vec::new();
    match role {
        Role::Redis => {}
        Role::Api => {
            keys.push(env(DATABASE_URL, DATABASE_URL));
            keys.push(env(API_TOKEN, API_TOKEN));
            keys.push(env(WEBHOOK_SECRET, WEBHOOK_SECRET));
            keys.push(env(ENCRYPTION_KEY, ENCRYPTION_KEY));
            if let Some(key) = &redis_key {
                keys.push(env("REDIS_URL", key));
            }
        }
        Role::Bot => {
            let token_key = if !secret.has(TELEGRAM_BOT_TOKEN) && secret.has(BOT_TOKEN) {
                BOT_TOKEN
            } else {
                TELEGRAM_BOT_TOKEN
            };
            keys.push(env(TELEGRAM_BOT_TOKEN, token_key));
            keys.push(env(API_TOKEN, API_TOKEN));
        }
        Role::Workers => {
            keys.push(env(DATABASE_URL, DATABASE_URL));
            keys.push(env(API_TOKEN, API_TOKEN));
            if let Some(key) = &redis_key {
                keys.push(env("REDIS_URL", key));
            }
        }
    }
    keys
}

/// Every Secret key a role reads, in the order its environment lists them: the required keys,
/// then the optional CLOB credentials (api and workers, and only those present in the Secret).
pub fn role_secret_env(
    role: Role,
    spec: &TradingStackSpec,
    secret: &SecretState,
) -> Vec<SecretEnv> {
    let mut keys = required(role, spec, secret);
    if matches!(role, Role::Api | Role::Workers) {
        for key in CLOB_KEYS {
            if matches!(secret, SecretState::Found(_)) && secret.has(key) {
                keys.push(SecretEnv {
                    env: key.to_owned(),
                    key: key.to_owned(),
                    optional: true,
                });
            }
        }
    }
    keys
}

/// Why the Secret cannot serve the stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecretProblem {
    NotFound {
        name: String,
    },
    Invalid {
        missing: Vec<String>,
        malformed: Vec<String>,
    },
}

impl SecretProblem {
    pub fn reason(&self) -> &'static str {
        match self {
            SecretProblem::NotFound { .. } => "SecretNotFound",
            SecretProblem::Invalid { missing, .. } if !missing.is_empty() => "MissingKeys",
            SecretProblem::Invalid { .. } => "MalformedKeys",
        }
    }

    pub fn message(&self, secret_name: &str) -> String {
        match self {
            SecretProblem::NotFound { name } => format!("Secret {name} not found"),
            SecretProblem::Invalid { missing, malformed } => {
                let mut parts = Vec::new();
                if !missing.is_empty() {
                    parts.push(format!("missing keys: {}", missing.join(", ")));
                }
                if !malformed.is_empty() {
                    parts.push(malformed.join("; "));
                }
                format!("Secret {secret_name}: {}", parts.join("; "))
            }
        }
    }
}

/// The `SecretsValid` verdict: every key each role needs is present (and well formed).
pub fn check(spec: &TradingStackSpec, secret: &SecretState) -> Result<(), SecretProblem> {
    match secret {
        SecretState::Assumed => return Ok(()),
        SecretState::NotFound => {
            return Err(SecretProblem::NotFound {
                name: spec.secret_ref.name.clone(),
            });
        }
        SecretState::Found(_) => {}
    }
    let mut missing = BTreeSet::new();
    for role in Role::ALL {
        for key in required(role, spec, secret) {
            if !secret.has(&key.key) {
                // The bot token may come under either name; report the canonical one.
                missing.insert(key.key);
            }
        }
    }
    let mut malformed = Vec::new();
    if let Some(value) = secret.value(ENCRYPTION_KEY)
        && value.len() != ENCRYPTION_KEY_LEN
    {
        malformed.push(format!(
            "{ENCRYPTION_KEY} must be {ENCRYPTION_KEY_LEN} characters, it has {}",
            value.len()
        ));
    }
    if missing.is_empty() && malformed.is_empty() {
        Ok(())
    } else {
        Err(SecretProblem::Invalid {
            missing: missing.into_iter().collect(),
            malformed,
        })
    }
}

/// The hash of the Secret data a role reads, for its pod template: a change of a key rolls
/// exactly the roles that read it. Empty for a role that reads no key.
pub fn role_hash(role: Role, spec: &TradingStackSpec, secret: &SecretState) -> String {
    let keys = role_secret_env(role, spec, secret);
    let mut hasher = Sha256::new();
    for key in &keys {
        hasher.update(key.env.as_bytes());
        hasher.update([0]);
        hasher.update(key.key.as_bytes());
        hasher.update([0]);
        if let Some(value) = secret.value(&key.key) {
            hasher.update((value.len() as u64).to_be_bytes());
            hasher.update(value);
        }
        hasher.update([0xff]);
    }
    hex::encode(&hasher.finalize()[..16])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{full_secret_data, stack};

    fn found(pairs: &[(&str, &str)]) -> SecretState {
        SecretState::Found(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
                .collect(),
        )
    }

    #[test]
    fn a_complete_secret_is_valid() {
        let s = stack("demo");
        assert_eq!(
            check(&s.spec, &SecretState::Found(full_secret_data())),
            Ok(())
        );
    }

    #[test]
    fn missing_keys_are_listed_sorted_and_once() {
        let s = stack("demo");
        let problem = check(&s.spec, &found(&[("API_TOKEN", "t")])).unwrap_err();
        assert_eq!(
            problem,
            SecretProblem::Invalid {
                missing: vec![
                    "DATABASE_URL".into(),
                    "ENCRYPTION_KEY".into(),
                    "TELEGRAM_BOT_TOKEN".into(),
                    "WEBHOOK_SECRET".into()
                ],
                malformed: vec![],
            }
        );
        assert_eq!(problem.reason(), "MissingKeys");
        assert_eq!(
            problem.message("demo-secrets"),
            "Secret demo-secrets: missing keys: DATABASE_URL, ENCRYPTION_KEY, TELEGRAM_BOT_TOKEN, WEBHOOK_SECRET"
        );
    }

    #[test]
    fn an_empty_value_counts_as_missing() {
        let s = stack("demo");
        let mut data = full_secret_data();
        data.insert(API_TOKEN.into(), Vec::new());
        let problem = check(&s.spec, &SecretState::Found(data)).unwrap_err();
        assert_eq!(problem.message("x"), "Secret x: missing keys: API_TOKEN");
    }

    #[test]
    fn a_short_encryption_key_is_malformed() {
        let s = stack("demo");
        let mut data = full_secret_data();
        data.insert(ENCRYPTION_KEY.into(), b"short".to_vec());
        let problem = check(&s.spec, &SecretState::Found(data)).unwrap_err();
        assert_eq!(problem.reason(), "MalformedKeys");
        assert!(
            problem
                .message("x")
                .contains("ENCRYPTION_KEY must be 32 characters, it has 5")
        );
    }

    #[test]
    fn a_missing_secret_is_not_found() {
        let s = stack("demo");
        let problem = check(&s.spec, &SecretState::NotFound).unwrap_err();
        assert_eq!(problem.reason(), "SecretNotFound");
        assert_eq!(
            problem.message("demo-secrets"),
            "Secret demo-secrets not found"
        );
    }

    #[test]
    fn the_redis_url_key_is_required_when_redis_comes_from_the_secret() {
        let mut s = stack("demo");
        s.spec.redis = crate::crd::RedisSpec {
            url_secret_key: Some("REDIS_URL".into()),
            ..Default::default()
        };
        let problem = check(&s.spec, &SecretState::Found(full_secret_data())).unwrap_err();
        assert_eq!(problem.message("x"), "Secret x: missing keys: REDIS_URL");
    }

    #[test]
    fn bot_token_is_accepted_under_its_short_name() {
        let s = stack("demo");
        let mut data = full_secret_data();
        let token = data.remove(TELEGRAM_BOT_TOKEN).unwrap();
        data.insert(BOT_TOKEN.into(), token);
        let secret = SecretState::Found(data);
        assert_eq!(check(&s.spec, &secret), Ok(()));
        let bot = role_secret_env(Role::Bot, &s.spec, &secret);
        assert_eq!(bot[0].env, TELEGRAM_BOT_TOKEN);
        assert_eq!(bot[0].key, BOT_TOKEN);
    }

    #[test]
    fn clob_keys_go_to_api_and_workers_only_when_present() {
        let s = stack("demo");
        let without = SecretState::Found(full_secret_data());
        assert!(
            role_secret_env(Role::Api, &s.spec, &without)
                .iter()
                .all(|k| !k.optional)
        );
        let mut data = full_secret_data();
        data.insert("CLOB_API_KEY".into(), b"k".to_vec());
        let with = SecretState::Found(data);
        for role in [Role::Api, Role::Workers] {
            let optional: Vec<_> = role_secret_env(role, &s.spec, &with)
                .into_iter()
                .filter(|k| k.optional)
                .map(|k| k.key)
                .collect();
            assert_eq!(optional, vec!["CLOB_API_KEY".to_string()], "{role:?}");
        }
        assert!(
            role_secret_env(Role::Bot, &s.spec, &with)
                .iter()
                .all(|k| !k.optional)
        );
    }

    #[test]
    fn a_key_change_changes_the_hash_of_exactly_the_roles_that_read_it() {
        let s = stack("demo");
        let before = SecretState::Found(full_secret_data());
        let changed = |key: &str| {
            let mut data = full_secret_data();
            data.insert(key.into(), b"rotated-value-rotated-value-1234".to_vec());
            SecretState::Found(data)
        };
        let rolled = |after: &SecretState| -> Vec<Role> {
            Role::ALL
                .into_iter()
                .filter(|r| role_hash(*r, &s.spec, &before) != role_hash(*r, &s.spec, after))
                .collect()
        };
        assert_eq!(rolled(&changed(WEBHOOK_SECRET)), vec![Role::Api]);
        assert_eq!(rolled(&changed(ENCRYPTION_KEY)), vec![Role::Api]);
        assert_eq!(rolled(&changed(TELEGRAM_BOT_TOKEN)), vec![Role::Bot]);
        assert_eq!(
            rolled(&changed(DATABASE_URL)),
            vec![Role::Api, Role::Workers]
        );
        assert_eq!(
            rolled(&changed(API_TOKEN)),
            vec![Role::Api, Role::Bot, Role::Workers]
        );
        assert_eq!(rolled(&changed("UNRELATED")), Vec::<Role>::new());
        // Adding an optional key rolls the roles that read it.
        assert_eq!(
            rolled(&changed("CLOB_API_SECRET")),
            vec![Role::Api, Role::Workers]
        );
    }
}
