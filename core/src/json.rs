//! Strict JSON (RFC 8259), read into values that borrow from the text.
//!
//! Every JSON document the core reads goes through here: a token's header and claims, a JWKS,
//! an API Gateway event, the configuration. Strict means:
//! - a repeated member name anywhere is an error. RFC 7515 section 5.2 lets a JWS parser either
//!   reject duplicate header names or take the last; taking the last lets two parsers disagree
//!   about one token, so we reject;
//! - the grammar exactly (no comments, trailing commas, leading zeros, lone surrogates, raw
//!   control characters, bytes that are not UTF-8), one value, whitespace around it;
//! - numbers beyond a double's range (1e309 and up) are errors: RFC 8259 section 6 warns they do
//!   not interoperate, and JavaScript and serde_json read them as infinity or refuse them;
//! - nesting is bounded ([`MAX_DEPTH`]), so hostile depth is an error, not a stack overflow.
//!
//! Numbers stay text ([`Number`]): the core compares dates as whole seconds and copies other
//! numbers into the authorizer context unchanged, so it never needs floating point (nor the
//! float parsing and printing code a general JSON library brings into the module).

use std::borrow::Cow;

/// Why a document was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonError {
    /// Not strict JSON (the grammar, UTF-8, the number range, [`MAX_DEPTH`]).
    Invalid,
    /// An object repeats a member name.
    Duplicate,
    /// Valid JSON, but not the object the reader asked for.
    NotAnObject,
}

/// The deepest nesting of arrays and objects read (the outermost counts as 1). The same as
/// serde_json's limit, so documents the hosts' own JSON code writes or reads also read here.
pub const MAX_DEPTH: usize = 127;

/// A JSON value read strictly, borrowing its strings from the text where they have no escapes.
#[derive(Debug, Clone, PartialEq)]
pub enum Json<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, kept as its text.
    Number(Number<'a>),
    /// A string, unescaped (borrowed when it has no escapes).
    Str(Cow<'a, str>),
    /// An array.
    Array(Vec<Json<'a>>),
    /// An object, its member names unique.
    Object(Object<'a>),
}

/// A JSON number, as written (checked against the grammar and the range).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Number<'a>(&'a str);

/// An object's members, sorted by name length, then name (sorting is how duplicates are found),
/// looked up by binary search: most comparisons then end at the lengths, without comparing
/// bytes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Object<'a> {
    members: Vec<(Cow<'a, str>, Json<'a>)>,
}

impl<'a> Json<'a> {
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The object, if this is one.
    pub fn as_object(&self) -> Option<&Object<'a>> {
        match self {
            Json::Object(o) => Some(o),
            _ => None,
        }
    }
}

impl<'a> Object<'a> {
    /// The value of member `name`.
    pub fn get(&self, name: &str) -> Option<&Json<'a>> {
        self.members.binary_search_by(|(n, _)| lookup_order(n, name)).ok().map(|i| &self.members[i].1)
    }

    /// Whether the object has member `name`.
    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The members, sorted by name length, then name.
    pub fn members(&self) -> impl Iterator<Item = (&str, &Json<'a>)> {
        self.members.iter().map(|(n, v)| (n.as_ref(), v))
    }
}

impl<'a> Number<'a> {
    /// The number exactly as the document wrote it.
    pub fn text(&self) -> &'a str {
        self.0
    }

    /// The number as a `u64` when it is written as a plain whole number that fits: what a
    /// count or a number of seconds in a configuration must be.
    pub fn to_u64(&self) -> Option<u64> {
        whole_number(self.0)
    }

    /// The whole numbers at or below and at or above the value (`floor`, `ceil`), saturated to
    /// `i64`. Comparisons of a fractional date with whole seconds are exact through them: for
    /// a whole `t`, `t >= v` exactly when `t >= ceil(v)`, and `t > v` when `t > floor(v)`.
    pub fn floor_ceil(&self) -> (i64, i64) {
        let d = Decimal::of(self.0);
        let Some(top) = d.top_power() else { return (0, 0) };
        // |v| >= 10^19 does not fit (i64::MAX is about 9.2e18): saturate.
        let (whole, fraction) = if top >= 19 {
            (i64::MAX, false)
        } else {
            // `top` < 19 bounds the digits before the point, so the value fits a u64.
            let before = d.int_len() + d.exponent; // digits before the point, zeros after the end
            let mut whole: u64 = 0;
            let mut fraction = false;
            for (i, digit) in d.digits().enumerate() {
                if (i as i64) < before {
                    whole = whole * 10 + u64::from(digit);
                } else if digit != 0 {
                    fraction = true;
                }
            }
            let written = (d.int_part.len() + d.frac_part.len()) as i64;
            for _ in written..before {
                whole *= 10;
            }
            (i64::try_from(whole).unwrap_or(i64::MAX), fraction)
        };
        // Saturating: `whole` may already be i64::MAX (a value in [2^63, 10^19)).
        let step = i64::from(fraction);
        if d.negative { (-whole - step, -whole) } else { (whole, whole.saturating_add(step)) }
    }
}

