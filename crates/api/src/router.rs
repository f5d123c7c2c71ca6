use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{Request, StatusCode};
use axum::middleware;
use axum::response::IntoResponse;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::require_bearer;
use crate::error::ApiError;
use crate::routes::{
    copy_trading, events, health, markets, positions, smart, trades, users, webhooks,
};
use crate::state::AppState;

const BODY_LIMIT: usize = 1024 * 1024;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Every route, the OpenAPI document at `/openapi.json` and its interactive docs at `/docs`.
pub fn router(state: AppState) -> Router {
    let (router, openapi) = openapi_router(state.clone()).split_for_parts();
    router
        .merge(SwaggerUi::new("/docs").url("/openapi.json", openapi))
        .fallback(|| async { ApiError::NotFound("no such route".into()) })
        .method_not_allowed_fallback(|| async {
            (
                StatusCode::METHOD_NOT_ALLOWED,
                axum::Json(ts_core::ApiErrorBody::new(
                    "method_not_allowed",
                    "method not allowed on this route",
                )),
            )
                .into_response()
        })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .with_state(state)
}

/// The routes with their OpenAPI description; `/api/v1/*` behind the bearer token.
pub(crate) fn openapi_router(state: AppState) -> OpenApiRouter<AppState> {
    let protected = OpenApiRouter::new()
        .routes(routes!(users::upsert_user))
        .routes(routes!(users::get_user))
        .routes(routes!(markets::list_markets))
        .routes(routes!(markets::get_market))
        .routes(routes!(positions::list_positions))
        .routes(routes!(positions::open_position))
        .routes(routes!(positions::update_tpsl))
        .routes(routes!(positions::close_position))
        .routes(routes!(copy_trading::leaders))
        .routes(routes!(copy_trading::create_allocation))
        .routes(routes!(copy_trading::list_allocations))
        .routes(routes!(copy_trading::stop_allocation))
        .routes(routes!(smart::recommendations))
        .routes(routes!(trades::list_trades, trades::ingest_trades))
        .routes(routes!(trades::watched_addresses))
        .routes(routes!(events::events))
        .route_layer(middleware::from_fn_with_state(state, require_bearer));
    OpenApiRouter::with_openapi(crate::docs::base())
        .routes(routes!(health::root))
        .routes(routes!(health::live))
        .routes(routes!(health::ready))
        .routes(routes!(health::metrics))
        .routes(routes!(webhooks::indexer))
        .merge(protected)
}

/// One span per request, joined to the caller's trace through its `traceparent`.
fn request_span<B>(req: &Request<B>) -> tracing::Span {
    let span = tracing::info_span!(
        "http.request",
        otel.name = %format!("{} {}", req.method(), req.uri().path()),
        otel.kind = "server",
        http.request.method = %req.method(),
        url.path = %req.uri().path(),
    );
    ts_telemetry::set_parent(&span, ts_telemetry::extract_headers(req.headers()));
    span
}
