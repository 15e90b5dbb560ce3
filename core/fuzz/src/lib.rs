//! Shared fixtures and oracles for the fuzz targets.
//!
//! The fixtures match the seed generator (`core/fuzz/seeds.mjs`): the public halves of the
//! committed test keys (`tests/keys/test-keys.json`), issuer `https://issuer.test/`, audience
//! `api://test`, a fixed clock, and the issuer profiles of the seven configurations below (two
//! of them with several issuers, one of those Cognito user pools), each profile's keys published
//! at its own key source. The oracles restate the behaviour contract (README, DESIGN, issue 17's
//! issuer profiles, RFC 7519) independently of the code under test: a profile's rules are read
//! here from the configuration document itself with serde_json, never from the core's
//! validated `Config`. A violated oracle panics, which libFuzzer reports as a crash like any
//! other.

pub mod input;

use jwtgate_core::alg::Algorithm;
use jwtgate_core::crypto::{CryptoProvider, ProviderKey, PureRust};
use jwtgate_core::{Config, Decision, KeySet, Keys, Limits, Outcome, Reason, Verifier};
use serde_json::{Map, Value, json};
use std::cell::RefCell;
use std::sync::{Mutex, OnceLock};

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

/// One key as a key source publishes it: the test key whose material it is (`base`, its `kid`
/// in the test keys), and the members the JWK carries beside the material.
#[derive(Clone, Copy, Debug)]
pub struct OracleKey {
    pub base: &'static str,
    pub kid: Option<&'static str>,
    pub x5t: Option<&'static str>,
    pub x5t_s256: Option<&'static str>,
    /// The JWK's `alg` (and then `use: sig`, as Cognito publishes its keys).
    pub alg: Option<&'static str>,
}

const fn key(base: &'static str, kid: Option<&'static str>) -> OracleKey {
    OracleKey { base, kid, x5t: None, x5t_s256: None, alg: None }
}

/// Every test key under its own `kid` (the weak one is refused at load).
const ALL_KEYS: &[OracleKey] = &[
    key("rsa-2048", Some("rsa-2048")),
    key("rsa-3072", Some("rsa-3072")),
    key("rsa-1024-weak", Some("rsa-1024-weak")),
    key("ec-p256", Some("ec-p256")),
    key("ec-p384", Some("ec-p384")),
    key("ec-p521", Some("ec-p521")),
    key("ed25519", Some("ed25519")),
];

/// The key sets published at each key source URL the configurations name (`None`: the source is
/// down, no keys). Every other source (discovery, or any other URL) publishes [`ALL_KEYS`].
const SOURCES: &[(&str, Option<&[OracleKey]>)] = &[
    // A partner IdP: an EC key also named by a certificate thumbprint, an Ed25519 key without
    // `kid`, and an RSA key for algorithms the partner's profile does not allow.
    (
        "https://partner.test/keys",
        Some(&[
            OracleKey { x5t: Some("partner-ec"), ..key("ec-p256", Some("ec-p256")) },
            key("ed25519", None),
            key("rsa-2048", Some("partner-rsa")),
        ]),
    ),
    // A machine-to-machine issuer: one RSA key by `kid`, then five without: one named by
    // `x5t#S256`, one by `x5t`, one for PS384 only. A token without `kid` or thumbprint fits
    // more than four of them (`no_matching_key`).
    (
        "https://m2m.test/jwks",
        Some(&[
            key("rsa-3072", Some("rsa-3072")),
            OracleKey { x5t_s256: Some("m2m-s256"), ..key("rsa-3072", None) },
            key("rsa-3072", None),
            OracleKey { alg: Some("PS384"), ..key("rsa-2048", None) },
            key("rsa-3072", None),
            OracleKey { x5t: Some("m2m-sha1"), ..key("rsa-3072", None) },
        ]),
    ),
    // Cognito user pools: keys with `alg: RS256` and `use: sig`, as Cognito publishes them.
    (
        "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCd123/.well-known/jwks.json",
        Some(&[
            OracleKey { alg: Some("RS256"), ..key("rsa-2048", Some("rsa-2048")) },
            OracleKey { alg: Some("RS256"), ..key("rsa-3072", Some("cognito-2")) },
        ]),
    ),
    (
        "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool2/.well-known/jwks.json",
        Some(&[OracleKey { alg: Some("RS256"), ..key("rsa-3072", Some("rsa-3072")) }]),
    ),
    // A pool whose keys cannot be had: its tokens are never accepted, the others' still are.
    ("https://cognito-idp.ap-southeast-2.amazonaws.com/ap-southeast-2_Down1/.well-known/jwks.json", None),
];

/// The keys published at `url` (`None`: discovery).
pub fn keys_at(url: Option<&str>) -> Option<&'static [OracleKey]> {
    match url.and_then(|u| SOURCES.iter().find(|(at, _)| *at == u)) {
        Some((_, keys)) => *keys,
        None => Some(ALL_KEYS),
    }
}

/// `keys` as a JWKS document: each key's public material from the test keys, with its members.
pub fn jwks_document(keys: &[OracleKey]) -> Vec<u8> {
    let test: Value = serde_json::from_str(TEST_KEYS).expect("test keys are JSON");
    let items: Vec<Value> = keys
        .iter()
        .map(|k| {
            let mut jwk = test["keys"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["kid"] == k.base)
                .expect("test key")
                .as_object()
                .unwrap()
                .clone();
            for name in PRIVATE_MEMBERS.iter().chain(&["kid"]) {
                jwk.remove(*name);
            }
            let mut set = |name: &str, value: Option<&str>| {
                if let Some(v) = value {
                    jwk.insert(name.to_owned(), v.into());
                }
            };
            set("kid", k.kid);
            set("x5t", k.x5t);
            set("x5t#S256", k.x5t_s256);
            set("alg", k.alg);
            set("use", k.alg.map(|_| "sig"));
            Value::Object(jwk)
        })
        .collect();
    json!({ "keys": items }).to_string().into_bytes()
}

