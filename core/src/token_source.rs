//! Where an event's token is read from (`token_sources`): the Authorization header, any named
//! header (with or without a scheme), a cookie, or a query-string parameter, tried in the
//! configured order.
//!
//! The rules, the same for every source:
//! - a source the event does not have: the next one is tried; none found: `missing_token`;
//! - a source that is there but does not hold one token in its form (wrong scheme, white
//!   space inside, broken quoting, empty): refused, never a fall-through to the next source
//!   (a malformed credential must not let a weaker source decide);
//! - a source with more than one value (a header twice in either map or in two spellings, a
//!   cookie name twice, a query parameter twice, or a value with a comma, which is how
//!   API Gateway joins repeated headers and HTTP API query parameters; a JWS never contains
//!   one): `ambiguous_token`, never a guess between them.

use crate::cookie;
use crate::event_kind::EventKind;
use crate::field_value::{part, span, trim};
use crate::json::{Json, Object};
use crate::query;
use crate::reason::Reason;
use crate::setting::{ConfigError, err};
use std::borrow::Cow;

/// One place a token may be.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TokenSource {
    /// `authorization`: the Authorization header, `Bearer <token>`.
    Authorization,
    /// `header:NAME` (the whole value is the token) or `header:NAME:SCHEME` (`SCHEME <token>`).
    Header {
        /// The header's name, compared case-insensitively.
        name: String,
        /// The scheme before the token (case-insensitive), if the value has one.
        scheme: Option<String>,
    },
    /// `cookie:NAME`.
    Cookie(String),
    /// `query:NAME`.
    Query(String),
}

/// The most sources one list holds.
pub const MAX_SOURCES: usize = 8;
/// The longest query parameter name a source may give.
pub const MAX_QUERY_NAME_BYTES: usize = 256;

/// The default list: today's rule, the Authorization header alone.
pub fn default_sources() -> Vec<TokenSource> {
    vec![TokenSource::Authorization]
}

/// RFC 9110 section 5.6.2 `token`, which header names, auth-schemes and (RFC 6265 section
/// 4.1.1) cookie names are.
fn is_token(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

impl TokenSource {
    /// One item of the list, as written (`header:X-Api-Token:Token`), if it is one.
    pub fn parse(text: &str) -> Option<TokenSource> {
        let (kind, rest) = text.split_once(':').unwrap_or((text, ""));
        let (name, scheme) = match rest.split_once(':') {
            Some((name, scheme)) => (name, Some(scheme)),
            None => (rest, None),
        };
        let named = is_token(name) && scheme.is_none();
        match kind {
            "authorization" if text == kind => Some(TokenSource::Authorization),
            "header" if is_token(name) && scheme.is_none_or(is_token) => {
                Some(TokenSource::Header { name: name.to_owned(), scheme: scheme.map(str::to_owned) })
            }
            "cookie" if named => Some(TokenSource::Cookie(name.to_owned())),
            "query" if !rest.is_empty() && rest.len() <= MAX_QUERY_NAME_BYTES && !rest.contains(['&', '=', '#']) => {
                Some(TokenSource::Query(rest.to_owned()))
            }
            _ => None,
        }
    }

    /// The header and scheme this source reads, when it is a header.
    fn header(&self) -> Option<(&str, Option<&str>)> {
        match self {
            TokenSource::Authorization => Some(("authorization", Some("Bearer"))),
            TokenSource::Header { name, scheme } => Some((name, scheme.as_deref())),
            _ => None,
        }
    }
}

/// The `token_sources` list, checked: 1 to 8 valid items. `setting` names it in errors.
pub fn parse_list(setting: &str, items: &[String]) -> Result<Vec<TokenSource>, ConfigError> {
    if items.is_empty() {
        return Err(err(setting, "at least one source is required (the default is `authorization`)"));
    }
    if items.len() > MAX_SOURCES {
        return Err(err(setting, "at most 8 sources"));
    }
    items
        .iter()
        .map(|item| {
            TokenSource::parse(item).ok_or_else(|| {
                let problem = "` is not `authorization`, `header:NAME`, `header:NAME:SCHEME`, `cookie:NAME` or `query:NAME` (NAME and SCHEME in RFC 9110 token characters; a query NAME of 1 to 256 bytes without `&`, `=`, `#`)";
                err(setting, ["`", item, problem].concat())
            })
        })
        .collect()
}

/// The token of a TOKEN event, whose `authorizationToken` is the one header API Gateway was
/// told to pass: read with the rule of the list's first header source; a list without one
/// takes no token from TOKEN events.
pub fn from_token_event<'a>(
    sources: &[TokenSource],
    authorization_token: Option<Cow<'a, str>>,
) -> Result<Cow<'a, str>, Reason> {
    let (_, scheme) = sources.iter().find_map(TokenSource::header).ok_or(Reason::MissingToken)?;
    one_token(authorization_token.ok_or(Reason::MissingToken)?, scheme)
}

