//! Which of API Gateway's authorizer events an event is: the one fact the readers of the
//! token's sources (`token_source`) need from the event reader (`event`).

/// The authorizer event's type and payload version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// REST API TOKEN authorizer: `authorizationToken`, `methodArn`.
    Token,
    /// REST API (or HTTP API payload 1.0, or WebSocket `$connect`) REQUEST authorizer:
    /// headers, query parameters, `methodArn`.
    Request,
    /// HTTP API payload 2.0: lower-case headers, `routeArn`, `routeKey`.
    HttpV2,
}

impl EventKind {
    /// The kind as logged (`token`, `request`, `http_v2`).
    pub fn name(self) -> &'static str {
        match self {
            EventKind::Token => "token",
            EventKind::Request => "request",
            EventKind::HttpV2 => "http_v2",
        }
    }
}