/// The key type an algorithm needs (RFC 7518 section 3.1; RFC 8037 for EdDSA), and the one a
/// test key is, both as `kty` or curve names.
fn alg_kind(alg: &str) -> &'static str {
    match alg {
        "ES256" => "P-256",
        "ES384" => "P-384",
        "ES512" => "P-521",
        "EdDSA" => "Ed25519",
        a if a.starts_with("RS") || a.starts_with("PS") => "RSA",
        _ => "none",
    }
}

fn base_kind(base: &str) -> &'static str {
    match base {
        "ec-p256" => "P-256",
        "ec-p384" => "P-384",
        "ec-p521" => "P-521",
        "ed25519" => "Ed25519",
        _ => "RSA",
    }
}

impl OracleKey {
    /// Whether this published key may check a signature made with `alg` (README, "Keys": key
    /// type, curve and `alg` must fit; RSA below 2048 bits never loads).
    pub fn fits(&self, alg: &str) -> bool {
        self.base != "rsa-1024-weak" && base_kind(self.base) == alg_kind(alg) && self.alg.is_none_or(|a| a == alg)
    }
}

/// A key set per key source of a configuration, as `SOURCES` publishes them: what the verifier
/// is given (`Keys`), so a profile's keys are only its own source's.
pub struct SourceKeys {
    sets: Vec<Option<KeySet>>,
}

impl SourceKeys {
    fn of(config: &Config) -> SourceKeys {
        let sets = config
            .sources
            .iter()
            .map(|source| {
                keys_at(source.jwks_uri.as_deref()).map(|keys| {
                    let mut set = KeySet::parse(&jwks_document(keys), &Limits::default()).expect("fixture JWKS loads");
                    // Providers see a key's material and host tag only: the tag names the loaded
                    // key (its `kid` and thumbprints) for the oracle.
                    let mut names = KEY_NAMES.lock().expect("key names");
                    let mut next = names.len() as u64;
                    set.tag_keys(|| {
                        next += 1;
                        next
                    });
                    names.extend(set.keys().iter().map(names_of));
                    set
                })
            })
            .collect();
        SourceKeys { sets }
    }
}

impl Keys for SourceKeys {
    fn of_source(&self, source: usize) -> Option<&KeySet> {
        self.sets.get(source).and_then(Option::as_ref)
    }
}

/// A key the core asked a provider to check a signature with.
#[derive(Clone, Debug)]
pub struct Asked {
    pub alg: Algorithm,
    pub kid: Option<String>,
    pub x5t: Option<String>,
    pub x5t_s256: Option<String>,
    pub public_jwk: String,
}

thread_local! {
    static ASKED: RefCell<Vec<Asked>> = const { RefCell::new(Vec::new()) };
}

/// The keys asked for since the last call (and forget them).
pub fn take_asked() -> Vec<Asked> {
    ASKED.with(|a| std::mem::take(&mut *a.borrow_mut()))
}

/// A provider that notes every key it is asked with, then answers as `P` does.
#[derive(Clone, Copy, Debug, Default)]
pub struct Noting<P>(pub P);

/// The names (`kid`, `x5t`, `x5t#S256`) of every key [`SourceKeys`] loaded, by host tag - 1.
type KeyNames = Vec<(Option<String>, Option<String>, Option<String>)>;
static KEY_NAMES: Mutex<KeyNames> = Mutex::new(Vec::new());

/// Tags above this name the keys of the last set the fuzz input gave ([`name_keys_of`]).
const INPUT_TAGS: u64 = 1 << 40;

thread_local! {
    static INPUT_KEY_NAMES: RefCell<KeyNames> = const { RefCell::new(Vec::new()) };
}

fn names_of(key: &jwtgate_core::Jwk) -> (Option<String>, Option<String>, Option<String>) {
    (key.kid.clone(), key.x5t.clone(), key.x5t_s256.clone())
}

/// Tag the keys of a set the fuzz input gave, so that [`Noting`] names those it is asked
/// about (the names of the last such set only: memory stays flat over a long run).
pub fn name_keys_of(set: &mut KeySet) {
    let mut next = INPUT_TAGS;
    set.tag_keys(|| {
        next += 1;
        next
    });
    INPUT_KEY_NAMES.with(|names| *names.borrow_mut() = set.keys().iter().map(names_of).collect());
}

impl<P: CryptoProvider> CryptoProvider for Noting<P> {
    fn verify(&self, alg: Algorithm, key: ProviderKey<'_>, message: &[u8], signature: &[u8]) -> bool {
        let tag = key.host_tag;
        let names = if tag > INPUT_TAGS {
            INPUT_KEY_NAMES.with(|names| names.borrow().get((tag - INPUT_TAGS - 1) as usize).cloned())
        } else {
            tag.checked_sub(1).and_then(|i| KEY_NAMES.lock().expect("key names").get(i as usize).cloned())
        };
        let (kid, x5t, x5t_s256) =
            names.unwrap_or_else(|| panic!("a provider asked with a key no set named: {}", key.public_jwk));
        ASKED.with(|a| {
            let mut a = a.borrow_mut();
            if a.len() < 64 {
                a.push(Asked { alg, kid, x5t, x5t_s256, public_jwk: key.public_jwk.to_owned() });
            }
        });
        self.0.verify(alg, key, message, signature)
    }
}

/// A provider that accepts every signature. With it the fuzzer reaches the claim checks and
/// the policy builder, which a real signature check keeps it out of. Never used outside fuzzing.
#[derive(Clone, Copy, Debug, Default)]
pub struct AcceptAll;

impl CryptoProvider for AcceptAll {
    fn verify(&self, alg: Algorithm, key: ProviderKey<'_>, _message: &[u8], _signature: &[u8]) -> bool {
        // The core promises to ask only with a key of the algorithm's kind.
        assert_eq!(key.public.kind(), alg.key_kind(), "provider asked with a key of the wrong kind");
        true
    }
}