/// The token of a REQUEST or HTTP API 2.0 event: the first source the event has.
pub fn from_event<'a>(sources: &[TokenSource], event: &Object<'a>, kind: EventKind) -> Result<Cow<'a, str>, Reason> {
    for source in sources {
        let found = match source {
            TokenSource::Authorization | TokenSource::Header { .. } => {
                let (name, scheme) = source.header().unwrap_or_default();
                one_value(header_values(event, kind, name)?)?.map(|v| one_token(v, scheme))
            }
            TokenSource::Cookie(name) => {
                one_value(cookie::values(&cookie_strings(event, kind)?, name)?)?.map(cookie::token)
            }
            TokenSource::Query(name) => one_value(query_values(event, kind, name)?)?.map(|v| one_token(v, None)),
        };
        if let Some(token) = found {
            return token;
        }
    }
    Err(Reason::MissingToken)
}

/// None, one value, or `ambiguous_token`.
fn one_value<T>(mut values: Vec<T>) -> Result<Option<T>, Reason> {
    match values.len() {
        0 => Ok(None),
        1 => Ok(values.pop()),
        _ => Err(Reason::AmbiguousToken),
    }
}

/// A value that must hold one token: `SCHEME <token>` with a scheme (case-insensitive, RFC
/// 9110 section 11.1; one or more spaces), else the token alone; spaces and tabs around it
/// are not part of it. A comma is two values; white space or a control character inside, a
/// wrong or missing scheme: not a token in the source's form.
pub fn one_token<'a>(value: Cow<'a, str>, scheme: Option<&str>) -> Result<Cow<'a, str>, Reason> {
    let trimmed = trim(&value);
    if trimmed.is_empty() {
        return Err(Reason::MissingToken);
    }
    if trimmed.contains(',') {
        return Err(Reason::AmbiguousToken);
    }
    let token = match scheme {
        None => trimmed,
        Some(scheme) => {
            let (written, rest) = trimmed.split_once(' ').ok_or(Reason::BadAuthorizationScheme)?;
            if !written.eq_ignore_ascii_case(scheme) {
                return Err(Reason::BadAuthorizationScheme);
            }
            rest.trim_start_matches(' ')
        }
    };
    // The usual token is printable ASCII, checked without branching per byte (so the compiler
    // vectorises it); only another token needs the char scan.
    let printable_ascii = token.bytes().fold(true, |ok, b| ok & (b > b' ') & (b < 0x7f));
    let has_space = !printable_ascii && token.contains(|c: char| c.is_whitespace() || c.is_control());
    if token.is_empty() || has_space {
        return Err(Reason::BadAuthorizationScheme);
    }
    let range = span(&value, token);
    Ok(part(value, range))
}

/// A map member of the event: absent or `null` is `None`, another type is not an event.
fn member<'o, 'a>(event: &'o Object<'a>, name: &str) -> Result<Option<&'o Object<'a>>, Reason> {
    match event.get(name) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Object(o)) => Ok(Some(o)),
        Some(_) => Err(Reason::InvalidEvent),
    }
}

fn text<'a>(value: &Json<'a>) -> Result<Cow<'a, str>, Reason> {
    match value {
        Json::Str(s) => Ok(s.clone()),
        _ => Err(Reason::InvalidEvent),
    }
}

/// Every value a single-value map (`headers`, `queryStringParameters`) and its multi-value
/// twin give one name: the multi-value map's values, then the single-value map's not among
/// them (API Gateway mirrors one into the other, the single map keeping one of the values).
/// Names compare exactly (query parameters) or not (`exact` false: headers).
fn map_values<'a>(
    single: Option<&Object<'a>>,
    multi: Vec<Cow<'a, str>>,
    name: &str,
    exact: bool,
) -> Result<Vec<Cow<'a, str>>, Reason> {
    let mut values = multi;
    let mirrored = values.len();
    for (n, value) in single.into_iter().flat_map(Object::members) {
        if same_name(n, name, exact) {
            let value = text(value)?;
            if !values[..mirrored].contains(&value) {
                values.push(value);
            }
        }
    }
    Ok(values)
}

