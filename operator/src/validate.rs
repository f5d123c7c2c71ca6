//! The schema's rules, checked in code. An API server rejects such objects before the operator
//! sees them; `operator render` reads files that never met one, and the reconciler keeps the
//! check as a guard (an invalid stack waits for a change instead of retrying).

use crate::crd::{
    QUANTITY_PATTERN, REDIS_MANAGED_ONLY_MESSAGE, REDIS_MODE_MESSAGE, ResourcesSpec,
    TradingStackSpec,
};

/// Every problem of the spec, as one line each; empty when the spec is valid.
pub fn problems(spec: &TradingStackSpec) -> Vec<String> {
    let mut out = Vec::new();
    if spec.image.repository.is_empty() {
        out.push("spec.image.repository must not be empty".to_string());
    }
    if spec.image.tag.as_deref() == Some("") {
        out.push("spec.image.tag must not be empty".to_string());
    }
    if spec.secret_ref.name.is_empty() {
        out.push("spec.secretRef.name must not be empty".to_string());
    }
    let redis = &spec.redis;
    if redis.mode().is_none() {
        out.push(REDIS_MODE_MESSAGE.to_string());
    } else if !redis.is_managed() && (redis.image.is_some() || redis.resources.is_some()) {
        out.push(REDIS_MANAGED_ONLY_MESSAGE.to_string());
    }
    if let Some(url) = &redis.url
        && !(url.starts_with("redis://") || url.starts_with("rediss://"))
    {
        out.push("spec.redis.url must start with redis:// or rediss://".to_string());
    }
    for (field, replicas, max) in [
        ("spec.api.replicas", spec.api.replicas, None),
        ("spec.bot.replicas", spec.bot.replicas, Some(1)),
        ("spec.workers.replicas", spec.workers.replicas, None),
    ] {
        match (replicas, max) {
            (Some(r), _) if r < 0 => out.push(format!("{field} must be at least 0, it is {r}")),
            (Some(r), Some(max)) if r > max => {
                out.push(format!("{field} must be at most {max}, it is {r}"))
            }
            _ => {}
        }
    }
    if let Some(secs) = spec.workers.poll_interval_secs
        && !(1..=86400).contains(&secs)
    {
        out.push(format!(
            "spec.workers.pollIntervalSecs must be between 1 and 86400, it is {secs}"
        ));
    }
    for (field, res) in [
        ("spec.redis.resources", redis.resources.as_ref()),
        ("spec.api.resources", spec.api.resources.as_ref()),
        ("spec.bot.resources", spec.bot.resources.as_ref()),
        ("spec.workers.resources", spec.workers.resources.as_ref()),
    ] {
        quantity_problems(field, res, &mut out);
    }
    out
}

fn quantity_problems(field: &str, res: Option<&ResourcesSpec>, out: &mut Vec<String>) {
    let Some(res) = res else { return };
    for (part, amounts) in [("requests", &res.requests), ("limits", &res.limits)] {
        let Some(amounts) = amounts else { continue };
        for (name, value) in [("cpu", &amounts.cpu), ("memory", &amounts.memory)] {
            if let Some(value) = value
                && !is_quantity(value)
            {
                out.push(format!(
                    "{field}.{part}.{name} is not a quantity: {value:?} (pattern {QUANTITY_PATTERN})"
                ));
            }
        }
    }
}

/// Whether `s` matches [`QUANTITY_PATTERN`] (a sign, a decimal number, then a binary or
/// decimal SI suffix or an exponent).
pub fn is_quantity(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let digits_end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (number, suffix) = s.split_at(digits_end);
    if !is_decimal(number) {
        return false;
    }
    match suffix {
        "" | "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei" | "n" | "u" | "m" | "k" | "M" | "G" | "T"
        | "P" | "E" => true,
        _ => match suffix.strip_prefix(['e', 'E']) {
            Some(exp) => is_decimal(exp.strip_prefix(['+', '-']).unwrap_or(exp)),
            None => false,
        },
    }
}

fn is_decimal(s: &str) -> bool {
    match s.split_once('.') {
        None => !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()),
        Some((int, frac)) => {
            (!int.is_empty() || !frac.is_empty())
                && int.chars().all(|c| c.is_ascii_digit())
                && frac.chars().all(|c| c.is_ascii_digit())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crd::{RedisSpec, ResourceAmounts};
    use crate::fixtures::stack;

    #[test]
    fn the_fixture_is_valid() {
        assert_eq!(problems(&stack("demo").spec), Vec::<String>::new());
    }

    #[test]
    fn redis_needs_exactly_one_mode() {
        let cases = [
            (RedisSpec::default(), false),
            (
                RedisSpec {
                    managed: Some(false),
                    ..Default::default()
                },
                false,
            ),
            (
                RedisSpec {
                    managed: Some(true),
                    url: Some("redis://x".into()),
                    ..Default::default()
                },
                false,
            ),
            (
                RedisSpec {
                    url: Some("redis://x".into()),
                    url_secret_key: Some("K".into()),
                    ..Default::default()
                },
                false,
            ),
            (
                RedisSpec {
                    managed: Some(false),
                    url: Some("redis://x".into()),
                    ..Default::default()
                },
                true,
            ),
            (
                RedisSpec {
                    url_secret_key: Some("K".into()),
                    ..Default::default()
                },
                true,
            ),
        ];
        for (redis, valid) in cases {
            let mut s = stack("demo");
            s.spec.redis = redis.clone();
            let p = problems(&s.spec);
            assert_eq!(p.is_empty(), valid, "{redis:?}: {p:?}");
            if !valid {
                assert_eq!(p, vec![REDIS_MODE_MESSAGE.to_string()]);
            }
        }
    }

    #[test]
    fn redis_image_only_with_managed_redis() {
        let mut s = stack("demo");
        s.spec.redis = RedisSpec {
            url: Some("redis://x".into()),
            image: Some("redis:7".into()),
            ..Default::default()
        };
        assert_eq!(
            problems(&s.spec),
            vec![REDIS_MANAGED_ONLY_MESSAGE.to_string()]
        );
    }

    #[test]
    fn replicas_bounds_are_checked() {
        let mut s = stack("demo");
        s.spec.api.replicas = Some(-1);
        s.spec.bot.replicas = Some(2);
        assert_eq!(
            problems(&s.spec),
            vec![
                "spec.api.replicas must be at least 0, it is -1".to_string(),
                "spec.bot.replicas must be at most 1, it is 2".to_string()
            ]
        );
    }

    #[test]
    fn quantities_are_checked() {
        for ok in [
            "100m", "1", "0.5", "128Mi", "1e3", "1.5Gi", ".5", "+1", "2E-3",
        ] {
            assert!(is_quantity(ok), "{ok}");
        }
        for bad in ["", "m", "1mb", "abc", "1.2.3", "Mi", "1e", "--1"] {
            assert!(!is_quantity(bad), "{bad}");
        }
        let mut s = stack("demo");
        s.spec.api.resources = Some(ResourcesSpec {
            requests: Some(ResourceAmounts {
                cpu: Some("lots".into()),
                memory: None,
            }),
            limits: None,
        });
        let p = problems(&s.spec);
        assert_eq!(p.len(), 1);
        assert!(p[0].starts_with("spec.api.resources.requests.cpu is not a quantity: \"lots\""));
    }
}
