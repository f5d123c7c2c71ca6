//! The small HTTP layer shared by the REST clients: one pooled reqwest client, JSON GETs
//! with a timeout, and errors that name the endpoint but never a query string.

use std::time::Duration;

use serde::de::DeserializeOwned;
use url::Url;

use crate::{PolymarketError, Result};

const TIMEOUT: Duration = Duration::from_secs(15);
const USER_AGENT: &str = concat!("tradingstack/", env!("CARGO_PKG_VERSION"));

/// A base URL and the client to call it with.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    http: reqwest::Client,
    base: Url,
}

impl Endpoint {
    pub(crate) fn new(base_url: &str) -> Result<Self> {
        let mut base = Url::parse(base_url.trim())
            .map_err(|e| PolymarketError::Config(format!("base URL '{base_url}': {e}")))?;
        if base.cannot_be_a_base() {
            return Err(PolymarketError::Config(format!(
                "base URL '{base_url}' cannot have paths"
            )));
        }
        // Url::join replaces the last segment unless the base ends with '/'.
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        let http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .timeout(TIMEOUT)
            .build()
            .map_err(|e| PolymarketError::Config(format!("HTTP client: {e}")))?;
        Ok(Self { http, base })
    }

    /// `GET {base}/{path}?{query}` decoded as JSON.
    pub(crate) async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T> {
        let url = self
            .base
            .join(path.trim_start_matches('/'))
            .map_err(|e| PolymarketError::Config(format!("path '{path}': {e}")))?;
        let endpoint = url.path().to_owned();
        let transport = |source| PolymarketError::Transport {
            endpoint: endpoint.clone(),
            source,
        };
        let response = self
            .http
            .get(url)
            .query(query)
            .send()
            .await
            .map_err(transport)?;
        let status = response.status();
        let body = response.bytes().await.map_err(transport)?;
        if !status.is_success() {
            let text = String::from_utf8_lossy(&body);
            return Err(PolymarketError::Status {
                endpoint,
                status: status.as_u16(),
                body: text.chars().take(300).collect(),
            });
        }
        serde_json::from_slice(&body).map_err(|e| PolymarketError::Decode {
            endpoint,
            reason: e.to_string(),
        })
    }
}
