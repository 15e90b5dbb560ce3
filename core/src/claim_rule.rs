//! A claim rule: what one claim of a token must hold for a profile or a route to accept it
//! (`claim_rules`, and the claim terms of route rules).
//!
//! One operator per rule:
//! - `equals(PATH,VALUE)` and `one_of(PATH,V1,V2,...)`: the claim is a string, number or
//!   boolean, compared as text: a string as itself, a boolean as `true`/`false`, a number as
//!   the token wrote it; an integral number also as its plain decimal, so `1.0` equals `1`.
//!   Any other type is `invalid_claim`.
//! - `contains_all(PATH,V1,...)` and `contains_any(PATH,V1,...)`: the claim is an array of
//!   strings or a space-separated string (`scope`-like); any other type is `invalid_claim`.
//! - `present(PATH)`: the claim exists and is not `null`.
//!
//! An absent (or `null`) claim fails the rule; a path through a value that is not an object is
//! `invalid_claim` (see `claim_path`). Written as text (`contains_any(cognito:groups,admin)`,
//! a value in double quotes when it holds `,()"` or white space) or as JSON
//! (`{"claim": "realm_access.roles", "contains_all": ["admin"]}`).
//!
//! Checking a rule never allocates: the claim is found in the token's parsed claims and
//! compared with the rule's values in place.

use crate::claim_path::{ClaimPath, WrongType};
use crate::json::{self, Json, Object};
use crate::json_text::{self, ArrayText, ObjectText};
use crate::reason::Reason;

/// The most rules in one list (`claim_rules`, or one route rule's claim terms).
pub const MAX_RULES: usize = 20;
/// The most values in one rule.
pub const MAX_VALUES: usize = 50;
/// The longest value, in bytes.
pub const MAX_VALUE_LEN: usize = 256;

/// The operators' names, as the text form and the JSON form's member write them.
pub const OPERATORS: [&str; 5] = ["equals", "one_of", "contains_all", "contains_any", "present"];

/// A value a rule compares a claim with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Value {
    text: String,
    /// The value read as a plain decimal integer (`-12`, `0`; not `01`, `+1`, `-0`), which an
    /// integral number claim written any way (`12.0`, `1.2e1`) also equals.
    integer: Option<i64>,
}

impl Value {
    /// A value as written; read as an integer too when it is a plain decimal one.
    pub fn new(text: &str) -> Value {
        let (negative, digits) = match text.strip_prefix('-') {
            Some(digits) => (true, digits),
            None => (false, text),
        };
        let plain = !digits.starts_with('0') || (digits == "0" && !negative);
        let integer = json::whole_number(digits)
            .filter(|_| plain)
            .and_then(|n| i64::try_from(n).ok())
            .map(|n| if negative { -n } else { n });
        Value { text: text.to_owned(), integer }
    }

    /// The value as written.
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// What the claim must hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Test {
    /// `equals(CLAIM,V)`: the claim (a string, number or boolean) is V.
    Equals(Value),
    /// `one_of(CLAIM,V,...)`: the claim (a string, number or boolean) is one of the values.
    OneOf(Vec<Value>),
    /// `contains_all(CLAIM,V,...)`: the claim (an array of strings, or space-separated
    /// words) holds every value.
    ContainsAll(Vec<Value>),
    /// `contains_any(CLAIM,V,...)`: the claim (an array of strings, or space-separated
    /// words) holds at least one value.
    ContainsAny(Vec<Value>),
    /// `present(CLAIM)`: the claim is there, whatever its value.
    Present,
}

