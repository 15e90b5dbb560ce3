//! API Gateway Lambda authorizer events: where the bearer token is and which resource the
//! answer is for.

use crate::json::{self, Json, Object};
use crate::json_text;
use crate::reason::Reason;
use std::borrow::Cow;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// REST API TOKEN authorizer: `authorizationToken`, `methodArn`.
    Token,
    /// REST API (or HTTP API payload 1.0) REQUEST authorizer: headers, `methodArn`.
    Request,
    /// HTTP API payload 2.0: lower-case headers, `routeArn`, `routeKey`.
    HttpV2,
}

impl EventKind {
    pub fn name(self) -> &'static str {
        match self {
            EventKind::Token => "token",
            EventKind::Request => "request",
            EventKind::HttpV2 => "http_v2",
        }
    }
}

/// What a decision reads of an event. Borrowed when the host gives the members directly (the
/// TOKEN fast path), owned when they come out of the event's JSON.
#[derive(Debug, Clone)]
pub struct AuthEvent<'a> {
    pub kind: EventKind,
    /// The raw Authorization value (`Bearer ...`), if the event has one.
    pub authorization: Option<Cow<'a, str>>,
    /// `methodArn` or `routeArn`.
    pub arn: Cow<'a, str>,
    /// HTTP API payload 2.0 `routeKey` (`GET /pets/{id}`).
    pub route_key: Option<String>,
    /// The mutual-TLS client certificate API Gateway verified, as PEM (see `binding`).
    pub client_cert_pem: Option<Cow<'a, str>>,
}

pub fn parse(bytes: &[u8], max_bytes: usize) -> Result<AuthEvent<'_>, Reason> {
    if bytes.len() > max_bytes {
        return Err(Reason::InvalidEvent);
    }
    let event = json::read_object(bytes).map_err(|_| Reason::InvalidEvent)?;
    let text = |name: &str| optional_text(event.get(name));
    let version = text("version")?;
    let kind = match (text("type")?.as_deref(), version.as_deref()) {
        (Some("REQUEST"), Some("2.0")) => EventKind::HttpV2,
        (Some("TOKEN"), _) => EventKind::Token,
        (Some("REQUEST"), _) => EventKind::Request,
        _ => return Err(Reason::InvalidEvent),
    };
    let (authorization, arn) = match kind {
        EventKind::Token => (text("authorizationToken")?, text("methodArn")?),
        EventKind::Request => (header(&event, "headers", "multiValueHeaders")?, text("methodArn")?),
        EventKind::HttpV2 => (header(&event, "headers", "")?, text("routeArn")?),
    };
    let arn = arn.ok_or(Reason::InvalidEvent)?;
    let route_key = if kind == EventKind::HttpV2 { text("routeKey")?.map(Cow::into_owned) } else { None };
    let client_cert_pem = match kind {
        EventKind::Token => None,
        EventKind::Request => client_cert(&event, "identity"),
        EventKind::HttpV2 => client_cert(&event, "authentication"),
    };
    Ok(AuthEvent { kind, authorization, arn, route_key, client_cert_pem })
}

/// `requestContext.<within>.clientCert.clientCertPem`. Anything else there (no mutual TLS:
/// `null`) is no certificate, which a bound token is then refused for.
fn client_cert<'a>(event: &Object<'a>, within: &str) -> Option<Cow<'a, str>> {
    let mut value = event.get("requestContext")?;
    for name in [within, "clientCert", "clientCertPem"] {
        value = value.as_object()?.get(name)?;
    }
    match value {
        Json::Str(pem) => Some(pem.clone()),
        _ => None,
    }
}

/// A string member, borrowed from the event's text when it has no escapes; absent or `null`
/// is `None`.
fn optional_text<'a>(value: Option<&Json<'a>>) -> Result<Option<Cow<'a, str>>, Reason> {
    match value {
        Some(Json::Str(s)) => Ok(Some(s.clone())),
        None | Some(Json::Null) => Ok(None),
        Some(_) => Err(Reason::InvalidEvent),
    }
}

/// A TOKEN event's JSON without its two strings.
const FRAME: &str = r#"{"type":"TOKEN","authorizationToken":"","methodArn":""}"#;

/// The length of `{"type":"TOKEN","authorizationToken":"<token>","methodArn":"<arn>"}` as JSON
/// text (serde_json and JavaScript's `JSON.stringify` escape the same characters), so that a
/// TOKEN event given by its members meets the same size cap as its JSON.
fn token_event_json_len(authorization_token: &str, method_arn: &str) -> usize {
    FRAME.len() + json_text::string_len(authorization_token) + json_text::string_len(method_arn)
}

/// Whether that JSON is longer than `cap`. No byte takes more than six as JSON, so the scan is
/// needed only near the cap (a token is usually a thousandth of it).
pub fn token_event_json_len_exceeds(authorization_token: &str, method_arn: &str, cap: usize) -> bool {
    let text_len = authorization_token.len().saturating_add(method_arn.len());
    let most = text_len.saturating_mul(6).saturating_add(FRAME.len());
    most > cap && token_event_json_len(authorization_token, method_arn) > cap
}

