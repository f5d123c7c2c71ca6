//! The binaries as users run them: `crdgen` and `operator render`.

use std::process::Command;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

fn run(bin: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(bin)
        .args(args)
        .current_dir(ROOT)
        .output()
        .expect("the binary runs");
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn kinds_and_names(yaml: &str) -> Vec<(String, String)> {
    use serde::Deserialize;
    serde_yaml::Deserializer::from_str(yaml)
        .map(|doc| {
            let v = serde_yaml::Value::deserialize(doc).unwrap();
            (
                v["kind"].as_str().unwrap().to_string(),
                v["metadata"]["name"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn crdgen_prints_the_committed_crd() {
    let (ok, out, _) = run(env!("CARGO_BIN_EXE_crdgen"), &[]);
    assert!(ok);
    let committed =
        std::fs::read_to_string(format!("{ROOT}/deploy/crds/tradingstack.yaml")).unwrap();
    assert!(
        out == committed,
        "deploy/crds/tradingstack.yaml differs from crdgen's output"
    );
}

#[test]
fn render_opens_the_gates_in_order() {
    let operator = env!("CARGO_BIN_EXE_operator");
    let base = [
        "render",
        "--stack",
        "deploy/samples/tradingstack.yaml",
        "--secret",
        "deploy/samples/secret.yaml",
    ];
    let cases: [(&str, &[&str]); 3] = [
        ("", &["demo-redis"]),
        ("redis", &["demo-redis", "demo-api"]),
        (
            "redis,api",
            &["demo-redis", "demo-api", "demo-bot", "demo-workers"],
        ),
    ];
    for (ready, deployments) in cases {
        let mut args = base.to_vec();
        args.extend(["--ready", ready]);
        let (ok, out, err) = run(operator, &args);
        assert!(ok, "{err}");
        let docs = kinds_and_names(&out);
        let got: Vec<&str> = docs
            .iter()
            .filter(|(k, _)| k == "Deployment")
            .map(|(_, n)| n.as_str())
            .collect();
        assert_eq!(got, deployments, "--ready {ready:?}");
        assert_eq!(
            docs.last().unwrap(),
            &("TradingStack".to_string(), "demo".to_string()),
            "the status comes last"
        );
    }
}

#[test]
fn render_names_a_missing_key_and_rejects_unknown_components() {
    let dir = std::env::temp_dir().join(format!("ts-render-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let secret = std::fs::read_to_string(format!("{ROOT}/deploy/samples/secret.yaml")).unwrap();
    let without: String = secret
        .lines()
        .filter(|l| !l.trim_start().starts_with("API_TOKEN:"))
        .map(|l| format!("{l}\n"))
        .collect();
    let path = dir.join("secret.yaml");
    std::fs::write(&path, without).unwrap();
    let operator = env!("CARGO_BIN_EXE_operator");
    let (ok, out, err) = run(
        operator,
        &[
            "render",
            "--stack",
            "deploy/samples/tradingstack.yaml",
            "--secret",
            path.to_str().unwrap(),
            "--ready",
            "redis",
        ],
    );
    assert!(ok, "{err}");
    assert!(out.contains("missing keys: API_TOKEN"), "{out}");
    let (ok, _, err) = run(
        operator,
        &[
            "render",
            "--stack",
            "deploy/samples/tradingstack.yaml",
            "--ready",
            "postgres",
        ],
    );
    assert!(!ok);
    assert!(err.contains("unknown component \"postgres\""), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