/// Configuration 4's `token_sources`.
pub const TOKEN_SOURCES_4: [&str; 4] = ["query:token", "cookie:at", "authorization", "header:X-Api-Token:Token"];

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
        // HTTP API 2.0 too; the token from a query parameter (WebSocket `$connect`), a cookie,
        // the Authorization header, or a header with its own scheme, in that order.
        json!({
            "issuers": [ISSUER], "audiences": [AUDIENCE], "algorithms": all,
            "route_rules": "* /pets/{id}=pets:read; GET /admin/{proxy+}=admin; ANY /pets=pets:read pets:write; $connect=chat",
            "unlisted_routes": "deny", "http_api_response": "policy",
            "token_sources": TOKEN_SOURCES_4
        }),
        // 5: three issuers, each with its own rules and keys: the test issuer (the top level's
        // rules, discovery); a partner's id tokens (its own audience, client, `token_use`,
        // algorithms, type, leeway, age and scopes); machine-to-machine access tokens without
        // `aud` (no audiences: an allowed client id instead).
        json!({
            "issuers": [
                ISSUER,
                {
                    "issuer": "https://partner.test", "jwks_uri": "https://partner.test/keys",
                    "audiences": ["api://partner"], "allowed_client_ids": ["partner-app"], "token_use": "id",
                    "algorithms": ["ES256", "EdDSA"], "token_type": "JWT", "leeway_seconds": 120,
                    "max_token_age_seconds": 600, "required_scopes": ["partner:read"],
                    "context_claims": ["sub", "azp", "token_use", "email"]
                },
                {
                    "issuer": "https://m2m.test/", "jwks_uri": "https://m2m.test/jwks",
                    "audiences": [], "allowed_client_ids": ["client-1", "m2m-app"], "token_use": "access",
                    "algorithms": ["RS256", "PS384"], "leeway_seconds": 5, "max_token_age_seconds": null
                }
            ],
            "audiences": [AUDIENCE], "allowed_client_ids": ["client-1"], "algorithms": ["RS256", "ES256", "PS256"],
            "leeway_seconds": 30, "required_scopes": ["pets:read"], "max_token_age_seconds": 3600,
            "http_api_response": "policy"
        }),
        // 6: Cognito user pools: access tokens (no `aud`, `client_id`, `token_use: access`), a
        // second pool's id tokens (`aud` the app client), and a pool whose keys are down.
        json!({
            "issuers": [
                { "cognito_user_pool_id": "eu-west-1_AbCd123", "audiences": [], "allowed_client_ids": ["cognito-app"], "token_use": "access" },
                { "cognito_user_pool_id": "us-east-1_Pool2", "audiences": ["pool2-app"], "token_use": "id", "leeway_seconds": 60 },
                { "cognito_user_pool_id": "ap-southeast-2_Down1", "audiences": [], "allowed_client_ids": ["down-app"], "token_use": "access" }
            ],
            "policy_resource": "method",
            "context_claims": ["sub", "client_id", "cognito:groups", "token_use", "username", "email"]
        }),
        // 7: claim rules (issue 18): the profile's (text and JSON forms), `scope_match` `any`,
        // and route rules with claim terms, closed, policies for HTTP API 2.0 too.
        json!({
            "issuers": [ISSUER], "audiences": [AUDIENCE], "algorithms": all,
            "scope_match": "any", "required_scopes": ["admin", "pets:read"],
            "claim_rules": ["present(sub)", { "claim": "client_id", "one_of": ["client-1", "client-2"] }],
            "route_rules": "GET /pets/*=contains_any(groups,admin,ops) pets:read; DELETE /*=admin,equals(tenant,acme); \
                            POST /pets=contains_all(scope,pets:write,pets:read); ANY /admin/*=present(n); $connect=one_of(tenant,acme,true)",
            "unlisted_routes": "deny", "http_api_response": "policy"
        }),
    ]
}

/// One issuer profile's rules as the configuration document writes them (issue 17: a profile's
/// own members, else the top level's, else the documented default).
#[derive(Clone, Debug)]
pub struct OracleProfile {
    pub issuer: String,
    pub audiences: Vec<String>,
    pub allowed_client_ids: Option<Vec<String>>,
    pub token_use: Option<String>,
    pub algorithms: Vec<String>,
    pub required_scopes: Vec<String>,
    /// `scope_match` `any`: one of `required_scopes` (and of a route rule's scopes) is enough.
    pub scope_any: bool,
    pub claim_rules: Vec<OracleClaim>,
    pub token_type: Option<String>,
    pub leeway_seconds: u64,
    pub max_token_age_seconds: Option<u64>,
    pub context_claims: Vec<String>,
    /// The keys its key source publishes (`None`: none to be had).
    pub keys: Option<&'static [OracleKey]>,
}

/// The issuer a Cognito user pool id names: `https://cognito-idp.REGION.amazonaws.com/POOL`.
pub fn cognito_issuer(pool: &str) -> String {
    let region = pool.split('_').next().unwrap_or_default();
    let domain = if region.starts_with("cn-") { "amazonaws.com.cn" } else { "amazonaws.com" };
    format!("https://cognito-idp.{region}.{domain}/{pool}")
}