/// The one Authorization header, by case-insensitive name. Two values (in either map, or two
/// spellings of the name) are ambiguous and refused rather than guessed between.
fn header<'a>(event: &Object<'a>, single: &str, multi: &str) -> Result<Option<Cow<'a, str>>, Reason> {
    fn text<'v, 'a>(value: &'v Json<'a>) -> Result<&'v Cow<'a, str>, Reason> {
        match value {
            Json::Str(s) => Ok(s),
            _ => Err(Reason::InvalidEvent),
        }
    }
    let mut found: Vec<&Cow<'a, str>> = Vec::new();
    match event.get(single) {
        None | Some(Json::Null) => {}
        Some(Json::Object(headers)) => {
            for (name, value) in headers.members() {
                if name.eq_ignore_ascii_case("authorization") {
                    found.push(text(value)?);
                }
            }
        }
        Some(_) => return Err(Reason::InvalidEvent),
    }
    let single_count = found.len();
    if !multi.is_empty() {
        match event.get(multi) {
            None | Some(Json::Null) => {}
            Some(Json::Object(headers)) => {
                for (name, values) in headers.members() {
                    if name.eq_ignore_ascii_case("authorization") {
                        let Json::Array(values) = values else { return Err(Reason::InvalidEvent) };
                        for v in values {
                            let v = text(v)?;
                            // API Gateway mirrors the single-value map into the multi-value one.
                            if !found[..single_count].contains(&v) || values.len() > 1 {
                                found.push(v);
                            }
                        }
                    }
                }
            }
            Some(_) => return Err(Reason::InvalidEvent),
        }
    }
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some((*one).clone())),
        _ => Err(Reason::BadAuthorizationScheme),
    }
}

/// `Bearer <token>`: scheme case-insensitive (RFC 9110 section 11.1), one or more spaces,
/// one token, nothing else.
pub fn bearer_token(value: &str) -> Result<&str, Reason> {
    let value = value.trim_matches(|c| c == ' ' || c == '\t');
    if value.is_empty() {
        return Err(Reason::MissingToken);
    }
    let (scheme, rest) = value.split_once(' ').ok_or(Reason::BadAuthorizationScheme)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(Reason::BadAuthorizationScheme);
    }
    let token = rest.trim_start_matches(' ');
    // The usual token is printable ASCII, checked without branching per byte (so the compiler
    // vectorises it); only another token needs the char scan.
    let printable_ascii = token.bytes().fold(true, |ok, b| ok & (b > b' ') & (b < 0x7f));
    let has_space = !printable_ascii && token.contains(|c: char| c.is_whitespace() || c.is_control());
    if token.is_empty() || has_space {
        return Err(Reason::BadAuthorizationScheme);
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_forms() {
        assert_eq!(bearer_token("Bearer abc"), Ok("abc"));
        assert_eq!(bearer_token("bearer  abc"), Ok("abc"));
        assert_eq!(bearer_token("BEARER abc "), Ok("abc"));
        assert_eq!(bearer_token(""), Err(Reason::MissingToken));
        assert_eq!(bearer_token("Bearer"), Err(Reason::BadAuthorizationScheme));
        assert_eq!(bearer_token("Bearer "), Err(Reason::BadAuthorizationScheme));
        assert_eq!(bearer_token("Basic abc"), Err(Reason::BadAuthorizationScheme));
        assert_eq!(bearer_token("Bearer a b"), Err(Reason::BadAuthorizationScheme));
        assert_eq!(bearer_token("Bearer a\nb"), Err(Reason::BadAuthorizationScheme));
        assert_eq!(bearer_token("abc"), Err(Reason::BadAuthorizationScheme));
    }

    #[test]
    fn duplicate_authorization_headers_are_refused() {
        let ev = br#"{"type":"REQUEST","methodArn":"a","headers":{"Authorization":"Bearer x","authorization":"Bearer y"}}"#;
        assert_eq!(parse(ev, 1 << 20).unwrap_err(), Reason::BadAuthorizationScheme);
        let ev = br#"{"type":"REQUEST","methodArn":"a","headers":{"Authorization":"Bearer x"},"multiValueHeaders":{"Authorization":["Bearer x"]}}"#;
        assert_eq!(parse(ev, 1 << 20).unwrap().authorization.as_deref(), Some("Bearer x"));
        let ev = br#"{"type":"REQUEST","methodArn":"a","headers":{"Authorization":"Bearer x"},"multiValueHeaders":{"Authorization":["Bearer x","Bearer y"]}}"#;
        assert_eq!(parse(ev, 1 << 20).unwrap_err(), Reason::BadAuthorizationScheme);
    }
}
