//! Shared fixtures and oracles for the fuzz targets.
//!
//! The fixtures match the seed generator (`core/fuzz/seeds.mjs`): the public halves of the
//! committed test keys (`tests/keys/test-keys.json`), issuer `https://issuer.test/`, audience
//! `api://test`, and a fixed clock. The oracles restate the behaviour contract (README,
//! DESIGN) independently of the code under test; a violated oracle panics, which libFuzzer
//! reports as a crash like any other.

use jwtgate_core::alg::Algorithm;
use jwtgate_core::crypto::CryptoProvider;
use jwtgate_core::token::Header;
use jwtgate_core::{Config, Decision, Jwk, KeySet, Limits, Outcome, Reason, Verifier};
use serde_json::{Map, Value, json};
use std::sync::OnceLock;

pub const NOW: i64 = 1_800_000_000;
pub const ISSUER: &str = "https://issuer.test/";
pub const AUDIENCE: &str = "api://test";

const TEST_KEYS: &str = include_str!("../../../tests/keys/test-keys.json");
const PRIVATE_MEMBERS: &[&str] = &["d", "p", "q", "dp", "dq", "qi"];

/// The committed test keys as an identity provider publishes them (private members removed).
pub fn public_jwks() -> &'static [u8] {
    static JWKS: OnceLock<Vec<u8>> = OnceLock::new();
    JWKS.get_or_init(|| {
        let mut doc: Value = serde_json::from_str(TEST_KEYS).expect("test keys are JSON");
        for key in doc["keys"].as_array_mut().expect("keys array") {
            let key = key.as_object_mut().expect("key object");
            for name in PRIVATE_MEMBERS {
                key.remove(*name);
            }
        }
        doc.to_string().into_bytes()
    })
}

/// The public test keys, parsed once (the weak 1024-bit RSA key is refused at load, on purpose).
pub fn key_set() -> &'static KeySet {
    static KEYS: OnceLock<KeySet> = OnceLock::new();
    KEYS.get_or_init(|| KeySet::parse(public_jwks(), &Limits::default()).expect("test JWKS loads"))
}

/// A provider that accepts every signature. With it the fuzzer reaches the claim checks and
/// the policy builder, which a real signature check keeps it out of. Never used outside fuzzing.
#[derive(Clone, Copy, Debug, Default)]
pub struct AcceptAll;

impl CryptoProvider for AcceptAll {
    fn verify(&self, alg: Algorithm, key: &Jwk, _message: &[u8], _signature: &[u8]) -> bool {
        // The core promises to ask only with a key of the algorithm's kind.
        assert_eq!(key.key.kind(), alg.key_kind(), "provider asked with a key of the wrong kind");
        true
    }
}

/// The configurations a fuzz input chooses from with its first byte.
fn config_documents() -> Vec<Value> {
    let all: Vec<&str> = Algorithm::ALL.iter().map(|a| a.name()).collect();
    vec![
        // 0: the test default, every algorithm.
        json!({ "issuers": [ISSUER], "audiences": [AUDIENCE], "algorithms": all }),
        // 1: every optional rule on, exact methodArn, policies for HTTP API 2.0.
        json!({
            "issuers": [ISSUER], "audiences": [AUDIENCE], "algorithms": all,
            "leeway_seconds": 60, "required_scopes": ["pets:read"],
            "allowed_client_ids": ["client-1"], "token_type": "at+jwt",
            "max_token_age_seconds": 3600, "policy_resource": "method",
            "context_claims": ["sub", "scope", "scp", "n", "b", "client_id"],
            "http_api_response": "policy"
        }),
        // 2: per-route rules, closed by default, the sample's RS256 plus ES256.
        json!({
            "issuers": [ISSUER], "audiences": [AUDIENCE], "algorithms": ["RS256", "ES256"],
            "route_rules": "GET /pets/*=pets:read; POST /pets=pets:write; DELETE /*=admin",
            "unlisted_routes": "deny"
        }),
        // 3: rules as a list, open by default, simple responses, two issuers and audiences.
        json!({
            "issuers": [ISSUER, "https://issuer.test"], "audiences": [AUDIENCE, "api://other"],
            "algorithms": ["PS256", "ES384", "EdDSA", "RS512"],
            "route_rules": [{ "route": "GET /pets/{id}", "scopes": ["pets:read"] }, { "route": "ANY /admin/*", "scopes": ["admin"] }],
            "required_scopes": ["pets:write"]
        }),
        // 4: wildcard methods, a greedy parameter and a WebSocket rule, closed, policies for
        // HTTP API 2.0 too.
        json!({
            "issuers": [ISSUER], "audiences": [AUDIENCE], "algorithms": all,
            "route_rules": "* /pets/{id}=pets:read; GET /admin/{proxy+}=admin; ANY /pets=pets:read pets:write; $connect=chat",
            "unlisted_routes": "deny", "http_api_response": "policy"
        }),
    ]
}