/// The profiles of a configuration document, read with serde_json.
pub fn oracle_profiles(doc: &Value) -> Vec<OracleProfile> {
    let top = doc.as_object().expect("config object");
    let empty = Map::new();
    let strings = |v: &Value| -> Vec<String> {
        v.as_array().expect("a list").iter().map(|s| s.as_str().expect("a string").to_owned()).collect()
    };
    doc["issuers"]
        .as_array()
        .expect("issuers")
        .iter()
        .map(|item| {
            let own = item.as_object().unwrap_or(&empty);
            let present = |map: &Map<String, Value>, name: &str| map.get(name).filter(|v| !v.is_null()).cloned();
            let get = |name: &str| present(own, name).or_else(|| present(top, name));
            let pool = own.get("cognito_user_pool_id").and_then(Value::as_str);
            let issuer = match (item.as_str(), own.get("issuer").and_then(Value::as_str), pool) {
                (Some(i), ..) | (None, Some(i), _) => i.to_owned(),
                (None, None, Some(pool)) => cognito_issuer(pool),
                _ => panic!("a profile without an issuer"),
            };
            // Keys: the profile's own source when it writes one (a pool's is its own), else the
            // top level's; without a URL, discovery.
            let url = match pool {
                Some(_) => Some(format!("{issuer}/.well-known/jwks.json")),
                None if ["jwks_uri", "jwks", "jwks_file"].iter().any(|n| present(own, n).is_some()) => {
                    present(own, "jwks_uri").and_then(|v| v.as_str().map(str::to_owned))
                }
                None => present(top, "jwks_uri").and_then(|v| v.as_str().map(str::to_owned)),
            };
            OracleProfile {
                audiences: get("audiences").map(|v| strings(&v)).unwrap_or_default(),
                allowed_client_ids: get("allowed_client_ids").map(|v| strings(&v)),
                token_use: get("token_use").map(|v| v.as_str().unwrap().to_owned()),
                algorithms: get("algorithms").map(|v| strings(&v)).unwrap_or_else(|| vec!["RS256".to_owned()]),
                required_scopes: get("required_scopes").map(|v| strings(&v)).unwrap_or_default(),
                scope_any: get("scope_match").is_some_and(|v| v == "any"),
                claim_rules: get("claim_rules")
                    .map(|v| v.as_array().expect("a list").iter().map(OracleClaim::of).collect())
                    .unwrap_or_default(),
                token_type: get("token_type").map(|v| v.as_str().unwrap().to_owned()),
                leeway_seconds: get("leeway_seconds").and_then(|v| v.as_u64()).unwrap_or(0),
                max_token_age_seconds: get("max_token_age_seconds").and_then(|v| v.as_u64()),
                context_claims: get("context_claims")
                    .map(|v| strings(&v))
                    .unwrap_or_else(|| ["sub", "iss", "scope", "client_id"].map(str::to_owned).to_vec()),
                keys: keys_at(url.as_deref()),
                issuer,
            }
        })
        .collect()
}
/// A claim rule as README ("Claim rules") defines it: its operator, the claim's names (a path
/// split at `.`; the configurations above quote none) and its values as text.
#[derive(Clone, Debug)]
pub struct OracleClaim {
    pub op: String,
    pub path: Vec<String>,
    pub values: Vec<String>,
}

/// What a claim rule says of a token: met, not met, the claim of a type the operator does not
/// read (`invalid_claim`), or a number this oracle cannot read as written (serde_json keeps
/// only its double).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Met {
    Yes,
    No,
    Invalid,
    Unknown,
}

impl OracleClaim {
    /// The text form `OP(claim,v1,...)`.
    pub fn text(text: &str) -> OracleClaim {
        let (op, rest) = text.split_once('(').expect("OP(");
        let mut parts = rest.strip_suffix(')').expect(")").split(',').map(|p| p.trim().to_owned());
        let path = parts.next().unwrap().split('.').map(str::to_owned).collect();
        OracleClaim { op: op.to_owned(), path, values: parts.collect() }
    }

    /// A JSON list item: the text form, or `{"claim": ..., OP: value(s)}`.
    pub fn of(item: &Value) -> OracleClaim {
        if let Some(text) = item.as_str() {
            return OracleClaim::text(text);
        }
        let object = item.as_object().expect("a rule object");
        let path = object["claim"].as_str().unwrap().split('.').map(str::to_owned).collect();
        let (op, value) = object.iter().find(|(k, _)| *k != "claim").expect("an operator");
        let text = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_owned);
        let values = match value {
            Value::Array(items) => items.iter().map(text).collect(),
            Value::Bool(true) if op == "present" => Vec::new(),
            v => vec![text(v)],
        };
        OracleClaim { op: op.clone(), path, values }
    }

    pub fn met(&self, claims: &Map<String, Value>) -> Met {
        let (last, outer) = self.path.split_last().unwrap();
        let mut object = claims;
        for name in outer {
            match object.get(name) {
                None | Some(Value::Null) => return Met::No,
                Some(Value::Object(inner)) => object = inner,
                Some(_) => return Met::Invalid,
            }
        }
        let value = match object.get(last) {
            None | Some(Value::Null) => return Met::No,
            Some(v) => v,
        };
        let met = |b: bool| if b { Met::Yes } else { Met::No };
        match self.op.as_str() {
            "present" => Met::Yes,
            "equals" | "one_of" => match value {
                Value::String(s) => met(self.values.contains(s)),
                Value::Bool(b) => met(self.values.contains(&b.to_string())),
                // Written without fraction or exponent: its text is this decimal.
                Value::Number(n) if n.is_i64() || n.is_u64() => met(self.values.contains(&n.to_string())),
                Value::Number(_) => Met::Unknown,
                _ => Met::Invalid,
            },
            "contains_all" | "contains_any" => {
                let set: Vec<&str> = match value {
                    Value::String(s) => s.split(' ').collect(),
                    Value::Array(items) if items.iter().all(Value::is_string) => {
                        items.iter().filter_map(Value::as_str).collect()
                    }
                    _ => return Met::Invalid,
                };
                let has = |v: &String| set.contains(&v.as_str());
                met(if self.op == "contains_all" { self.values.iter().all(has) } else { self.values.iter().any(has) })
            }
            op => panic!("operator {op}"),
        }
    }
}

/// A list of rules: `Invalid` when any is (the core checks every one), else `Unknown` when any
/// is, else whether all are met.
pub fn all_met<'r>(rules: impl IntoIterator<Item = &'r OracleClaim>, claims: &Map<String, Value>) -> Met {
    let mut out = Met::Yes;
    for rule in rules {
        out = match (out, rule.met(claims)) {
            (_, Met::Invalid) | (Met::Invalid, _) => Met::Invalid,
            (_, Met::Unknown) | (Met::Unknown, _) => Met::Unknown,
            (Met::No, _) | (_, Met::No) => Met::No,
            _ => Met::Yes,
        };
    }
    out
}

