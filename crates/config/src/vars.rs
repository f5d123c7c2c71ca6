//! Typed reads of one variable each, with the error wording shared by all
//! services. Values of secrets are never copied into an error.

use std::collections::HashMap;
use std::fmt::Display;
use std::ops::RangeInclusive;
use std::str::FromStr;

use url::Url;

use crate::{ConfigError, Secret};

pub(crate) const HTTP: &[&str] = &["http", "https"];
pub(crate) const WEBSOCKET: &[&str] = &["ws", "wss"];
pub(crate) const POSTGRES: &[&str] = &["postgres", "postgresql"];
pub(crate) const REDIS: &[&str] = &["redis", "rediss"];

pub(crate) struct Vars<'a>(pub(crate) &'a HashMap<String, String>);

impl<'a> Vars<'a> {
    /// The value, or `None` when unset or blank (an empty `KEY=` line in a
    /// `.env` file means "not configured", not "configured as empty").
    pub(crate) fn get(&self, name: &str) -> Option<&'a str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }

    pub(crate) fn required(&self, name: &'static str) -> Result<&'a str, ConfigError> {
        self.get(name).ok_or_else(|| ConfigError::missing(name))
    }

    /// Plain text with a default; surrounding whitespace is dropped.
    pub(crate) fn text_or(&self, name: &str, default: &str) -> String {
        self.get(name).map_or(default, str::trim).to_owned()
    }

    pub(crate) fn secret(&self, name: &'static str) -> Result<Secret, ConfigError> {
        self.required(name).map(Secret::new)
    }

    pub(crate) fn port(&self, name: &'static str, default: u16) -> Result<u16, ConfigError> {
        self.number(name, default, 1..=u16::MAX)
    }

    /// An integer in `range`; the value is echoed since numbers are never secret.
    pub(crate) fn number<T>(
        &self,
        name: &'static str,
        default: T,
        range: RangeInclusive<T>,
    ) -> Result<T, ConfigError>
    where
        T: FromStr + PartialOrd + Display + Copy,
    {
        let rule = format!("in {}..={}", range.start(), range.end());
        self.parse_number(name, default, |n| range.contains(n), &rule)
    }

    /// An integer with only a lower bound (periods, rates).
    pub(crate) fn number_at_least<T>(
        &self,
        name: &'static str,
        default: T,
        min: T,
    ) -> Result<T, ConfigError>
    where
        T: FromStr + PartialOrd + Display + Copy,
    {
        let rule = format!("of at least {min}");
        self.parse_number(name, default, |n| *n >= min, &rule)
    }

    fn parse_number<T: FromStr>(
        &self,
        name: &'static str,
        default: T,
        valid: impl Fn(&T) -> bool,
        rule: &str,
    ) -> Result<T, ConfigError> {
        let Some(raw) = self.get(name) else {
            return Ok(default);
        };
        let raw = raw.trim();
        match raw.parse::<T>() {
            Ok(n) if valid(&n) => Ok(n),
            _ => Err(ConfigError::new(
                name,
                format!("must be a whole number {rule}, got '{raw}'"),
            )),
        }
    }

    pub(crate) fn bool(&self, name: &'static str) -> Result<Option<bool>, ConfigError> {
        let Some(raw) = self.get(name) else {
            return Ok(None);
        };
        match raw.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Ok(Some(true)),
            "false" | "0" | "no" | "off" => Ok(Some(false)),
            _ => Err(ConfigError::new(
                name,
                format!("must be a boolean (true or false), got '{}'", raw.trim()),
            )),
        }
    }

    /// A required non-secret URL, returned without a trailing `/` so callers
    /// can append paths with `format!("{base}/path")`.
    pub(crate) fn url(&self, name: &'static str, schemes: &[&str]) -> Result<String, ConfigError> {
        let raw = self.required(name)?;
        check_url(name, raw, schemes).map(|()| base_url(raw))
    }

    pub(crate) fn url_or(
        &self,
        name: &'static str,
        schemes: &[&str],
        default: &str,
    ) -> Result<String, ConfigError> {
        Ok(self
            .optional_url(name, schemes)?
            .unwrap_or_else(|| default.to_owned()))
    }

