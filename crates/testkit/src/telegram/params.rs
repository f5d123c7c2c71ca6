//! Request parameters as the Bot API accepts them: a query string, a form body or a
//! JSON body. Form and query values are strings, so readers accept both spellings
//! (`123` and `"123"`, an object and its JSON text).

use serde_json::{Map, Value};

pub(crate) struct Params(pub(crate) Map<String, Value>);

impl Params {
    /// Merges the query string and the body; body fields win.
    pub(crate) fn parse(
        query: Option<&str>,
        content_type: &str,
        body: &[u8],
    ) -> Result<Self, String> {
        let mut map = Map::new();
        if let Some(query) = query {
            for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
                map.insert(k.into_owned(), Value::String(v.into_owned()));
            }
        }
        let content_type = content_type.to_ascii_lowercase();
        if body.is_empty() {
        } else if content_type.starts_with("application/json") {
            match serde_json::from_slice::<Value>(body) {
                Ok(Value::Object(fields)) => map.extend(fields),
                _ => return Err("Bad Request: can't parse JSON object".into()),
            }
        } else if content_type.starts_with("application/x-www-form-urlencoded") {
            for (k, v) in url::form_urlencoded::parse(body) {
                map.insert(k.into_owned(), Value::String(v.into_owned()));
            }
        } else {
            return Err(format!(
                "Bad Request: unsupported content type '{content_type}' in this fake"
            ));
        }
        Ok(Self(map))
    }

    pub(crate) fn int(&self, name: &str) -> Option<i64> {
        match self.0.get(name)? {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    pub(crate) fn string(&self, name: &str) -> Option<String> {
        match self.0.get(name)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    pub(crate) fn bool(&self, name: &str) -> bool {
        match self.0.get(name) {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s == "true" || s == "1",
            _ => false,
        }
    }

    /// An object or array parameter, given as JSON or as its JSON text.
    pub(crate) fn json(&self, name: &str) -> Option<Value> {
        match self.0.get(name)? {
            Value::String(s) => serde_json::from_str(s).ok(),
            Value::Null => None,
            other => Some(other.clone()),
        }
    }
}
