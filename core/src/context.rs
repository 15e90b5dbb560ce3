//! What reaches the backend: the authorizer `context` API Gateway passes to the integration
//! (`$context.authorizer.KEY`), and the `usageIdentifierKey` that picks a usage plan's API key.
//!
//! The context holds the claims the configuration maps (`context_claims`, each `KEY=PATH` or a
//! `PATH` that is its own key) and, optionally, the whole payload as JSON text under one key
//! (`context_payload_key`). REST APIs (and HTTP API payload 1.0) accept only strings, numbers
//! and booleans as context values (an object or array makes the gateway answer 500), so arrays
//! and objects go there as JSON text; HTTP API payload 2.0 responses accept arrays and maps,
//! and get them as they are.
//!
//! An authorizer's answer is at most 8,192 bytes (see `policy::MAX_RESPONSE_BYTES`). When the
//! context would take the answer past it, it is cut by one rule: the mapped claims are kept in
//! key order while they fit, a member that does not fit is left out (the later ones are still
//! tried), the payload is tried last, and the context then says `"jwtgate_context_cut": true`
//! (where not even that fits, no context is sent). The decision itself never depends on the
//! context.

use crate::claim_path::ClaimPath;
use crate::json::{Json, Object};
use crate::json_text::{self, ObjectText};

/// The member added to a context that was cut to fit.
pub const CUT_MARKER: &str = "jwtgate_context_cut";
/// The longest context key.
pub const MAX_KEY_LEN: usize = 128;

/// One mapped claim: where it is in the payload, and its key in the context.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContextClaim {
    /// The context key (`$context.authorizer.KEY`).
    pub key: String,
    /// Where the claim is in the payload.
    pub path: ClaimPath,
}

impl ContextClaim {
    /// `KEY=PATH`, or `PATH` alone (its text is the key).
    pub fn parse(item: &str) -> Result<ContextClaim, String> {
        let (key, path) = match item.split_once('=') {
            Some((key, path)) => (key, path),
            None => (item, item),
        };
        check_key(key)?;
        let path = ClaimPath::parse(path).map_err(|why| ["`", item, "`: ", why].concat())?;
        Ok(ContextClaim { key: key.to_owned(), path })
    }

    /// The item as written in the configuration.
    pub fn text(&self) -> String {
        if self.key == self.path.text() { self.key.clone() } else { [&self.key, "=", self.path.text()].concat() }
    }
}

/// A context key: what `$context.authorizer.KEY` names.
pub fn check_key(key: &str) -> Result<(), String> {
    if key.is_empty() || key.len() > MAX_KEY_LEN {
        return Err(["`", key, "`: a context key has 1 to 128 characters"].concat());
    }
    if key.chars().any(|c| c.is_control() || c.is_whitespace() || c == '"') {
        return Err(["`", key, "`: a context key has no white space, control character or `\"`"].concat());
    }
    if key == CUT_MARKER {
        return Err(["`", key, "` is the key that marks a context cut to fit"].concat());
    }
    Ok(())
}

/// The configured mapping: claims sorted by key (each key once), and the payload's key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mapping {
    /// The mapped claims, sorted by key.
    pub claims: Vec<ContextClaim>,
    /// The key that carries the whole payload as JSON text, if any.
    pub payload_key: Option<String>,
}

/// How arrays and objects are written: JSON text (REST, HTTP API 1.0) or as they are (2.0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Values {
    /// As JSON text: REST APIs and HTTP API payload 1.0 take only strings, numbers, booleans.
    Text,
    /// As they are: HTTP API payload 2.0 answers.
    Json,
}

/// The authorizer `context`: a JSON object's text, written once (a decision copies the claims
/// straight from the token into its answer, with no map in between).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// `{...}` with at least one member, or empty.
    text: String,
}

impl Context {
    /// Whether there is no context (the answer then has no `context` member).
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The object's JSON text (empty when there is no context).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The length of the JSON text in bytes.
    pub fn len(&self) -> usize {
        self.text.len()
    }
}