/// A route rule as README describes it, written out by hand for each configuration above:
/// the methods it names (none for a WebSocket route key), its path with every `*` and
/// `{name}` as `*` (or the route key), and its scopes.
pub struct OracleRule {
    pub methods: &'static [&'static str],
    pub path: &'static str,
    pub scopes: &'static [&'static str],
}

const SEVEN: &[&str] = &["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"];

/// The rules of each configuration, and whether unlisted routes are closed.
pub fn oracle_rules(choice: usize) -> (&'static [OracleRule], bool) {
    const NONE: &[OracleRule] = &[];
    const TWO: &[OracleRule] = &[
        OracleRule { methods: &["GET"], path: "/pets/*", scopes: &["pets:read"] },
        OracleRule { methods: &["POST"], path: "/pets", scopes: &["pets:write"] },
        OracleRule { methods: &["DELETE"], path: "/*", scopes: &["admin"] },
    ];
    const THREE: &[OracleRule] = &[
        OracleRule { methods: &["GET"], path: "/pets/*", scopes: &["pets:read"] },
        OracleRule { methods: SEVEN, path: "/admin/*", scopes: &["admin"] },
    ];
    const FOUR: &[OracleRule] = &[
        OracleRule { methods: SEVEN, path: "/pets/*", scopes: &["pets:read"] },
        OracleRule { methods: &["GET"], path: "/admin/*", scopes: &["admin"] },
        OracleRule { methods: SEVEN, path: "/pets", scopes: &["pets:read", "pets:write"] },
        OracleRule { methods: &[], path: "$connect", scopes: &["chat"] },
    ];
    match choice {
        2 => (TWO, true),
        3 => (THREE, false),
        4 => (FOUR, true),
        _ => (NONE, false),
    }
}

/// What the rules say of one request (`method` `None`: a WebSocket route key): allowed, or not.
pub fn rules_allow(rules: &[OracleRule], closed: bool, held: &[&str], method: Option<&str>, path: &str) -> bool {
    let mut listed = false;
    for rule in rules {
        let applies = match method {
            Some(m) => rule.methods.contains(&m) && iam_match(rule.path, path),
            None => rule.methods.is_empty() && rule.path == path,
        };
        if applies {
            if !rule.scopes.iter().all(|s| held.contains(s)) {
                return false;
            }
            listed = true;
        }
    }
    listed || !closed
}

pub struct Verifiers {
    pub real: Verifier,
    pub accept_all: Verifier<AcceptAll>,
}

/// One pair of verifiers per configuration: the real provider and [`AcceptAll`].
pub fn verifiers() -> &'static [Verifiers] {
    static V: OnceLock<Vec<Verifiers>> = OnceLock::new();
    V.get_or_init(|| {
        check_iam_match_is_the_definition();
        config_documents()
            .into_iter()
            .map(|doc| {
                let config = Config::from_json(doc.to_string().as_bytes()).expect("fuzz config is valid");
                Verifiers { real: Verifier::new(config.clone()), accept_all: Verifier::with_provider(config, AcceptAll) }
            })
            .collect()
    })
}

