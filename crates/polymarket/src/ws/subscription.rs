//! What the client sends: one initial subscription per connection, then updates.

use serde_json::json;

/// The first message of a connection: every asset, with the book of each (`initial_dump`)
/// and the custom events (`best_bid_ask`, `new_market`, `market_resolved`).
pub fn initial_subscription<'a>(assets: impl IntoIterator<Item = &'a String>) -> String {
    let assets: Vec<&String> = assets.into_iter().collect();
    json!({
        "assets_ids": assets,
        "type": "market",
        "initial_dump": true,
        "custom_feature_enabled": true,
    })
    .to_string()
}

/// A later change of an open connection's subscription.
pub fn subscription_update<'a>(
    assets: impl IntoIterator<Item = &'a String>,
    subscribe: bool,
) -> String {
    let assets: Vec<&String> = assets.into_iter().collect();
    json!({
        "assets_ids": assets,
        "operation": if subscribe { "subscribe" } else { "unsubscribe" },
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_shapes() {
        let a = ["1".to_string(), "2".to_string()];
        let v: serde_json::Value = serde_json::from_str(&initial_subscription(&a)).unwrap();
        assert_eq!(
            v,
            json!({"assets_ids":["1","2"],"type":"market","initial_dump":true,"custom_feature_enabled":true})
        );
        let v: serde_json::Value =
            serde_json::from_str(&subscription_update(&a[..1], false)).unwrap();
        assert_eq!(v, json!({"assets_ids":["1"],"operation":"unsubscribe"}));
    }
}
