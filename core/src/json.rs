//! Strict JSON: a repeated member name anywhere is an error.
//!
//! RFC 7515 section 5.2 lets a JWS parser either reject duplicate header names or take the last;
//! taking the last lets two parsers disagree about one token, so we reject. serde_json's own
//! recursion limit (128) bounds nesting, so hostile depth is an error, not a stack overflow.

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use std::borrow::Cow;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonError {
    Invalid,
    Duplicate,
    NotAnObject,
}

const DUPLICATE_MARK: &str = "jwtgate: duplicate member";

/// A JSON value read strictly, borrowing its strings from the text where they have no escapes:
/// the per-request documents (a token's header and claims) are read without copying each name
/// and string, and without building a `serde_json::Value` tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Json<'a> {
    Null,
    Bool(bool),
    Number(Number),
    Str(Cow<'a, str>),
    Array(Vec<Json<'a>>),
    Object(Object<'a>),
}

/// An object's members, sorted by name length, then name (sorting is how duplicates are found),
/// looked up by binary search: most comparisons then end at the lengths, without comparing
/// bytes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Object<'a> {
    members: Vec<(Cow<'a, str>, Json<'a>)>,
}

impl<'a> Json<'a> {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The same value as a `serde_json::Value` (owned).
    pub fn to_value(&self) -> Value {
        match self {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Number(n) => Value::Number(n.clone()),
            Json::Str(s) => Value::String(s.as_ref().to_owned()),
            Json::Array(items) => Value::Array(items.iter().map(Json::to_value).collect()),
            Json::Object(object) => Value::Object(object.to_map()),
        }
    }
}

impl<'a> Object<'a> {
    pub fn get(&self, name: &str) -> Option<&Json<'a>> {
        self.members.binary_search_by(|(n, _)| lookup_order(n, name)).ok().map(|i| &self.members[i].1)
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    pub fn to_map(&self) -> Map<String, Value> {
        self.members.iter().map(|(n, v)| (n.as_ref().to_owned(), v.to_value())).collect()
    }
}

/// Parse `bytes` as one JSON object with unique member names at every level, borrowing from
/// `bytes`.
pub fn read_object(bytes: &[u8]) -> Result<Object<'_>, JsonError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = match de.deserialize_any(StrictVisitor) {
        Ok(v) => v,
        Err(e) if e.to_string().starts_with(DUPLICATE_MARK) => return Err(JsonError::Duplicate),
        Err(_) => return Err(JsonError::Invalid),
    };
    de.end().map_err(|_| JsonError::Invalid)?;
    match value {
        Json::Object(object) => Ok(object),
        _ => Err(JsonError::NotAnObject),
    }
}

/// Parse `bytes` as one JSON object with unique member names at every level, as a
/// `serde_json` map (documents read once, such as a JWKS or an event).
pub fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, JsonError> {
    read_object(bytes).map(|object| object.to_map())
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

struct Strict<'a>(Json<'a>);

impl<'de> Deserialize<'de> for Strict<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

/// A member name, borrowed when it has no escapes (serde's own `Cow` always copies).
struct Name<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Name<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(StrictVisitor).and_then(|v| match v {
            Json::Str(s) => Ok(Name(s)),
            _ => Err(de::Error::custom("a member name")),
        })
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Json<'de>, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Json<'de>, E> {
        Ok(Json::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Json<'de>, E> {
        Ok(Json::Number(v.into()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Json<'de>, E> {
        Number::from_f64(v).map(Json::Number).ok_or_else(|| E::custom("non-finite number"))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Json<'de>, E> {
        Ok(Json::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Json<'de>, E> {
        Ok(Json::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<Json<'de>, E> {
        Ok(Json::Str(Cow::Owned(v)))
    }
    fn visit_unit<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }
    fn visit_none<E>(self) -> Result<Json<'de>, E> {
        Ok(Json::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json<'de>, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Json::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Json<'de>, A::Error> {
        let mut members = Vec::new();
        while let Some(Name(name)) = access.next_key()? {
            let Strict(value) = access.next_value()?;
            members.push((name, value));
        }
        // Sorting finds repeated names in O(n log n) even in a hostile document, and orders
        // the members for lookup.
        members.sort_unstable_by(|a, b| name_order(&a.0, &b.0));
        if members.windows(2).any(|pair| pair[0].0 == pair[1].0) {
            return Err(de::Error::custom(DUPLICATE_MARK));
        }
        Ok(Json::Object(Object { members }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_duplicates_at_any_depth() {
        assert_eq!(parse_object(br#"{"a":1,"a":2}"#), Err(JsonError::Duplicate));
        assert_eq!(parse_object(br#"{"x":[{"a":1,"a":1}]}"#), Err(JsonError::Duplicate));
        assert!(parse_object(br#"{"a":1,"b":{"a":2}}"#).is_ok());
    }

    #[test]
    fn rejects_non_objects_trailing_data_and_deep_nesting() {
        assert_eq!(parse_object(b"[]"), Err(JsonError::NotAnObject));
        assert_eq!(parse_object(br#"{} x"#), Err(JsonError::Invalid));
        let deep = format!("{{\"a\":{}1{}}}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(parse_object(deep.as_bytes()), Err(JsonError::Invalid));
    }

    #[test]
    fn every_member_is_found_and_no_other() {
        // Names of one length and of several, shared prefixes, non-ASCII: the lookup's order
        // must be the sort's.
        let names: Vec<String> = ["exp", "iat", "iss", "aud", "sub", "azp", "scp", "a", "", "scope", "client_id", "client_ie", "é", "zé", "\u{7f}x", "cognito:groups"]
            .iter()
            .map(|n| n.to_string())
            .chain((0..40).map(|i| format!("k{}", i * 7919 % 1000)))
            .collect();
        let doc = serde_json::to_vec(&names.iter().enumerate().map(|(i, n)| (n.clone(), Value::from(i))).collect::<Map<String, Value>>()).unwrap();
        let object = read_object(&doc).unwrap();
        for (i, name) in names.iter().enumerate() {
            assert_eq!(object.get(name), Some(&Json::Number(i.into())), "{name:?}");
        }
        for absent in ["ex", "expp", "iaa", "b", "client_i", "client_idd", "è", "k1001"] {
            assert_eq!(object.get(absent), None, "{absent:?}");
        }
    }

    #[test]
    fn escaped_duplicate_names_are_duplicates() {
        assert_eq!(parse_object(br#"{"alg":1,"\u0061lg":2}"#), Err(JsonError::Duplicate));
    }
}