/// Split an input into (configuration choice, rest).
pub fn choose(data: &[u8]) -> Option<(&'static Verifiers, &[u8])> {
    choose_indexed(data).map(|(_, v, rest)| (v, rest))
}

/// [`choose`], with the configuration's index.
pub fn choose_indexed(data: &[u8]) -> Option<(usize, &'static Verifiers, &[u8])> {
    let (&first, rest) = data.split_first()?;
    let all = verifiers();
    let i = first as usize % all.len();
    Some((i, &all[i], rest))
}

fn number(v: Option<&Value>) -> Option<f64> {
    v.and_then(Value::as_f64).filter(|n| n.is_finite())
}

pub fn scopes(claims: &Map<String, Value>) -> Vec<&str> {
    let mut out = Vec::new();
    if let Some(Value::String(s)) = claims.get("scope") {
        out.extend(s.split(' '));
    }
    match claims.get("scp") {
        Some(Value::String(s)) => out.extend(s.split(' ')),
        Some(Value::Array(items)) => out.extend(items.iter().filter_map(Value::as_str)),
        _ => {}
    }
    out
}

/// The contract for a token that verified (with or without the required scopes, `scoped`),
/// restated from the README: algorithm allowed, `exp` required and in the future, `nbf`/`iat`
/// honoured, issuer exact, an audience matching, type and client rules when configured.
pub fn check_accepted(config: &Config, header: &Header, claims_text: &str, now: i64, scoped: bool) {
    // An independent reading of the claims the core accepted (serde_json, floating point).
    let claims: Map<String, Value> = serde_json::from_str(claims_text).expect("accepted claims are a JSON object");
    let claims = &claims;
    let now = now as f64;
    let leeway = config.leeway_seconds as f64;
    assert!(config.algorithms.contains(&header.alg), "accepted a disallowed algorithm {:?}", header.alg);
    let exp = number(claims.get("exp")).expect("accepted a token without a numeric exp");
    assert!(now < exp + leeway, "accepted an expired token: exp {exp}");
    if claims.contains_key("nbf") {
        let nbf = number(claims.get("nbf")).expect("accepted a non-numeric nbf");
        assert!(now + leeway >= nbf, "accepted a token before nbf");
    }
    if claims.contains_key("iat") {
        let iat = number(claims.get("iat")).expect("accepted a non-numeric iat");
        assert!(iat <= now + leeway, "accepted a token issued in the future");
    }
    if let Some(max_age) = config.max_token_age_seconds {
        let iat = number(claims.get("iat")).expect("max age set but no iat");
        assert!(now - iat <= max_age as f64 + leeway, "accepted a token older than the maximum age");
    }
    // RFC 7519 sections 4.1.2 and 4.1.7: a `sub` or `jti` present is a string.
    for name in ["sub", "jti"] {
        assert!(claims.get(name).is_none_or(Value::is_string), "accepted a non-string {name}: {:?}", claims.get(name));
    }
    let iss = claims.get("iss").and_then(Value::as_str).expect("accepted a token without a string iss");
    assert!(config.issuers.iter().any(|i| i == iss), "accepted issuer {iss:?}");
    let aud_ok = match claims.get("aud") {
        Some(Value::String(a)) => config.audiences.contains(a),
        Some(Value::Array(items)) => {
            items.iter().all(Value::is_string)
                && items.iter().filter_map(Value::as_str).any(|a| config.audiences.iter().any(|c| c == a))
        }
        _ => false,
    };
    assert!(aud_ok, "accepted audience {:?}", claims.get("aud"));
    if let Some(required) = &config.token_type {
        let strip = |s: &str| -> String {
            let lower = s.to_ascii_lowercase();
            lower.strip_prefix("application/").map(str::to_owned).unwrap_or(lower)
        };
        let typ = header.typ.as_deref().expect("token type required but typ absent");
        assert_eq!(strip(typ), strip(required), "accepted typ {typ:?}");
    }
    if let Some(allowed) = &config.allowed_client_ids {
        let client = claims
            .get("client_id")
            .or_else(|| claims.get("azp"))
            .and_then(Value::as_str)
            .expect("client rule set but no client id");
        assert!(allowed.iter().any(|a| a == client), "accepted client {client:?}");
    }
    if scoped {
        let held = scopes(claims);
        for r in &config.required_scopes {
            assert!(held.contains(&r.as_str()), "allowed without required scope {r:?}");
        }
    }
}