/// Digits only (no sign, point, exponent or space), as a `u64`: the one reading of a count, for
/// the configuration's JSON numbers and the environment's variables alike.
pub fn whole_number(text: &str) -> Option<u64> {
    if text.bytes().all(|b| b.is_ascii_digit()) { text.parse().ok() } else { None }
}

/// A number's parts: `-? int_part . frac_part e exponent`.
struct Decimal<'a> {
    negative: bool,
    int_part: &'a [u8],
    frac_part: &'a [u8],
    /// Saturated far beyond any meaningful scale (the range check needs only its sign and size).
    exponent: i64,
}

impl<'a> Decimal<'a> {
    /// Split a number the reader has checked against the grammar.
    fn of(text: &'a str) -> Decimal<'a> {
        let bytes = text.as_bytes();
        let negative = bytes.first() == Some(&b'-');
        let rest = &bytes[usize::from(negative)..];
        let mantissa_end = rest.iter().position(|&b| b == b'e' || b == b'E').unwrap_or(rest.len());
        let (mantissa, exponent_text) = rest.split_at(mantissa_end);
        let (int_part, frac_part) = match mantissa.iter().position(|&b| b == b'.') {
            Some(dot) => (&mantissa[..dot], &mantissa[dot + 1..]),
            None => (mantissa, &mantissa[mantissa.len()..]),
        };
        let mut exponent: i64 = 0;
        let mut exponent_negative = false;
        for &b in exponent_text.iter().skip(1) {
            match b {
                b'-' => exponent_negative = true,
                b'+' => {}
                _ => exponent = (exponent * 10 + i64::from(b - b'0')).min(1 << 40),
            }
        }
        if exponent_negative {
            exponent = -exponent;
        }
        Decimal { negative, int_part, frac_part, exponent }
    }

    fn int_len(&self) -> i64 {
        self.int_part.len() as i64
    }

    fn digits(&self) -> impl Iterator<Item = u8> + '_ {
        self.int_part.iter().chain(self.frac_part).map(|b| b - b'0')
    }

    /// The power of ten of the first significant digit; `None` for zero.
    #[inline]
    fn top_power(&self) -> Option<i64> {
        let leading_zeros = self.digits().position(|d| d != 0)?;
        Some(self.int_len() - 1 - leading_zeros as i64 + self.exponent)
    }
}

/// Parse `bytes` as one JSON value.
pub fn read(bytes: &[u8]) -> Result<Json<'_>, JsonError> {
    // UTF-8 checked once for the whole text: every string then slices it at ASCII quotes.
    let text = std::str::from_utf8(bytes).map_err(|_| JsonError::Invalid)?;
    let mut reader = Reader { text, at: 0 };
    let value = reader.value(0)?;
    reader.skip_whitespace();
    if reader.at != text.len() {
        return Err(JsonError::Invalid);
    }
    Ok(value)
}

/// Parse `bytes` as one JSON object.
pub fn read_object(bytes: &[u8]) -> Result<Object<'_>, JsonError> {
    match read(bytes)? {
        Json::Object(object) => Ok(object),
        _ => Err(JsonError::NotAnObject),
    }
}

/// The members' order: by length, then bytes.
fn name_order(a: &str, b: &str) -> std::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// `name_order`, for lookups: the bytes compared in a loop the compiler inlines. Claim names
/// are short and often of one length (`exp`, `iat`, `iss`, `aud`), and in wasm a `memcmp`
/// call for three bytes costs more than the comparison. (The sort keeps the compact form.)
fn lookup_order(a: &str, b: &str) -> std::cmp::Ordering {
    a.len().cmp(&b.len()).then_with(|| a.bytes().cmp(b.bytes()))
}

type Member<'a> = (Cow<'a, str>, Json<'a>);

