use serde_json::{Value, json};

use super::*;

const COMMITTED: &str = include_str!("../../../deploy/crds/tradingstack.yaml");
const SAMPLE: &str = include_str!("../../../deploy/samples/tradingstack.yaml");

fn schema() -> Value {
    let crd = serde_json::to_value(crd()).unwrap();
    crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"].clone()
}

#[test]
fn the_committed_crd_is_what_crdgen_prints() {
    assert!(
        COMMITTED == crd_yaml(),
        "deploy/crds/tradingstack.yaml is stale: run \
         `cargo run -p tradingstack-operator --bin crdgen > deploy/crds/tradingstack.yaml`"
    );
}

const TYPES: [&str; 6] = ["object", "array", "string", "integer", "number", "boolean"];
const JUNCTORS: [&str; 4] = ["allOf", "anyOf", "oneOf", "not"];

/// The rules of a structural schema (Kubernetes "Specifying a structural schema"), as the
/// API server checks them; each violation as `path: what`.
fn structural_violations(schema: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(schema, "", false, &mut out);
    out
}

fn walk(node: &Value, path: &str, in_junctor: bool, out: &mut Vec<String>) {
    let Some(obj) = node.as_object() else {
        out.push(format!("{path}: a schema must be an object"));
        return;
    };
    for key in ["$ref", "definitions", "$defs", "$schema"] {
        if obj.contains_key(key) {
            out.push(format!("{path}: {key} is not allowed"));
        }
    }
    let int_or_string = obj.get("x-kubernetes-int-or-string") == Some(&json!(true));
    let preserve = obj.get("x-kubernetes-preserve-unknown-fields") == Some(&json!(true));
    if in_junctor {
        for key in [
            "description",
            "type",
            "default",
            "additionalProperties",
            "nullable",
        ] {
            if obj.contains_key(key) {
                out.push(format!("{path}: {key} inside allOf/anyOf/oneOf/not"));
            }
        }
    } else if !(int_or_string || preserve) {
        match obj.get("type").and_then(Value::as_str) {
            Some(t) if TYPES.contains(&t) => {}
            Some(t) => out.push(format!("{path}: unknown type {t}")),
            None => out.push(format!("{path}: no type")),
        }
    }
    if obj.contains_key("properties")
        && obj
            .get("additionalProperties")
            .is_some_and(Value::is_object)
    {
        out.push(format!("{path}: both properties and additionalProperties"));
    }
    if let Some(values) = obj.get("enum").and_then(Value::as_array)
        && let Some(t) = obj.get("type").and_then(Value::as_str)
    {
        for v in values {
            let ok = match t {
                "string" => v.is_string(),
                "integer" => v.is_i64() || v.is_u64(),
                "number" => v.is_number(),
                "boolean" => v.is_boolean(),
                _ => true,
            };
            if !ok {
                out.push(format!("{path}: enum value {v} is not a {t}"));
            }
        }
    }
    let outer_props: Vec<&String> = obj
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().collect())
        .unwrap_or_default();
    for junctor in JUNCTORS {
        let Some(branches) = obj.get(junctor) else {
            continue;
        };
        let branches: Vec<&Value> = match branches {
            Value::Array(items) => items.iter().collect(),
            other => vec![other],
        };
        for (i, branch) in branches.into_iter().enumerate() {
            let bpath = format!("{path}.{junctor}[{i}]");
            for key in branch
                .get("properties")
                .and_then(Value::as_object)
                .map(|p| p.keys().collect::<Vec<_>>())
                .unwrap_or_default()
            {
                if !outer_props.contains(&key) {
                    out.push(format!(
                        "{bpath}: property {key} is not declared outside the junctor"
                    ));
                }
            }
            if branch.get("items").is_some() && obj.get("items").is_none() {
                out.push(format!("{bpath}: items not declared outside the junctor"));
            }
            walk(branch, &bpath, true, out);
        }
    }
    if let Some(props) = obj.get("properties").and_then(Value::as_object) {
        for (key, sub) in props {
            walk(sub, &format!("{path}.{key}"), in_junctor, out);
        }
    }
    if let Some(items) = obj.get("items") {
        if items.is_array() {
            out.push(format!("{path}: items must be one schema"));
        } else {
            walk(items, &format!("{path}[]"), in_junctor, out);
        }
        if obj.get("x-kubernetes-list-type") == Some(&json!("map")) {
            let required: Vec<&Value> = items
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().collect())
                .unwrap_or_default();
            for key in obj
                .get("x-kubernetes-list-map-keys")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if !required.contains(&key) {
                    out.push(format!("{path}: map-list key {key} is not required"));
                }
            }
        }
    }
    if let Some(additional) = obj.get("additionalProperties").filter(|a| a.is_object()) {
        walk(additional, &format!("{path}.*"), in_junctor, out);
    }
    if path.is_empty()
        && let Some(meta) = obj.get("properties").and_then(|p| p.get("metadata"))
    {
        let allowed = ["type", "properties"];
        if meta
            .as_object()
            .is_some_and(|m| m.keys().any(|k| !allowed.contains(&k.as_str())))
        {
            out.push("metadata: only name and generateName may be restricted".into());
        }
    }
}