/// Whether `held` has `required` (every one, or with `any` one; an empty list asks nothing).
pub fn scopes_held(held: &[&str], required: &[String], any: bool) -> bool {
    let has = |r: &String| held.contains(&r.as_str());
    if any { required.is_empty() || required.iter().any(has) } else { required.iter().all(has) }
}

/// A route rule as README describes it, written out by hand for each configuration above:
/// the methods it names (none for a WebSocket route key), its path with every `*` and
/// `{name}` as `*` (or the route key), its scopes and its claim terms.
pub struct OracleRule {
    pub methods: &'static [&'static str],
    pub path: &'static str,
    pub scopes: &'static [&'static str],
    pub claims: &'static [&'static str],
}

/// A token as the route oracle sees it.
pub struct OracleToken<'a> {
    pub held: &'a [&'a str],
    pub any: bool,
    pub claims: &'a Map<String, Value>,
}

const SEVEN: &[&str] = &["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"];

/// The rules of each configuration, and whether unlisted routes are closed.
pub fn oracle_rules(choice: usize) -> (&'static [OracleRule], bool) {
    const NONE: &[OracleRule] = &[];
    const TWO: &[OracleRule] = &[
        OracleRule { methods: &["GET"], path: "/pets/*", scopes: &["pets:read"], claims: &[] },
        OracleRule { methods: &["POST"], path: "/pets", scopes: &["pets:write"], claims: &[] },
        OracleRule { methods: &["DELETE"], path: "/*", scopes: &["admin"], claims: &[] },
    ];
    const THREE: &[OracleRule] = &[
        OracleRule { methods: &["GET"], path: "/pets/*", scopes: &["pets:read"], claims: &[] },
        OracleRule { methods: SEVEN, path: "/admin/*", scopes: &["admin"], claims: &[] },
    ];
    const FOUR: &[OracleRule] = &[
        OracleRule { methods: SEVEN, path: "/pets/*", scopes: &["pets:read"], claims: &[] },
        OracleRule { methods: &["GET"], path: "/admin/*", scopes: &["admin"], claims: &[] },
        OracleRule { methods: SEVEN, path: "/pets", scopes: &["pets:read", "pets:write"], claims: &[] },
        OracleRule { methods: &[], path: "$connect", scopes: &["chat"], claims: &[] },
    ];
    const SEVEN_CLAIMS: &[OracleRule] = &[
        OracleRule {
            methods: &["GET"],
            path: "/pets/*",
            scopes: &["pets:read"],
            claims: &["contains_any(groups,admin,ops)"],
        },
        OracleRule { methods: &["DELETE"], path: "/*", scopes: &["admin"], claims: &["equals(tenant,acme)"] },
        OracleRule {
            methods: &["POST"],
            path: "/pets",
            scopes: &[],
            claims: &["contains_all(scope,pets:write,pets:read)"],
        },
        OracleRule { methods: SEVEN, path: "/admin/*", scopes: &[], claims: &["present(n)"] },
        OracleRule { methods: &[], path: "$connect", scopes: &[], claims: &["one_of(tenant,acme,true)"] },
    ];
    match choice {
        2 => (TWO, true),
        7 => (SEVEN_CLAIMS, true),
        3 => (THREE, false),
        4 => (FOUR, true),
        _ => (NONE, false),
    }
}

/// The claim terms of `rules`, read.
pub fn rule_claims(rules: &[OracleRule]) -> Vec<Vec<OracleClaim>> {
    rules.iter().map(|r| r.claims.iter().map(|c| OracleClaim::text(c)).collect()).collect()
}

/// What the rules say of one request (`method` `None`: a WebSocket route key): allowed or not
/// (`None`: a claim the oracle cannot read decides). A rule that applies must have its scopes
/// held (all, or one with `any`) and its claim terms met.
pub fn rules_allow(
    rules: &[OracleRule],
    closed: bool,
    token: &OracleToken<'_>,
    method: Option<&str>,
    path: &str,
) -> Option<bool> {
    let mut listed = false;
    let claims = rule_claims(rules);
    for (rule, terms) in rules.iter().zip(&claims) {
        let applies = match method {
            Some(m) => rule.methods.contains(&m) && iam_match(rule.path, path),
            None => rule.methods.is_empty() && rule.path == path,
        };
        if applies {
            let scopes: Vec<String> = rule.scopes.iter().map(|s| (*s).to_owned()).collect();
            if !scopes_held(token.held, &scopes, token.any) {
                return Some(false);
            }
            match all_met(terms, token.claims) {
                Met::Yes => {}
                Met::No => return Some(false),
                Met::Unknown => return None,
                Met::Invalid => panic!("a token with a claim of the wrong type for a route rule got a response"),
            }
            listed = true;
        }
    }
    Some(listed || !closed)
}

pub struct Verifiers {
    pub real: Verifier<Noting<PureRust>>,
    pub accept_all: Verifier<Noting<AcceptAll>>,
    /// Each key source's keys, as `SOURCES` publishes them.
    pub keys: SourceKeys,
    /// The profiles as the configuration document writes them.
    pub profiles: Vec<OracleProfile>,
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
                Verifiers {
                    keys: SourceKeys::of(&config),
                    profiles: oracle_profiles(&doc),
                    real: Verifier::with_provider(config.clone(), Noting(PureRust)),
                    accept_all: Verifier::with_provider(config, Noting(AcceptAll)),
                }
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

/// base64url without padding (RFC 4648 section 5), decoded here rather than by the core.
pub fn base64url(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// A compact JWS's protected header and claims, read with serde_json (None when either part is
/// not a JSON object this reading takes).
pub fn token_json(token: &str) -> Option<(Map<String, Value>, Map<String, Value>)> {
    let mut parts = token.split('.');
    let (h, p) = (parts.next()?, parts.next()?);
    Some((serde_json::from_slice(&base64url(h)?).ok()?, serde_json::from_slice(&base64url(p)?).ok()?))
}

/// serde_json's reading of a JSON object the core accepted: `None` only where the two readers
/// are documented to differ (a number serde_json rounds past f64::MAX, below the core's bound
/// of 1e309: see the `json_read` target), where the oracle cannot look.
pub fn read_accepted(bytes: &[u8]) -> Option<Map<String, Value>> {
    match serde_json::from_slice(bytes) {
        Ok(map) => Some(map),
        Err(e) if e.to_string().contains("number out of range") => None,
        Err(e) => panic!("the core accepted JSON that serde_json refuses: {e}"),
    }
}

/// [`token_json`] for a token the core accepted: its parts are base64url and JSON objects.
pub fn accepted_json(token: &str) -> Option<(Map<String, Value>, Map<String, Value>)> {
    let mut parts = token.split('.');
    let mut part = || base64url(parts.next().expect("three parts")).expect("an accepted part is base64url");
    let (h, p) = (part(), part());
    Some((read_accepted(&h)?, read_accepted(&p)?))
}

/// The profiles `iss` names exactly (issue 17: compared exactly, trailing slash and case
/// included).
fn profiles_named<'p>(profiles: &'p [OracleProfile], claims: &Map<String, Value>) -> Vec<&'p OracleProfile> {
    match claims.get("iss").and_then(Value::as_str) {
        Some(iss) => profiles.iter().filter(|p| p.issuer == iss).collect(),
        None => Vec::new(),
    }
}