fn same_name(a: &str, b: &str, exact: bool) -> bool {
    if exact { a == b } else { a.eq_ignore_ascii_case(b) }
}

/// The values of a multi-value map for one name.
fn multi_values<'a>(multi: Option<&Object<'a>>, name: &str, exact: bool) -> Result<Vec<Cow<'a, str>>, Reason> {
    let mut values = Vec::new();
    for (n, items) in multi.into_iter().flat_map(Object::members) {
        if same_name(n, name, exact) {
            let Json::Array(items) = items else { return Err(Reason::InvalidEvent) };
            for item in items {
                values.push(text(item)?);
            }
        }
    }
    Ok(values)
}

/// A header's values, by case-insensitive name (HTTP API 2.0 has only `headers`).
fn header_values<'a>(event: &Object<'a>, kind: EventKind, name: &str) -> Result<Vec<Cow<'a, str>>, Reason> {
    let multi = if kind == EventKind::HttpV2 {
        Vec::new()
    } else {
        multi_values(member(event, "multiValueHeaders")?, name, false)?
    };
    map_values(member(event, "headers")?, multi, name, false)
}

/// The event's cookie strings: HTTP API 2.0's `cookies` array, where API Gateway puts the
/// Cookie header (each item a cookie-pair, or several joined with `; `); otherwise the Cookie
/// header's values (HTTP/2 clients may send several).
fn cookie_strings<'a>(event: &Object<'a>, kind: EventKind) -> Result<Vec<Cow<'a, str>>, Reason> {
    if kind == EventKind::HttpV2 {
        match event.get("cookies") {
            None | Some(Json::Null) => {}
            Some(Json::Array(items)) => return items.iter().map(text).collect(),
            Some(_) => return Err(Reason::InvalidEvent),
        }
    }
    header_values(event, kind, "cookie")
}