#[test]
fn the_schema_is_structural() {
    let violations = structural_violations(&schema());
    assert!(violations.is_empty(), "{violations:#?}");
}

#[test]
fn the_structural_check_finds_violations() {
    let bad = json!({
        "type": "object",
        "properties": {
            "untyped": {},
            "ref": { "$ref": "#/definitions/X" },
            "mode": {
                "type": "object",
                "properties": { "a": { "type": "string" } },
                "oneOf": [
                    { "type": "object", "required": ["a"] },
                    { "properties": { "b": { "type": "string" } } }
                ]
            },
            "e": { "type": "string", "enum": ["x", null] },
            "conds": {
                "type": "array",
                "x-kubernetes-list-type": "map",
                "x-kubernetes-list-map-keys": ["type"],
                "items": { "type": "object", "properties": { "type": { "type": "string" } } }
            }
        }
    });
    let v = structural_violations(&bad);
    for expected in [
        ".untyped: no type",
        ".ref: $ref is not allowed",
        ".mode.oneOf[0]: type inside allOf/anyOf/oneOf/not",
        ".mode.oneOf[1]: property b is not declared outside the junctor",
        ".e: enum value null is not a string",
        ".conds: map-list key \"type\" is not required",
    ] {
        assert!(
            v.iter().any(|x| x == expected),
            "missing {expected:?} in {v:#?}"
        );
    }
}

#[test]
fn the_crd_names_scope_columns_and_status_subresource() {
    let crd = crd();
    assert_eq!(
        crd.metadata.name.as_deref(),
        Some("tradingstacks.tradingstack.io")
    );
    assert_eq!(crd.spec.group, "tradingstack.io");
    assert_eq!(crd.spec.scope, "Namespaced");
    assert_eq!(crd.spec.names.kind, "TradingStack");
    assert_eq!(
        crd.spec.names.short_names.as_deref(),
        Some(&["ts".to_string()][..])
    );
    let version = &crd.spec.versions[0];
    assert_eq!(version.name, "v1alpha1");
    assert!(version.served && version.storage);
    assert!(version.subresources.as_ref().unwrap().status.is_some());
    let columns: Vec<(&str, &str)> = version
        .additional_printer_columns
        .iter()
        .flatten()
        .map(|c| (c.name.as_str(), c.json_path.as_str()))
        .collect();
    assert_eq!(
        columns,
        [
            ("Phase", ".status.phase"),
            ("Ready", ".status.conditions[?(@.type==\"Ready\")].status"),
            ("Age", ".metadata.creationTimestamp")
        ]
    );
}

