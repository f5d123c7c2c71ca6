//! Where the running local stack is: the same settings files the services read,
//! plus the fakes' addresses that start-all.sh recorded.
use std::collections::HashMap;
use std::path::PathBuf;

pub struct StackEnv {
    pub vars: HashMap<String, String>,
}

impl StackEnv {
    /// `.env.local`, `.env`, the process environment, then what start-all.sh recorded
    /// in `logs/fakes.env` and `logs/stack.env` for the values left empty.
    pub fn load() -> Self {
        let mut vars = ts_config::load_vars();
        for file in ["fakes.env", "stack.env"] {
            let Ok(text) = std::fs::read_to_string(logs_dir().join(file)) else {
                continue;
            };
            for line in text.lines() {
                if let Some((k, v)) = line.split_once('=') {
                    let empty = vars.get(k).is_none_or(|cur| cur.is_empty());
                    if empty {
                        vars.insert(k.to_string(), v.to_string());
                    }
                }
            }
        }
        Self { vars }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.vars
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub fn require(&self, key: &str) -> anyhow::Result<&str> {
        self.get(key)
            .ok_or_else(|| anyhow::anyhow!("{key} is not set (run scripts/dev/start-all.sh first)"))
    }

    pub fn api_url(&self) -> String {
        self.get("API_URL").map(str::to_string).unwrap_or_else(|| {
            format!(
                "http://127.0.0.1:{}",
                self.get("API_PORT").unwrap_or("8000")
            )
        })
    }

    pub fn health_url(&self, role: &str) -> String {
        let (var, default) = match role {
            "bot" => ("BOT_HEALTH_PORT", "8001"),
            _ => ("WORKERS_HEALTH_PORT", "8002"),
        };
        format!("http://127.0.0.1:{}", self.get(var).unwrap_or(default))
    }

    pub fn api_client(&self) -> anyhow::Result<api_client::ApiClient> {
        Ok(api_client::ApiClient::new(api_client::ClientConfig::new(
            self.api_url(),
            self.require("API_TOKEN")?.to_string(),
        ))?)
    }

    /// The control server of the fakes (see `tsdev fakes`).
    pub fn control_url(&self) -> anyhow::Result<&str> {
        self.get("TS_FAKES_CONTROL_URL")
            .ok_or_else(|| anyhow::anyhow!("the local fakes are not running (start-all.sh starts them when no credentials are set)"))
    }
}

pub fn logs_dir() -> PathBuf {
    std::env::var_os("TS_LOG_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("logs"))
}