impl Test {
    /// The operator's name ([`OPERATORS`]).
    pub fn operator(&self) -> &'static str {
        OPERATORS[match self {
            Test::Equals(_) => 0,
            Test::OneOf(_) => 1,
            Test::ContainsAll(_) => 2,
            Test::ContainsAny(_) => 3,
            Test::Present => 4,
        }]
    }

    /// The values it compares with (none for `present`).
    pub fn values(&self) -> &[Value] {
        match self {
            Test::Equals(v) => std::slice::from_ref(v),
            Test::OneOf(v) | Test::ContainsAll(v) | Test::ContainsAny(v) => v,
            Test::Present => &[],
        }
    }

    /// The test `operator` names with `values` (checked: count and sizes).
    fn of(operator: &str, values: Vec<String>) -> Result<Test, &'static str> {
        let at = OPERATORS
            .iter()
            .position(|o| *o == operator)
            .ok_or("not a claim rule operator (equals, one_of, contains_all, contains_any, present)")?;
        let mut values: Vec<Value> = values.iter().map(|v| Value::new(v)).collect();
        let test = match at {
            0 if values.len() == 1 => Test::Equals(values.remove(0)),
            0 => return Err("`equals` takes exactly one value"),
            1 => Test::OneOf(values),
            2 => Test::ContainsAll(values),
            3 => Test::ContainsAny(values),
            _ if values.is_empty() => Test::Present,
            _ => return Err("`present` takes no value"),
        };
        test.check_bounds()?;
        Ok(test)
    }

    fn check_bounds(&self) -> Result<(), &'static str> {
        let values = self.values();
        if values.is_empty() && !matches!(self, Test::Present) {
            return Err("the operator needs at least one value");
        }
        if values.len() > MAX_VALUES {
            return Err("more than 50 values");
        }
        if values.iter().any(|v| v.text.is_empty()) {
            return Err("a value is empty");
        }
        if values.iter().any(|v| v.text.len() > MAX_VALUE_LEN) {
            return Err("a value is longer than 256 bytes");
        }
        Ok(())
    }
}

/// One claim rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimRule {
    /// Where the claim is.
    pub path: ClaimPath,
    /// What it must hold.
    pub test: Test,
}

/// A claim's value compared as text (`equals`, `one_of`).
enum Scalar<'c> {
    Text(&'c str),
    /// The number as written, and its value when it is a whole number within `i64`.
    Number(&'c str, Option<i64>),
}

impl Scalar<'_> {
    fn of<'c>(value: &'c Json<'_>) -> Result<Scalar<'c>, Reason> {
        match value {
            Json::Str(s) => Ok(Scalar::Text(s)),
            Json::Bool(b) => Ok(Scalar::Text(if *b { "true" } else { "false" })),
            Json::Number(n) => {
                let (floor, ceil) = n.floor_ceil();
                // Saturated (beyond 10^19) is not a value: compared as written only.
                let whole = (floor == ceil && floor != i64::MAX && floor != -i64::MAX).then_some(floor);
                Ok(Scalar::Number(n.text(), whole))
            }
            _ => Err(Reason::InvalidClaim),
        }
    }

    fn is(&self, value: &Value) -> bool {
        match *self {
            Scalar::Text(text) => text == value.text,
            Scalar::Number(text, whole) => text == value.text || (whole.is_some() && whole == value.integer),
        }
    }
}

/// A claim read as a set of strings (`contains_all`, `contains_any`).
enum Members<'c, 'a> {
    Array(&'c [Json<'a>]),
    Words(&'c str),
}

impl<'c, 'a> Members<'c, 'a> {
    fn of(value: &'c Json<'a>) -> Result<Members<'c, 'a>, Reason> {
        match value {
            Json::Str(s) => Ok(Members::Words(s)),
            Json::Array(items) if items.iter().all(|i| matches!(i, Json::Str(_))) => Ok(Members::Array(items)),
            _ => Err(Reason::InvalidClaim),
        }
    }

    fn contains(&self, value: &Value) -> bool {
        match self {
            Members::Array(items) => items.iter().any(|i| i.as_str() == Some(value.text.as_str())),
            Members::Words(words) => words.split(' ').any(|w| w == value.text),
        }
    }
}

