//! One span per update handled. API calls made inside it carry its trace context
//! (`traceparent`), so the bot's and the api's spans form one trace.

use teloxide::types::{Update, UpdateKind};

pub fn for_update(update: Update) -> tracing::Span {
    let kind = match &update.kind {
        UpdateKind::Message(_) => "message",
        UpdateKind::CallbackQuery(_) => "callback_query",
        _ => "other",
    };
    tracing::info_span!(
        "telegram.update",
        otel.name = %format_args!("telegram {kind}"),
        otel.kind = "consumer",
        telegram.update_id = update.id.0,
        telegram.update_kind = kind,
        telegram.user_id = update.from().map(|u| u.id.0).unwrap_or_default(),
        // The command or button handled, recorded by the handler.
        action = tracing::field::Empty,
    )
}
