//! L2 authentication of CLOB calls: `POLY_SIGNATURE` is
//! `base64url(HMAC-SHA256(base64url_decode(secret), timestamp + METHOD + path + body))`,
//! padding kept, the path without its query, the body as the exact bytes sent.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::{PolymarketError, Result};

/// The five L2 headers of an authenticated CLOB request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct L2Headers {
    pub address: String,
    pub signature: String,
    pub timestamp: String,
    pub api_key: String,
    pub passphrase: String,
}

impl L2Headers {
    /// `(name, value)` pairs as the CLOB expects them.
    pub fn pairs(&self) -> [(&'static str, &str); 5] {
        [
            ("POLY_ADDRESS", &self.address),
            ("POLY_SIGNATURE", &self.signature),
            ("POLY_TIMESTAMP", &self.timestamp),
            ("POLY_API_KEY", &self.api_key),
            ("POLY_PASSPHRASE", &self.passphrase),
        ]
    }
}

/// API credentials from `POST /auth/api-key` (or derive).
#[derive(Clone)]
pub struct ApiCredentials {
    pub api_key: String,
    /// Base64url, as issued.
    pub secret: String,
    pub passphrase: String,
}

impl std::fmt::Debug for ApiCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiCredentials")
            .field("api_key", &self.api_key)
            .finish_non_exhaustive()
    }
}

impl ApiCredentials {
    /// Headers for one request; `timestamp` in seconds since the epoch.
    pub fn headers(
        &self,
        address: &str,
        timestamp: i64,
        method: &str,
        path: &str,
        body: &str,
    ) -> Result<L2Headers> {
        let timestamp = timestamp.to_string();
        Ok(L2Headers {
            address: address.to_owned(),
            signature: sign(&self.secret, &timestamp, method, path, body)?,
            timestamp,
            api_key: self.api_key.clone(),
            passphrase: self.passphrase.clone(),
        })
    }
}

/// The `POLY_SIGNATURE` of a request.
pub fn sign(secret: &str, timestamp: &str, method: &str, path: &str, body: &str) -> Result<String> {
    let key = decode_secret(secret)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC accepts any key length");
    // Only the path is signed: a query string is not part of the message.
    let path = path.split('?').next().unwrap_or_default();
    for part in [timestamp, method, path, body] {
        mac.update(part.as_bytes());
    }
    Ok(URL_SAFE.encode(mac.finalize().into_bytes()))
}

/// Secrets are base64url; accept the standard alphabet and missing padding too.
fn decode_secret(secret: &str) -> Result<Vec<u8>> {
    let normalised: String = secret
        .trim()
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    let padded = format!("{normalised}{}", "=".repeat((4 - normalised.len() % 4) % 4));
    STANDARD
        .decode(padded)
        .map_err(|_| PolymarketError::Config("the CLOB API secret is not base64".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

    #[test]
    fn published_test_vectors() {
        assert_eq!(
            sign(
                SECRET,
                "1000000",
                "test-sign",
                "/orders",
                r#"{"hash":"0x123"}"#
            )
            .unwrap(),
            "4gJVbox-R6XlDK4nlaicig0_ANVL1qdcahiL8CXfXLM="
        );
        // The body is signed byte for byte: a space changes everything.
        assert_eq!(
            sign(
                SECRET,
                "1000000",
                "test-sign",
                "/orders",
                r#"{"hash": "0x123"}"#
            )
            .unwrap(),
            "ZwAdJKvoYRlEKDkNMwd5BuwNNtg93kNaR_oU2HrfVvc="
        );
    }

    #[test]
    fn query_strings_are_not_signed_and_padding_is_optional() {
        let with_query = sign(SECRET, "1", "GET", "/orders?id=1", "").unwrap();
        let unpadded = sign(SECRET.trim_end_matches('='), "1", "GET", "/orders", "").unwrap();
        assert_eq!(with_query, unpadded);
        assert!(sign("not base64!", "1", "GET", "/", "").is_err());
    }

    #[test]
    fn headers_carry_credentials_and_hide_the_secret() {
        let creds = ApiCredentials {
            api_key: "key".into(),
            secret: SECRET.into(),
            passphrase: "pass".into(),
        };
        let h = creds
            .headers(
                "0xabc",
                1_000_000,
                "test-sign",
                "/orders",
                r#"{"hash":"0x123"}"#,
            )
            .unwrap();
        assert_eq!(h.signature, "4gJVbox-R6XlDK4nlaicig0_ANVL1qdcahiL8CXfXLM=");
        assert_eq!(h.pairs()[2], ("POLY_TIMESTAMP", "1000000"));
        assert!(!format!("{creds:?}").contains(SECRET));
    }
}