/// One member's value, as it is written; `None` when the claim is absent, null, or under a
/// path through a value that is not an object.
fn member_value(claims: &Object<'_>, path: &ClaimPath, values: Values, out: &mut Vec<u8>) -> bool {
    let Ok(Some(value)) = path.find(claims) else { return false };
    match (value, values) {
        (Json::Str(s), _) => json_text::string(out, s),
        // Numbers as the token wrote them (JSON numbers either way).
        (Json::Number(n), _) => out.extend_from_slice(n.text().as_bytes()),
        (Json::Bool(b), _) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        (Json::Null, _) => return false,
        (_, Values::Json) => json_text::value(out, value),
        (_, Values::Text) => {
            let mut text = Vec::new();
            json_text::value(&mut text, value);
            json_text::string(out, &String::from_utf8_lossy(&text));
        }
    }
    true
}

/// The context for a token's `claims` (and its `payload` text) under `mapping`, its text at
/// most `budget` bytes (see the module's cut rule).
pub fn build(claims: &Object<'_>, payload: &str, mapping: &Mapping, values: Values, budget: usize) -> Context {
    let whole = write(claims, payload, mapping, values, &|_| true);
    if whole.len() <= budget {
        return Context { text: whole };
    }
    // Cut: the marker alone, `{"jwtgate_context_cut":true}`, is set aside first; where even
    // that does not fit, no context is sent (the decision stands).
    let Some(mut room) = budget.checked_sub(CUT_MARKER.len() + 9) else { return Context::default() };
    // Then each member's length, keeping them in the rule's order while they fit: `"key":value`
    // and the comma that parts it from the next member or the marker.
    let member_len = |key: &str, value_len: usize| json_text::string_len(key) + 4 + value_len;
    let mut kept = Vec::with_capacity(mapping.claims.len() + 1);
    let mut one = Vec::new();
    for claim in &mapping.claims {
        one.clear();
        let fits = member_value(claims, &claim.path, values, &mut one) && {
            let len = member_len(&claim.key, one.len());
            len <= room && {
                room -= len;
                true
            }
        };
        kept.push(fits);
    }
    // The payload is a JSON string: its text escaped, between quotes.
    let payload_len = mapping.payload_key.as_ref().map(|key| member_len(key, json_text::string_len(payload) + 2));
    kept.push(payload_len.is_some_and(|len| len <= room));
    let text = write(claims, payload, mapping, values, &|i| kept[i]);
    // The marker sorts among the members only for readers that sort; it is written last.
    let mut text = if text.is_empty() { b"{}".to_vec() } else { text.into_bytes() };
    text.pop();
    if text.len() > 1 {
        text.push(b',');
    }
    text.extend_from_slice(b"\"jwtgate_context_cut\":true}");
    Context { text: json_text::into_string(text) }
}

/// The members `keep` keeps (claims by their index, the payload as index `claims.len()`), in
/// key order; empty text when none is written.
fn write(
    claims: &Object<'_>,
    payload: &str,
    mapping: &Mapping,
    values: Values,
    keep: &dyn Fn(usize) -> bool,
) -> String {
    // Room for a usual context at once (sub, iss, client id and scopes take about 150 bytes).
    let mut text = Vec::with_capacity(256);
    let mut members = ObjectText::new(&mut text);
    let mut any = false;
    let payload_at = mapping.payload_key.as_ref().map(|key| mapping.claims.partition_point(|c| c.key < *key));
    let payload_member = |members: &mut ObjectText<'_>, any: &mut bool| {
        if let Some(key) = &mapping.payload_key
            && keep(mapping.claims.len())
        {
            json_text::string(members.member(key), payload);
            *any = true;
        }
    };
    for (i, claim) in mapping.claims.iter().enumerate() {
        if payload_at == Some(i) {
            payload_member(&mut members, &mut any);
        }
        if !keep(i) {
            continue;
        }
        let mut value = Vec::new();
        if member_value(claims, &claim.path, values, &mut value) {
            members.member(&claim.key).extend_from_slice(&value);
            any = true;
        }
    }
    if payload_at == Some(mapping.claims.len()) {
        payload_member(&mut members, &mut any);
    }
    members.end();
    if !any {
        text.clear();
    }
    json_text::into_string(text)
}