/// The profile of a token the core accepted (or found authentic and lacking scopes): its `iss`
/// names exactly one profile.
pub fn profile_of<'p>(profiles: &'p [OracleProfile], claims: &Map<String, Value>) -> &'p OracleProfile {
    let named = profiles_named(profiles, claims);
    assert_eq!(named.len(), 1, "accepted a token whose iss {:?} names {} profiles", claims.get("iss"), named.len());
    named[0]
}

/// The contract for a token that verified (with or without the required scopes, `scoped`),
/// restated from the README and issue 17 for the profile its `iss` names: algorithm allowed by
/// that profile, `exp` required and in the future, `nbf`/`iat` honoured with the profile's
/// leeway and maximum age, `token_use` when the profile names one, an audience matching (a
/// token without `aud` only where the profile lists no audiences, and then on an allowed client
/// id), type and client rules when configured. `header` and `claims_text` are the token's, read
/// here with serde_json. Returns the profile (`None` where serde_json cannot read the claims:
/// see [`read_accepted`]).
pub fn check_accepted<'p>(
    profiles: &'p [OracleProfile],
    header: &Map<String, Value>,
    claims_text: &str,
    now: i64,
    scoped: bool,
) -> Option<&'p OracleProfile> {
    // An independent reading of the claims the core accepted (serde_json, floating point).
    let claims = &read_accepted(claims_text.as_bytes())?;
    let iss = claims.get("iss").and_then(Value::as_str).expect("accepted a token without a string iss");
    let profile = profile_of(profiles, claims);
    assert_eq!(profile.issuer, iss);
    let now = now as f64;
    let leeway = profile.leeway_seconds as f64;
    let alg = header.get("alg").and_then(Value::as_str).expect("accepted a token without a string alg");
    assert!(profile.algorithms.iter().any(|a| a == alg), "accepted algorithm {alg:?} for issuer {iss:?}");
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
    if let Some(max_age) = profile.max_token_age_seconds {
        let iat = number(claims.get("iat")).expect("max age set but no iat");
        assert!(now - iat <= max_age as f64 + leeway, "accepted a token older than the maximum age");
    }
    // RFC 7519 sections 4.1.2 and 4.1.7: a `sub` or `jti` present is a string.
    for name in ["sub", "jti"] {
        assert!(claims.get(name).is_none_or(Value::is_string), "accepted a non-string {name}: {:?}", claims.get(name));
    }
    // Cognito's `token_use`: exactly the profile's.
    if let Some(wanted) = &profile.token_use {
        assert_eq!(
            claims.get("token_use").and_then(Value::as_str),
            Some(wanted.as_str()),
            "accepted token_use {:?} for {iss:?}",
            claims.get("token_use")
        );
    }
    // RFC 7519 section 4.1.3 and issue 17: a token with `aud` names one of the profile's
    // audiences; one without it passes only a profile without audiences (on a client id below).
    let aud_ok = match claims.get("aud") {
        None => profile.audiences.is_empty() && profile.allowed_client_ids.as_ref().is_some_and(|ids| !ids.is_empty()),
        Some(Value::String(a)) => profile.audiences.contains(a),
        Some(Value::Array(items)) => {
            items.iter().all(Value::is_string)
                && items.iter().filter_map(Value::as_str).any(|a| profile.audiences.iter().any(|c| c == a))
        }
        _ => false,
    };
    assert!(aud_ok, "accepted audience {:?} for {iss:?}", claims.get("aud"));
    if let Some(required) = &profile.token_type {
        let strip = |s: &str| -> String {
            let lower = s.to_ascii_lowercase();
            lower.strip_prefix("application/").map(str::to_owned).unwrap_or(lower)
        };
        let typ = header.get("typ").and_then(Value::as_str).expect("token type required but typ absent");
        assert_eq!(strip(typ), strip(required), "accepted typ {typ:?}");
    }
    if let Some(allowed) = &profile.allowed_client_ids {
        let client = claims
            .get("client_id")
            .or_else(|| claims.get("azp"))
            .and_then(Value::as_str)
            .expect("client rule set but no client id");
        assert!(allowed.iter().any(|a| a == client), "accepted client {client:?} for {iss:?}");
    }
    // Claim rules (issue 18): a decision with a response never had a claim of the wrong type.
    assert_ne!(
        all_met(&profile.claim_rules, claims),
        Met::Invalid,
        "a claim of the wrong type for a claim rule was not refused"
    );
    if scoped {
        let held = scopes(claims);
        assert!(
            scopes_held(&held, &profile.required_scopes, profile.scope_any),
            "allowed without the required scopes {:?}",
            profile.required_scopes
        );
        assert_ne!(all_met(&profile.claim_rules, claims), Met::No, "allowed failing a claim rule");
    }
    Some(profile)
}

