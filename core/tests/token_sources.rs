//! `token_sources`: each kind of source in each kind of event, decided end to end with signed
//! tokens. The events are API Gateway's own examples (../shared/vectors/apigw-events, read in
//! place; minimal events of the same shape when the folder is absent) with the token put where
//! the source reads it.

mod support;

use jwtgate_core::{Algorithm, Decision, Outcome, Reason, Verifier};
use serde_json::{Value, json};
use std::path::PathBuf;
use support::*;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Token,
    Rest,
    HttpV1,
    HttpV2,
    WebSocket,
}

const KINDS: [Kind; 5] = [Kind::Token, Kind::Rest, Kind::HttpV1, Kind::HttpV2, Kind::WebSocket];

/// An API Gateway example event, or a minimal one of the same kind.
fn base(kind: Kind) -> Value {
    let file = match kind {
        Kind::Token => return json!({ "type": "TOKEN", "methodArn": METHOD_ARN }),
        Kind::Rest => "example-apigw-custom-auth-request-type-request.json",
        Kind::HttpV1 => "example-apigw-v2-custom-authorizer-v1-request.json",
        Kind::HttpV2 => "example-apigw-v2-custom-authorizer-v2-request.json",
        Kind::WebSocket => "example-apigw-v2-custom-authorizer-websocket-request.json",
    };
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors/apigw-events");
    if let Ok(text) = std::fs::read_to_string(dir.join(file)) {
        let mut event: Value = serde_json::from_str(&text).unwrap();
        // The examples carry placeholder credentials in their headers: none of them is a source
        // the table configures, but take them out so each cell holds only its own.
        for map in ["headers", "multiValueHeaders"] {
            if let Some(m) = event[map].as_object_mut() {
                m.retain(|name, _| !name.eq_ignore_ascii_case("authorization") && !name.eq_ignore_ascii_case("cookie"));
            }
        }
        return event;
    }
    eprintln!("shared vectors absent: minimal {kind:?} event");
    match kind {
        Kind::Rest => {
            json!({ "type": "REQUEST", "methodArn": METHOD_ARN, "headers": {}, "multiValueHeaders": {}, "queryStringParameters": {}, "multiValueQueryStringParameters": {} })
        }
        Kind::HttpV1 => {
            json!({ "version": "1.0", "type": "REQUEST", "methodArn": METHOD_ARN, "headers": {}, "queryStringParameters": {} })
        }
        Kind::HttpV2 => {
            json!({ "version": "2.0", "type": "REQUEST", "routeKey": "$default", "routeArn": METHOD_ARN, "rawQueryString": "", "cookies": [], "headers": {} })
        }
        Kind::WebSocket => json!({
            "type": "REQUEST", "methodArn": "arn:aws:execute-api:eu-west-1:123456789012:abcdef123/test/$connect", "headers": {}, "multiValueHeaders": {},
            "queryStringParameters": {}, "multiValueQueryStringParameters": {}, "requestContext": { "routeKey": "$connect", "eventType": "CONNECT" }
        }),
        Kind::Token => unreachable!(),
    }
}

/// A source as the table places it: where the value goes in each kind of event.
#[derive(Clone, Copy, Debug)]
enum Source {
    Authorization,
    Header,
    HeaderScheme,
    Cookie,
    Query,
}

const SOURCES: [Source; 5] =
    [Source::Authorization, Source::Header, Source::HeaderScheme, Source::Cookie, Source::Query];

