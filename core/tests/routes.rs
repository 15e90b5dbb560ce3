//! Route rules against IAM's documented matching: the one policy API Gateway caches for a
//! token answers every route of the stage as the rules say, and an HTTP API simple response
//! cached for a route key is right for every request that route key can serve.
//!
//! Both oracles below are written from documentation, not from the core's code:
//! - How API Gateway evaluates the policy, from AWS's documentation:
//!   - "IAM JSON policy elements: Resource" (IAM User Guide,
//!     <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html>):
//!     in a resource ARN, `*` stands for any combination of characters and `?` for any single
//!     character; `*` expands across `/` (and, as a segment's last character, across `:`). So
//!     a pattern matches the whole ARN, case-sensitively, with `*` any run and `?` one character.
//!   - "Policy evaluation logic" (IAM User Guide,
//!     <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>):
//!     an explicit Deny in any matching statement wins; else an Allow allows; else the request
//!     is implicitly denied.
//!   - "Control access to a REST API with IAM permissions" (API Gateway Developer Guide,
//!     <https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-control-access-using-iam-policies-to-invoke-api.html>):
//!     the resource is `arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/HTTP-VERB/PATH`, and
//!     `API/STAGE/$connect` for a WebSocket route.
//!   - "Control access to HTTP APIs with AWS Lambda authorizers" (API Gateway Developer Guide,
//!     <https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-lambda-authorizer.html>):
//!     with caching, a simple response is reused for every request with the same identity
//!     sources (`$context.routeKey` among them when route rules are used).
//! - What the rules say, from README ("Route rules"): a rule `METHOD /path=scopes` applies to a
//!   request whose method is METHOD (`ANY` or `*`: DELETE, GET, HEAD, OPTIONS, PATCH, POST,
//!   PUT) and whose path matches, where `*`, `{name}` and `{name+}` each stand for any run of
//!   characters; a request must hold the scopes of every rule that applies; a request no rule
//!   applies to is allowed with `unlisted_routes` `allow` and refused (`route_not_listed`)
//!   with `deny`.
//! - Claim terms and scope matching, from README ("Claim rules"): a term `OP(claim,values)` of a
//!   rule is a claim rule the token must meet (`equals`/`one_of`: a string, number or boolean
//!   claim compared as text; `contains_all`/`contains_any`: an array of strings or a
//!   space-separated string; `present`: there and not null; an absent claim fails; another
//!   type is `invalid_claim`, which refuses the token for every route). With `scope_match`
//!   `any`, one scope of a rule's list is enough. Scopes are checked before claims: a request
//!   that lacks a scope of a rule that applies is `missing_scope`, else one that fails a claim
//!   rule of a rule that applies is `claim_rule_failed`. A route key `METHOD /template` serves that method (`ANY`: the seven) on every
//!   path the template matches, `{name}` being any run without `/` and `{name+}` any run;
//!   `$default` serves every method and path.
//!
//! The IAM evaluator is itself checked against a regular-expression reference.

mod support;

use jwtgate_core::{Algorithm, Outcome, Verifier};
use regex::Regex;
use serde_json::{Value, json};
use support::*;

const API: &str = "arn:aws:execute-api:us-east-1:123456789012:abc123/prod";
const SEVEN: [&str; 7] = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"];

// ---------------------------------------------------------------------------------------------
// IAM, as documented.

/// Whether `pattern` matches all of `text`: `*` any run of characters, `?` one character, every
/// other character itself (case-sensitive). Two pointers, going back to the last `*`.
fn iam_matches(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < t.len() {
        if i < p.len() && (p[i] == '?' || (p[i] != '*' && p[i] == t[j])) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some((i, j));
            i += 1;
        } else if let Some((si, sj)) = star {
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&c| c == '*')
}

/// The regular-expression reference for [`iam_matches`].
fn iam_regex(pattern: &str) -> Regex {
    let mut re = String::from("(?s)^");
    for c in pattern.chars() {
        match c {
            '*' => re.push_str(".*"),
            '?' => re.push('.'),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    Regex::new(&re).unwrap()
}

/// IAM's evaluation of an authorizer policy for one request ARN.
fn iam_allows(policy: &Value, arn: &str) -> bool {
    let (mut allow, mut deny) = (false, false);
    for s in policy["policyDocument"]["Statement"].as_array().expect("statements") {
        assert_eq!(s["Action"], "execute-api:Invoke");
        let resources: Vec<&str> = match &s["Resource"] {
            Value::String(r) => vec![r],
            Value::Array(items) => items.iter().map(|r| r.as_str().expect("a resource is a string")).collect(),
            other => panic!("Resource {other}"),
        };
        assert!(resources.iter().all(|r| r.len() <= 512), "a resource ARN over API Gateway's 512 characters");
        if resources.iter().any(|r| iam_matches(r, arn)) {
            match s["Effect"].as_str() {
                Some("Allow") => allow = true,
                Some("Deny") => deny = true,
                other => panic!("Effect {other:?}"),
            }
        }
    }
    allow && !deny
}

/// A small deterministic generator (xorshift64*), so that a failure is repeatable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn pick_str<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

#[test]
fn the_iam_evaluator_agrees_with_a_regular_expression_reference() {
    let mut rng = Rng(0x1a3d_5e7f);
    let alphabet = ['a', 'b', '/', ':', '*', '?', '$'];
    let word = |rng: &mut Rng, max: usize| (0..rng.below(max + 1)).map(|_| *rng.pick(&alphabet)).collect::<String>();
    let mut pairs = 0;
    for _ in 0..30_000 {
        let (pattern, text) = (word(&mut rng, 9), word(&mut rng, 12));
        assert_eq!(iam_matches(&pattern, &text), iam_regex(&pattern).is_match(&text), "{pattern:?} ~ {text:?}");
        pairs += 1;
    }
    // The readings the route policies depend on, spelled out.
    assert!(
        iam_matches(&format!("{API}/*/pets"), &format!("{API}/GET/admin/pets")),
        "`*` in the method position reaches into the path"
    );
    assert!(iam_matches(&format!("{API}/GET/pets/*"), &format!("{API}/GET/pets/1/toys")), "`*` crosses `/`");
    assert!(!iam_matches(&format!("{API}/GET/pets/*"), &format!("{API}/GET/pets")));
    assert!(iam_matches("a?c", "a/c") && !iam_matches("a?c", "ac"), "`?` is exactly one character");
    assert!(!iam_matches(&format!("{API}/GET/Pets"), &format!("{API}/GET/pets")), "case-sensitive");
    eprintln!("IAM evaluator: {pairs} random pairs agree with the regular-expression reference");
}

// ---------------------------------------------------------------------------------------------
// What the rules say, as documented.

struct OracleRule {
    /// `None` for a WebSocket rule.
    methods: Option<Vec<&'static str>>,
    /// The whole path, or the WebSocket route key.
    pattern: Regex,
    scopes: Vec<String>,
    /// Claim terms: (operator, claim name, values).
    claims: Vec<ClaimTerm>,
}

/// A claim term: (operator, claim name, values).
type ClaimTerm = (String, String, Vec<String>);

/// A rule's terms: split at white space and commas outside parentheses; `OP(...)` with OP one of
/// the five operators is a claim term (operator, claim, values), anything else a scope.
fn oracle_terms(terms: &str) -> (Vec<String>, Vec<ClaimTerm>) {
    let (mut words, mut word, mut depth) = (Vec::new(), String::new(), 0);
    for c in terms.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            c if depth == 0 && (c == ' ' || c == ',') => {
                words.push(std::mem::take(&mut word));
                continue;
            }
            _ => {}
        }
        word.push(c);
    }
    words.push(word);
    let (mut scopes, mut claims) = (Vec::new(), Vec::new());
    for w in words.into_iter().filter(|w| !w.is_empty()) {
        match w.split_once('(') {
            Some((op, rest)) if ["equals", "one_of", "contains_all", "contains_any", "present"].contains(&op) => {
                let mut parts = rest.trim_end_matches(')').split(',').map(|p| p.trim().to_owned());
                let claim = parts.next().unwrap();
                claims.push((op.to_owned(), claim, parts.collect()));
            }
            _ => scopes.push(w),
        }
    }
    (scopes, claims)
}

