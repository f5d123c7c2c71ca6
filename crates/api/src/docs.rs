use utoipa::OpenApi as _;
use utoipa::openapi::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

#[derive(utoipa::OpenApi)]
#[openapi(
    info(title = "TradingStack API", description = "Users, markets, paper positions with TP/SL, copy trading, smart-trading recommendations, leader-trade webhook and notifications."),
    tags(
        (name = "health"), (name = "users"), (name = "markets"), (name = "positions"),
        (name = "copy-trading"), (name = "smart-trading"), (name = "events"), (name = "webhooks")
    )
)]
struct ApiDoc;

/// The document's header and the bearer scheme; paths are added by the router.
pub(crate) fn base() -> OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
    );
    doc
}