/// Whether a published key is the one the header names: by `kid` when it has one, else by a
/// certificate thumbprint (`x5t#S256` or `x5t`) when it has one, else any key.
fn named_by(key: &OracleKey, header: &Map<String, Value>) -> bool {
    let text = |name: &str| header.get(name).and_then(Value::as_str);
    match (text("kid"), text("x5t#S256"), text("x5t")) {
        (Some(kid), ..) => key.kid == Some(kid),
        (None, None, None) => true,
        (None, s256, sha1) => (s256.is_some() && key.x5t_s256 == s256) || (sha1.is_some() && key.x5t == sha1),
    }
}

/// The key rules for a token its profile accepted (README "Keys", issue 17): its profile's key
/// source publishes a key the header names that fits the algorithm, and a token without `kid`
/// is refused when more than 4 keys would have to be tried.
pub fn check_accepted_key(profile: &OracleProfile, header: &Map<String, Value>) {
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or_default();
    let keys =
        profile.keys.unwrap_or_else(|| panic!("accepted a token of {:?}, whose keys cannot be had", profile.issuer));
    let fitting = keys.iter().filter(|k| named_by(k, header) && k.fits(alg)).count();
    assert!(fitting >= 1, "accepted a token of {:?} that no key of its own source fits ({header:?})", profile.issuer);
    if !header.contains_key("kid") {
        assert!(
            fitting <= jwtgate_core::MAX_KEYS_TRIED,
            "accepted a token without kid that {fitting} keys fit ({header:?})"
        );
    }
}

/// Every key the core asked a provider about while deciding `token` (see [`Noting`]): a token
/// is matched to its profile by `iss` before any key is touched, and only that profile's key
/// source is used (a key published by issuer B never checks a token that names issuer A), only
/// a key the header names and that fits its algorithm, at most 4 per token.
pub fn check_keys_asked(profiles: &[OracleProfile], token: &str, asked: &[Asked]) {
    if asked.is_empty() {
        return;
    }
    let Some((header, claims)) = token_json(token) else {
        // Keys are touched only once the header and claims were read; serde_json reads every
        // such object but those with a number past f64::MAX (json_read's finding), where `iss`
        // cannot be known here.
        return;
    };
    let named = profiles_named(profiles, &claims);
    assert_eq!(
        named.len(),
        1,
        "keys used for a token whose iss {:?} names {} profiles",
        claims.get("iss"),
        named.len()
    );
    let profile = named[0];
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or_default();
    assert!(
        profile.algorithms.iter().any(|a| a == alg),
        "keys used for algorithm {alg:?}, which {:?} does not allow",
        profile.issuer
    );
    assert!(asked.len() <= jwtgate_core::MAX_KEYS_TRIED, "{} keys tried for one token", asked.len());
    let published =
        profile.keys.unwrap_or_else(|| panic!("a key used for {:?}, whose keys cannot be had", profile.issuer));
    for a in asked {
        assert_eq!(a.alg.name(), alg, "a key asked about with another algorithm than the header's");
        let key = published
            .iter()
            .find(|k| {
                k.kid == a.kid.as_deref()
                    && k.x5t == a.x5t.as_deref()
                    && k.x5t_s256 == a.x5t_s256.as_deref()
                    && public_jwk_of(k.base) == a.public_jwk
            })
            .unwrap_or_else(|| {
                panic!("a key not published by {:?} checked its token: kid {:?}", profile.issuer, a.kid)
            });
        assert!(named_by(key, &header), "key {:?} checked a token whose header names another ({header:?})", a.kid);
        assert!(key.fits(alg), "key {:?} checked an {alg} signature", a.kid);
    }
}

/// The canonical public JWK of a test key (how a loaded key names its material).
fn public_jwk_of(base: &str) -> &'static str {
    static ALL: OnceLock<Vec<(String, String)>> = OnceLock::new();
    let all = ALL.get_or_init(|| {
        key_set().keys().iter().map(|k| (k.kid.clone().expect("test keys have kids"), k.public_jwk.clone())).collect()
    });
    all.iter().find(|(kid, _)| kid == base).map(|(_, jwk)| jwk.as_str()).unwrap_or("")
}