/// Whether a JSON value is a scalar API Gateway accepts in an authorizer context.
fn scalar(v: &Value) -> bool {
    matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_))
}

/// IAM's matching of a `Resource` pattern, as AWS documents it ("IAM JSON policy elements:
/// Resource"), written independently of the core's: `*` matches any run of characters, `/`
/// included, `?` exactly one character, the rest itself, over the whole text. Two positions,
/// going back to just after the last `*` on a mismatch (linear for the patterns policies hold:
/// the oracle evaluates hundreds of routes per input).
pub fn iam_match(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < t.len() {
        if i < p.len() && p[i] != b'*' && (p[i] == b'?' || p[i] == t[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == b'*' {
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
    p[i..].iter().all(|&c| c == b'*')
}

/// [`iam_match`] against the definition (a recursion over pattern and text), on 20,000 short
/// strings: run once per fuzzing process (from [`verifiers`]), so the oracle is checked
/// wherever it is used.
fn check_iam_match_is_the_definition() {
    fn definition(p: &[u8], t: &[u8]) -> bool {
        match (p.first(), t.first()) {
            (None, None) => true,
            (Some(b'*'), _) => definition(&p[1..], t) || (!t.is_empty() && definition(p, &t[1..])),
            (Some(b'?'), Some(_)) => definition(&p[1..], &t[1..]),
            (Some(a), Some(b)) if a == b => definition(&p[1..], &t[1..]),
            _ => false,
        }
    }
    let alphabet = [b'a', b'/', b'*', b'?'];
    let mut x = 7u64;
    for _ in 0..20_000 {
        let mut word = |max: u64| -> String {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let len = (x >> 33) % max;
            (0..len).map(|k| alphabet[((x >> (k * 2 + 3)) & 3) as usize] as char).collect()
        };
        let (p, t) = (word(7), word(9));
        assert_eq!(iam_match(&p, &t), definition(p.as_bytes(), t.as_bytes()), "{p:?} ~ {t:?}");
    }
}

/// IAM's evaluation of a policy response for one ARN ("Policy evaluation logic"): an explicit
/// Deny in any matching statement wins, then an Allow, else the implicit deny.
pub fn iam_allows(response: &Value, arn: &str) -> bool {
    let (mut allow, mut deny) = (false, false);
    for s in response["policyDocument"]["Statement"].as_array().expect("policy statements") {
        let resources: Vec<&str> = match &s["Resource"] {
            Value::String(r) => vec![r.as_str()],
            Value::Array(items) => items.iter().map(|r| r.as_str().expect("a resource is a string")).collect(),
            other => panic!("statement resource {other}"),
        };
        if resources.iter().any(|r| iam_match(r, arn)) {
            if s["Effect"] == "Deny" { deny = true } else { allow = true }
        }
    }
    allow && !deny
}

/// The rules' answer for routes beyond the event's own: for a stage-wide policy, every method
/// on paths around the rules' and the event's (and the WebSocket route keys), IAM's evaluation
/// must be what the rules say; for an HTTP API simple response allowing a route key, every
/// request the key serves (a sample) must be allowed by the rules. `held`: the token's scopes.
pub fn check_routes(choice: usize, config: &Config, d: &Decision, arn: &str, route_key: Option<&str>, held: &[&str]) {
    let (rules, closed) = oracle_rules(choice);
    let Some(response) = d.response.as_ref().map(jwtgate_core::Response::to_value) else { return };
    let scoped = config.required_scopes.iter().all(|s| held.contains(&s.as_str()));
    let Some(parsed) = jwtgate_core::policy::ExecuteApiArn::parse(arn) else { return };
    let prefix = format!("{}/{}", parsed.api, parsed.stage);
    let mut paths: Vec<String> = vec!["/".into(), "/pets".into(), "/admin/pets".into(), "/owners".into(), "/pets/1/admin".into()];
    if let Some(p) = parsed.path {
        paths.push(format!("/{p}"));
    }
    for rule in rules.iter().filter(|r| !r.methods.is_empty()) {
        for fill in ["", "1", "a/b", "admin/x"] {
            paths.push(rule.path.replace('*', fill));
        }
    }
    if let Some(authorized) = response.get("isAuthorized") {
        if authorized != true {
            return;
        }
        let key = route_key.unwrap_or("$default");
        let (methods, template) = match key.split_once(' ') {
            Some((m, t)) if SEVEN.contains(&m) => (vec![m], t),
            Some(("ANY", t)) => (SEVEN.to_vec(), t),
            _ => (SEVEN.to_vec(), "/{proxy+}"),
        };
        for method in methods {
            for fill in ["", "1", "pets", "admin", "x"] {
                let mut path = String::new();
                let mut rest = template;
                while let Some(open) = rest.find('{') {
                    path.push_str(&rest[..open]);
                    let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
                    path.push_str(fill);
                    rest = &rest[close..];
                }
                path.push_str(rest);
                assert!(scoped && rules_allow(rules, closed, held, Some(method), &path), "route key {key:?} allowed, but the rules refuse {method} {path}");
            }
        }
        return;
    }
    if config.policy_resource != jwtgate_core::config::PolicyResource::Stage || !parsed.names_one_stage() {
        return;
    }
    // A stage's routes are of its API's kind: methods and paths, or WebSocket route keys.
    let routes: Vec<(Option<&str>, &str)> = match parsed.path {
        Some(_) => SEVEN.iter().flat_map(|m| paths.iter().map(move |p| (Some(*m), p.as_str()))).collect(),
        None => vec![(None, "$connect"), (None, "$default"), (None, "sendmessage")],
    };
    for (method, path) in routes {
        let want = scoped && rules_allow(rules, closed, held, method, path);
        let route = format!("{prefix}/{}{path}", method.unwrap_or(""));
        assert_eq!(iam_allows(&response, &route), want, "the cached policy answers {route:?} unlike the rules\n{response:#}");
    }
}

/// The contract for a decision: its outcome, reason and response agree, and a response is one
/// API Gateway accepts (scalar context values, a principal, statements). For a policy, IAM's
/// evaluation of it for the request's ARN (`arn`: an explicit Deny wins, then an Allow, else
/// the implicit deny) must be the outcome.
pub fn check_decision(d: &Decision, arn: Option<&str>) {
    match d.outcome {
        Outcome::Allow => {
            assert_eq!(d.reason, None, "allow with a reason");
            assert!(d.response.is_some(), "allow without a response");
        }
        Outcome::Deny => {
            assert!(matches!(d.reason, Some(Reason::MissingScope | Reason::RouteNotListed)), "deny for another reason");
            assert!(d.response.is_some(), "deny without a response");
        }
        Outcome::Unauthorized => {
            assert!(d.response.is_none(), "unauthorized with a response");
            let refused = [Reason::UnknownKid, Reason::MissingScope, Reason::RouteNotListed];
            assert!(d.reason.is_some_and(|r| !refused.contains(&r)), "unauthorized reason {:?}", d.reason);
        }
        Outcome::RefreshKeys => {
            assert!(d.response.is_none(), "refresh_keys with a response");
            assert_eq!(d.reason, Some(Reason::UnknownKid));
        }
    }
    if let Some(response) = d.response.as_ref().map(jwtgate_core::Response::to_value) {
        let response = &response;
        let allowed = d.outcome == Outcome::Allow;
        let obj = response.as_object().expect("response is an object");
        if let Some(ctx) = obj.get("context") {
            let ctx = ctx.as_object().expect("context is an object");
            assert!(ctx.values().all(scalar), "context with a non-scalar value: {ctx:?}");
        }
        if let Some(authorized) = obj.get("isAuthorized") {
            assert_eq!(authorized.as_bool(), Some(allowed), "simple response disagrees with the outcome");
        } else {
            assert!(obj.get("principalId").is_some_and(Value::is_string), "policy without principalId");
            let statements = obj["policyDocument"]["Statement"].as_array().expect("policy statements");
            assert!((1..=2).contains(&statements.len()), "{} statements", statements.len());
            for s in statements {
                assert_eq!(s["Action"], "execute-api:Invoke");
                assert!(s["Effect"] == "Allow" || s["Effect"] == "Deny");
            }
            let arn = arn.expect("a response for an event without an ARN");
            assert_eq!(iam_allows(response, arn), allowed, "IAM evaluation of the policy for {arn:?} disagrees with the outcome {:?}", d.outcome);
        }
        let mut text = Vec::new();
        d.response.as_ref().unwrap().write(&mut text);
        assert!(text.len() <= jwtgate_core::policy::MAX_RESPONSE_BYTES, "a response of {} bytes", text.len());
    }
    // What crosses the wasm boundary and goes to the log serialises.
    let text = d.to_json().to_string();
    assert!(!text.is_empty());
}

/// The decision with the real provider, against the one with [`AcceptAll`]: the signature
/// check is one step, so everything decided before it is decided the same way, and a token
/// the real provider accepts is accepted, with the same response, without it.
pub fn check_same_up_to_signature(real: &Decision, accept_all: &Decision) {
    match real.outcome {
        Outcome::Allow | Outcome::Deny => {
            assert_eq!(real.outcome, accept_all.outcome, "providers disagree beyond the signature");
            assert_eq!(real.response, accept_all.response, "providers disagree on the response");
        }
        _ if real.reason == Some(Reason::BadSignature) => {}
        _ => assert_eq!(real.reason, accept_all.reason, "providers disagree before the signature"),
    }
}

/// RS256 tokens signed with the committed RSA test keys, valid at [`NOW`] under configuration 0:
/// with `kid` `rsa-2048`, with `kid` `rsa-3072`, and without `kid`.
pub fn signed_tokens() -> &'static [String] {
    use jwtgate_core::alg::Hash;
    use jwtgate_core::b64;
    use jwtgate_core::crypto::bigint::Modulus;
    use jwtgate_core::crypto::rsa::emsa_pkcs1v15;
    static TOKENS: OnceLock<Vec<String>> = OnceLock::new();
    TOKENS.get_or_init(|| {
        let keys: Value = serde_json::from_str(TEST_KEYS).expect("test keys are JSON");
        let member = |kid: &str, name: &str| -> Vec<u8> {
            let key = keys["keys"].as_array().unwrap().iter().find(|k| k["kid"] == kid).expect("test key");
            b64::decode(key[name].as_str().unwrap().as_bytes()).unwrap()
        };
        let claims = json!({ "iss": ISSUER, "aud": AUDIENCE, "sub": "user-1", "exp": NOW + 300, "iat": NOW - 10, "scope": "pets:read pets:write", "client_id": "client-1" });
        [("rsa-2048", true), ("rsa-3072", true), ("rsa-2048", false)]
            .iter()
            .map(|&(kid, with_kid)| {
                let header = if with_kid { json!({ "alg": "RS256", "typ": "at+jwt", "kid": kid }) } else { json!({ "alg": "RS256" }) };
                let input = format!("{}.{}", b64::encode(header.to_string().as_bytes()), b64::encode(claims.to_string().as_bytes()));
                let modulus = Modulus::new(&member(kid, "n")).unwrap();
                let em = emsa_pkcs1v15(Hash::Sha256, input.as_bytes(), modulus.byte_len()).unwrap();
                let sig = modulus.pow_be(&em, &member(kid, "d")).unwrap();
                format!("{input}.{}", b64::encode(&sig))
            })
            .collect()
    })
}