impl ClaimRule {
    /// Whether `claims` meet the rule: `Ok(false)` when the claim is absent or does not hold
    /// the values, `Err(InvalidClaim)` when it has a type the operator does not read.
    pub fn check(&self, claims: &Object<'_>) -> Result<bool, Reason> {
        let value = match self.path.find(claims) {
            Err(WrongType) => return Err(Reason::InvalidClaim),
            Ok(None) => return Ok(false),
            Ok(Some(value)) => value,
        };
        Ok(match &self.test {
            Test::Present => true,
            Test::Equals(v) => Scalar::of(value)?.is(v),
            Test::OneOf(values) => {
                let scalar = Scalar::of(value)?;
                values.iter().any(|v| scalar.is(v))
            }
            Test::ContainsAll(values) => {
                let members = Members::of(value)?;
                values.iter().all(|v| members.contains(v))
            }
            Test::ContainsAny(values) => {
                let members = Members::of(value)?;
                values.iter().any(|v| members.contains(v))
            }
        })
    }

    /// The text form: `OP(PATH)` or `OP(PATH,V1,V2,...)`; a value in double quotes may hold
    /// `,()` and white space; around the path and each value, spaces are dropped.
    pub fn parse(text: &str) -> Result<ClaimRule, String> {
        parse_text(text).map_err(|why| about(text, why))
    }

    /// A JSON list item: the text form, or `{"claim": PATH, OPERATOR: value(s)}` (`equals`: a
    /// string, number or boolean; `one_of`, `contains_*`: a list of them; `present`: `true`).
    pub fn from_json(item: &Json<'_>) -> Result<ClaimRule, String> {
        let object = match item {
            Json::Str(text) => return ClaimRule::parse(text),
            Json::Object(object) => object,
            _ => return Err("a claim rule is not rule text or an object".to_owned()),
        };
        match object.get("claim") {
            Some(Json::Str(claim)) => parse_object(claim, object).map_err(|why| about(claim, why)),
            _ => Err("a claim rule has no `claim` string".to_owned()),
        }
    }

    /// The JSON form `from_json` reads back as this rule.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        let mut doc = ObjectText::new(out);
        doc.string("claim", self.path.text());
        match &self.test {
            Test::Present => doc.bool("present", true),
            Test::Equals(v) => doc.string("equals", &v.text),
            test => {
                let mut items = ArrayText::new(doc.member(test.operator()));
                for v in test.values() {
                    json_text::string(items.item(), &v.text);
                }
                items.end();
            }
        }
        doc.end();
    }

    /// The rule's bounds, for rules built other than by `parse` and `from_json`.
    pub fn check_bounds(&self) -> Result<(), String> {
        self.test.check_bounds().map_err(|why| about(self.path.text(), why))
    }
}

/// `` `text`: why ``: every error here names the rule (or claim) it is about.
#[inline(never)]
fn about(text: &str, why: &str) -> String {
    ["`", text, "`: ", why].concat()
}

fn parse_text(text: &str) -> Result<ClaimRule, &'static str> {
    // Balanced, and not nested: the one `(` is the operator's.
    split_outside(text, |_| false)?;
    let (operator, rest) = text.split_once('(').ok_or("expected `OPERATOR(claim,value,...)`")?;
    let inner = rest.strip_suffix(')').ok_or("expected `)` at the end")?;
    let mut items = split_outside(inner, |c| c == ',')?.into_iter().map(str::trim);
    let path = ClaimPath::parse(items.next().unwrap_or_default())?;
    let mut values = Vec::new();
    for item in items {
        let value = match item.strip_prefix('"') {
            Some(quoted) => {
                quoted.strip_suffix('"').filter(|v| !v.contains('"')).ok_or("a quoted value has no closing `\"`")?
            }
            None if item.contains(['"', '(', ')']) || item.contains(char::is_whitespace) => {
                return Err("a value holding `\"()` or white space is written in double quotes");
            }
            None => item,
        };
        values.push(value.to_owned());
    }
    Ok(ClaimRule { path, test: Test::of(operator.trim(), values)? })
}

