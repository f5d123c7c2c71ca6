//! axum's extractors with our JSON error body on rejection.
use axum::extract::{FromRequest, FromRequestParts};

use crate::error::ApiError;

#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// The optional `Idempotency-Key` header: 1 to 200 visible ASCII characters.
pub struct IdempotencyKey(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut http::request::Parts, _: &S) -> Result<Self, ApiError> {
        let Some(raw) = parts.headers.get("idempotency-key") else {
            return Ok(Self(None));
        };
        let key = raw
            .to_str()
            .ok()
            .map(str::trim)
            .filter(|k| !k.is_empty() && k.len() <= 200 && k.bytes().all(|b| b.is_ascii_graphic()))
            .ok_or_else(|| {
                ApiError::BadRequest(
                    "invalid_idempotency_key",
                    "Idempotency-Key must be 1 to 200 visible ASCII characters".into(),
                )
            })?;
        Ok(Self(Some(key.to_string())))
    }
}

/// Fingerprint of a request body, to tell a retry from a different request under one key.
pub fn request_hash<T: serde::Serialize>(route: &str, body: &T) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(route.as_bytes());
    h.update(serde_json::to_vec(body).unwrap_or_default());
    hex::encode(h.finalize())
}