/// Sort members by `name_order`: by insertion for the dozen or so of a token's header or claims,
/// by heapsort beyond (O(n log n) whatever a hostile document holds). Both are a few hundred
/// bytes of module, where the standard library's sort is about 4 KiB.
fn sort_members(members: &mut [Member<'_>]) {
    let less = |a: &Member<'_>, b: &Member<'_>| name_order(&a.0, &b.0).is_lt();
    if members.len() <= 16 {
        for i in 1..members.len() {
            let mut j = i;
            while j > 0 && less(&members[j], &members[j - 1]) {
                members.swap(j, j - 1);
                j -= 1;
            }
        }
        return;
    }
    // Max-heap on `less`, then the largest moved to the end one at a time.
    let sift_down = |members: &mut [Member<'_>], mut root: usize, end: usize| loop {
        let mut child = 2 * root + 1;
        if child >= end {
            return;
        }
        if child + 1 < end && less(&members[child], &members[child + 1]) {
            child += 1;
        }
        if !less(&members[root], &members[child]) {
            return;
        }
        members.swap(root, child);
        root = child;
    };
    for root in (0..members.len() / 2).rev() {
        sift_down(members, root, members.len());
    }
    for end in (1..members.len()).rev() {
        members.swap(0, end);
        sift_down(members, 0, end);
    }
}

struct Reader<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    /// Consume `byte` (after whitespace) or fail. Inlined (as is `Decimal::top_power`): every
    /// event, header and claims set is read through it.
    #[inline]
    fn expect(&mut self, byte: u8) -> Result<(), JsonError> {
        self.skip_whitespace();
        if self.peek() != Some(byte) {
            return Err(JsonError::Invalid);
        }
        self.at += 1;
        Ok(())
    }

    /// `depth`: the containers around this value.
    fn value(&mut self, depth: usize) -> Result<Json<'a>, JsonError> {
        self.skip_whitespace();
        match self.peek().ok_or(JsonError::Invalid)? {
            b'{' if depth < MAX_DEPTH => self.object(depth + 1).map(Json::Object),
            b'[' if depth < MAX_DEPTH => self.array(depth + 1).map(Json::Array),
            b'"' => self.string().map(Json::Str),
            b't' => self.literal("true", Json::Bool(true)),
            b'f' => self.literal("false", Json::Bool(false)),
            b'n' => self.literal("null", Json::Null),
            b'-' | b'0'..=b'9' => self.number().map(Json::Number),
            _ => Err(JsonError::Invalid),
        }
    }

    fn literal(&mut self, word: &str, value: Json<'a>) -> Result<Json<'a>, JsonError> {
        if !self.text[self.at..].starts_with(word) {
            return Err(JsonError::Invalid);
        }
        self.at += word.len();
        Ok(value)
    }

    fn object(&mut self, depth: usize) -> Result<Object<'a>, JsonError> {
        self.at += 1; // `{`
        // The document's own object (a token's header or claims, a JWKS) has a handful to a few
        // dozen members: room for them at once spares a chain of regrowths on every token.
        let mut members = if depth == 1 { Vec::with_capacity(16) } else { Vec::new() };
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(Object { members });
        }
        loop {
            self.expect(b'"')?;
            self.at -= 1;
            let name = self.string()?;
            self.expect(b':')?;
            members.push((name, self.value(depth)?));
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b'}') => break,
                _ => return Err(JsonError::Invalid),
            }
        }
        self.at += 1;
        // Sorting finds repeated names in O(n log n) even in a hostile document, and orders
        // the members for lookup.
        sort_members(&mut members);
        if members.windows(2).any(|pair| pair[0].0 == pair[1].0) {
            return Err(JsonError::Duplicate);
        }
        Ok(Object { members })
    }

    fn array(&mut self, depth: usize) -> Result<Vec<Json<'a>>, JsonError> {
        self.at += 1; // `[`
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(items);
        }
        loop {
            items.push(self.value(depth)?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.at += 1,
                Some(b']') => break,
                _ => return Err(JsonError::Invalid),
            }
        }
        self.at += 1;
        Ok(items)
    }

    /// A string, from its opening quote: borrowed when it has no escapes.
    fn string(&mut self) -> Result<Cow<'a, str>, JsonError> {
        self.at += 1;
        let start = self.at;
        let bytes = self.text.as_bytes();
        loop {
            match bytes.get(self.at) {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(Cow::Borrowed(&self.text[start..self.at - 1]));
                }
                Some(b'\\') => break,
                Some(0..=0x1f) | None => return Err(JsonError::Invalid),
                Some(_) => self.at += 1,
            }
        }
        let mut out = String::from(&self.text[start..self.at]);
        loop {
            match bytes.get(self.at) {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    self.at += 1;
                    let escaped = match bytes.get(self.at).ok_or(JsonError::Invalid)? {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return Err(JsonError::Invalid),
                    };
                    out.push(escaped);
                    self.at += 1;
                }
                Some(0..=0x1f) | None => return Err(JsonError::Invalid),
                Some(_) => {
                    // A run of plain characters, copied at once.
                    let run = bytes[self.at..].iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20);
                    let end = self.at + run.unwrap_or(bytes.len() - self.at);
                    out.push_str(&self.text[self.at..end]);
                    self.at = end;
                }
            }
        }
    }

    /// `\uXXXX` (at the `u`), a surrogate pair as two escapes; leaves `at` on the last digit.
    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if self.text.as_bytes().get(self.at + 1..self.at + 3) != Some(b"\\u") {
                    return Err(JsonError::Invalid);
                }
                self.at += 2;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(JsonError::Invalid);
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(JsonError::Invalid),
            _ => first,
        };
        char::from_u32(code).ok_or(JsonError::Invalid)
    }

    /// Four hex digits after the `u` at `at`; leaves `at` on the last.
    fn hex4(&mut self) -> Result<u32, JsonError> {
        let digits = self.text.as_bytes().get(self.at + 1..self.at + 5).ok_or(JsonError::Invalid)?;
        let mut code = 0;
        for &d in digits {
            code = code * 16 + char::from(d).to_digit(16).ok_or(JsonError::Invalid)?;
        }
        self.at += 4;
        Ok(code)
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, within a double's range.
    fn number(&mut self) -> Result<Number<'a>, JsonError> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek() {
            Some(b'0') => self.at += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(JsonError::Invalid),
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            self.required_digits()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            self.required_digits()?;
        }
        let number = Number(&self.text[start..self.at]);
        // The largest double is about 1.8e308.
        if Decimal::of(number.0).top_power().is_some_and(|top| top > 308) {
            return Err(JsonError::Invalid);
        }
        Ok(number)
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.at += 1;
        }
    }

    fn required_digits(&mut self) -> Result<(), JsonError> {
        if !matches!(self.peek(), Some(b'0'..=b'9')) {
            return Err(JsonError::Invalid);
        }
        self.digits();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(text: &str) -> Number<'_> {
        match read(text.as_bytes()) {
            Ok(Json::Number(n)) => n,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn rejects_duplicates_at_any_depth() {
        assert_eq!(read_object(br#"{"a":1,"a":2}"#), Err(JsonError::Duplicate));
        assert_eq!(read_object(br#"{"x":[{"a":1,"a":1}]}"#), Err(JsonError::Duplicate));
        assert!(read_object(br#"{"a":1,"b":{"a":2}}"#).is_ok());
    }

    #[test]
    fn rejects_non_objects_trailing_data_and_deep_nesting() {
        assert_eq!(read_object(b"[]"), Err(JsonError::NotAnObject));
        assert_eq!(read_object(br#"{} x"#), Err(JsonError::Invalid));
        let deep = format!("{{\"a\":{}1{}}}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(read_object(deep.as_bytes()), Err(JsonError::Invalid));
        let nest = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert!(read(nest(MAX_DEPTH).as_bytes()).is_ok());
        assert_eq!(read(nest(MAX_DEPTH + 1).as_bytes()), Err(JsonError::Invalid));
    }

    #[test]
    fn every_member_is_found_and_no_other() {
        // Names of one length and of several, shared prefixes, non-ASCII: the lookup's order
        // must be the sort's.
        let names: Vec<String> = [
            "exp",
            "iat",
            "iss",
            "aud",
            "sub",
            "azp",
            "scp",
            "a",
            "",
            "scope",
            "client_id",
            "client_ie",
            "é",
            "zé",
            "\u{7f}x",
            "cognito:groups",
        ]
        .iter()
        .map(|n| n.to_string())
        .chain((0..40).map(|i| format!("k{}", i * 7919 % 1000)))
        .collect();
        let members: Vec<String> = names.iter().enumerate().map(|(i, n)| format!("\"{n}\":{i}")).collect();
        let doc = format!("{{{}}}", members.join(","));
        let object = read_object(doc.as_bytes()).unwrap();
        for (i, name) in names.iter().enumerate() {
            let text = i.to_string();
            assert_eq!(object.get(name), Some(&Json::Number(Number(text.as_str()))), "{name:?}");
        }
        for absent in ["ex", "expp", "iaa", "b", "client_i", "client_idd", "è", "k1001"] {
            assert_eq!(object.get(absent), None, "{absent:?}");
        }
    }

    #[test]
    fn members_sort_in_lookup_order_at_every_size() {
        // Both sorts (insertion up to 16 members, heapsort beyond), on shuffled names.
        for n in [0, 1, 2, 15, 16, 17, 100, 1000] {
            let mut members: Vec<Member<'_>> =
                (0..n).map(|i| (Cow::Owned(format!("m{}", (i * 7919 + 13) % n.max(1))), Json::Null)).collect();
            sort_members(&mut members);
            assert!(members.windows(2).all(|p| name_order(&p[0].0, &p[1].0).is_lt()), "{n}");
            assert_eq!(members.len(), n);
        }
    }

    #[test]
    fn escaped_duplicate_names_are_duplicates() {
        assert_eq!(read_object(br#"{"alg":1,"\u0061lg":2}"#), Err(JsonError::Duplicate));
    }

    #[test]
    fn strings_unescape() {
        let doc = read_object(br#"{"a":"x\"\\\/\b\f\n\r\t\u00e9\uD83D\uDE00y","b":"plain"}"#).unwrap();
        assert_eq!(doc.get("a").and_then(Json::as_str), Some("x\"\\/\u{8}\u{c}\n\r\t\u{e9}\u{1F600}y"));
        assert!(matches!(doc.get("b"), Some(Json::Str(Cow::Borrowed("plain")))));
        for bad in [
            &br#"{"a":"\uD800"}"#[..],
            br#"{"a":"\uDC00"}"#,
            br#"{"a":"\uD800\u0041"}"#,
            b"{\"a\":\"\x01\"}",
            br#"{"a":"\x"}"#,
            br#"{"a":"\u12"}"#,
            b"{\"a\":\"\xff\"}",
        ] {
            assert_eq!(read_object(bad), Err(JsonError::Invalid), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn numbers_follow_the_grammar_and_the_range() {
        for good in
            ["0", "-0", "1", "10", "1.5", "-1.25e+3", "1E2", "1e-400", "1.7e308", "9e308", "0.000e999999999999999999"]
        {
            assert_eq!(number(good).text(), good);
        }
        for bad in
            ["01", "+1", ".5", "1.", "1e", "1e+", "-", "--1", "0x1", "1e309", "-1e309", "10e308", "NaN", "Infinity"]
        {
            assert_eq!(read(bad.as_bytes()), Err(JsonError::Invalid), "{bad}");
        }
    }

    #[test]
    fn whole_number_bounds() {
        for (text, floor, ceil) in [
            ("0", 0, 0),
            ("-0.0", 0, 0),
            ("1700000000", 1_700_000_000, 1_700_000_000),
            ("1700000000.5", 1_700_000_000, 1_700_000_001),
            ("-2.5", -3, -2),
            ("1.7e9", 1_700_000_000, 1_700_000_000),
            ("17e-1", 1, 2),
            ("0.001", 0, 1),
            ("-0.001", -1, 0),
            ("1e-400", 0, 1),
            ("123456789012345678.9", 123_456_789_012_345_678, 123_456_789_012_345_679),
            ("9223372036854775807", i64::MAX, i64::MAX),
            ("9999999999999999999", i64::MAX, i64::MAX),
            // Below 10^19 but above i64::MAX, with a fraction (a fuzzing find: the ceiling
            // overflowed, and wrapped to i64::MIN in builds without overflow checks).
            ("9999999999444440000.000000018", i64::MAX, i64::MAX),
            ("-9999999999444440000.5", i64::MIN, -i64::MAX),
            ("1e300", i64::MAX, i64::MAX),
            ("-1e300", -i64::MAX, -i64::MAX),
        ] {
            assert_eq!(number(text).floor_ceil(), (floor, ceil), "{text}");
        }
        assert_eq!(number("42").to_u64(), Some(42));
        for not_whole in ["-1", "4.0", "4e1", "18446744073709551616"] {
            assert_eq!(number(not_whole).to_u64(), None, "{not_whole}");
        }
    }
}
