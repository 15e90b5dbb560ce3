//! Where a claim is in a token's payload: a top-level name (`sub`, `cognito:groups`) or a path
//! of names into nested objects (`realm_access.roles`, Keycloak's roles).
//!
//! Written as names separated by `.`; a name that holds a `.` (a namespaced claim such as
//! `https://example.com/roles`) or one of `,()"=` and white space is written in double quotes:
//! `"https://example.com/roles"`. The path is read the same way in every setting that takes one
//! (claim rules, the context mapping, the usage identifier), and never by trying the whole text
//! as a name first: which claim a rule reads must not depend on what the token holds.

use crate::json::{Json, Object};

/// The most names in one path.
pub const MAX_NAMES: usize = 8;
/// The longest path text.
pub const MAX_LEN: usize = 256;

/// A validated claim path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimPath {
    /// The path as written in the configuration (for the context key and for errors).
    text: String,
    names: Vec<String>,
}

/// A name on the way to the claim is there but is not an object, so the path cannot be
/// followed: the claim has the wrong shape (`invalid_claim` for a rule).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WrongType;

/// Characters that end an unquoted name (they separate the forms that hold paths).
const SPECIAL: &[char] = &['.', ',', '(', ')', '"', '=', ' '];

impl ClaimPath {
    /// Read a path as the configuration writes it: at most [`MAX_NAMES`] names, [`MAX_LEN`]
    /// bytes.
    pub fn parse(text: &str) -> Result<ClaimPath, &'static str> {
        if text.is_empty() {
            return Err("a claim path is empty");
        }
        if text.len() > MAX_LEN {
            return Err("a claim path is longer than 256 characters");
        }
        let mut names = Vec::new();
        let mut rest = text;
        loop {
            let name = if let Some(quoted) = rest.strip_prefix('"') {
                let end = quoted.find('"').ok_or("a quoted claim name has no closing `\"`")?;
                rest = &quoted[end + 1..];
                &quoted[..end]
            } else {
                let end = rest.find(SPECIAL).unwrap_or(rest.len());
                let name = &rest[..end];
                rest = &rest[end..];
                name
            };
            if name.is_empty() {
                return Err("a claim path has an empty name");
            }
            if name.chars().any(|c| c.is_control() || (c.is_whitespace() && c != ' ')) {
                return Err("a claim name has a control character");
            }
            names.push(name.to_owned());
            if names.len() > MAX_NAMES {
                return Err("a claim path has more than 8 names");
            }
            match rest.strip_prefix('.') {
                Some(next) => rest = next,
                None if rest.is_empty() => break,
                None => return Err("a claim path has a character that needs quotes (`.,()\"=` or a space)"),
            }
        }
        if names.iter().any(|n| n.trim() != n) {
            return Err("a claim name starts or ends with a space");
        }
        Ok(ClaimPath { text: text.to_owned(), names })
    }

    /// The path as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The names from the top level down.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The claim's value: `None` when a name is missing or the value is `null`.
    pub fn find<'c, 'a>(&self, claims: &'c Object<'a>) -> Result<Option<&'c Json<'a>>, WrongType> {
        let (last, outer) = self.names.split_last().expect("a path has a name");
        let mut object = claims;
        for name in outer {
            match object.get(name) {
                None | Some(Json::Null) => return Ok(None),
                Some(Json::Object(inner)) => object = inner,
                Some(_) => return Err(WrongType),
            }
        }
        Ok(object.get(last).filter(|v| !matches!(v, Json::Null)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        ClaimPath::parse(text).unwrap().names
    }

    #[test]
    fn forms() {
        assert_eq!(names("sub"), ["sub"]);
        assert_eq!(names("cognito:groups"), ["cognito:groups"]);
        assert_eq!(names("realm_access.roles"), ["realm_access", "roles"]);
        assert_eq!(names("\"https://example.com/roles\""), ["https://example.com/roles"]);
        assert_eq!(names("resource_access.\"my.app\".roles"), ["resource_access", "my.app", "roles"]);
        assert_eq!(names("a.b.c.d.e.f.g.h").len(), 8);
        for bad in [
            "",
            ".",
            "a.",
            ".a",
            "a..b",
            "a.b.c.d.e.f.g.h.i",
            "\"a",
            "a\"b\"",
            "a,b",
            "a(b)",
            "a=b",
            "\"\"",
            "a\tb",
            " a",
            "a b",
        ] {
            assert!(ClaimPath::parse(bad).is_err(), "{bad:?}");
        }
        assert!(ClaimPath::parse(&"a".repeat(MAX_LEN + 1)).is_err());
    }

    #[test]
    fn finds_nested_values() {
        let claims = crate::json::read_object(br#"{"a":{"b":{"c":1}},"s":"x","n":null,"a.b":"flat"}"#).unwrap();
        let find =
            |p: &str| ClaimPath::parse(p).unwrap().find(&claims).map(|v| v.map(|v| v.as_str().map(str::to_owned)));
        assert!(matches!(ClaimPath::parse("a.b.c").unwrap().find(&claims), Ok(Some(Json::Number(_)))));
        assert_eq!(find("s"), Ok(Some(Some("x".into()))));
        assert_eq!(find("n"), Ok(None));
        assert_eq!(find("missing.b"), Ok(None));
        assert_eq!(find("n.b"), Ok(None));
        assert_eq!(find("s.b"), Err(WrongType));
        // The dotted name is a path, never the flat member of that name.
        assert_eq!(find("a.b").map(|v| v.is_some()), Ok(true));
        assert!(matches!(ClaimPath::parse("a.b").unwrap().find(&claims), Ok(Some(Json::Object(_)))));
        assert_eq!(find("\"a.b\""), Ok(Some(Some("flat".into()))));
    }
}
