//! Cookies by name from Cookie header values (RFC 6265 section 4.2.1:
//! `cookie-string = cookie-pair *( ";" SP cookie-pair )`), bounded.
//!
//! Read as a server reads them (RFC 6265bis section 5.6): pairs split at `;`, spaces and tabs
//! around names and values dropped, a pair without `=` has an empty name (so it is never a
//! configured cookie). Names compare exactly (RFC 6265 section 5.4 matches them as sent).

use crate::field_value::{part, span, trim};
use crate::reason::Reason;
use std::borrow::Cow;

/// The most cookie text read from one event (every Cookie header or `cookies` item together).
pub const MAX_COOKIE_BYTES: usize = 64 * 1024;
/// The most cookie-pairs read from one event.
pub const MAX_COOKIE_PAIRS: usize = 200;

/// Every value of cookie `name` in `strings` (more than one is for the caller to refuse). Text
/// beyond the bounds is not an event API Gateway sends: `invalid_event`.
pub fn values<'a>(strings: &[Cow<'a, str>], name: &str) -> Result<Vec<Cow<'a, str>>, Reason> {
    if strings.iter().map(|s| s.len()).fold(0usize, usize::saturating_add) > MAX_COOKIE_BYTES {
        return Err(Reason::InvalidEvent);
    }
    let mut found = Vec::new();
    let mut pairs = 0;
    for string in strings {
        for pair in string.split(';') {
            let pair = trim(pair);
            if pair.is_empty() {
                continue;
            }
            pairs += 1;
            if pairs > MAX_COOKIE_PAIRS {
                return Err(Reason::InvalidEvent);
            }
            if let Some((n, value)) = pair.split_once('=')
                && trim(n) == name
            {
                found.push(part(string.clone(), span(string, trim(value))));
            }
        }
    }
    Ok(found)
}

/// The token a cookie's value holds: `cookie-value = *cookie-octet / ( DQUOTE *cookie-octet
/// DQUOTE )`. Empty: `missing_token`; a comma (which joins repeated values, and is no
/// cookie-octet): `ambiguous_token`; another byte that is no cookie-octet, or a quote not
/// closed: `bad_authorization_scheme` (not one token in the cookie's form).
pub fn token(value: Cow<'_, str>) -> Result<Cow<'_, str>, Reason> {
    let (start, end) = match value.strip_prefix('"') {
        None => (0, value.len()),
        Some(rest) if rest.ends_with('"') => (1, value.len() - 1),
        Some(_) => return Err(Reason::BadAuthorizationScheme),
    };
    let inner = &value[start..end];
    if inner.is_empty() {
        return Err(Reason::MissingToken);
    }
    if inner.contains(',') {
        return Err(Reason::AmbiguousToken);
    }
    // cookie-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E
    if !inner.bytes().all(|b| (0x21..=0x7e).contains(&b) && !matches!(b, b'"' | b',' | b';' | b'\\')) {
        return Err(Reason::BadAuthorizationScheme);
    }
    Ok(part(value, start..end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(strings: &[&str], name: &str) -> Result<Vec<String>, Reason> {
        let strings: Vec<Cow<'_, str>> = strings.iter().map(|s| Cow::Borrowed(*s)).collect();
        values(&strings, name).map(|v| v.into_iter().map(Cow::into_owned).collect())
    }

    fn one(s: &str) -> Result<String, Reason> {
        token(Cow::Borrowed(s)).map(Cow::into_owned)
    }

    /// RFC 6265 section 4.2.2 and 5.4's examples: `SID=31d4d96e407aad42; lang=en-US`.
    #[test]
    fn rfc_6265_examples() {
        let header = ["SID=31d4d96e407aad42; lang=en-US"];
        assert_eq!(of(&header, "SID"), Ok(vec!["31d4d96e407aad42".into()]));
        assert_eq!(of(&header, "lang"), Ok(vec!["en-US".into()]));
        assert_eq!(of(&header, "sid"), Ok(vec![]));
        assert_eq!(of(&["SID=31d4d96e407aad42"], "SID"), Ok(vec!["31d4d96e407aad42".into()]));
    }

    #[test]
    fn pairs_spaces_and_names() {
        assert_eq!(of(&["a=1;b=2 ;  c = 3 ;"], "c"), Ok(vec!["3".into()]));
        assert_eq!(of(&["a=1; a=2"], "a"), Ok(vec!["1".into(), "2".into()]));
        assert_eq!(of(&["a=1", "b=2; a=3"], "a"), Ok(vec!["1".into(), "3".into()]));
        // A pair without `=` has an empty name; `=` inside a value is part of it.
        assert_eq!(of(&["a; b=x=y"], "a"), Ok(vec![]));
        assert_eq!(of(&["a; b=x=y"], "b"), Ok(vec!["x=y".into()]));
        assert_eq!(of(&["=v; a=1"], "a"), Ok(vec!["1".into()]));
        assert_eq!(of(&[""], "a"), Ok(vec![]));
    }

    #[test]
    fn values_as_tokens() {
        assert_eq!(one("abc.def.ghi"), Ok("abc.def.ghi".into()));
        assert_eq!(one("\"abc\""), Ok("abc".into()));
        assert!(matches!(token(Cow::Borrowed("\"abc\"")), Ok(Cow::Borrowed("abc"))));
        assert_eq!(one(""), Err(Reason::MissingToken));
        assert_eq!(one("\"\""), Err(Reason::MissingToken));
        assert_eq!(one("\"abc"), Err(Reason::BadAuthorizationScheme));
        assert_eq!(one("\""), Err(Reason::BadAuthorizationScheme));
        assert_eq!(one("a\"b"), Err(Reason::BadAuthorizationScheme));
        assert_eq!(one("a b"), Err(Reason::BadAuthorizationScheme));
        assert_eq!(one("a\\b"), Err(Reason::BadAuthorizationScheme));
        assert_eq!(one("aé"), Err(Reason::BadAuthorizationScheme));
        assert_eq!(one("a,b"), Err(Reason::AmbiguousToken));
        assert_eq!(one("\"a,b\""), Err(Reason::AmbiguousToken));
    }

    #[test]
    fn bounded() {
        let many: String = (0..MAX_COOKIE_PAIRS).map(|i| format!("c{i}=v; ")).collect();
        assert_eq!(of(&[&many], "c199"), Ok(vec!["v".into()]));
        assert_eq!(of(&[&many, "x=1"], "x"), Err(Reason::InvalidEvent));
        let big = format!("a={}", "v".repeat(MAX_COOKIE_BYTES - 2));
        assert_eq!(of(&[&big], "a").map(|v| v.len()), Ok(1));
        assert_eq!(of(&[&big, "b"], "a"), Err(Reason::InvalidEvent));
    }
}