/// A query parameter's values: REST (and WebSocket) `queryStringParameters` with
/// `multiValueQueryStringParameters`; HTTP API 2.0 `queryStringParameters` (repeats joined
/// with commas) with the decoded pairs of `rawQueryString`.
fn query_values<'a>(event: &Object<'a>, kind: EventKind, name: &str) -> Result<Vec<Cow<'a, str>>, Reason> {
    let multi = if kind == EventKind::HttpV2 {
        match event.get("rawQueryString") {
            None | Some(Json::Null) => Vec::new(),
            Some(Json::Str(raw)) => query::values(raw, name)?.into_iter().map(Cow::Owned).collect(),
            Some(_) => return Err(Reason::InvalidEvent),
        }
    } else {
        multi_values(member(event, "multiValueQueryStringParameters")?, name, true)?
    };
    map_values(member(event, "queryStringParameters")?, multi, name, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    fn sources(items: &[&str]) -> Vec<TokenSource> {
        parse_list("token_sources", &items.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    fn from(items: &[&str], kind: EventKind, event: &str) -> Result<String, Reason> {
        let doc = json::read_object(event.as_bytes()).unwrap();
        from_event(&sources(items), &doc, kind).map(Cow::into_owned)
    }

    #[test]
    fn items_are_read_and_checked() {
        assert_eq!(TokenSource::parse("authorization"), Some(TokenSource::Authorization));
        assert_eq!(
            TokenSource::parse("header:X-Api-Token"),
            Some(TokenSource::Header { name: "X-Api-Token".into(), scheme: None })
        );
        assert_eq!(
            TokenSource::parse("header:X-Api-Token:Token"),
            Some(TokenSource::Header { name: "X-Api-Token".into(), scheme: Some("Token".into()) })
        );
        assert_eq!(TokenSource::parse("cookie:__Host-access"), Some(TokenSource::Cookie("__Host-access".into())));
        assert_eq!(TokenSource::parse("query:access_token"), Some(TokenSource::Query("access_token".into())));
        assert_eq!(TokenSource::parse("query:a:b"), Some(TokenSource::Query("a:b".into())));
        for bad in [
            "",
            "Authorization",
            "authorization:x",
            "bearer",
            "header:",
            "header:a b",
            "header:a:",
            "header:a:b:c",
            "header:a:b c",
            "header:é",
            "cookie:",
            "cookie:a:b",
            "cookie:a=b",
            "cookie:a;b",
            "cookie:a b",
            "query:",
            "query:a&b",
            "query:a=b",
            "query:a#",
            "headers:x",
            "cookie",
        ] {
            assert!(TokenSource::parse(bad).is_none(), "{bad:?} accepted");
        }
        assert!(TokenSource::parse(&["query:", &"a".repeat(256)].concat()).is_some());
        assert!(TokenSource::parse(&["query:", &"a".repeat(257)].concat()).is_none());
        let list = |n: usize| vec!["authorization".to_owned(); n];
        assert!(parse_list("s", &list(8)).is_ok());
        assert_eq!(parse_list("s", &list(9)).unwrap_err().setting, "s");
        assert_eq!(parse_list("s", &[]).unwrap_err().setting, "s");
        let e = parse_list("token_sources", &["authorization".into(), "cookie:".into()]).unwrap_err();
        assert!(e.problem.contains("`cookie:`"), "{e}");
    }

    #[test]
    fn one_token_by_scheme() {
        let t = |v: &str, s: Option<&str>| one_token(Cow::Borrowed(v), s).map(Cow::into_owned);
        assert_eq!(t("Bearer abc", Some("Bearer")), Ok("abc".into()));
        assert_eq!(t(" bearer   abc\t", Some("Bearer")), Ok("abc".into()));
        assert_eq!(t("TOKEN abc", Some("Token")), Ok("abc".into()));
        assert_eq!(t("abc", None), Ok("abc".into()));
        assert_eq!(t(" abc ", None), Ok("abc".into()));
        assert_eq!(t("", None), Err(Reason::MissingToken));
        assert_eq!(t(" \t", Some("Bearer")), Err(Reason::MissingToken));
        assert_eq!(t("Bearer a,Bearer b", Some("Bearer")), Err(Reason::AmbiguousToken));
        assert_eq!(t("a, b", None), Err(Reason::AmbiguousToken));
        assert_eq!(t("Bearer abc", None), Err(Reason::BadAuthorizationScheme));
        assert_eq!(t("abc", Some("Bearer")), Err(Reason::BadAuthorizationScheme));
        assert_eq!(t("Basic abc", Some("Bearer")), Err(Reason::BadAuthorizationScheme));
        assert_eq!(t("Bearer ", Some("Bearer")), Err(Reason::BadAuthorizationScheme));
        assert_eq!(t("a\u{0}b", None), Err(Reason::BadAuthorizationScheme));
        assert_eq!(t("a\u{a0}b", None), Err(Reason::BadAuthorizationScheme));
        // Borrowed from the event's text when it is.
        assert!(matches!(one_token(Cow::Borrowed("Bearer abc"), Some("Bearer")), Ok(Cow::Borrowed("abc"))));
    }

    #[test]
    fn token_events_take_the_first_header_source() {
        let t = |items: &[&str], v: Option<&str>| {
            from_token_event(&sources(items), v.map(Cow::Borrowed)).map(Cow::into_owned)
        };
        assert_eq!(t(&["authorization"], Some("Bearer abc")), Ok("abc".into()));
        assert_eq!(t(&["cookie:a", "header:X-Token", "authorization"], Some("abc")), Ok("abc".into()));
        assert_eq!(
            t(&["cookie:a", "header:X-Token", "authorization"], Some("Bearer abc")),
            Err(Reason::BadAuthorizationScheme)
        );
        assert_eq!(t(&["query:t", "header:X-Token:Token"], Some("token abc")), Ok("abc".into()));
        assert_eq!(t(&["cookie:a", "query:t"], Some("Bearer abc")), Err(Reason::MissingToken));
        assert_eq!(t(&["authorization"], None), Err(Reason::MissingToken));
        assert_eq!(t(&["authorization"], Some("Bearer a,b")), Err(Reason::AmbiguousToken));
    }

    const REST: EventKind = EventKind::Request;
    const V2: EventKind = EventKind::HttpV2;

    #[test]
    fn headers_once_in_either_map() {
        let a = ["authorization"];
        assert_eq!(from(&a, REST, r#"{"headers":{"Authorization":"Bearer x"}}"#), Ok("x".into()));
        assert_eq!(
            from(
                &a,
                REST,
                r#"{"headers":{"Authorization":"Bearer x"},"multiValueHeaders":{"Authorization":["Bearer x"]}}"#
            ),
            Ok("x".into())
        );
        assert_eq!(from(&a, REST, r#"{"multiValueHeaders":{"authorization":["Bearer x"]}}"#), Ok("x".into()));
        for twice in [
            r#"{"headers":{"Authorization":"Bearer x","authorization":"Bearer y"}}"#,
            r#"{"headers":{"Authorization":"Bearer x","authorization":"Bearer x"}}"#,
            r#"{"headers":{"Authorization":"Bearer x"},"multiValueHeaders":{"Authorization":["Bearer x","Bearer y"]}}"#,
            r#"{"headers":{"Authorization":"Bearer y"},"multiValueHeaders":{"Authorization":["Bearer x","Bearer y"]}}"#,
            r#"{"headers":{"Authorization":"Bearer y"},"multiValueHeaders":{"Authorization":["Bearer x"]}}"#,
            r#"{"headers":{"authorization":"Bearer x,Bearer y"}}"#,
        ] {
            assert_eq!(from(&a, REST, twice), Err(Reason::AmbiguousToken), "{twice}");
        }
        // HTTP API 2.0: lower-case names, repeats joined with commas, no multi-value map.
        assert_eq!(from(&a, V2, r#"{"headers":{"authorization":"Bearer x, Bearer y"}}"#), Err(Reason::AmbiguousToken));
        assert_eq!(
            from(
                &a,
                V2,
                r#"{"headers":{"authorization":"Bearer x"},"multiValueHeaders":{"authorization":["Bearer y"]}}"#
            ),
            Ok("x".into())
        );
        let x = ["header:X-Api-Token"];
        assert_eq!(from(&x, V2, r#"{"headers":{"x-api-token":"abc"}}"#), Ok("abc".into()));
        assert_eq!(from(&x, V2, r#"{"headers":{"x-api-token":"Bearer abc"}}"#), Err(Reason::BadAuthorizationScheme));
        assert_eq!(from(&x, REST, r#"{"headers":{"Authorization":"Bearer abc"}}"#), Err(Reason::MissingToken));
        // Not a map, not a string: not an API Gateway event.
        assert_eq!(from(&a, REST, r#"{"headers":[]}"#), Err(Reason::InvalidEvent));
        assert_eq!(from(&a, REST, r#"{"headers":{"Authorization":1}}"#), Err(Reason::InvalidEvent));
        assert_eq!(from(&a, REST, r#"{"multiValueHeaders":{"Authorization":"Bearer x"}}"#), Err(Reason::InvalidEvent));
        assert_eq!(from(&a, REST, r#"{"headers":null,"multiValueHeaders":null}"#), Err(Reason::MissingToken));
    }

    #[test]
    fn sources_in_order_absent_is_next_malformed_is_final() {
        let list = ["cookie:session", "query:access_token", "authorization"];
        let ev = |parts: &str| ["{", parts, "}"].concat();
        let cookie = r#""headers":{"Cookie":"theme=dark; session=c1"}"#;
        let query = r#""queryStringParameters":{"access_token":"q1"}"#;
        let auth = r#""headers":{"Authorization":"Bearer a1"}"#;
        assert_eq!(from(&list, REST, &ev(cookie)), Ok("c1".into()));
        assert_eq!(from(&list, REST, &ev(&[query, ",", auth].concat())), Ok("q1".into()));
        assert_eq!(from(&list, REST, &ev(auth)), Ok("a1".into()));
        assert_eq!(from(&list, REST, &ev("")), Err(Reason::MissingToken));
        // The first found decides, even when it is malformed.
        assert_eq!(
            from(&list, REST, &ev(r#""headers":{"Cookie":"session=\"c1","Authorization":"Bearer a1"}"#)),
            Err(Reason::BadAuthorizationScheme)
        );
        assert_eq!(
            from(&list, REST, &ev(r#""headers":{"Cookie":"session=","Authorization":"Bearer a1"}"#)),
            Err(Reason::MissingToken)
        );
        assert_eq!(
            from(&list, REST, &ev(&[r#""queryStringParameters":{"access_token":"q 1"},"#, auth].concat())),
            Err(Reason::BadAuthorizationScheme)
        );
        assert_eq!(
            from(&list, REST, &ev(&[r#""queryStringParameters":{"access_token":"q1,q2"},"#, auth].concat())),
            Err(Reason::AmbiguousToken)
        );
    }

    #[test]
    fn cookies_from_the_array_or_the_header() {
        let c = ["cookie:session"];
        assert_eq!(from(&c, V2, r#"{"cookies":["theme=dark","session=abc"]}"#), Ok("abc".into()));
        assert_eq!(from(&c, V2, r#"{"cookies":["theme=dark; session=\"abc\""]}"#), Ok("abc".into()));
        assert_eq!(from(&c, V2, r#"{"cookies":["cookie1","cookie2"]}"#), Err(Reason::MissingToken));
        assert_eq!(from(&c, V2, r#"{"cookies":["session=a","session=b"]}"#), Err(Reason::AmbiguousToken));
        assert_eq!(from(&c, V2, r#"{"cookies":["session=a; session=a"]}"#), Err(Reason::AmbiguousToken));
        assert_eq!(from(&c, V2, r#"{"cookies":"session=a"}"#), Err(Reason::InvalidEvent));
        assert_eq!(from(&c, V2, r#"{"cookies":[1]}"#), Err(Reason::InvalidEvent));
        // Without the array, the header (payload 1.0 through an HTTP API, or REST).
        assert_eq!(from(&c, V2, r#"{"headers":{"cookie":"session=abc"}}"#), Ok("abc".into()));
        assert_eq!(
            from(&c, REST, r#"{"headers":{"Cookie":"session=abc"},"multiValueHeaders":{"Cookie":["session=abc"]}}"#),
            Ok("abc".into())
        );
        // HTTP/2 sends cookies in several header fields: one cookie in each is not a repeat.
        assert_eq!(
            from(&c, REST, r#"{"headers":{"Cookie":"b=2"},"multiValueHeaders":{"Cookie":["session=abc","b=2"]}}"#),
            Ok("abc".into())
        );
        assert_eq!(
            from(
                &c,
                REST,
                r#"{"headers":{"Cookie":"session=b"},"multiValueHeaders":{"Cookie":["session=abc","session=b"]}}"#
            ),
            Err(Reason::AmbiguousToken)
        );
        // Names are case-sensitive (RFC 6265 section 5.4 compares them exactly).
        assert_eq!(from(&c, V2, r#"{"cookies":["Session=abc"]}"#), Err(Reason::MissingToken));
    }

    #[test]
    fn query_parameters_rest_websocket_and_http_api() {
        let q = ["query:token"];
        assert_eq!(
            from(
                &q,
                REST,
                r#"{"queryStringParameters":{"token":"abc"},"multiValueQueryStringParameters":{"token":["abc"]}}"#
            ),
            Ok("abc".into())
        );
        assert_eq!(
            from(
                &q,
                REST,
                r#"{"queryStringParameters":{"token":"b"},"multiValueQueryStringParameters":{"token":["a","b"]}}"#
            ),
            Err(Reason::AmbiguousToken)
        );
        // WebSocket `$connect`: repeats joined with a comma in the single-value map.
        assert_eq!(
            from(&q, REST, r#"{"queryStringParameters":{"token":"a,b"},"multiValueQueryStringParameters":{}}"#),
            Err(Reason::AmbiguousToken)
        );
        assert_eq!(from(&q, REST, r#"{"queryStringParameters":{"Token":"abc"}}"#), Err(Reason::MissingToken));
        assert_eq!(
            from(&q, V2, r#"{"rawQueryString":"a=1&token=abc","queryStringParameters":{"a":"1","token":"abc"}}"#),
            Ok("abc".into())
        );
        assert_eq!(from(&q, V2, r#"{"rawQueryString":"to%6Ben=ab%63"}"#), Ok("abc".into()));
        assert_eq!(from(&q, V2, r#"{"queryStringParameters":{"token":"abc"}}"#), Ok("abc".into()));
        assert_eq!(
            from(&q, V2, r#"{"rawQueryString":"token=a&token=b","queryStringParameters":{"token":"a,b"}}"#),
            Err(Reason::AmbiguousToken)
        );
        assert_eq!(from(&q, V2, r#"{"rawQueryString":"token=a&token=a"}"#), Err(Reason::AmbiguousToken));
        assert_eq!(
            from(&q, V2, r#"{"rawQueryString":"token=a","queryStringParameters":{"token":"b"}}"#),
            Err(Reason::AmbiguousToken)
        );
        assert_eq!(from(&q, V2, r#"{"rawQueryString":"token=a+b"}"#), Err(Reason::BadAuthorizationScheme));
        assert_eq!(from(&q, V2, r#"{"rawQueryString":"token="}"#), Err(Reason::MissingToken));
        assert_eq!(from(&q, V2, r#"{"rawQueryString":5}"#), Err(Reason::InvalidEvent));
        assert_eq!(from(&q, REST, r#"{"multiValueQueryStringParameters":{"token":"abc"}}"#), Err(Reason::InvalidEvent));
    }
}
