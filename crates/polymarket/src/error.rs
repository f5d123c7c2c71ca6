/// Everything a Polymarket call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum PolymarketError {
    /// Could not reach the endpoint, or it timed out.
    #[error("{endpoint}: request failed: {source}")]
    Transport {
        endpoint: String,
        #[source]
        source: reqwest::Error,
    },
    /// The endpoint answered with an error status.
    #[error("{endpoint}: status {status}: {body}")]
    Status {
        endpoint: String,
        status: u16,
        body: String,
    },
    /// The body was not in the documented format.
    #[error("{endpoint}: unexpected body: {reason}")]
    Decode { endpoint: String, reason: String },
    /// A base URL or parameter that cannot form a request.
    #[error("invalid configuration: {0}")]
    Config(String),
}