/// A claim term on a token's claims, from the definitions: `Some(true)` met, `Some(false)` not
/// met, `None` the claim has a type the operator does not read (`invalid_claim`).
fn oracle_claim(op: &str, claim: &str, values: &[String], claims: &Value) -> Option<bool> {
    let value = match claims.get(claim) {
        None | Some(Value::Null) => return Some(false),
        Some(v) => v,
    };
    let as_text = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let set = || -> Option<Vec<String>> {
        match value {
            Value::String(s) => Some(s.split(' ').map(str::to_owned).collect()),
            Value::Array(items) => items.iter().map(|i| i.as_str().map(str::to_owned)).collect(),
            _ => None,
        }
    };
    match op {
        "present" => Some(true),
        "equals" | "one_of" => as_text(value).map(|t| values.contains(&t)),
        "contains_all" => set().map(|s| values.iter().all(|v| s.contains(v))),
        "contains_any" => set().map(|s| values.iter().any(|v| s.contains(v))),
        _ => unreachable!(),
    }
}

/// A token as the oracle sees it: its scopes, how they are matched, and its claims.
struct OracleToken<'a> {
    held: &'a [&'a str],
    any: bool,
    claims: &'a Value,
}

impl OracleToken<'_> {
    fn holds(&self, scopes: &[String]) -> bool {
        let has = |s: &String| self.held.contains(&s.as_str());
        if self.any { scopes.is_empty() || scopes.iter().any(has) } else { scopes.iter().all(has) }
    }

    fn meets(&self, rule: &OracleRule) -> bool {
        rule.claims.iter().all(|(op, claim, values)| oracle_claim(op, claim, values, self.claims) == Some(true))
    }

    /// Whether some claim term of some rule finds a claim of the wrong type.
    fn invalid(&self, rules: &[OracleRule]) -> bool {
        rules
            .iter()
            .flat_map(|r| &r.claims)
            .any(|(op, claim, values)| oracle_claim(op, claim, values, self.claims).is_none())
    }
}

fn oracle_rules(text: &str) -> Vec<OracleRule> {
    text.split(';')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|rule| {
            let (route, terms) = rule.split_once('=').unwrap();
            let (scopes, claims) = oracle_terms(terms);
            match route.trim().split_once(' ') {
                Some((method, path)) => {
                    let methods = match method {
                        "ANY" | "*" => SEVEN.to_vec(),
                        m => vec![*SEVEN.iter().find(|s| **s == m).unwrap()],
                    };
                    // `*`, `{name}` and `{name+}`: any run of characters.
                    let mut re = String::from("(?s)^");
                    let mut rest = path;
                    while let Some(c) = rest.chars().next() {
                        if c == '{' {
                            rest = &rest[rest.find('}').unwrap() + 1..];
                            re.push_str(".*");
                        } else {
                            re.push_str(&if c == '*' { ".*".to_owned() } else { regex::escape(&c.to_string()) });
                            rest = &rest[c.len_utf8()..];
                        }
                    }
                    re.push('$');
                    OracleRule { methods: Some(methods), pattern: Regex::new(&re).unwrap(), scopes, claims }
                }
                None => OracleRule {
                    methods: None,
                    pattern: Regex::new(&format!("^{}$", regex::escape(route.trim()))).unwrap(),
                    scopes,
                    claims,
                },
            }
        })
        .collect()
}

/// The rules' answer for a request: `None` allowed, else the reason code.
fn oracle(
    rules: &[OracleRule],
    closed: bool,
    held: &[&str],
    method: Option<&str>,
    path_or_key: &str,
) -> Option<&'static str> {
    oracle_for(rules, closed, &OracleToken { held, any: false, claims: &Value::Null }, method, path_or_key)
}

/// [`oracle`] for a token with claims and a scope matching mode.
fn oracle_for(
    rules: &[OracleRule],
    closed: bool,
    token: &OracleToken<'_>,
    method: Option<&str>,
    path_or_key: &str,
) -> Option<&'static str> {
    if token.invalid(rules) {
        return Some("invalid_claim");
    }
    let applies = |r: &&OracleRule| match (&r.methods, method) {
        (Some(methods), Some(m)) => methods.contains(&m) && r.pattern.is_match(path_or_key),
        (None, None) => r.pattern.is_match(path_or_key),
        _ => false,
    };
    let applying: Vec<&OracleRule> = rules.iter().filter(applies).collect();
    if applying.iter().any(|r| !token.holds(&r.scopes)) {
        Some("missing_scope")
    } else if applying.iter().any(|r| !token.meets(r)) {
        Some("claim_rule_failed")
    } else if applying.is_empty() && closed {
        Some("route_not_listed")
    } else {
        None
    }
}

// ---------------------------------------------------------------------------------------------
// Generated rule sets, tokens and routes.

const SEGMENTS: &[&str] = &["pets", "admin", "users", "{id}", "*", "pets*", "x", "a*b"];
const SCOPES: [&str; 3] = ["a", "b", "c"];