    pub(crate) fn optional_url(
        &self,
        name: &'static str,
        schemes: &[&str],
    ) -> Result<Option<String>, ConfigError> {
        let Some(raw) = self.get(name) else {
            return Ok(None);
        };
        check_url(name, raw, schemes).map(|()| Some(base_url(raw)))
    }

    /// A URL that may embed a password (Postgres, Redis): validated like the
    /// others, but kept verbatim and wrapped so it never gets printed.
    pub(crate) fn secret_url(
        &self,
        name: &'static str,
        schemes: &[&str],
    ) -> Result<Secret, ConfigError> {
        let raw = self.required(name)?;
        check_url(name, raw, schemes).map(|()| Secret::new(raw.trim()))
    }
}

/// Checks syntax and scheme. The error names the rule and the parser's reason
/// (which never quotes the input), not the value: it may hold a password.
fn check_url(name: &'static str, raw: &str, schemes: &[&str]) -> Result<(), ConfigError> {
    let expected = schemes
        .iter()
        .map(|s| format!("{s}://"))
        .collect::<Vec<_>>()
        .join(" or ");
    let problem = |why: &str| {
        ConfigError::new(
            name,
            format!("must be a URL starting with {expected} ({why})"),
        )
    };
    let url = Url::parse(raw.trim()).map_err(|e| problem(&e.to_string()))?;
    if !schemes.contains(&url.scheme()) {
        return Err(problem("wrong scheme"));
    }
    if url.cannot_be_a_base() {
        return Err(problem("not a base URL"));
    }
    Ok(())
}

fn base_url(raw: &str) -> String {
    raw.trim().trim_end_matches('/').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn blank_counts_as_missing() {
        let m = map(&[("A", ""), ("B", "   ")]);
        let v = Vars(&m);
        assert_eq!(v.get("A"), None);
        assert_eq!(v.get("B"), None);
        assert_eq!(
            v.required("A").unwrap_err().to_string(),
            "A is required but not set"
        );
    }

    #[test]
    fn ports_must_be_in_range() {
        for bad in ["0", "65536", "-1", "http", "80.5"] {
            let m = map(&[("P", bad)]);
            let e = Vars(&m).port("P", 8000).unwrap_err();
            assert_eq!(e.variable, "P");
            assert!(e.problem.contains("1..=65535"), "{e}");
        }
        let m = map(&[("P", " 9000 ")]);
        assert_eq!(Vars(&m).port("P", 8000).unwrap(), 9000);
        assert_eq!(Vars(&map(&[])).port("P", 8000).unwrap(), 8000);
    }

    #[test]
    fn urls_are_checked_and_trailing_slash_dropped() {
        let m = map(&[("U", "http://localhost:8000/")]);
        assert_eq!(Vars(&m).url("U", HTTP).unwrap(), "http://localhost:8000");
        for bad in ["localhost:8000", "ftp://x", "not a url", "mailto:a@b.c"] {
            let m = map(&[("U", bad)]);
            let e = Vars(&m).url("U", HTTP).unwrap_err();
            assert!(
                e.problem
                    .starts_with("must be a URL starting with http:// or https://"),
                "{e}"
            );
        }
    }

    #[test]
    fn secret_url_errors_do_not_quote_the_value() {
        let m = map(&[("D", "mysql://user:pa55word@db/x")]);
        let e = Vars(&m).secret_url("D", POSTGRES).unwrap_err();
        assert!(!e.to_string().contains("pa55word"), "{e}");
        assert!(e.to_string().contains("postgres://"), "{e}");
    }

    #[test]
    fn booleans() {
        let m = map(&[("T", "TRUE"), ("F", "0"), ("X", "maybe")]);
        let v = Vars(&m);
        assert_eq!(v.bool("T").unwrap(), Some(true));
        assert_eq!(v.bool("F").unwrap(), Some(false));
        assert_eq!(v.bool("N").unwrap(), None);
        assert!(v.bool("X").unwrap_err().problem.contains("boolean"));
    }
}