fn parse_object(claim: &str, object: &Object<'_>) -> Result<ClaimRule, &'static str> {
    let mut members = object.members().filter(|(name, _)| *name != "claim");
    let (name, value) = members.next().ok_or("no operator (equals, one_of, contains_all, contains_any, present)")?;
    if members.next().is_some() {
        return Err("more than one operator, or an unknown member");
    }
    let values = match (name, value) {
        _ if !OPERATORS.contains(&name) => Vec::new(),
        ("present", Json::Bool(true)) => Vec::new(),
        ("present", _) => return Err("`present` is `true`"),
        ("equals", value) => vec![scalar_text(value).ok_or("`equals` is a string, number or boolean")?],
        (_, Json::Array(items)) => {
            items.iter().map(scalar_text).collect::<Option<_>>().ok_or("a value is not a string, number or boolean")?
        }
        _ => return Err("the operator takes a list of values"),
    };
    let test = Test::of(name, values)?;
    Ok(ClaimRule { path: ClaimPath::parse(claim)?, test })
}

/// A rule value from JSON: a string as itself, a boolean as `true`/`false`, a number as its
/// plain decimal when it is a whole number within `i64`, else as written.
fn scalar_text(value: &Json<'_>) -> Option<String> {
    match Scalar::of(value).ok()? {
        Scalar::Text(text) => Some(text.to_owned()),
        Scalar::Number(_, Some(whole)) if whole < 0 => Some(["-", &json_text::decimal(whole.unsigned_abs())].concat()),
        Scalar::Number(_, Some(whole)) => Some(json_text::decimal(whole as u64)),
        Scalar::Number(text, None) => Some(text.to_owned()),
    }
}

/// At most [`MAX_RULES`].
fn bounded(rules: Vec<ClaimRule>) -> Result<Vec<ClaimRule>, String> {
    if rules.len() > MAX_RULES {
        return Err("more than 20 rules".to_owned());
    }
    Ok(rules)
}

/// A list of claim rules (`claim_rules`): from a JSON list, each item the text or JSON form.
pub fn list_from_json(items: &[Json<'_>]) -> Result<Vec<ClaimRule>, String> {
    let mut rules = Vec::new();
    for item in items {
        rules.push(ClaimRule::from_json(item)?);
    }
    bounded(rules)
}

/// A list of claim rules in text, separated by white space outside parentheses (`CLAIM_RULES`).
pub fn list_from_text(text: &str) -> Result<Vec<ClaimRule>, String> {
    let mut rules = Vec::new();
    for term in split_outside(text, char::is_whitespace).map_err(|why| about(text, why))? {
        if !term.is_empty() {
            rules.push(ClaimRule::parse(term)?);
        }
    }
    bounded(rules)
}

/// Write `rules` as a JSON list of rule objects.
pub fn write_list(out: &mut Vec<u8>, rules: &[ClaimRule]) {
    let mut items = ArrayText::new(out);
    for rule in rules {
        rule.write_json(items.item());
    }
    items.end();
}

/// Whether a term is a claim rule (`OP(...)` with OP one of [`OPERATORS`]) rather than a scope.
pub fn is_rule(term: &str) -> bool {
    term.split_once('(').is_some_and(|(op, _)| OPERATORS.contains(&op))
}

/// `text` cut at each character `separator` accepts that is outside parentheses and double
/// quotes. Parentheses do not nest; an unbalanced one or quote is an error.
pub fn split_outside(text: &str, separator: impl Fn(char) -> bool) -> Result<Vec<&str>, &'static str> {
    let (mut parts, mut start, mut open, mut quoted) = (Vec::new(), 0, false, false);
    for (at, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            _ if quoted => {}
            '(' if open => return Err("parentheses inside parentheses"),
            '(' => open = true,
            ')' if !open => return Err("a `)` without its `(`"),
            ')' => open = false,
            c if !open && separator(c) => {
                parts.push(&text[start..at]);
                start = at + c.len_utf8();
            }
            _ => {}
        }
    }
    if quoted {
        return Err("a `\"` without its closing `\"`");
    }
    if open {
        return Err("a `(` without its `)`");
    }
    parts.push(&text[start..]);
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;

    fn rule(text: &str) -> ClaimRule {
        ClaimRule::parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    fn check(rule_text: &str, claims: &str) -> Result<bool, Reason> {
        let claims = json::read_object(claims.as_bytes()).unwrap();
        rule(rule_text).check(&claims)
    }

    #[test]
    fn equals_compares_strings_numbers_and_booleans_as_text() {
        assert_eq!(check("equals(tenant,acme)", r#"{"tenant":"acme"}"#), Ok(true));
        assert_eq!(check("equals(tenant,acme)", r#"{"tenant":"Acme"}"#), Ok(false));
        assert_eq!(check("equals(tenant,acme)", r#"{"tenant":"acme "}"#), Ok(false));
        assert_eq!(check("equals(email_verified,true)", r#"{"email_verified":true}"#), Ok(true));
        assert_eq!(check("equals(email_verified,true)", r#"{"email_verified":false}"#), Ok(false));
        assert_eq!(check("equals(email_verified,true)", r#"{"email_verified":"true"}"#), Ok(true));
        assert_eq!(check("equals(level,1)", r#"{"level":1}"#), Ok(true));
        assert_eq!(
            check("equals(level,1)", r#"{"level":1.0}"#),
            Ok(true),
            "an integral number is its plain decimal too"
        );
        assert_eq!(check("equals(level,1)", r#"{"level":1e0}"#), Ok(true));
        assert_eq!(check("equals(level,1)", r#"{"level":10E-1}"#), Ok(true));
        assert_eq!(check("equals(level,1)", r#"{"level":1.5}"#), Ok(false));
        assert_eq!(check("equals(level,1)", r#"{"level":"1.0"}"#), Ok(false), "a string is only itself");
        assert_eq!(check("equals(level,1.0)", r#"{"level":1.0}"#), Ok(true), "as the token wrote it");
        assert_eq!(check("equals(level,1.0)", r#"{"level":1}"#), Ok(false));
        assert_eq!(check("equals(level,-3)", r#"{"level":-3.00}"#), Ok(true));
        assert_eq!(check("equals(level,0)", r#"{"level":-0}"#), Ok(true));
        assert_eq!(check("equals(level,01)", r#"{"level":1}"#), Ok(false), "`01` is not a plain decimal");
        assert_eq!(check("equals(n,9223372036854775807)", r#"{"n":1e30}"#), Ok(false), "no saturated reading");
        assert_eq!(check("equals(n,100000000000000000000)", r#"{"n":100000000000000000000}"#), Ok(true));
        assert_eq!(check("equals(tenant,acme)", r#"{"tenant":["acme"]}"#), Err(Reason::InvalidClaim));
        assert_eq!(check("equals(tenant,acme)", r#"{"tenant":{"id":"acme"}}"#), Err(Reason::InvalidClaim));
        assert_eq!(check("equals(tenant,acme)", r#"{}"#), Ok(false));
        assert_eq!(check("equals(tenant,acme)", r#"{"tenant":null}"#), Ok(false));
    }

    #[test]
    fn one_of_takes_any_listed_value() {
        assert_eq!(check("one_of(tenant,acme,globex)", r#"{"tenant":"globex"}"#), Ok(true));
        assert_eq!(check("one_of(tenant,acme,globex)", r#"{"tenant":"initech"}"#), Ok(false));
        assert_eq!(check("one_of(tier,1,2)", r#"{"tier":2.0}"#), Ok(true));
        assert_eq!(check("one_of(flag,true,false)", r#"{"flag":false}"#), Ok(true));
        assert_eq!(check("one_of(tenant,acme)", r#"{"tenant":["acme"]}"#), Err(Reason::InvalidClaim));
        assert_eq!(check("one_of(tenant,acme)", r#"{"other":1}"#), Ok(false));
    }

    #[test]
    fn contains_reads_arrays_and_space_separated_strings() {
        let groups = r#"{"cognito:groups":["admin","ops"],"scope":"read  write","empty":[],"mixed":["a",1],"n":5,"o":{},"b":true}"#;
        assert_eq!(check("contains_any(cognito:groups,admin,dev)", groups), Ok(true));
        assert_eq!(check("contains_any(cognito:groups,dev)", groups), Ok(false));
        assert_eq!(check("contains_all(cognito:groups,admin,ops)", groups), Ok(true));
        assert_eq!(check("contains_all(cognito:groups,admin,dev)", groups), Ok(false));
        assert_eq!(check("contains_all(scope,write,read)", groups), Ok(true));
        assert_eq!(check("contains_any(scope,rea)", groups), Ok(false), "whole words only");
        assert_eq!(check("contains_any(empty,a)", groups), Ok(false));
        assert_eq!(check("contains_any(mixed,a)", groups), Err(Reason::InvalidClaim), "every item a string");
        for claim in ["n", "o", "b"] {
            assert_eq!(check(&format!("contains_any({claim},a)"), groups), Err(Reason::InvalidClaim), "{claim}");
        }
        assert_eq!(check("contains_any(absent,a)", groups), Ok(false));
    }

    #[test]
    fn present_and_nested_paths() {
        let claims = r#"{"realm_access":{"roles":["admin"]},"tenant":null,"s":"x","https://example.com/roles":["r"]}"#;
        assert_eq!(check("present(realm_access.roles)", claims), Ok(true));
        assert_eq!(check("present(tenant)", claims), Ok(false), "null is absent");
        assert_eq!(check("present(missing)", claims), Ok(false));
        assert_eq!(check("present(s.x)", claims), Err(Reason::InvalidClaim), "a path through a string");
        assert_eq!(check("contains_all(realm_access.roles,admin)", claims), Ok(true));
        assert_eq!(check("contains_any(\"https://example.com/roles\",r)", claims), Ok(true));
        assert_eq!(check("contains_any(https://example.com/roles,r)", claims), Ok(false), "unquoted: a path of names");
    }

    #[test]
    fn text_form() {
        let r = rule(" contains_any( cognito:groups , admin, \"a b,(c)\" )".trim());
        assert_eq!((r.path.text(), r.test.operator()), ("cognito:groups", "contains_any"));
        assert_eq!(r.test.values().iter().map(Value::text).collect::<Vec<_>>(), ["admin", "a b,(c)"]);
        assert_eq!(rule("present(tenant)").test, Test::Present);
        for (bad, needle) in [
            ("present", "OPERATOR("),
            ("present(tenant", "`)`"),
            ("has(tenant,a)", "`has(tenant,a)`: not a claim rule operator"),
            ("equals(tenant)", "exactly one value"),
            ("equals(tenant,a,b)", "exactly one value"),
            ("one_of(tenant)", "at least one value"),
            ("present(tenant,a)", "no value"),
            ("equals(,a)", "a claim path is empty"),
            ("equals(a..b,a)", "empty name"),
            ("equals(tenant,)", "empty"),
            ("equals(tenant,a b)", "double quotes"),
            ("equals(tenant,\"a)", "closing"),
            ("equals(tenant,(a))", "parentheses inside"),
            ("equals(tenant,a))", "without its `(`"),
        ] {
            let e = ClaimRule::parse(bad).expect_err(bad);
            assert!(e.contains(needle), "{bad}: {e}");
        }
        let many = format!("one_of(t,{})", (0..=MAX_VALUES).map(|i| i.to_string()).collect::<Vec<_>>().join(","));
        assert!(ClaimRule::parse(&many).unwrap_err().contains("more than 50"));
        assert!(ClaimRule::parse(&format!("equals(t,{})", "v".repeat(MAX_VALUE_LEN + 1))).unwrap_err().contains("256"));
        assert!(ClaimRule::parse(&format!("equals(t,{})", "v".repeat(MAX_VALUE_LEN))).is_ok());
    }

    #[test]
    fn json_form_and_its_writer() {
        let read = |text: &str| ClaimRule::from_json(&json::read(text.as_bytes()).unwrap());
        assert_eq!(
            read(r#"{"claim":"realm_access.roles","contains_all":["admin"]}"#).unwrap(),
            rule("contains_all(realm_access.roles,admin)")
        );
        assert_eq!(read(r#"{"claim":"email_verified","equals":true}"#).unwrap(), rule("equals(email_verified,true)"));
        assert_eq!(read(r#"{"claim":"level","equals":1.0}"#).unwrap(), rule("equals(level,1)"));
        assert_eq!(read(r#"{"claim":"level","one_of":[-2.50,3]}"#).unwrap(), rule("one_of(level,-2.50,3)"));
        assert_eq!(read(r#"{"claim":"tenant","present":true}"#).unwrap(), rule("present(tenant)"));
        assert_eq!(read(r#""one_of(tenant,acme,globex)""#).unwrap(), rule("one_of(tenant,acme,globex)"));
        for (bad, needle) in [
            (r#"{"claim":"t"}"#, "no operator"),
            (r#"{"equals":"a"}"#, "no `claim`"),
            (r#"{"claim":1,"equals":"a"}"#, "no `claim` string"),
            (r#"{"claim":"t","equals":"a","present":true}"#, "more than one operator"),
            (r#"{"claim":"t","has":"a"}"#, "`t`: not a claim rule operator"),
            (r#"{"claim":"t","equals":"a","x":1}"#, "an unknown member"),
            (r#"{"claim":"t","present":false}"#, "`present` is `true`"),
            (r#"{"claim":"t","equals":["a"]}"#, "string, number or boolean"),
            (r#"{"claim":"t","one_of":"a"}"#, "list of values"),
            (r#"{"claim":"t","one_of":[]}"#, "at least one value"),
            (r#"{"claim":"t","one_of":[null]}"#, "not a string, number or boolean"),
            (r#"{"claim":"a b","present":true}"#, "quotes"),
            ("5", "not rule text"),
        ] {
            let e = read(bad).expect_err(bad);
            assert!(e.contains(needle), "{bad}: {e}");
        }
        for text in
            ["equals(a,x)", "one_of(\"a.b\".c,1,\"x y\")", "contains_all(a,x)", "contains_any(a,x,y)", "present(a)"]
        {
            let r = rule(text);
            let mut out = Vec::new();
            r.write_json(&mut out);
            assert_eq!(
                ClaimRule::from_json(&json::read(&out).unwrap()).unwrap(),
                r,
                "{}",
                String::from_utf8_lossy(&out)
            );
        }
    }

    #[test]
    fn lists() {
        let rules =
            list_from_text("contains_any(cognito:groups, admin, ops)\n equals(email_verified,true)  present(tenant)")
                .unwrap();
        assert_eq!(rules.len(), 3);
        assert!(list_from_text("present(a) present(b").is_err());
        let many = (0..=MAX_RULES).map(|i| format!("present(c{i})")).collect::<Vec<_>>().join(" ");
        assert!(list_from_text(&many).unwrap_err().contains("more than 20"));
        assert_eq!(list_from_text("  ").unwrap(), []);
        assert!(is_rule("present(a)") && !is_rule("pets:read") && !is_rule("has(a)"));
        assert_eq!(split_outside("a,(b,c),\"d,e\"", |c| c == ',').unwrap(), ["a", "(b,c)", "\"d,e\""]);
    }
}