/// The response's context for an accepted token (README "Forwarding"): only the profile's
/// context claims, each the claim's own value; in REST answers (`json_values` false) an array
/// or object is a string of JSON text that reads back as the claim's value, in HTTP API 2.0
/// answers the value itself. A context cut to fit says so with `jwtgate_context_cut: true`.
pub fn check_context(profile: &OracleProfile, claims: &Map<String, Value>, d: &Decision, json_values: bool) {
    let Some(response) = d.response.as_ref().map(jwtgate_core::Response::to_value) else { return };
    let Some(context) = response.get("context").and_then(Value::as_object) else { return };
    for (name, value) in context {
        if name == "jwtgate_context_cut" {
            assert_eq!(value, &Value::Bool(true), "the cut marker");
            continue;
        }
        assert!(profile.context_claims.contains(name), "context claim {name:?} is not one of {:?}'s", profile.issuer);
        match claims.get(name) {
            Some(Value::Null) | None => panic!("context claim {name:?} the token does not carry"),
            Some(claim) if scalar(claim) || json_values => assert_eq!(value, claim, "context {name:?}"),
            Some(claim) => {
                let text = value.as_str().unwrap_or_else(|| panic!("context {name:?} is not JSON text"));
                assert_eq!(&serde_json::from_str::<Value>(text).expect("JSON text"), claim, "context {name:?}");
            }
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
/// request the key serves (a sample) must be allowed by the rules. `held`: the token's scopes;
/// `claims` its claims; `profile` its profile (required scopes, scope matching, claim rules).
#[allow(clippy::too_many_arguments)]
pub fn check_routes(
    choice: usize,
    config: &Config,
    profile: &OracleProfile,
    claims: &Map<String, Value>,
    d: &Decision,
    arn: &str,
    route_key: Option<&str>,
    held: &[&str],
) {
    let (rules, closed) = oracle_rules(choice);
    let Some(response) = d.response.as_ref().map(jwtgate_core::Response::to_value) else { return };
    // A claim of the wrong type for any route rule refuses the token for every route.
    assert!(
        rule_claims(rules).iter().all(|terms| all_met(terms, claims) != Met::Invalid),
        "a claim of the wrong type for a route rule got a response"
    );
    let scoped = scopes_held(held, &profile.required_scopes, profile.scope_any)
        && match all_met(&profile.claim_rules, claims) {
            Met::Yes => true,
            Met::No => false,
            _ => return,
        };
    let token = OracleToken { held, any: profile.scope_any, claims };
    let Some(parsed) = jwtgate_core::policy::ExecuteApiArn::parse(arn) else { return };
    let prefix = format!("{}/{}", parsed.api, parsed.stage);
    let mut paths: Vec<String> =
        vec!["/".into(), "/pets".into(), "/admin/pets".into(), "/owners".into(), "/pets/1/admin".into()];
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
                let allowed = rules_allow(rules, closed, &token, Some(method), &path);
                assert!(
                    allowed.is_none() || (scoped && allowed == Some(true)),
                    "route key {key:?} allowed, but the rules refuse {method} {path}"
                );
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
        let Some(allowed) = rules_allow(rules, closed, &token, method, path) else { continue };
        let want = scoped && allowed;
        let route = format!("{prefix}/{}{path}", method.unwrap_or(""));
        assert_eq!(
            iam_allows(&response, &route),
            want,
            "the cached policy answers {route:?} unlike the rules\n{response:#}"
        );
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
            assert!(
                matches!(d.reason, Some(Reason::MissingScope | Reason::ClaimRuleFailed | Reason::RouteNotListed)),
                "deny for another reason"
            );
            assert!(d.response.is_some(), "deny without a response");
        }
        Outcome::Unauthorized => {
            assert!(d.response.is_none(), "unauthorized with a response");
            let refused = [Reason::MissingScope, Reason::ClaimRuleFailed, Reason::RouteNotListed];
            assert!(d.reason.is_some_and(|r| !refused.contains(&r)), "unauthorized reason {:?}", d.reason);
        }
        Outcome::FetchKeys => {
            assert!(d.response.is_none(), "fetch_keys with a response");
            assert!(
                matches!(d.reason, Some(Reason::UnknownKid | Reason::JwksUnavailable)),
                "fetch_keys for {:?}",
                d.reason
            );
        }
    }
    if let Some(response) = d.response.as_ref().map(jwtgate_core::Response::to_value) {
        let response = &response;
        let allowed = d.outcome == Outcome::Allow;
        let obj = response.as_object().expect("response is an object");
        if let Some(ctx) = obj.get("context") {
            let ctx = ctx.as_object().expect("context is an object");
            // REST APIs (TOKEN and REQUEST events) take only strings, numbers and booleans in a
            // context; HTTP API payload 2.0 answers take arrays and maps too (AWS's response
            // format for HTTP API Lambda authorizers).
            let rest = d.log.event != Some(jwtgate_core::event::EventKind::HttpV2);
            assert!(!rest || ctx.values().all(scalar), "REST context with a non-scalar value: {ctx:?}");
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
            assert_eq!(
                iam_allows(response, arn),
                allowed,
                "IAM evaluation of the policy for {arn:?} disagrees with the outcome {:?}",
                d.outcome
            );
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

/// A token taken from an event is one of the event's values as given (RFC 6750 section 2,
/// RFC 6265 section 4.2.1, the URL standard's urlencoded parser): part of one of its strings,
/// or of one percent-decoded; and it is one token (no comma, no white space).
pub fn check_token_is_given(event: &[u8], token: &str) {
    assert!(
        !token.is_empty() && !token.contains(|c: char| c == ',' || c.is_whitespace() || c.is_control()),
        "not one token: {token:?}"
    );
    let Ok(value) = serde_json::from_slice::<Value>(event) else { return };
    let mut strings = Vec::new();
    leaves(&value, &mut strings);
    assert!(
        strings.iter().any(|s| s.contains(token) || urlencoded_decode(s).contains(token)),
        "token {token:?} is not a value of the event {}",
        String::from_utf8_lossy(event)
    );
}

fn leaves<'v>(value: &'v Value, out: &mut Vec<&'v str>) {
    match value {
        Value::String(s) => out.push(s),
        Value::Array(items) => items.iter().for_each(|i| leaves(i, out)),
        Value::Object(map) => map.values().for_each(|v| leaves(v, out)),
        _ => {}
    }
}

/// WHATWG URL standard, application/x-www-form-urlencoded: `+` is a space, `%XX` a byte.
fn urlencoded_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let hex = |c: Option<&u8>| c.and_then(|c| char::from(*c).to_digit(16));
        if b[i] == b'%'
            && let (Some(h), Some(l)) = (hex(b.get(i + 1)), hex(b.get(i + 2)))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The event with every value holding `token` given twice, as API Gateway gives a repeated
/// value: a list item repeated, a map's value joined with a comma (HTTP API headers and query
/// parameters), a raw query string repeated after `&`. `None` when the event is not JSON
/// serde_json reads. Whatever source held the token then holds two values.
pub fn check_doubled_source_is_ambiguous(event: &[u8], token: &str) -> Option<Vec<u8>> {
    fn double(value: &mut Value, token: &str, key: &str) {
        match value {
            Value::String(s) if s.contains(token) || urlencoded_decode(s).contains(token) => {
                *s = if key == "rawQueryString" { format!("{s}&{s}") } else { format!("{s},{s}") };
            }
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len() * 2);
                for mut item in items.drain(..) {
                    match &item {
                        Value::String(s) if s.contains(token) => {
                            out.push(item.clone());
                            out.push(item);
                        }
                        _ => {
                            double(&mut item, token, "");
                            out.push(item);
                        }
                    }
                }
                *items = out;
            }
            Value::Object(map) => {
                for (name, v) in map.iter_mut() {
                    double(v, token, name);
                }
            }
            _ => {}
        }
    }
    let mut value: Value = serde_json::from_slice(event).ok()?;
    double(&mut value, token, "");
    Some(value.to_string().into_bytes())
}
