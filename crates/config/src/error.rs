//! The one error type of configuration: which variable, and what is wrong.

/// A missing or malformed setting.
///
/// `problem` states the rule that was broken and never contains the value of
/// a secret, so the whole error is safe to print.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable} {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

impl ConfigError {
    pub fn new(variable: &'static str, problem: impl Into<String>) -> Self {
        Self {
            variable,
            problem: problem.into(),
        }
    }

    pub(crate) fn missing(variable: &'static str) -> Self {
        Self::new(variable, "is required but not set")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_variable_then_problem() {
        let e = ConfigError::new("ENCRYPTION_KEY", "must be exactly 32 characters");
        assert_eq!(
            e.to_string(),
            "ENCRYPTION_KEY must be exactly 32 characters"
        );
        assert_eq!(
            ConfigError::missing("DATABASE_URL").to_string(),
            "DATABASE_URL is required but not set"
        );
    }
}
