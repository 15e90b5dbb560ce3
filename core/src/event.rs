//! API Gateway Lambda authorizer events: the token (read from the configured sources, see
//! `token_source`) and which resource the answer is for.

pub use crate::event_kind::EventKind;
use crate::json::{self, Json, Object};
use crate::json_text;
use crate::reason::Reason;
use crate::token_source::{self, TokenSource};
use std::borrow::Cow;

/// What a decision reads of an event. Borrowed when the host gives the members directly (the
/// TOKEN fast path), owned when they come out of the event's JSON.
#[derive(Debug, Clone)]
pub struct AuthEvent<'a> {
    /// Which event it is.
    pub kind: EventKind,
    /// The token, read from the first configured source the event has (scheme removed), or
    /// why there is none to verify (see `token_source`).
    pub authorization: Result<Cow<'a, str>, Reason>,
    /// `methodArn` or `routeArn`.
    pub arn: Cow<'a, str>,
    /// HTTP API payload 2.0 `routeKey` (`GET /pets/{id}`).
    pub route_key: Option<String>,
    /// The mutual-TLS client certificate API Gateway verified, as PEM (see `binding`).
    pub client_cert_pem: Option<Cow<'a, str>>,
}

/// The event in `bytes` (at most `max_bytes`), its token read from `sources`.
pub fn parse<'a>(bytes: &'a [u8], max_bytes: usize, sources: &[TokenSource]) -> Result<AuthEvent<'a>, Reason> {
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
        EventKind::Token => (token_source::from_token_event(sources, text("authorizationToken")?), text("methodArn")?),
        EventKind::Request => (token_source::from_event(sources, &event, kind), text("methodArn")?),
        EventKind::HttpV2 => (token_source::from_event(sources, &event, kind), text("routeArn")?),
    };
    // A map of the wrong type is not an event, whichever check finds it first.
    if authorization == Err(Reason::InvalidEvent) {
        return Err(Reason::InvalidEvent);
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token_source::{TokenSource, default_sources};

    #[test]
    fn duplicate_authorization_headers_are_ambiguous() {
        let sources = default_sources();
        let token = |ev: &[u8]| parse(ev, 1 << 20, &sources).unwrap().authorization.map(Cow::into_owned);
        let ev =
            br#"{"type":"REQUEST","methodArn":"a","headers":{"Authorization":"Bearer x","authorization":"Bearer y"}}"#;
        assert_eq!(token(ev), Err(Reason::AmbiguousToken));
        let ev = br#"{"type":"REQUEST","methodArn":"a","headers":{"Authorization":"Bearer x"},"multiValueHeaders":{"Authorization":["Bearer x"]}}"#;
        assert_eq!(token(ev), Ok("x".into()));
        let ev = br#"{"type":"REQUEST","methodArn":"a","headers":{"Authorization":"Bearer x"},"multiValueHeaders":{"Authorization":["Bearer x","Bearer y"]}}"#;
        assert_eq!(token(ev), Err(Reason::AmbiguousToken));
    }

    #[test]
    fn token_events_read_authorization_token_with_the_first_header_rule() {
        let ev =
            br#"{"type":"TOKEN","methodArn":"a","authorizationToken":"abc","headers":{"Authorization":"Bearer x"}}"#;
        let with = |sources: &[TokenSource]| parse(ev, 1 << 20, sources).unwrap().authorization.map(Cow::into_owned);
        assert_eq!(with(&[TokenSource::Header { name: "X-Token".into(), scheme: None }]), Ok("abc".into()));
        assert_eq!(with(&default_sources()), Err(Reason::BadAuthorizationScheme));
        assert_eq!(with(&[TokenSource::Cookie("c".into())]), Err(Reason::MissingToken));
    }
}