/// The `usageIdentifierKey` for a usage plan keyed by the authorizer: the claim's string value;
/// absent (then API Gateway refuses the call, as without an API key) when it is not a string.
pub fn usage_identifier(claims: &Object<'_>, path: &ClaimPath) -> Option<String> {
    match path.find(claims) {
        Ok(Some(Json::Str(s))) => Some(s.as_ref().to_owned()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn mapping(items: &[&str], payload_key: Option<&str>) -> Mapping {
        let mut claims: Vec<ContextClaim> = items.iter().map(|i| ContextClaim::parse(i).unwrap()).collect();
        claims.sort_by(|a, b| a.key.cmp(&b.key));
        Mapping { claims, payload_key: payload_key.map(str::to_owned) }
    }

    fn read(ctx: &Context) -> Value {
        serde_json::from_str(ctx.text()).unwrap()
    }

    const PAYLOAD: &str = r#"{"sub":"u","n":1.5,"b":true,"scp":["a","b"],"realm_access":{"roles":["admin","ops"]},"https://example.com/tenant":"acme","nul":null,"s":"x"}"#;

    #[test]
    fn values_by_response_kind() {
        let claims = crate::json::read_object(PAYLOAD.as_bytes()).unwrap();
        let m = mapping(
            &[
                "sub",
                "n",
                "b",
                "scp",
                "roles=realm_access.roles",
                "realm_access",
                "tenant=\"https://example.com/tenant\"",
                "nul",
                "absent",
                "deep=s.x",
            ],
            None,
        );
        let rest = build(&claims, PAYLOAD, &m, Values::Text, 8192);
        assert_eq!(
            read(&rest),
            json!({"sub":"u","n":1.5,"b":true,"scp":"[\"a\",\"b\"]","roles":"[\"admin\",\"ops\"]","realm_access":"{\"roles\":[\"admin\",\"ops\"]}","tenant":"acme"})
        );
        let v2 = build(&claims, PAYLOAD, &m, Values::Json, 8192);
        assert_eq!(
            read(&v2),
            json!({"sub":"u","n":1.5,"b":true,"scp":["a","b"],"roles":["admin","ops"],"realm_access":{"roles":["admin","ops"]},"tenant":"acme"})
        );
        // Sorted members, as serde_json writes them.
        assert_eq!(v2.text(), read(&v2).to_string());
        assert!(build(&claims, PAYLOAD, &mapping(&["absent", "nul"], None), Values::Text, 8192).is_empty());
    }

    #[test]
    fn the_payload_as_json_text() {
        let claims = crate::json::read_object(PAYLOAD.as_bytes()).unwrap();
        for key in ["claims", "a", "zz"] {
            let ctx = build(&claims, PAYLOAD, &mapping(&["sub", "s"], Some(key)), Values::Json, 8192);
            let v = read(&ctx);
            assert_eq!(v[key], Value::String(PAYLOAD.to_owned()));
            assert_eq!(v["sub"], "u");
            assert_eq!(ctx.text(), v.to_string(), "sorted with the payload key at its place");
        }
    }

    #[test]
    fn a_context_too_large_is_cut_by_the_rule() {
        let big = "x".repeat(3000);
        let payload = format!(r#"{{"a":"{big}","b":"small","c":"{big}","d":"tiny"}}"#);
        let claims = crate::json::read_object(payload.as_bytes()).unwrap();
        let m = mapping(&["a", "b", "c", "d"], Some("whole"));
        let whole = build(&claims, &payload, &m, Values::Text, 100_000);
        assert!(!read(&whole).as_object().unwrap().contains_key(CUT_MARKER));
        // Room for one big member: `a` kept, `c` left out, the small ones kept, the payload
        // (tried last) left out.
        let cut = build(&claims, &payload, &m, Values::Text, 4000);
        assert!(cut.len() <= 4000);
        assert_eq!(read(&cut), json!({"a": big, "b": "small", "d": "tiny", CUT_MARKER: true}));
        let tiny = build(&claims, &payload, &m, Values::Text, 40);
        assert_eq!(read(&tiny), json!({"b": "small", CUT_MARKER: true}));
        // The marker alone is 28 bytes; below that no context is sent.
        assert_eq!(read(&build(&claims, &payload, &m, Values::Text, 28)), json!({CUT_MARKER: true}));
        assert!(build(&claims, &payload, &m, Values::Text, 27).is_empty());
        assert!(build(&claims, &payload, &m, Values::Text, 0).is_empty());
    }

    /// The cut rule as the module states it, with lengths measured on serde_json's text of
    /// the candidate object: members in key order, each kept if the context with it (and the
    /// marker) is still within the budget, the payload last; the marker alone if nothing fits;
    /// nothing if not even the marker does. For every budget, `build` must give exactly that.
    #[test]
    fn a_cut_context_is_the_rule_s_exactly_for_every_budget() {
        let text = |n: usize, c: char| c.to_string().repeat(n);
        // Values that need escaping, a number, a boolean, an array (as JSON text).
        let payload = json!({
            "a": text(40, 'a'), "b": text(7, '"'), "c": 12345, "d": true, "e": ["x\ny", "z"],
            "f": text(90, '\u{7}'), "g": "\u{e9}t\u{e9}", "h": text(3, '\\'),
        })
        .to_string();
        let claims = crate::json::read_object(payload.as_bytes()).unwrap();
        let items = ["a", "b", "c", "d", "e", "f", "g", "h"];
        for payload_key in [None, Some("p"), Some("zz")] {
            let m = mapping(&items, payload_key);
            let full = build(&claims, &payload, &m, Values::Text, usize::MAX);
            let full_value = read(&full);
            let members: Vec<(String, Value)> = full_value.as_object().unwrap().clone().into_iter().collect();
            for budget in 0..=full.len() + 2 {
                let want = if full.len() <= budget {
                    full_value.clone()
                } else {
                    let mut kept = serde_json::Map::new();
                    let fits = |kept: &serde_json::Map<String, Value>| {
                        let mut with_marker = kept.clone();
                        with_marker.insert(CUT_MARKER.into(), json!(true));
                        Value::Object(with_marker).to_string().len() <= budget
                    };
                    // Claims in key order, then the payload.
                    let order = members.iter().filter(|(k, _)| Some(k.as_str()) != payload_key);
                    for (k, v) in order.chain(members.iter().filter(|(k, _)| Some(k.as_str()) == payload_key)) {
                        kept.insert(k.clone(), v.clone());
                        if !fits(&kept) {
                            kept.remove(k);
                        }
                    }
                    kept.insert(CUT_MARKER.into(), json!(true));
                    if fits(&serde_json::Map::new()) { Value::Object(kept) } else { Value::Null }
                };
                let got = build(&claims, &payload, &m, Values::Text, budget);
                assert!(got.len() <= budget, "budget {budget}: {} bytes", got.len());
                let got = if got.is_empty() { Value::Null } else { read(&got) };
                assert_eq!(got, want, "payload key {payload_key:?}, budget {budget}");
            }
        }
    }

    #[test]
    fn mapping_items() {
        assert_eq!(ContextClaim::parse("roles=realm_access.roles").unwrap().text(), "roles=realm_access.roles");
        assert_eq!(ContextClaim::parse("cognito:groups").unwrap().key, "cognito:groups");
        for bad in ["", "=sub", "a b=sub", "k=", "k=a..b", CUT_MARKER, &"k".repeat(129)] {
            assert!(ContextClaim::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn usage_identifier_is_a_string_claim() {
        let claims = crate::json::read_object(PAYLOAD.as_bytes()).unwrap();
        let path = |p: &str| ClaimPath::parse(p).unwrap();
        assert_eq!(usage_identifier(&claims, &path("sub")).as_deref(), Some("u"));
        assert_eq!(usage_identifier(&claims, &path("n")), None);
        assert_eq!(usage_identifier(&claims, &path("absent")), None);
    }
}