#[test]
fn the_schema_bounds_replicas_and_requires_the_secret_ref() {
    let spec = &schema()["properties"]["spec"];
    let required: Vec<&str> = spec["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(required.contains(&"secretRef"), "{required:?}");
    assert!(required.contains(&"redis"));
    assert_eq!(spec["properties"]["secretRef"]["required"], json!(["name"]));
    for role in ["api", "bot", "workers"] {
        assert_eq!(
            spec["properties"][role]["properties"]["replicas"]["minimum"],
            json!(0.0),
            "{role}"
        );
    }
    assert_eq!(
        spec["properties"]["bot"]["properties"]["replicas"]["maximum"],
        json!(1.0)
    );
    let conditions = &schema()["properties"]["status"]["properties"]["conditions"];
    assert_eq!(conditions["x-kubernetes-list-type"], "map");
    assert_eq!(conditions["x-kubernetes-list-map-keys"], json!(["type"]));
}

/// The full object as the API server would validate it, with `redis` as given.
fn with_redis(redis: Value) -> Value {
    let mut obj: Value = serde_yaml::from_str(SAMPLE).unwrap();
    obj["spec"]["redis"] = redis;
    obj
}

fn cel_errors(obj: &Value) -> Vec<String> {
    match kube_cel::validate(&schema(), obj, None) {
        Ok(()) => vec![],
        Err(errors) => errors
            .into_vec()
            .into_iter()
            .map(|e| e.to_string())
            .collect(),
    }
}

#[test]
fn the_api_server_accepts_each_single_redis_mode() {
    for redis in [
        json!({ "managed": true }),
        json!({ "managed": true, "image": "redis:7.4-alpine" }),
        json!({ "url": "redis://cache:6379" }),
        json!({ "managed": false, "url": "rediss://cache:6380" }),
        json!({ "urlSecretKey": "REDIS_URL" }),
    ] {
        assert_eq!(
            cel_errors(&with_redis(redis.clone())),
            Vec::<String>::new(),
            "{redis}"
        );
    }
}

#[test]
fn the_api_server_rejects_zero_or_two_redis_modes_with_a_clear_message() {
    for redis in [
        json!({}),
        json!({ "managed": false }),
        json!({ "managed": true, "url": "redis://cache:6379" }),
        json!({ "url": "redis://cache:6379", "urlSecretKey": "REDIS_URL" }),
        json!({ "managed": true, "url": "redis://c:1", "urlSecretKey": "K" }),
    ] {
        let errors = cel_errors(&with_redis(redis.clone()));
        assert_eq!(errors.len(), 1, "{redis}: {errors:?}");
        assert!(
            errors[0].contains(REDIS_MODE_MESSAGE),
            "{redis}: {errors:?}"
        );
        assert!(errors[0].contains("spec.redis"), "{errors:?}");
    }
}

#[test]
fn the_api_server_rejects_a_redis_image_for_external_redis() {
    let errors = cel_errors(&with_redis(
        json!({ "url": "redis://c:1", "image": "redis:7" }),
    ));
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains(REDIS_MANAGED_ONLY_MESSAGE), "{errors:?}");
}

#[test]
fn the_sample_is_a_valid_stack() {
    let stack: TradingStack = serde_yaml::from_str(SAMPLE).unwrap();
    assert_eq!(crate::validate::problems(&stack.spec), Vec::<String>::new());
    assert_eq!(stack.spec.secret_ref.name, "demo-secrets");
    assert!(stack.spec.redis.is_managed());
    assert_eq!(
        stack.spec.telemetry.unwrap().otlp_endpoint.as_deref(),
        Some("http://jaeger-collector:4318")
    );
}

#[test]
fn redis_mode_matches_the_cel_rule() {
    // The code's notion of "exactly one mode" agrees with the schema's on every combination.
    for managed in [None, Some(false), Some(true)] {
        for url in [None, Some("redis://c:1")] {
            for key in [None, Some("K")] {
                let redis = RedisSpec {
                    managed,
                    url: url.map(Into::into),
                    url_secret_key: key.map(Into::into),
                    ..RedisSpec::default()
                };
                let by_schema =
                    cel_errors(&with_redis(serde_json::to_value(&redis).unwrap())).is_empty();
                assert_eq!(redis.mode().is_some(), by_schema, "{redis:?}");
            }
        }
    }
}