fn rule_set(rng: &mut Rng) -> String {
    let n = 1 + rng.below(6);
    let mut rules = Vec::new();
    for _ in 0..n {
        let scopes: Vec<&str> = SCOPES.iter().copied().filter(|_| rng.chance(45)).collect();
        let scopes = if scopes.is_empty() { vec![*rng.pick(&SCOPES)] } else { scopes };
        if rng.chance(8) {
            rules.push(format!("{}={}", rng.pick(&["$connect", "$default", "$disconnect"]), scopes.join(" ")));
            continue;
        }
        let method = rng.pick(&["GET", "POST", "DELETE", "PUT", "ANY", "GET", "POST", "*", "GET", "DELETE"]);
        let mut path = String::new();
        for _ in 0..1 + rng.below(3) {
            path.push('/');
            path.push_str(rng.pick_str(SEGMENTS));
        }
        if rng.chance(15) {
            path.push_str("/{proxy+}");
        }
        if rng.chance(5) {
            path = "/".into();
        }
        rules.push(format!("{method} {path}={}", scopes.join(" ")));
    }
    rules.join("; ")
}

/// Request paths around the rules': each rule path with its wildcards filled in several ways,
/// prefixes, suffixes under other parents, trailing slashes, case variants, percent-encoded,
/// `*` and `?` as characters, the root and a very long path.
fn request_paths(rules: &str, rng: &mut Rng) -> Vec<String> {
    let fills = ["", "1", "admin", "pets", "a/b", "admin/pets", "x"];
    let mut out: Vec<String> = vec![
        "/".into(),
        "/pets".into(),
        "/admin/pets".into(),
        "/internal/users/pets".into(),
        "/pets/%2F".into(),
        "/pets/*".into(),
        "/pets/?".into(),
    ];
    out.push(format!("/{}", "seg/".repeat(400)));
    for rule in rules.split(';') {
        let Some((route, _)) = rule.split_once('=') else { continue };
        let Some((_, path)) = route.trim().split_once(' ') else { continue };
        for _ in 0..3 {
            let mut filled = String::new();
            let mut rest = path;
            while let Some(c) = rest.chars().next() {
                if c == '{' {
                    rest = &rest[rest.find('}').unwrap() + 1..];
                    filled.push_str(rng.pick_str(&fills));
                } else {
                    if c == '*' {
                        filled.push_str(rng.pick_str(&fills))
                    } else {
                        filled.push(c)
                    }
                    rest = &rest[1..];
                }
            }
            out.push(filled.clone());
            out.push(format!("{filled}/"));
            out.push(format!("/admin{filled}"));
            out.push(filled.to_uppercase());
            if let Some(cut) = filled.rfind('/').filter(|&i| i > 0) {
                out.push(filled[..cut].to_owned());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Every subset of the scopes, as a token's `scope` claim (one signed token each).
fn scoped_tokens() -> Vec<(Vec<&'static str>, String)> {
    (0..8u32)
        .map(|mask| {
            let held: Vec<&str> =
                SCOPES.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, s)| *s).collect();
            let mut c = claims();
            c.insert("scope".into(), json!(held.join(" ")));
            (held, token(Algorithm::RS256, &c, json!({})))
        })
        .collect()
}

fn event(kind: usize, token: &str, arn: &str) -> Vec<u8> {
    let bearer = format!("Bearer {token}");
    match kind {
        0 => json!({ "type": "TOKEN", "authorizationToken": bearer, "methodArn": arn }),
        1 => json!({ "type": "REQUEST", "methodArn": arn, "headers": { "Authorization": bearer } }),
        _ => json!({ "version": "2.0", "type": "REQUEST", "routeKey": "$default", "routeArn": arn, "headers": { "authorization": bearer } }),
    }
    .to_string()
    .into_bytes()
}

fn rules_config(rules: &str, closed: bool, extra: Value) -> Result<jwtgate_core::Config, jwtgate_core::ConfigError> {
    let mut cfg = json!({
        "issuers": [ISSUER], "audiences": [AUDIENCE], "route_rules": rules, "unlisted_routes": if closed { "deny" } else { "allow" },
        "context_claims": [], "http_api_response": "policy",
    });
    for (k, v) in extra.as_object().unwrap() {
        cfg[k] = v.clone();
    }
    jwtgate_core::Config::from_json(cfg.to_string().as_bytes())
}

fn rules_verifier(rules: &str, closed: bool, extra: Value) -> Verifier {
    Verifier::new(rules_config(rules, closed, extra).unwrap())
}

/// A verifier for a generated rule set, or `None` (counted) when start-up refuses it: only too
/// large a policy may refuse a generated set.
fn generated_verifier(rules: &str, closed: bool, extra: Value, refused: &mut usize) -> Option<Verifier> {
    match rules_config(rules, closed, extra) {
        Ok(config) => Some(Verifier::new(config)),
        Err(e) => {
            assert!(e.problem.contains("8192 bytes"), "{rules}: {e}");
            *refused += 1;
            None
        }
    }
}

#[test]
fn one_cached_policy_answers_every_route_of_the_stage_as_the_rules_say() {
    let mut rng = Rng(0x5eed_0016);
    let tokens = scoped_tokens();
    let keys = key_set(&["rsa-2048"]);
    let (mut rule_sets, mut refused, mut checked, mut mismatches) = (0, 0, 0u64, Vec::new());
    for round in 0..260 {
        let rules = rule_set(&mut rng);
        let closed = round % 2 == 1;
        let kind = round % 3;
        let Some(v) = generated_verifier(&rules, closed, json!({}), &mut refused) else { continue };
        let oracle_set = oracle_rules(&rules);
        let paths = request_paths(&rules, &mut rng);
        rule_sets += 1;
        for (held, t) in &tokens {
            // The first request fills API Gateway's cache; its policy then answers every route.
            let first = format!("{API}/{}{}", rng.pick(&SEVEN), rng.pick(&paths));
            let d = v.authorize(&keys, &event(kind, t, &first), NOW);
            let policy = d.response.expect("a valid token gets a policy").to_value();
            for method in SEVEN {
                for path in &paths {
                    let arn = format!("{API}/{method}{path}");
                    let want = oracle(&oracle_set, closed, held, Some(method), path);
                    checked += 1;
                    if iam_allows(&policy, &arn) != want.is_none() {
                        mismatches.push(format!("rules {rules:?} closed {closed} scopes {held:?}: {method} {path} should be {want:?}\n{policy:#}"));
                    }
                }
            }
            // WebSocket routes of a WebSocket stage: its own policy, from `$connect`.
            let ws = v.authorize(&keys, &event(1, t, &format!("{API}/$connect")), NOW).response.unwrap().to_value();
            for key in ["$connect", "$disconnect", "$default", "sendmessage"] {
                let want = oracle(&oracle_set, closed, held, None, key);
                checked += 1;
                if iam_allows(&ws, &format!("{API}/{key}")) != want.is_none() {
                    mismatches.push(format!(
                        "rules {rules:?} closed {closed} scopes {held:?}: WebSocket {key} should be {want:?}\n{ws:#}"
                    ));
                }
            }
            // Asked directly, the authorizer's outcome and reason are the rules' answer.
            for _ in 0..4 {
                let (method, path) = (*rng.pick(&SEVEN), rng.pick(&paths));
                let d = v.authorize(&keys, &event(kind, t, &format!("{API}/{method}{path}")), NOW);
                let want = oracle(&oracle_set, closed, held, Some(method), path);
                assert_eq!(
                    d.reason.map(|r| r.code()),
                    want,
                    "direct: rules {rules:?} closed {closed} scopes {held:?} {method} {path}"
                );
                assert_eq!(d.outcome == Outcome::Allow, want.is_none());
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {checked} routes answered wrongly; the first:\n{}",
        mismatches.len(),
        mismatches[0]
    );
    assert!(refused * 10 < rule_sets, "{refused} generated rule sets refused at start");
    eprintln!(
        "cached policy: {rule_sets} rule sets x 8 tokens, {checked} (rule set, token, route) checks, 0 mismatches ({refused} more rule sets refused at start as too large)"
    );
}

/// `policy_resource` `method`: the policy names the request's own ARN, and API Gateway answers
/// the token's later requests from it while it is cached (README: other routes are then denied
/// until it expires). Whatever request fills the cache, including one whose path holds `*` or
/// `?` (IAM's wildcards; a `{proxy+}` resource passes them through from the caller), the cached
/// policy must allow no route that the rules deny. A request with a wildcard in its ARN gets no
/// policy at all (`invalid_event`): no resource could name it alone.
#[test]
fn a_cached_method_policy_allows_no_route_the_rules_deny() {
    let mut rng = Rng(0x5eed_0017);
    let tokens = scoped_tokens();
    let keys = key_set(&["rsa-2048"]);
    let (mut rule_sets, mut refused, mut checked, mut wild, mut mismatches) = (0, 0, 0u64, 0, Vec::new());
    for round in 0..90 {
        let rules = rule_set(&mut rng);
        let closed = round % 2 == 1;
        let kind = round % 3;
        let extra = json!({ "policy_resource": "method" });
        let Some(v) = generated_verifier(&rules, closed, extra, &mut refused) else { continue };
        let oracle_set = oracle_rules(&rules);
        let paths = request_paths(&rules, &mut rng);
        rule_sets += 1;
        let wildcard_paths: Vec<&String> = paths.iter().filter(|p| p.contains(['*', '?'])).collect();
        assert!(!wildcard_paths.is_empty());
        for (held, t) in &tokens {
            let firsts = [rng.pick(&paths), *rng.pick(&wildcard_paths), *rng.pick(&wildcard_paths)];
            for first_path in firsts {
                let first = format!("{API}/{}{first_path}", rng.pick(&SEVEN));
                let d = v.authorize(&keys, &event(kind, t, &first), NOW);
                if first.contains(['*', '?']) {
                    wild += 1;
                    assert_eq!(d.reason.map(|r| r.code()), Some("invalid_event"), "rules {rules:?}: {first}");
                    assert!(d.response.is_none());
                    continue;
                }
                let policy = d.response.expect("a valid token gets a policy").to_value();
                if first.len() > 512 {
                    // The gateway fails a policy whose resource is over 512 characters (README,
                    // "Sizes"): nothing is cached.
                    continue;
                }
                for method in SEVEN {
                    for path in &paths {
                        let arn = format!("{API}/{method}{path}");
                        checked += 1;
                        let want = oracle(&oracle_set, closed, held, Some(method), path);
                        if iam_allows(&policy, &arn) && want.is_some() {
                            mismatches.push(format!(
                                "rules {rules:?} closed {closed} scopes {held:?}: the policy of {first} allows {method} {path}, which is {want:?}\n{policy:#}"
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {checked} routes allowed against the rules; the first:\n{}",
        mismatches.len(),
        mismatches[0]
    );
    assert!(refused * 10 < rule_sets, "{refused} generated rule sets refused at start");
    eprintln!(
        "cached method policy: {rule_sets} rule sets x 8 tokens, {checked} route checks, {wild} wildcard requests refused"
    );
}

#[test]
fn a_wildcard_in_the_path_is_only_refused_where_rules_decide() {
    let keys = key_set(&["rsa-2048"]);
    let arn = format!("{API}/GET/*");
    // With a rule, `GET /*` would otherwise be allowed (no rule applies to the literal path) as
    // `.../GET/*`, which IAM matches to `GET /admin/users` too.
    let v = rules_verifier("GET /admin/*=admin", false, json!({ "policy_resource": "method" }));
    let d = v.authorize(&keys, &event(0, &token_with("pets:read"), &arn), NOW);
    assert_eq!(d.reason.map(|r| r.code()), Some("invalid_event"));
    let d = v.authorize(&keys, &event(0, &token_with("pets:read"), &format!("{API}/GET/admin/users")), NOW);
    assert_eq!(d.reason.map(|r| r.code()), Some("missing_scope"));
    // Without rules every route of the stage gets the same answer: the Allow grants no more.
    let d = verifier(json!({ "policy_resource": "method" })).authorize(&keys, &event(0, &token_with(""), &arn), NOW);
    assert_eq!(d.outcome, Outcome::Allow);
    // The stage-wide policy does not echo the path: a `*` there changes nothing.
    let v = rules_verifier("GET /admin/*=admin", false, json!({}));
    let d = v.authorize(&keys, &event(0, &token_with("pets:read"), &arn), NOW);
    assert_eq!(d.outcome, Outcome::Allow);
}

// ---------------------------------------------------------------------------------------------
// Claim terms and scope matching `any`.

const CLAIM_TERMS: [&str; 8] = [
    "contains_any(groups,admin)",
    "contains_any(groups,admin,ops)",
    "contains_all(groups,admin,ops)",
    "present(groups)",
    "equals(tenant,acme)",
    "one_of(tenant,acme,globex)",
    "one_of(tenant,true,x)",
    "present(tenant)",
];

/// A generated rule set (as [`rule_set`]) where rules also get claim terms, beside their scopes
/// or instead of them.
fn claim_rule_set(rng: &mut Rng) -> String {
    rule_set(rng)
        .split("; ")
        .map(|rule| {
            let (route, scopes) = rule.split_once('=').unwrap();
            let claims: Vec<&str> = (0..rng.below(3)).map(|_| *rng.pick(&CLAIM_TERMS)).collect();
            let sep = if rng.chance(50) { " " } else { "," };
            match (claims.is_empty(), rng.chance(40)) {
                (true, _) => rule.to_owned(),
                (false, true) => format!("{route}={}", claims.join(sep)),
                (false, false) => format!("{route}={scopes}{sep}{}", claims.join(sep)),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Tokens: every subset of the scopes with `groups` and `tenant` claims of every shape the
/// operators read (arrays, a space-separated string, absent, null, boolean), and a few of the
/// wrong type (a number `groups`, an array `tenant`).
fn claim_tokens() -> Vec<(Vec<&'static str>, Value, String)> {
    let groups = [
        None,
        Some(json!([])),
        Some(json!(["admin"])),
        Some(json!(["ops", "dev"])),
        Some(json!(["admin", "ops"])),
        Some(json!("ops admin")),
        Some(Value::Null),
        Some(json!(7)),
    ];
    let tenants = [None, Some(json!("acme")), Some(json!("globex")), Some(json!(true)), Some(json!(["acme"]))];
    let mut out = Vec::new();
    for mask in 0..8u32 {
        for (gi, g) in groups.iter().enumerate() {
            for (ti, t) in tenants.iter().enumerate() {
                // Every shape with every scope set would be 320 tokens: a diagonal of them.
                if !(gi + ti + mask as usize).is_multiple_of(3) {
                    continue;
                }
                let held: Vec<&str> =
                    SCOPES.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, s)| *s).collect();
                let mut c = claims();
                c.insert("scope".into(), json!(held.join(" ")));
                if let Some(g) = g {
                    c.insert("groups".into(), g.clone());
                }
                if let Some(t) = t {
                    c.insert("tenant".into(), t.clone());
                }
                let value = Value::Object(c.clone());
                out.push((held, value, token(Algorithm::RS256, &c, json!({}))));
            }
        }
    }
    out
}

#[test]
fn one_cached_policy_answers_every_route_with_claim_rules_and_scope_match_any() {
    let mut rng = Rng(0x5eed_0018);
    let tokens = claim_tokens();
    let keys = key_set(&["rsa-2048"]);
    let (mut rule_sets, mut refused, mut checked, mut invalid, mut claim_failed, mut mismatches) =
        (0, 0, 0u64, 0, 0, Vec::new());
    for round in 0..200 {
        let rules = claim_rule_set(&mut rng);
        let closed = round % 2 == 1;
        let any = round % 4 >= 2;
        let kind = round % 3;
        let extra = json!({ "scope_match": if any { "any" } else { "all" } });
        let Some(v) = generated_verifier(&rules, closed, extra, &mut refused) else { continue };
        let oracle_set = oracle_rules(&rules);
        let paths = request_paths(&rules, &mut rng);
        rule_sets += 1;
        for _ in 0..12 {
            let (held, claims, t) = rng.pick(&tokens);
            let token = OracleToken { held, any, claims };
            let first = format!("{API}/{}{}", rng.pick(&SEVEN), rng.pick(&paths));
            let d = v.authorize(&keys, &event(kind, t, &first), NOW);
            if token.invalid(&oracle_set) {
                // Refused for every route: no policy to cache.
                invalid += 1;
                assert_eq!(
                    (d.outcome, d.reason.map(|r| r.code())),
                    (Outcome::Unauthorized, Some("invalid_claim")),
                    "rules {rules:?} claims {claims}"
                );
                continue;
            }
            let policy = d.response.expect("a valid token gets a policy").to_value();
            for method in SEVEN {
                for path in &paths {
                    let want = oracle_for(&oracle_set, closed, &token, Some(method), path);
                    claim_failed += usize::from(want == Some("claim_rule_failed"));
                    checked += 1;
                    if iam_allows(&policy, &format!("{API}/{method}{path}")) != want.is_none() {
                        mismatches.push(format!("rules {rules:?} closed {closed} any {any} claims {claims}: {method} {path} should be {want:?}\n{policy:#}"));
                    }
                }
            }
            let ws = v.authorize(&keys, &event(1, t, &format!("{API}/$connect")), NOW).response.unwrap().to_value();
            for key in ["$connect", "$disconnect", "$default", "sendmessage"] {
                let want = oracle_for(&oracle_set, closed, &token, None, key);
                checked += 1;
                if iam_allows(&ws, &format!("{API}/{key}")) != want.is_none() {
                    mismatches.push(format!("rules {rules:?} closed {closed} any {any} claims {claims}: WebSocket {key} should be {want:?}\n{ws:#}"));
                }
            }
            for _ in 0..4 {
                let (method, path) = (*rng.pick(&SEVEN), rng.pick(&paths));
                let d = v.authorize(&keys, &event(kind, t, &format!("{API}/{method}{path}")), NOW);
                let want = oracle_for(&oracle_set, closed, &token, Some(method), path);
                assert_eq!(
                    d.reason.map(|r| r.code()),
                    want,
                    "direct: rules {rules:?} closed {closed} any {any} claims {claims} {method} {path}"
                );
                assert_eq!(d.outcome == Outcome::Allow, want.is_none());
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {checked} routes answered wrongly; the first:\n{}",
        mismatches.len(),
        mismatches[0]
    );
    assert!(refused * 10 < rule_sets, "{refused} generated rule sets refused at start");
    assert!(
        invalid > 50 && claim_failed > 1000,
        "the generator reaches the cases: {invalid} invalid, {claim_failed} claim rule failures"
    );
    eprintln!(
        "cached policy with claim terms: {rule_sets} rule sets, {checked} (rule set, token, route) checks, 0 mismatches; {claim_failed} routes refused by a claim rule, {invalid} tokens invalid_claim"
    );
}

#[test]
fn a_simple_response_with_claim_rules_is_right_for_every_request_its_route_key_serves() {
    let mut rng = Rng(0x5eed_2018);
    let tokens = claim_tokens();
    let keys = key_set(&["rsa-2048"]);
    let (mut answers, mut allowed, mut refused, mut unwitnessed) = (0u64, 0u64, 0, Vec::new());
    for round in 0..120 {
        let rules = claim_rule_set(&mut rng);
        let closed = round % 2 == 1;
        let any = round % 4 >= 2;
        let extra = json!({ "http_api_response": "simple", "scope_match": if any { "any" } else { "all" } });
        let Some(v) = generated_verifier(&rules, closed, extra, &mut refused) else { continue };
        let oracle_set = oracle_rules(&rules);
        let mut keys_served = route_keys(&rules, &mut rng);
        let every: Vec<(&str, String)> = SEVEN
            .iter()
            .flat_map(|m| request_paths(&rules, &mut Rng(round + 1)).into_iter().map(move |p| (*m, p)))
            .collect();
        keys_served.push(("$default".into(), every));
        for _ in 0..8 {
            let (held, claims, t) = rng.pick(&tokens);
            let token = OracleToken { held, any, claims };
            for (key, served) in &keys_served {
                let ev = json!({
                    "version": "2.0", "type": "REQUEST", "routeKey": key, "routeArn": format!("{API}/GET/any"),
                    "headers": { "authorization": format!("Bearer {t}") },
                });
                let d = v.authorize(&keys, ev.to_string().as_bytes(), NOW);
                answers += 1;
                if token.invalid(&oracle_set) {
                    assert_eq!(d.reason.map(|r| r.code()), Some("invalid_claim"));
                    continue;
                }
                let authorized = d.response.unwrap().to_value()["isAuthorized"].as_bool().unwrap();
                let refused: Vec<&(&str, String)> = served
                    .iter()
                    .filter(|(m, p)| oracle_for(&oracle_set, closed, &token, Some(m), p).is_some())
                    .collect();
                if authorized {
                    allowed += 1;
                    assert!(
                        refused.is_empty(),
                        "rules {rules:?} closed {closed} any {any} claims {claims}: {key} answered true but serves {:?}",
                        refused[0]
                    );
                } else {
                    // A refusal is owed to a served request the rules refuse for that reason (the
                    // sample finds one for nearly every refusal).
                    let reason = d.reason.map(|r| r.code());
                    if !refused.iter().any(|(m, p)| oracle_for(&oracle_set, closed, &token, Some(m), p) == reason) {
                        unwitnessed.push(format!(
                            "rules {rules:?} closed {closed} claims {claims}: {key} answered false ({reason:?})"
                        ));
                    }
                }
            }
        }
    }
    assert!(
        unwitnessed.len() * 200 <= answers as usize,
        "{} refusals without a refused request in the sample, e.g. {}",
        unwitnessed.len(),
        unwitnessed[0]
    );
    assert!(allowed > 0);
    eprintln!(
        "route keys with claim terms: {answers} answers ({allowed} true), 0 wrong; {} refusals without a witness in the sample",
        unwitnessed.len()
    );
}

/// The paths a route key's template matches, as documented: `{name}` any run without `/`,
/// `{name+}` any run.
fn template_regex(template: &str) -> Regex {
    let mut re = String::from("(?s)^");
    let mut rest = template;
    while let Some(c) = rest.chars().next() {
        if c == '{' {
            let close = rest.find('}').unwrap();
            re.push_str(if rest[..close].ends_with('+') { ".*" } else { "[^/]*" });
            rest = &rest[close + 1..];
        } else {
            re.push_str(&regex::escape(&c.to_string()));
            rest = &rest[1..];
        }
    }
    re.push('$');
    Regex::new(&re).unwrap()
}

/// The literal runs of paths (between wildcards), with and without their slashes, and a few
/// runs of their own: what the wildcards of rule paths and templates are filled with.
fn fill_pool(paths: &[&str]) -> Vec<String> {
    let mut pool: Vec<String> = ["", "q", "q/q", "zz"].map(String::from).to_vec();
    for path in paths {
        for run in path.split(['*', '{', '}']) {
            pool.extend([run.to_owned(), run.trim_matches('/').to_owned()]);
        }
    }
    pool.sort();
    pool.dedup();
    pool
}

/// A rule path with each wildcard (`*`, `{name}`) filled from `pool`: every combination, or a
/// random 400 of them.
fn instances(rule_path: &str, pool: &[String], rng: &mut Rng) -> Vec<String> {
    let mut parts: Vec<Option<&str>> = Vec::new();
    let mut rest = rule_path;
    while let Some(c) = rest.chars().next() {
        parts.push((c != '*' && c != '{').then(|| &rest[..1]));
        rest = if c == '{' { &rest[rest.find('}').unwrap() + 1..] } else { &rest[1..] };
    }
    let holes = parts.iter().filter(|p| p.is_none()).count() as u32;
    let fill = |choose: &mut dyn FnMut() -> usize| {
        parts.iter().map(|p| p.unwrap_or_else(|| &pool[choose()])).collect::<String>()
    };
    if pool.len().pow(holes) <= 400 {
        (0..pool.len().pow(holes))
            .map(|mut n| {
                fill(&mut || {
                    let i = n % pool.len();
                    n /= pool.len();
                    i
                })
            })
            .collect()
    } else {
        (0..400).map(|_| fill(&mut || rng.below(pool.len()))).collect()
    }
}

/// Route keys, each with the requests it can serve (a sample of the documented set).
fn route_keys(rules: &str, rng: &mut Rng) -> Vec<(String, Vec<(&'static str, String)>)> {
    let one = ["", "1", "pets", "admin", "users", "x", "pets1", "ab", "a1b", "zq"];
    let greedy = [
        "",
        "1",
        "pets",
        "admin",
        "a/b",
        "admin/users",
        "pets/1",
        "admin/pets/1",
        "pets/x/users",
        "users/",
        "ab/x",
        "zq",
        "zq/zq",
    ];
    let mut out = Vec::new();
    for _ in 0..12 {
        let method = *rng.pick(&["GET", "POST", "DELETE", "ANY", "GET", "ANY"]);
        let mut template = String::new();
        for _ in 0..1 + rng.below(3) {
            template.push('/');
            template.push_str(rng.pick_str(&["pets", "admin", "users", "{a}", "{b}", "x"]));
        }
        if rng.chance(25) {
            template.push_str("/{proxy+}");
        }
        let methods: Vec<&str> = if method == "ANY" { SEVEN.to_vec() } else { vec![method] };
        let mut served = Vec::new();
        let rule_paths: Vec<String> = rules
            .split(';')
            .filter_map(|r| r.split_once('=')?.0.trim().split_once(' ').map(|(_, p)| p.to_owned()))
            .collect();
        let pool = fill_pool(&rule_paths.iter().map(String::as_str).chain([template.as_str()]).collect::<Vec<_>>());
        let one: Vec<&str> =
            one.iter().copied().chain(pool.iter().map(String::as_str).filter(|f| !f.contains('/'))).collect();
        let greedy: Vec<&str> = greedy.iter().copied().chain(pool.iter().map(String::as_str)).collect();
        for _ in 0..200 {
            let mut path = String::new();
            let mut rest = template.as_str();
            while let Some(c) = rest.chars().next() {
                if c == '{' {
                    let close = rest.find('}').unwrap();
                    path.push_str(if rest[..close].ends_with('+') {
                        rng.pick_str(&greedy)
                    } else {
                        rng.pick_str(&one)
                    });
                    rest = &rest[close + 1..];
                } else {
                    path.push(c);
                    rest = &rest[1..];
                }
            }
            served.push((*rng.pick(&methods), path));
        }
        for m in &methods {
            served.push((m, template.replace(['{', '}', '+'], "")));
        }
        // The paths of the rules themselves that the template also matches: where a rule
        // applies to a request the key serves, one of these usually shows it.
        let member = template_regex(&template);
        for rule_path in &rule_paths {
            for path in instances(rule_path, &pool, rng) {
                if member.is_match(&path) {
                    served.extend(methods.iter().map(|m| (*m, path.clone())));
                }
            }
        }
        served.sort();
        served.dedup();
        out.push((format!("{method} {template}"), served));
    }
    out
}

#[test]
fn a_simple_response_cached_for_a_route_key_is_right_for_every_request_it_serves() {
    let mut rng = Rng(0x5eed_2016);
    let tokens = scoped_tokens();
    let keys = key_set(&["rsa-2048"]);
    let (mut checked, mut answers, mut allowed, mut refused, mut unwitnessed) = (0u64, 0u64, 0u64, 0, Vec::new());
    for round in 0..160 {
        let rules = rule_set(&mut rng);
        let closed = round % 2 == 1;
        let Some(v) = generated_verifier(&rules, closed, json!({ "http_api_response": "simple" }), &mut refused) else {
            continue;
        };
        let oracle_set = oracle_rules(&rules);
        let mut keys_served = route_keys(&rules, &mut rng);
        let every: Vec<(&str, String)> = SEVEN
            .iter()
            .flat_map(|m| request_paths(&rules, &mut Rng(round + 1)).into_iter().map(move |p| (*m, p)))
            .collect();
        keys_served.push(("$default".into(), every));
        for (held, t) in &tokens {
            for (key, served) in &keys_served {
                let ev = json!({
                    "version": "2.0", "type": "REQUEST", "routeKey": key, "routeArn": format!("{API}/GET/any"),
                    "headers": { "authorization": format!("Bearer {t}") },
                });
                let d = v.authorize(&keys, ev.to_string().as_bytes(), NOW);
                let authorized = d.response.unwrap().to_value()["isAuthorized"].as_bool().unwrap();
                answers += 1;
                let refused: Vec<&(&str, String)> =
                    served.iter().filter(|(m, p)| oracle(&oracle_set, closed, held, Some(m), p).is_some()).collect();
                checked += served.len() as u64;
                if authorized {
                    allowed += 1;
                    assert!(
                        refused.is_empty(),
                        "rules {rules:?} closed {closed} scopes {held:?}: {key} answered true but serves {:?}",
                        refused[0]
                    );
                } else if refused.is_empty() {
                    unwitnessed.push(format!(
                        "rules {rules:?} closed {closed} scopes {held:?}: {key} answered false ({:?})",
                        d.reason
                    ));
                }
            }
        }
    }
    // A refusal must be owed to a request the key serves that the rules refuse; the sample of
    // served requests finds one for (nearly) every refusal.
    assert!(
        unwitnessed.len() * 200 <= answers as usize,
        "{} refusals without a refused request in the sample, e.g. {}",
        unwitnessed.len(),
        unwitnessed[0]
    );
    eprintln!(
        "route keys: {answers} answers ({allowed} true), {checked} (answer, served request) checks, 0 wrong; {} refusals without a witness in the sample",
        unwitnessed.len()
    );
}

// ---------------------------------------------------------------------------------------------
// Hand-written cases: the issue's findings, the table, sizes and WebSocket.

fn token_with(scopes: &str) -> String {
    let mut c = claims();
    c.insert("scope".into(), json!(scopes));
    token(Algorithm::RS256, &c, json!({}))
}

fn policy_for(v: &Verifier, scopes: &str, route: &str) -> Value {
    let keys = key_set(&["rsa-2048"]);
    v.authorize(&keys, &event(0, &token_with(scopes), &format!("{API}/{route}")), NOW).response.unwrap().to_value()
}

#[test]
fn wildcard_methods_reach_no_other_route() {
    let v = rules_verifier("ANY /pets=pets:read", true, json!({}));
    let p = policy_for(&v, "pets:read", "GET/pets");
    for other in ["GET/admin/pets", "POST/internal/users/pets"] {
        assert!(!iam_allows(&p, &format!("{API}/{other}")), "{other}\n{p:#}");
    }
    assert!(SEVEN.iter().all(|m| iam_allows(&p, &format!("{API}/{m}/pets"))));

    let v = rules_verifier("* /pets/{id}=pets:read; GET /admin/{proxy+}=admin", true, json!({}));
    let p = policy_for(&v, "pets:read", "GET/pets/1");
    assert!(!iam_allows(&p, &format!("{API}/DELETE/admin/pets/1")), "{p:#}");

    let v = rules_verifier("ANY /pets=pets:read", false, json!({}));
    let p = policy_for(&v, "", "GET/shop/pets");
    assert!(iam_allows(&p, &format!("{API}/GET/shop/pets")), "{p:#}");
    assert!(!iam_allows(&p, &format!("{API}/GET/pets")));
}

#[test]
fn statements_of_one_effect_are_merged() {
    let v = rules_verifier("GET /pets/*=pets:read; POST /pets=pets:write; DELETE /*=admin", false, json!({}));
    let p = policy_for(&v, "pets:read", "GET/pets/1");
    assert_eq!(
        p["policyDocument"]["Statement"],
        json!([
            { "Action": "execute-api:Invoke", "Effect": "Allow", "Resource": format!("{API}/*/*") },
            { "Action": "execute-api:Invoke", "Effect": "Deny", "Resource": [format!("{API}/POST/pets"), format!("{API}/DELETE/*")] },
        ])
    );
    let v = rules_verifier("GET /pets/*=pets:read; ANY /admin=admin", true, json!({}));
    let p = policy_for(&v, "pets:read", "GET/pets/1");
    let statements = p["policyDocument"]["Statement"].as_array().unwrap();
    assert_eq!(statements.len(), 2);
    assert_eq!(statements[0]["Resource"], format!("{API}/GET/pets/*"));
    assert_eq!(statements[1]["Resource"].as_array().unwrap().len(), 7);
    // Nothing held, unlisted closed: one Deny of the stage.
    let p = policy_for(&v, "", "GET/pets/1");
    assert_eq!(
        p["policyDocument"]["Statement"],
        json!([{ "Action": "execute-api:Invoke", "Effect": "Deny", "Resource": format!("{API}/*/*") }])
    );
}

#[test]
fn unlisted_routes_in_deny_mode_have_their_own_reason() {
    let v = rules_verifier("GET /pets/*=pets:read", true, json!({}));
    let keys = key_set(&["rsa-2048"]);
    let d = v.authorize(&keys, &event(0, &token_with("pets:read"), &format!("{API}/GET/owners")), NOW);
    assert_eq!((d.outcome, d.reason.map(|r| r.code())), (Outcome::Deny, Some("route_not_listed")));
    let d = v.authorize(&keys, &event(0, &token_with(""), &format!("{API}/GET/pets/1")), NOW);
    assert_eq!(d.reason.map(|r| r.code()), Some("missing_scope"));
}

#[test]
fn websocket_connect_rules() {
    let keys = key_set(&["rsa-2048"]);
    let v = rules_verifier("$connect=chat; GET /pets/*=pets:read", true, json!({}));
    let connect = |scopes: &str| v.authorize(&keys, &event(1, &token_with(scopes), &format!("{API}/$connect")), NOW);
    let d = connect("chat");
    assert_eq!(d.outcome, Outcome::Allow);
    let p = d.response.unwrap().to_value();
    assert_eq!(
        p["policyDocument"]["Statement"],
        json!([{ "Action": "execute-api:Invoke", "Effect": "Allow", "Resource": format!("{API}/$connect") }])
    );
    assert_eq!(connect("pets:read").reason.map(|r| r.code()), Some("missing_scope"));
    let v = rules_verifier("GET /pets/*=pets:read", true, json!({}));
    let d = v.authorize(&keys, &event(1, &token_with("pets:read"), &format!("{API}/$connect")), NOW);
    assert_eq!(d.reason.map(|r| r.code()), Some("route_not_listed"));
}

#[test]
fn an_arn_with_a_wildcard_stage_gets_no_rule_policy() {
    // API Gateway's own example events carry the stage `*`; a policy built from it would reach
    // into every method and path.
    let keys = key_set(&["rsa-2048"]);
    let arn = "arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/*/GET/pets";
    let v = rules_verifier("GET /pets=pets:read", false, json!({}));
    let d = v.authorize(&keys, &event(0, &token_with("pets:read"), arn), NOW);
    assert_eq!(d.reason.map(|r| r.code()), Some("invalid_event"));
    // Without rules it is the stage-wide Allow it always was.
    let d = verifier(json!({})).authorize(&keys, &event(0, &token_with(""), arn), NOW);
    assert_eq!(d.outcome, Outcome::Allow);
}

#[test]
fn every_answer_fits_8_kb() {
    let long_stage = format!("arn:aws:execute-api:ap-southeast-4:123456789012:abcdefghij/{}", "s".repeat(128));
    let keys = key_set(&["rsa-2048"]);
    // 50 rules with 40-character paths could give far more than 8 KB: refused at start, naming
    // the setting, the size and the limit.
    let rules = (0..50).map(|i| format!("GET /{i:02}{}=s", "p".repeat(37))).collect::<Vec<_>>().join("; ");
    let e = jwtgate_core::Config::from_json(
        json!({ "issuers": [ISSUER], "audiences": [AUDIENCE], "route_rules": rules }).to_string().as_bytes(),
    )
    .unwrap_err();
    assert_eq!(e.setting, "route_rules");
    assert!(e.problem.contains("8192") && e.problem.contains("bytes"), "{e}");
    // A realistic set fits even with the longest stage name, for every token.
    let rules = "GET /pets=pets:read; GET /pets/{id}=pets:read; POST /pets=pets:write; PUT /pets/{id}=pets:write; \
                 DELETE /pets/{id}=pets:admin; GET /owners/{id}/pets=owners:read; ANY /admin/{proxy+}=admin; \
                 GET /stores/{storeId}/inventory=store:read; POST /stores/{storeId}/orders=store:write; $connect=chat";
    for closed in [false, true] {
        let v = rules_verifier(rules, closed, json!({}));
        for scopes in [
            "",
            "pets:read owners:read",
            "pets:read pets:write pets:admin owners:read store:read store:write admin chat",
        ] {
            for route in ["GET/pets", "$connect"] {
                let d = v.authorize(&keys, &event(1, &token_with(scopes), &format!("{long_stage}/{route}")), NOW);
                let mut text = Vec::new();
                d.response.as_ref().unwrap().write(&mut text);
                assert!(text.len() <= 8192, "{} bytes", text.len());
                let bound = d.response.unwrap().max_len();
                assert!(bound >= text.len() && bound <= text.len() + 100, "{bound} for {} bytes", text.len());
            }
        }
    }
    // A context that would not fit is cut to fit (context.rs's rule), with the most rules and
    // the longest stage; a principal that cannot fit is refused with its reason.
    let v = rules_verifier(rules, true, json!({ "context_claims": ["big", "sub"], "context_payload_key": "claims" }));
    let mut c = claims();
    c.insert("big".into(), json!("x".repeat(9000)));
    let t = token(Algorithm::RS256, &c, json!({}));
    let d = v.authorize(&keys, &event(0, &t, &format!("{long_stage}/GET/pets")), NOW);
    assert_eq!((d.outcome, d.reason), (Outcome::Allow, None));
    let mut text = Vec::new();
    d.response.as_ref().unwrap().write(&mut text);
    assert!(text.len() <= 8192, "{} bytes", text.len());
    let answer: serde_json::Value = serde_json::from_slice(&text).unwrap();
    assert_eq!(answer["context"], json!({ "sub": "user-1", "jwtgate_context_cut": true }));
    let mut c = claims();
    c.insert("sub".into(), json!("x".repeat(9000)));
    let t = token(Algorithm::RS256, &c, json!({}));
    let d = v.authorize(&keys, &event(0, &t, &format!("{API}/GET/pets")), NOW);
    assert_eq!((d.outcome, d.reason.map(|r| r.code())), (Outcome::Unauthorized, Some("response_too_large")));
}

#[test]
fn rules_from_the_environment_and_their_errors() {
    use jwtgate_core::env::Settings;
    let env = |rules: &str| {
        let vars = [("ISSUER", ISSUER), ("AUDIENCE", AUDIENCE), ("ROUTE_RULES", rules), ("UNLISTED_ROUTES", "deny")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::from_env(&vars, None)
    };
    assert_eq!(env("GET /pets/*=pets:read; POST /pets=pets:write; $connect=chat").unwrap().config.route_rules.len(), 3);
    let json_form = r#"[{"route":"GET /pets/*","scopes":["pets:read"]}]"#;
    assert_eq!(env(json_form).unwrap().config.route_rules[0].scopes, vec!["pets:read"]);
    for (rules, needle) in [
        ("GET /pets/*=pets:read; FETCH /x=y", "FETCH /x"),
        ("GET /pets/{id=pets:read", "`GET /pets/{id`"),
        ("GET /pets/{a}{b}=pets:read", "`GET /pets/{a}{b}`"),
        // A word without method, path or `$`: an HTTP rule cut short, never a route key that
        // matches nothing (which left the route it meant open).
        ("pets=admin", "`pets`: a rule is `METHOD /path=...`"),
        ("GET /pets/*=pets:read; sendmessage=chat", "`sendmessage`"),
    ] {
        let e = env(rules).unwrap_err();
        assert_eq!(e.setting, "ROUTE_RULES");
        assert!(e.to_string().contains(needle), "{e}");
    }
    let e = env(&(0..60).map(|i| format!("GET /r{i}=s")).collect::<Vec<_>>().join(";")).unwrap_err();
    assert!(e.to_string().contains("at most 50"), "{e}");
}