impl Source {
    fn setting(self) -> &'static str {
        match self {
            Source::Authorization => "authorization",
            Source::Header => "header:X-Api-Token",
            Source::HeaderScheme => "header:X-Api-Token:Token",
            Source::Cookie => "cookie:__Host-access",
            Source::Query => "query:access_token",
        }
    }

    /// The source's value for one token: what a client sends.
    fn value(self, token: &str) -> String {
        match self {
            Source::Authorization => format!("Bearer {token}"),
            Source::HeaderScheme => format!("Token {token}"),
            _ => token.to_owned(),
        }
    }

    /// `event` with `values` (one per repeat) where API Gateway puts this source.
    fn place(self, kind: Kind, mut event: Value, values: &[String]) -> Value {
        let header = |event: &mut Value, name: &str, values: &[String]| match kind {
            // HTTP API 2.0: lower-case names, repeats joined with commas.
            Kind::HttpV2 => event["headers"][name.to_ascii_lowercase()] = json!(values.join(",")),
            // Payload 1.0 through an HTTP API: no multi-value map (the example's is null),
            // repeats joined with commas.
            Kind::HttpV1 => event["headers"][name] = json!(values.join(",")),
            _ => {
                event["headers"][name] = json!(values.last());
                event["multiValueHeaders"][name] = json!(values);
            }
        };
        match (self, kind) {
            (Source::Authorization | Source::Header | Source::HeaderScheme, Kind::Token) => {
                event["authorizationToken"] = json!(values.join(","))
            }
            (_, Kind::Token) => {}
            (Source::Authorization, _) => header(&mut event, "Authorization", values),
            (Source::Header | Source::HeaderScheme, _) => header(&mut event, "X-Api-Token", values),
            (Source::Cookie, Kind::HttpV2) => {
                let cookies = event["cookies"].as_array_mut().unwrap();
                cookies.extend(values.iter().map(|v| json!(format!("__Host-access={v}"))));
            }
            (Source::Cookie, _) => {
                let pairs: Vec<String> = values.iter().map(|v| format!("__Host-access={v}")).collect();
                header(&mut event, "Cookie", &[format!("theme=dark; {}", pairs.join("; "))]);
            }
            (Source::Query, Kind::HttpV2) => {
                let raw = event["rawQueryString"].as_str().unwrap_or("").to_owned();
                let added: Vec<String> = values.iter().map(|v| format!("access_token={v}")).collect();
                event["rawQueryString"] = json!(
                    [raw.as_str(), &added.join("&")]
                        .iter()
                        .filter(|s| !s.is_empty())
                        .cloned()
                        .collect::<Vec<_>>()
                        .join("&")
                );
                if event["queryStringParameters"].is_object() {
                    event["queryStringParameters"]["access_token"] = json!(values.join(","));
                }
            }
            (Source::Query, Kind::HttpV1) => event["queryStringParameters"]["access_token"] = json!(values.join(",")),
            (Source::Query, Kind::WebSocket) => {
                // WebSocket APIs join repeats with a comma (the example's `parameter1`).
                event["queryStringParameters"]["access_token"] = json!(values.join(","));
            }
            (Source::Query, Kind::Rest) => {
                event["queryStringParameters"]["access_token"] = json!(values.last());
                event["multiValueQueryStringParameters"]["access_token"] = json!(values);
            }
        }
        event
    }

    /// Whether events of `kind` can carry this source (a TOKEN event carries one header).
    fn carried_by(self, kind: Kind) -> bool {
        kind != Kind::Token || matches!(self, Source::Authorization | Source::Header | Source::HeaderScheme)
    }
}

fn decide(v: &Verifier, event: &Value) -> Decision {
    let keys = key_set(&["rsa-2048"]);
    let d = v.authorize(&keys, event.to_string().as_bytes(), NOW);
    if event["type"] == "TOKEN" {
        // The TOKEN fast path decides exactly as the JSON path.
        let fast = v.authorize_token_event(
            &keys,
            event["authorizationToken"].as_str().unwrap_or(""),
            event["methodArn"].as_str().unwrap(),
            NOW,
        );
        if event.get("authorizationToken").is_some() {
            assert_eq!(fast, d, "{event}");
        }
    }
    d
}

fn outcome(d: &Decision) -> (Outcome, Option<Reason>) {
    (d.outcome, d.reason)
}

#[test]
fn each_source_in_each_event() {
    let good = token(Algorithm::RS256, &claims(), json!({}));
    for source in SOURCES {
        let v = verifier(json!({ "token_sources": [source.setting()] }));
        for kind in KINDS {
            let cell = format!("{source:?} in {kind:?}");
            let once = source.place(kind, base(kind), &[source.value(&good)]);
            let twice = source.place(kind, base(kind), &[source.value(&good), source.value(&good)]);
            let absent = base(kind);
            if source.carried_by(kind) {
                assert_eq!(outcome(&decide(&v, &once)), (Outcome::Allow, None), "{cell}: {once}");
                assert_eq!(
                    outcome(&decide(&v, &twice)),
                    (Outcome::Unauthorized, Some(Reason::AmbiguousToken)),
                    "{cell} twice: {twice}"
                );
            } else {
                assert_eq!(
                    outcome(&decide(&v, &once)),
                    (Outcome::Unauthorized, Some(Reason::MissingToken)),
                    "{cell}: {once}"
                );
            }
            assert_eq!(
                outcome(&decide(&v, &absent)),
                (Outcome::Unauthorized, Some(Reason::MissingToken)),
                "{cell} absent"
            );
            // The token of another source is not this one's (only TOKEN events have no names).
            for other in SOURCES.into_iter().filter(|o| o.setting() != source.setting() && kind != Kind::Token) {
                let elsewhere = other.place(kind, base(kind), &[other.value(&good)]);
                let d = decide(&v, &elsewhere);
                let shares_header = matches!(
                    (source, other),
                    (Source::Header, Source::HeaderScheme) | (Source::HeaderScheme, Source::Header)
                );
                if shares_header {
                    assert_eq!(
                        outcome(&d),
                        (Outcome::Unauthorized, Some(Reason::BadAuthorizationScheme)),
                        "{cell} given {other:?}"
                    );
                } else {
                    assert_eq!(
                        outcome(&d),
                        (Outcome::Unauthorized, Some(Reason::MissingToken)),
                        "{cell} given {other:?}"
                    );
                }
            }
        }
    }
}

