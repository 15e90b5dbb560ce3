//! Query parameters by name from a raw query string, decoded as the WHATWG URL standard's
//! `application/x-www-form-urlencoded` parser does (section 5.1): pairs split at `&`, name and
//! value at the first `=`, `+` is a space, `%XX` a byte, a `%` not followed by two hex digits
//! itself; bytes that are not UTF-8 become U+FFFD. Bounded.

use crate::reason::Reason;

/// The longest raw query string read.
pub const MAX_QUERY_BYTES: usize = 64 * 1024;
/// The most parameters read from one query string.
pub const MAX_QUERY_PAIRS: usize = 200;

/// Every value of parameter `name` in `raw` (more than one is for the caller to refuse). Text
/// beyond the bounds is not an event API Gateway sends: `invalid_event`.
pub fn values(raw: &str, name: &str) -> Result<Vec<String>, Reason> {
    if raw.len() > MAX_QUERY_BYTES {
        return Err(Reason::InvalidEvent);
    }
    let mut found = Vec::new();
    for (i, pair) in raw.split('&').filter(|p| !p.is_empty()).enumerate() {
        if i >= MAX_QUERY_PAIRS {
            return Err(Reason::InvalidEvent);
        }
        let (n, value) = pair.split_once('=').unwrap_or((pair, ""));
        if decode(n) == name {
            found.push(decode(value));
        }
    }
    Ok(found)
}

/// The percent-decoding of `text` with `+` as a space.
pub fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let hex = |at: usize| bytes.get(at).and_then(|&c| (c as char).to_digit(16));
        match (b, hex(i + 1), hex(i + 2)) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (b'+', ..) => {
                out.push(b' ');
                i += 1;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding() {
        assert_eq!(decode("a%20b+c"), "a b c");
        assert_eq!(decode("%41%4a%4A"), "AJJ");
        assert_eq!(decode("100%"), "100%");
        assert_eq!(decode("%zz%4"), "%zz%4");
        assert_eq!(decode("%C3%A9"), "é");
        assert_eq!(decode("%FF"), "\u{FFFD}");
        assert_eq!(decode("%2B"), "+");
    }

    #[test]
    fn pairs() {
        assert_eq!(values("a=1&token=x&b", "token"), Ok(vec!["x".into()]));
        assert_eq!(values("token=x&&token=y", "token"), Ok(vec!["x".into(), "y".into()]));
        assert_eq!(values("token", "token"), Ok(vec!["".into()]));
        assert_eq!(values("token=a=b", "token"), Ok(vec!["a=b".into()]));
        assert_eq!(values("to%6Ben=1", "token"), Ok(vec!["1".into()]));
        assert_eq!(values("Token=1", "token"), Ok(vec![]));
        assert_eq!(values("", "token"), Ok(vec![]));
    }

    #[test]
    fn bounded() {
        let many: Vec<String> = (0..MAX_QUERY_PAIRS).map(|i| format!("p{i}=v")).collect();
        assert_eq!(values(&many.join("&"), "p199"), Ok(vec!["v".into()]));
        assert_eq!(values(&[many.join("&").as_str(), "x=1"].join("&"), "x"), Err(Reason::InvalidEvent));
        let big = format!("t={}", "v".repeat(MAX_QUERY_BYTES - 2));
        assert_eq!(values(&big, "t").map(|v| v.len()), Ok(1));
        assert_eq!(values(&[&big, "&"].concat(), "t"), Err(Reason::InvalidEvent));
    }
}
