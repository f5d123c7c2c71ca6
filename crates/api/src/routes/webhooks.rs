use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use ts_core::ApiErrorBody;
use ts_core::copy::{WebhookPayload, WebhookReceipt};
use ts_store::trading::TradeSource;

use crate::error::{ApiError, ApiResult};
use crate::ingest::ingest;
use crate::state::AppState;

/// Leader trades from the indexer. `X-Signature: sha256=<hex>` must be the HMAC-SHA256
/// of the raw body under `WEBHOOK_SECRET`; anything else is refused before parsing.
#[utoipa::path(post, path = "/webhooks/indexer", tag = "webhooks", request_body = WebhookPayload,
    params(("X-Signature" = String, Header, description = "sha256=<hex HMAC-SHA256 of the body>")),
    responses((status = 200, body = WebhookReceipt), (status = 401, body = ApiErrorBody), (status = 422, body = ApiErrorBody)))]
pub async fn indexer(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<WebhookReceipt>> {
    verify_signature(&state.inner.webhook_secret, &headers, &body)?;
    let payload: WebhookPayload =
        serde_json::from_slice(&body).map_err(|e| match e.classify() {
            serde_json::error::Category::Data => {
                ApiError::Validation(format!("body is not a trade or a list of trades: {e}"))
            }
            _ => ApiError::BadRequest("invalid_json", format!("body is not valid JSON: {e}")),
        })?;
    Ok(Json(
        ingest(&state, payload.into_trades(), TradeSource::Webhook).await?,
    ))
}

fn verify_signature(secret: &str, headers: &HeaderMap, body: &[u8]) -> ApiResult<()> {
    let header = headers
        .get("x-signature")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::InvalidSignature("X-Signature header is missing".into()))?;
    let hex_sig = header
        .trim()
        .strip_prefix("sha256=")
        .ok_or_else(|| ApiError::InvalidSignature("X-Signature must be sha256=<hex>".into()))?;
    let sig = hex::decode(hex_sig)
        .map_err(|_| ApiError::InvalidSignature("X-Signature is not hex".into()))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("hmac key: {e}")))?;
    mac.update(body);
    // verify_slice compares in constant time.
    mac.verify_slice(&sig)
        .map_err(|_| ApiError::InvalidSignature("X-Signature does not match the body".into()))
}