#[test]
fn sources_in_order_the_first_present_decides() {
    let good = token(Algorithm::RS256, &claims(), json!({}));
    let expired = token(
        Algorithm::RS256,
        &{
            let mut c = claims();
            c.insert("exp".into(), json!(NOW - 1));
            c
        },
        json!({}),
    );
    let order = [Source::Cookie, Source::Query, Source::HeaderScheme, Source::Authorization];
    let v = verifier(json!({ "token_sources": order.map(Source::setting) }));
    for kind in [Kind::Rest, Kind::HttpV1, Kind::HttpV2, Kind::WebSocket] {
        for (i, first) in order.iter().enumerate() {
            // This source holds the good token, every later one an expired token: decided by
            // this one.
            let mut event = first.place(kind, base(kind), &[first.value(&good)]);
            for later in &order[i + 1..] {
                event = later.place(kind, event, &[later.value(&expired)]);
            }
            assert_eq!(outcome(&decide(&v, &event)), (Outcome::Allow, None), "{kind:?}, {first:?} first: {event}");
            // And the reverse: this one's expired token decides, the later good ones are not tried.
            let mut event = first.place(kind, base(kind), &[first.value(&expired)]);
            for later in &order[i + 1..] {
                event = later.place(kind, event, &[later.value(&good)]);
            }
            assert_eq!(
                outcome(&decide(&v, &event)),
                (Outcome::Unauthorized, Some(Reason::TokenExpired)),
                "{kind:?}, {first:?} first, expired"
            );
            // Malformed (a space inside) is final too, never a fall-through.
            let mut event = first.place(kind, base(kind), &[first.value("not a token")]);
            for later in &order[i + 1..] {
                event = later.place(kind, event, &[later.value(&good)]);
            }
            let d = decide(&v, &event);
            assert_eq!(d.outcome, Outcome::Unauthorized, "{kind:?}, {first:?} malformed: {event}");
            assert_ne!(d.reason, Some(Reason::MissingToken), "{kind:?}, {first:?} malformed");
        }
    }
    // A TOKEN event: read with the first header source's rule (`Token <jwt>` here).
    let t = |value: &str| json!({ "type": "TOKEN", "authorizationToken": value, "methodArn": METHOD_ARN });
    assert_eq!(outcome(&decide(&v, &t(&format!("Token {good}")))), (Outcome::Allow, None));
    assert_eq!(
        outcome(&decide(&v, &t(&format!("Bearer {good}")))),
        (Outcome::Unauthorized, Some(Reason::BadAuthorizationScheme))
    );
}

/// A WebSocket `$connect` with its token in the query string: API Gateway's own example event,
/// a stage-wide Allow that covers the `$connect` route.
#[test]
fn websocket_connect_with_a_query_string_token() {
    let good = token(Algorithm::RS256, &claims(), json!({}));
    let v = verifier(json!({ "token_sources": ["query:token", "authorization"] }));
    let mut event = base(Kind::WebSocket);
    event["queryStringParameters"]["token"] = json!(good);
    event["multiValueQueryStringParameters"]["token"] = json!([good]);
    let arn = event["methodArn"].as_str().unwrap().to_owned();
    assert!(arn.ends_with("/$connect"));
    let d = decide(&v, &event);
    assert_eq!(outcome(&d), (Outcome::Allow, None));
    let statement = &d.response.unwrap().to_value()["policyDocument"]["Statement"][0];
    assert_eq!(statement["Effect"], "Allow");
    let resource = statement["Resource"].as_str().unwrap();
    assert!(arn.starts_with(resource.trim_end_matches('*')) || resource == arn, "{resource} covers {arn}");
    // The example's `parameter1` shows how repeats arrive: joined with a comma.
    event["queryStringParameters"]["token"] = json!(format!("{good},{good}"));
    event["multiValueQueryStringParameters"] = json!({});
    assert_eq!(outcome(&decide(&v, &event)), (Outcome::Unauthorized, Some(Reason::AmbiguousToken)));
}

/// The default list is today's rule: the Authorization header alone, everywhere.
#[test]
fn the_default_is_the_authorization_header() {
    let good = token(Algorithm::RS256, &claims(), json!({}));
    let v = verifier(json!({}));
    for kind in KINDS {
        let event = Source::Authorization.place(kind, base(kind), &[Source::Authorization.value(&good)]);
        assert_eq!(outcome(&decide(&v, &event)), (Outcome::Allow, None), "{kind:?}");
        if kind != Kind::Token {
            let cookie = Source::Cookie.place(kind, base(kind), std::slice::from_ref(&good));
            assert_eq!(outcome(&decide(&v, &cookie)), (Outcome::Unauthorized, Some(Reason::MissingToken)), "{kind:?}");
        }
    }
}
