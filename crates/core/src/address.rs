use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// A Polygon wallet address, `0x` and 40 hex digits, kept lower-case so that the
/// same leader is never stored twice under different spellings.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LeaderAddress(String);

impl LeaderAddress {
    pub fn parse(raw: &str) -> Result<Self, ValidationError> {
        let s = raw.trim();
        let hex = s
            .strip_prefix("0x")
            .or_else(|| s.strip_prefix("0X"))
            .ok_or_else(|| ValidationError::new(format!("address '{s}' must start with 0x")))?;
        if hex.len() != 40 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(ValidationError::new(format!(
                "address '{s}' must be 0x followed by 40 hex digits"
            )));
        }
        Ok(Self(format!("0x{}", hex.to_ascii_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for LeaderAddress {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<LeaderAddress> for String {
    fn from(value: LeaderAddress) -> Self {
        value.0
    }
}

impl fmt::Display for LeaderAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl utoipa::PartialSchema for LeaderAddress {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some("^0x[0-9a-fA-F]{40}$"))
            .into()
    }
}

impl utoipa::ToSchema for LeaderAddress {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case() {
        let a = LeaderAddress::parse("0xABCDEF0123456789abcdef0123456789ABCDEF01").unwrap();
        assert_eq!(a.as_str(), "0xabcdef0123456789abcdef0123456789abcdef01");
    }

    #[test]
    fn rejects_bad_input() {
        assert!(LeaderAddress::parse("abc").is_err());
        assert!(LeaderAddress::parse("0x123").is_err());
        assert!(LeaderAddress::parse("0xZZcdef0123456789abcdef0123456789abcdef01").is_err());
    }
}
