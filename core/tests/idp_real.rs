//! Real identity providers' tokens (issue #17, item 3): the 42 tokens in
//! `../shared/vectors/idp-real` and its `synthetic/` folder, read in place (never copied into
//! the project), each under the configuration its provider's user would write.
//!
//! The rule: a token that carries `iss`, `exp`, and `aud` or a client id (`client_id`/`azp`) is
//! accepted; the others are refused with the documented reason. A token without `exp` must fail
//! on `exp`, never on its signature: `missing_exp` comes after the signature in the core, and
//! the same token with one signature byte changed is `bad_signature`, so reaching `missing_exp`
//! proves the signature verified. Every accepted token is also refused under other profiles'
//! configurations (another issuer; its own issuer with another application's audience or client).
//!
//! The clock is pinned just after `iat` (or `nbf`; or 60 s before `exp` when the token has
//! neither): all these tokens are long expired. `cargo test --test idp_real -- --nocapture`
//! prints the figures (how many must pass, how many pass).
//!
//! Without the folder these tests say plainly that they did not run; under `CI=true` a missing
//! folder is a failure (as `shared_vectors.rs`). `JWTGATE_VECTORS` names the `vectors` folder.

use jwtgate_core::config::Config;
use jwtgate_core::{Gate, KeyProblem, KeySet, Limits};
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

/// Which moment the clock is pinned to, from the token's own claims.
#[derive(Clone, Copy, Debug)]
enum Now {
    /// `iat` + 1 s.
    AfterIat,
    /// `nbf` + 1 s (the token has no `iat`).
    AfterNbf,
    /// `exp` - 60 s (the token has neither `iat` nor `nbf`).
    BeforeExp,
    /// A fixed time in Unix seconds (the payload has no time claim at all).
    At(i64),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    Accept,
    Refuse(&'static str),
    /// The configuration (its inline key set) is refused at start, for this reason.
    RefuseAtStart(&'static str),
}

use Expect::{Accept, Refuse, RefuseAtStart};
use Now::{AfterIat, AfterNbf, At, BeforeExp};

/// A moment for payloads without any time claim (2023-11-14).
const NO_TIMES: i64 = 1_700_000_000;

/// Every token vector: file (under `idp-real`), the configuration its provider's user writes
/// (the test inserts the file's key set: into each profile object, and at the top level when a
/// profile is the string shorthand), the clock, and the outcome.
#[rustfmt::skip]
const TABLE: &[(&str, &str, Now, Expect)] = &[
    // Sign in with Apple: iss fixed, aud = the app's bundle or service id.
    ("apple-id-2021.json", r#"{"issuers":[{"issuer":"https://appleid.apple.com","audiences":["com.qianku.app.goodpure"]}]}"#, AfterIat, Accept),
    // Auth0: the tenant's issuer ends with "/"; an id token's aud is the application's client id.
    ("auth0-id-2017-langosh.json", r#"{"issuers":[{"issuer":"https://langosh.eu.auth0.com/","audiences":["ybfPirppQ6ZOOxSGKkjgMe1kfFLfdmyP"]}]}"#, AfterIat, Accept),
    // ALB's x-amzn-oidc-data: padded standard base64, and iss/exp/client only in the header.
    ("aws-alb-x-amzn-oidc-data-google-2018.json", r#"{"issuers":[{"issuer":"https://accounts.google.com","allowed_client_ids":["686303233131-pf08orvc5rcpfit0vlq5o6uh47u2enfg.apps.googleusercontent.com"],"algorithms":["ES256"]}]}"#, At(1_542_045_000), Refuse("invalid_base64")),
    // Azure AD B2C: issuer https://login.microsoftonline.com/TENANT/v2.0/ (with "/"), aud = the app id.
    ("azure-ad-b2c-id-2016-minimal.json", r#"{"issuers":[{"issuer":"https://login.microsoftonline.com/22bf40c6-1186-4ea5-b49b-3dc4ec0f54eb/v2.0/","audiences":["f0b6e4eb-2d8c-40b6-b9c6-e26d1074846d"]}]}"#, AfterNbf, Accept),
    ("azure-ad-b2c-id-2016.json", r#"{"issuers":[{"issuer":"https://login.microsoftonline.com/22bf40c6-1186-4ea5-b49b-3dc4ec0f54eb/v2.0/","audiences":["f0b6e4eb-2d8c-40b6-b9c6-e26d1074846d"]}]}"#, AfterIat, Accept),
    // Cognito access tokens: no aud; client_id and token_use "access".
    ("cognito-access-us-west-2-groups.json", r#"{"issuers":[{"cognito_user_pool_id":"us-west-2_XRsUGkwyU","allowed_client_ids":["4tg7fhidb5adr5jc1bna4me2i6"],"token_use":"access"}]}"#, AfterIat, Accept),
    ("cognito-access-us-west-2-nogroups.json", r#"{"issuers":[{"cognito_user_pool_id":"us-west-2_XRsUGkwyU","allowed_client_ids":["4tg7fhidb5adr5jc1bna4me2i6"],"token_use":"access"}]}"#, AfterIat, Accept),
    // Cognito id tokens: aud = the app client id, token_use "id".
    ("cognito-id-us-west-2-basic.json", r#"{"issuers":[{"cognito_user_pool_id":"us-west-2_XRsUGkwyU","audiences":["4tg7fhidb5adr5jc1bna4me2i6"],"token_use":"id"}]}"#, AfterIat, Accept),
    ("cognito-id-us-west-2-groups.json", r#"{"issuers":[{"cognito_user_pool_id":"us-west-2_XRsUGkwyU","audiences":["4tg7fhidb5adr5jc1bna4me2i6"],"token_use":"id"}]}"#, AfterIat, Accept),
    // Entra ID v1: issuer https://sts.windows.net/TENANT/ (with "/"); keys without alg. The
    // 2014 tokens have no kid, only x5t, against a set of two keys.
    ("entra-v1-access-2016.json", r#"{"issuers":[{"issuer":"https://sts.windows.net/268da1a1-9db4-48b9-b1fe-683250ba90cc/","audiences":["spn:6514a8ca-d9e4-4155-b292-65258398f3aa"]}]}"#, AfterIat, Accept),
    ("entra-v1-access-graph-2014.json", r#"{"issuers":[{"issuer":"https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/","audiences":["https://graph.windows.net"]}]}"#, AfterIat, Accept),
    ("entra-v1-id-2014.json", r#"{"issuers":[{"issuer":"https://sts.windows.net/add29489-7269-41f4-8841-b63c95564420/","audiences":["fe78e0b4-6fe7-47e6-812c-fb75cee266a4"]}]}"#, AfterIat, Accept),
    ("entra-v1-id-2016.json", r#"{"issuers":[{"issuer":"https://sts.windows.net/268da1a1-9db4-48b9-b1fe-683250ba90cc/","audiences":["2abf3a52-7d86-460b-a1ef-77dc43de8aad"]}]}"#, AfterIat, Accept),
    // Microsoft identity platform v2 (consumers tenant): .../TENANT/v2.0, no trailing "/".
    ("entra-v2-id-consumers-msa-2016.json", r#"{"issuers":[{"issuer":"https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0","audiences":["00000000-0000-0000-0000-00004C16745D"]}]}"#, AfterIat, Accept),
    // Firebase: iss https://securetoken.google.com/PROJECT, aud = the project id.
    ("firebase-id-2024-google-provider.json", r#"{"issuers":[{"issuer":"https://securetoken.google.com/pcbart-62cb1","audiences":["pcbart-62cb1"]}]}"#, AfterIat, Accept),
    // GitHub Actions OIDC: aud is what the workflow asked for (default: the owner's URL).
    ("github-actions-2022-qoomon.json", r#"{"issuers":[{"issuer":"https://token.actions.githubusercontent.com","audiences":["https://github.com/qoomon"]}]}"#, AfterIat, Accept),
    ("github-actions-2025-rgl.json", r#"{"issuers":[{"issuer":"https://token.actions.githubusercontent.com","audiences":["https://example.com"]}]}"#, AfterIat, Accept),
    // GitLab CI id_tokens: iss = the instance URL, aud as the job's id_tokens say.
    ("gitlab-ci-id-token-2023.json", r#"{"issuers":[{"issuer":"https://gitlab.example.com","audiences":["https://example.com"]}]}"#, AfterIat, Accept),
    // GitLab's legacy CI_JOB_JWT: no aud and no client id, so no profile can accept it.
    ("gitlab-ci-job-jwt-v1-2020.json", r#"{"issuers":[{"issuer":"gitlab.example.com","audiences":["https://gitlab.example.com"]}]}"#, AfterIat, Refuse("audience_mismatch")),
    // Google id tokens: iss is either spelling (two profiles sharing the top-level defaults).
    ("google-id-2016.json", r#"{"issuers":["https://accounts.google.com","accounts.google.com"],"audiences":["1062215298697-jkb62vvju15fip57ntra61i7jg9it4t8.apps.googleusercontent.com"]}"#, AfterIat, Accept),
    // Keycloak access tokens without aud: the client is azp. The realm signs with PS256/384/512.
    ("keycloak-access-ps256.json", r#"{"issuers":[{"issuer":"https://keycloak.localhost/auth/realms/applications","allowed_client_ids":["foo"],"algorithms":["PS256","PS384","PS512"]}]}"#, AfterIat, Accept),
    ("keycloak-access-ps384.json", r#"{"issuers":[{"issuer":"https://keycloak.localhost/auth/realms/applications","allowed_client_ids":["foo"],"algorithms":["PS256","PS384","PS512"]}]}"#, AfterIat, Accept),
    ("keycloak-access-ps512.json", r#"{"issuers":[{"issuer":"https://keycloak.localhost/auth/realms/applications","allowed_client_ids":["foo"],"algorithms":["PS256","PS384","PS512"]}]}"#, AfterIat, Accept),
    // Kubernetes service accounts: iss "kubernetes/serviceaccount" (not a URL), aud the API server.
    // The legacy secret token has no exp (and no kid, against a one-key set).
    ("kubernetes-sa-legacy-secret-2017.json", r#"{"issuers":[{"issuer":"kubernetes/serviceaccount","audiences":["kubernetes.default.svc"]}]}"#, At(NO_TIMES), Refuse("missing_exp")),
    ("kubernetes-sa-projected-long-lived-2020.json", r#"{"issuers":[{"issuer":"kubernetes/serviceaccount","audiences":["kubernetes.default.svc"]}]}"#, AfterIat, Accept),
    ("kubernetes-sa-projected-short-lived-2020.json", r#"{"issuers":[{"issuer":"kubernetes/serviceaccount","audiences":["kubernetes.default.svc"]}]}"#, AfterIat, Accept),
    // PingFederate access tokens of this deployment carry no iss (nor aud, nor client_id).
    ("pingfederate-access-dpop-2023.json", r#"{"issuers":[{"issuer":"https://localhost:9031","allowed_client_ids":["ro_client"]}]}"#, BeforeExp, Refuse("issuer_mismatch")),
    ("pingfederate-access-mtls-2018.json", r#"{"issuers":[{"issuer":"https://localhost:9031","allowed_client_ids":["ro_client"]}]}"#, BeforeExp, Refuse("issuer_mismatch")),
    // Envoy's jwt_authn test provider (https://example.com, example_service): tokens without kid
    // against three keys (two kids sharing one modulus, and one key without kid).
    ("synthetic/envoy-es256-without-iss.json", r#"{"issuers":[{"issuer":"https://example.com","audiences":["example_service"],"algorithms":["ES256"]}]}"#, At(NO_TIMES), Refuse("issuer_mismatch")),
    ("synthetic/envoy-good-token-with-scope-string.json", r#"{"issuers":[{"issuer":"https://example.com","audiences":["example_service"]}]}"#, BeforeExp, Accept),
    ("synthetic/envoy-good-token.json", r#"{"issuers":[{"issuer":"https://example.com","audiences":["example_service"]}]}"#, BeforeExp, Accept),
    ("synthetic/envoy-nested-claims.json", r#"{"issuers":[{"issuer":"https://example.com","audiences":["example_service"]}]}"#, BeforeExp, Accept),
    ("synthetic/envoy-other-good-token.json", r#"{"issuers":[{"issuer":"https://other.com","audiences":["other_service"]}]}"#, BeforeExp, Accept),
    // Istio's sample issuer: no aud (Istio accepts any audience when none is listed; we never do).
    ("synthetic/istio-sample-demo.json", r#"{"issuers":[{"issuer":"testing@secure.istio.io","audiences":["httpbin.foo.svc.cluster.local"]}]}"#, AfterIat, Refuse("audience_mismatch")),
    ("synthetic/istio-sample-groups-scope.json", r#"{"issuers":[{"issuer":"testing@secure.istio.io","audiences":["httpbin.foo.svc.cluster.local"]}]}"#, AfterIat, Refuse("audience_mismatch")),
    // google/jwt_verify_lib's algorithm vectors: no exp, so refused after the signature checks.
    // Their one P-521 key has a 65-byte y (its leading zero dropped), which RFC 7518 section
    // 6.2.1.2 forbids: it never loads, so the ES512 token names an unknown kid (see
    // es512_vector_verifies_with_the_key_at_full_length).
    ("synthetic/jwt-verify-lib-eddsa-ed25519.json", r#"{"issuers":[{"issuer":"https://example.com","audiences":["example_service"],"algorithms":["EdDSA"]}]}"#, At(NO_TIMES), Refuse("missing_exp")),
    ("synthetic/jwt-verify-lib-es256-p256.json", r#"{"issuers":[{"issuer":"628645741881-noabiu23f5a8m8ovd8ucv698lj78vv0l@developer.gserviceaccount.com","audiences":["http://myservice.com/myapi"],"algorithms":["ES256"]}]}"#, At(NO_TIMES), Refuse("missing_exp")),
    ("synthetic/jwt-verify-lib-es384-p384.json", r#"{"issuers":[{"issuer":"628645741881-noabiu23f5a8m8ovd8ucv698lj78vv0l@developer.gserviceaccount.com","audiences":["http://myservice.com/myapi"],"algorithms":["ES384"]}]}"#, At(NO_TIMES), Refuse("missing_exp")),
    ("synthetic/jwt-verify-lib-es512-p521.json", r#"{"issuers":[{"issuer":"628645741881-noabiu23f5a8m8ovd8ucv698lj78vv0l@developer.gserviceaccount.com","audiences":["http://myservice.com/myapi"],"algorithms":["ES512"]}]}"#, At(NO_TIMES), Refuse("unknown_kid")),
    // Okta-shaped tokens signed with jwt.io's 1024-bit demo key: the key set's only key is
    // refused at load (RSA below 2048 bits), so nothing verifies them.
    ("synthetic/okta-shaped-access-token-jwtio-key.json", r#"{"issuers":[{"issuer":"https://auth-js-test.okta.com/oauth2/aus8aus76q8iphupD0h7","audiences":["http://example.com"]}]}"#, AfterIat, RefuseAtStart("rsa_modulus_too_small")),
    ("synthetic/okta-shaped-id-token-jwtio-key.json", r#"{"issuers":[{"issuer":"https://auth-js-test.okta.com/oauth2/aus8aus76q8iphupD0h7","audiences":["NPSfOkH5eZrTy8PMDlvx"]}]}"#, AfterIat, RefuseAtStart("rsa_modulus_too_small")),
    // vault-plugin-auth-kubernetes' ES384 test token: Kubernetes legacy claims, no exp.
    ("synthetic/vault-k8s-test-es384-legacy-claims.json", r#"{"issuers":[{"issuer":"kubernetes/serviceaccount","audiences":["kubernetes.default.svc"],"algorithms":["ES384"]}]}"#, At(NO_TIMES), Refuse("missing_exp")),
];

/// Tokens under another row's configuration (with that row's key set), where the answer is a
/// rule of its own: (token file, file whose row's configuration is used, outcome).
#[rustfmt::skip]
const CROSS: &[(&str, &str, Expect)] = &[
    // One pool, one client: an id token where access tokens are configured, and the reverse.
    ("cognito-id-us-west-2-basic.json", "cognito-access-us-west-2-groups.json", Refuse("token_use_mismatch")),
    ("cognito-access-us-west-2-groups.json", "cognito-id-us-west-2-basic.json", Refuse("token_use_mismatch")),
    // One tenant and key set, another application's audience.
    ("entra-v1-id-2016.json", "entra-v1-access-2016.json", Refuse("audience_mismatch")),
    // The same key set, another issuer.
    ("synthetic/envoy-other-good-token.json", "synthetic/envoy-good-token.json", Refuse("issuer_mismatch")),
    // The same audience, another issuer.
    ("github-actions-2025-rgl.json", "gitlab-ci-id-token-2023.json", Refuse("issuer_mismatch")),
];

/// Keys of the vectors' sets that the core refuses at load (all others load).
#[rustfmt::skip]
const REFUSED_KEYS: &[(&str, usize, KeyProblem)] = &[
    // The P-521 key's y is 65 bytes, not 66.
    ("synthetic/jwt-verify-lib-es256-p256.json", 3, KeyProblem::InvalidKeyMaterial),
    ("synthetic/jwt-verify-lib-es384-p384.json", 3, KeyProblem::InvalidKeyMaterial),
    ("synthetic/jwt-verify-lib-es512-p521.json", 3, KeyProblem::InvalidKeyMaterial),
    ("synthetic/okta-shaped-access-token-jwtio-key.json", 0, KeyProblem::RsaModulusTooSmall), // 1024 bits
    ("synthetic/okta-shaped-id-token-jwtio-key.json", 0, KeyProblem::RsaModulusTooSmall),
];

/// What a refused token may say when the issuer is right but the key set is another issuer's.
const KEY_REASONS: &[&str] = &["unknown_kid", "key_mismatch", "no_matching_key", "no_keys", "bad_signature"];

fn vectors_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("JWTGATE_VECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors"))
        .join("idp-real");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(std::env::var("CI").as_deref() != Ok("true"), "CI=true but {} is missing", dir.display());
    eprintln!("NOT RUN: the idp-real vectors were not found at {} (set JWTGATE_VECTORS)", dir.display());
    None
}

/// The token files: `*.json` in the folder and in `synthetic/` (`jwks-only/` holds key sets
/// without a token).
fn token_files(dir: &Path) -> BTreeSet<String> {
    let mut files = BTreeSet::new();
    for sub in ["", "synthetic/"] {
        for entry in std::fs::read_dir(dir.join(sub)).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            if name.ends_with(".json") {
                files.insert(format!("{sub}{name}"));
            }
        }
    }
    files
}

struct Vector {
    file: &'static str,
    token: String,
    jwks: Value,
    claims: Value,
}

fn load(dir: &Path, file: &'static str) -> Vector {
    let doc: Value = serde_json::from_slice(&std::fs::read(dir.join(file)).unwrap()).unwrap();
    let token = doc["token"].as_str().unwrap_or_else(|| panic!("{file}: no token")).to_owned();
    Vector { file, token, jwks: doc["jwks"].clone(), claims: doc["claims"].clone() }
}

/// The clock in Unix seconds, checking the row names the rule that fits the token.
fn clock(v: &Vector, now: Now) -> i64 {
    let claim = |name: &str| v.claims.get(name).and_then(Value::as_i64);
    let (iat, nbf, exp) = (claim("iat"), claim("nbf"), claim("exp"));
    match now {
        AfterIat => iat.unwrap_or_else(|| panic!("{}: AfterIat, but no iat", v.file)) + 1,
        AfterNbf if iat.is_none() => nbf.unwrap_or_else(|| panic!("{}: AfterNbf, but no nbf", v.file)) + 1,
        BeforeExp if iat.is_none() && nbf.is_none() => {
            exp.unwrap_or_else(|| panic!("{}: BeforeExp, but no exp", v.file)) - 60
        }
        At(t) if iat.is_none() && nbf.is_none() && exp.is_none() => t,
        _ => panic!("{}: {now:?} while the token has iat {iat:?}, nbf {nbf:?}, exp {exp:?}", v.file),
    }
}

/// Whether the token is one the rule says must be accepted.
fn carries_everything(claims: &Value) -> bool {
    let has = |name: &str| claims.get(name).is_some();
    has("iss") && has("exp") && (has("aud") || has("client_id") || has("azp"))
}

/// The row's configuration with `jwks` inserted: into each profile object without keys of its
/// own, and at the top level when a profile is the string shorthand.
fn with_keys(config: &str, jwks: &Value) -> Value {
    let mut doc: Value = serde_json::from_str(config).unwrap_or_else(|e| panic!("{config}: {e}"));
    let mut shorthand = false;
    for profile in doc["issuers"].as_array_mut().unwrap() {
        match profile {
            Value::Object(p) => {
                p.entry("jwks").or_insert_with(|| jwks.clone());
            }
            Value::String(_) => shorthand = true,
            other => panic!("{config}: profile {other}"),
        }
    }
    if shorthand {
        doc["jwks"] = jwks.clone();
    }
    doc
}

/// The profiles of a configuration written out in full: top-level defaults copied into each,
/// the string shorthand as `{"issuer": ...}` (to combine several rows into one configuration).
fn profiles(doc: &Value) -> Vec<Map<String, Value>> {
    let defaults: Vec<(&String, &Value)> = doc.as_object().unwrap().iter().filter(|(k, _)| *k != "issuers").collect();
    doc["issuers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            let mut p = match item {
                Value::String(s) => Map::from_iter([("issuer".to_owned(), json!(s))]),
                Value::Object(p) => p.clone(),
                other => panic!("profile {other}"),
            };
            for (k, v) in &defaults {
                p.entry(k.as_str()).or_insert_with(|| (*v).clone());
            }
            p
        })
        .collect()
}

/// The issuer a profile stands for (a Cognito pool's is https://cognito-idp.REGION.amazonaws.com/POOL).
fn issuer_of(p: &Map<String, Value>) -> String {
    if let Some(iss) = p.get("issuer").and_then(Value::as_str) {
        return iss.to_owned();
    }
    let pool = p["cognito_user_pool_id"].as_str().unwrap();
    format!("https://cognito-idp.{}.amazonaws.com/{pool}", pool.split('_').next().unwrap())
}

/// The key material of a set (`n` or `x`), to tell sets that share a key.
fn key_material(jwks: &Value) -> BTreeSet<String> {
    let keys = jwks["keys"].as_array().unwrap();
    keys.iter().filter_map(|k| k.get("n").or_else(|| k.get("x"))).map(|m| m.as_str().unwrap().to_owned()).collect()
}

/// A claim's values as strings (`aud` may be a string or an array).
fn values(claims: &Value, name: &str) -> Vec<String> {
    match claims.get(name) {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        _ => Vec::new(),
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Accepted,
    Refused(&'static str),
    ConfigRefused(String),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Accepted => f.write_str("accepted"),
            Outcome::Refused(code) => write!(f, "refused: {code}"),
            Outcome::ConfigRefused(e) => write!(f, "configuration refused: {e}"),
        }
    }
}

/// Build the gate from `config` (JSON with the keys inline: no fetch) and verify `token` at
/// `now` Unix seconds.
fn decide(config: &Value, token: &str, now: i64) -> Outcome {
    let config = match Config::from_json(config.to_string().as_bytes()) {
        Ok(config) => config,
        Err(e) => return Outcome::ConfigRefused(format!("{e:?}")),
    };
    let mut gate = Gate::new(config);
    match gate.verify(token, now * 1000) {
        Ok(_) => Outcome::Accepted,
        // A Cognito pool's profile keeps its pool's key URL beside the inline keys, so an unknown
        // kid may ask for a fetch there; this test never fetches: the reason is the answer.
        Err((failure, _fetch)) => Outcome::Refused(failure.reason.code()),
    }
}

fn matches(got: &Outcome, want: Expect) -> bool {
    match (got, want) {
        (Outcome::Accepted, Accept) => true,
        (Outcome::Refused(code), Refuse(want)) => *code == want,
        (Outcome::ConfigRefused(e), RefuseAtStart(want)) => e.contains(want),
        _ => false,
    }
}

/// The token with the first character of its signature changed (the signature's first byte
/// changes; the part stays canonical base64url).
fn tampered(token: &str) -> String {
    let at = token.rfind('.').unwrap() + 1;
    let replacement = if token.as_bytes()[at] == b'A' { "B" } else { "A" };
    format!("{}{replacement}{}", &token[..at], &token[at + 1..])
}

fn row_of(file: &str) -> usize {
    TABLE.iter().position(|r| r.0 == file).unwrap_or_else(|| panic!("{file} is not in TABLE"))
}

#[test]
fn real_identity_provider_tokens() {
    let Some(dir) = vectors_dir() else { return };
    let mut failures: Vec<String> = Vec::new();

    // Every token file has exactly one row; no row names a file that is not there.
    let listed: BTreeSet<String> = TABLE.iter().map(|r| r.0.to_owned()).collect();
    assert_eq!(listed.len(), TABLE.len(), "a file has two rows");
    let on_disk = token_files(&dir);
    assert_eq!(on_disk, listed, "the table and {} differ", dir.display());
    assert_eq!(TABLE.len(), 42);

    let vectors: Vec<Vector> = TABLE.iter().map(|r| load(&dir, r.0)).collect();
    let configs: Vec<Value> = TABLE.iter().zip(&vectors).map(|(r, v)| with_keys(r.1, &v.jwks)).collect();
    let nows: Vec<i64> = TABLE.iter().zip(&vectors).map(|(r, v)| clock(v, r.2)).collect();

    let (mut must_pass, mut passed, mut must_refuse, mut refused) = (0, 0, 0, 0);
    for (i, ((file, _, _, want), v)) in TABLE.iter().zip(&vectors).enumerate() {
        // The rule decides the column: a token with iss, exp and aud or client id is accepted,
        // unless its key set has no key the core loads (listed in REFUSED_KEYS): then the
        // configuration that holds it inline is refused at start.
        let keyless = KeySet::parse(v.jwks.to_string().as_bytes(), &Limits::default()).unwrap().is_empty();
        match want {
            Accept => {
                assert!(carries_everything(&v.claims), "{file}: Accept, but the token lacks iss, exp or aud/client id")
            }
            Refuse(_) => assert!(!carries_everything(&v.claims) || keyless, "{file}: the rule says Accept"),
            // An inline set that refuses every key it has is a configuration error.
            RefuseAtStart(_) => assert!(keyless, "{file}: refused at start, but a key of its set loads"),
        }
        let got = decide(&configs[i], &v.token, nows[i]);
        if *want == Accept {
            must_pass += 1;
        } else {
            must_refuse += 1;
        }
        if matches(&got, *want) {
            if *want == Accept { passed += 1 } else { refused += 1 }
        } else {
            failures.push(format!("{file}: expected {want:?}, {got}"));
        }
        // The signature is what decided: with one byte changed it no longer verifies. For
        // `missing_exp` (checked after the signature) this proves the signature verified.
        if matches!(want, Accept | Refuse("missing_exp")) {
            let got = decide(&configs[i], &tampered(&v.token), nows[i]);
            if got != Outcome::Refused("bad_signature") {
                failures.push(format!("{file}: with its signature changed, expected bad_signature, {got}"));
            }
        }
    }

    // Each accepted token under other profiles.
    let accepted: Vec<usize> = (0..TABLE.len()).filter(|&i| TABLE[i].3 == Accept).collect();
    let (mut negatives, mut negatives_ok) = (0, 0);
    for (pos, &i) in accepted.iter().enumerate() {
        let v = &vectors[i];
        // The other accepted rows, starting after this one.
        let others: Vec<usize> = (1..accepted.len()).map(|d| accepted[(pos + d) % accepted.len()]).collect();
        let own = profiles(&configs[i]);
        let own_issuers: BTreeSet<String> = own.iter().map(issuer_of).collect();
        // The next row of another issuer whose key set shares no key with this one.
        let j = *others
            .iter()
            .find(|&&j| {
                profiles(&configs[j]).iter().all(|p| !own_issuers.contains(&issuer_of(p)))
                    && key_material(&v.jwks).is_disjoint(&key_material(&vectors[j].jwks))
            })
            .unwrap();
        let other = profiles(&configs[j]);
        let mut check = |what: String, config: Value, ok: &dyn Fn(&Outcome) -> bool, want: &str| {
            negatives += 1;
            let got = decide(&config, &v.token, nows[i]);
            if ok(&got) {
                negatives_ok += 1;
            } else {
                failures.push(format!("{}: {what}: expected {want}, {got}", v.file));
            }
        };
        // 1. Another provider's configuration: issuer_mismatch, or algorithm_not_allowed when
        // no profile there allows the token's algorithm (the header is read first). Either is
        // decided before any key is touched.
        let what = format!("under the configuration of {}", TABLE[j].0);
        let refused_early = |g: &Outcome| matches!(g, Outcome::Refused("issuer_mismatch" | "algorithm_not_allowed"));
        check(what, configs[j].clone(), &refused_early, "issuer_mismatch or algorithm_not_allowed");
        // 2. Both profiles in one configuration: accepted (the token picks its own).
        let both = json!({ "issuers": other.iter().chain(&own).collect::<Vec<_>>() });
        check(format!("beside the profile of {}", TABLE[j].0), both, &|g| *g == Outcome::Accepted, "accepted");
        // 3. Its own issuer holding the other's keys, the other issuer holding its keys: a key
        // of issuer B never verifies a token that names issuer A.
        let keyed = |ps: &[Map<String, Value>], jwks: &Value| -> Vec<Map<String, Value>> {
            ps.iter()
                .map(|p| {
                    let mut p = p.clone();
                    p.insert("jwks".into(), jwks.clone());
                    p
                })
                .collect()
        };
        let mut crossed = keyed(&own, &vectors[j].jwks);
        crossed.extend(keyed(&other, &v.jwks));
        check(
            format!("its issuer with the keys of {}, its keys under that issuer", TABLE[j].0),
            json!({ "issuers": crossed }),
            &|g| matches!(g, Outcome::Refused(c) if KEY_REASONS.contains(c)),
            "a key reason",
        );
        // 4. Its own issuer and keys, another application's audiences or client ids.
        let member = if own[0].contains_key("audiences") { "audiences" } else { "allowed_client_ids" };
        let held: Vec<String> = if member == "audiences" {
            values(&v.claims, "aud")
        } else {
            values(&v.claims, "client_id").into_iter().chain(values(&v.claims, "azp")).collect()
        };
        let k = *others
            .iter()
            .find(|&&k| {
                profiles(&configs[k])[0].get(member).and_then(Value::as_array).is_some_and(|list| {
                    !list.is_empty() && list.iter().all(|x| !held.iter().any(|h| Some(h.as_str()) == x.as_str()))
                })
            })
            .unwrap();
        let foreign = profiles(&configs[k])[0][member].clone();
        let mut wrong = own.clone();
        for p in &mut wrong {
            p.insert(member.into(), foreign.clone());
        }
        let want = if member == "audiences" { "audience_mismatch" } else { "client_not_allowed" };
        let what = format!("with the {member} of {}", TABLE[k].0);
        check(what, json!({ "issuers": wrong }), &|g| *g == Outcome::Refused(want), want);
    }
    for (token_file, config_file, want) in CROSS {
        let (i, c) = (row_of(token_file), row_of(config_file));
        negatives += 1;
        let got = decide(&configs[c], &vectors[i].token, nows[i]);
        if matches(&got, *want) {
            negatives_ok += 1;
        } else {
            failures.push(format!("{token_file} under the configuration of {config_file}: expected {want:?}, {got}"));
        }
    }

    println!(
        "idp-real: {} tokens; must pass {must_pass}, pass {passed}; must be refused {must_refuse}, \
         refused with the expected reason {refused}; under other profiles {negatives}, as expected {negatives_ok}",
        TABLE.len()
    );
    assert!(failures.is_empty(), "{} differences:\n{}", failures.len(), failures.join("\n"));
}

/// The key sets load as documented: only the listed keys are refused, each for its reason.
#[test]
fn real_key_sets_load_as_documented() {
    let Some(dir) = vectors_dir() else { return };
    for (file, ..) in TABLE {
        let v = load(&dir, file);
        let set = KeySet::parse(v.jwks.to_string().as_bytes(), &Limits::default()).unwrap();
        let got: Vec<(usize, KeyProblem)> = set.refused().iter().map(|r| (r.index, r.problem)).collect();
        let want: Vec<(usize, KeyProblem)> = REFUSED_KEYS.iter().filter(|r| r.0 == *file).map(|r| (r.1, r.2)).collect();
        assert_eq!(got, want, "{file}");
    }
}

/// The ES512 vector's key publishes y without its leading zero byte (65 bytes): refused at load
/// (RFC 7518 section 6.2.1.2: exactly the coordinate size), though node:crypto would take it.
/// With y at its full 66 bytes the token's signature verifies (the refusal is then missing_exp,
/// checked after the signature), the same token with one signature bit changed is
/// bad_signature, and under the default algorithm list (RS256) it is refused when its header is
/// read.
#[test]
fn es512_vector_verifies_with_the_key_at_full_length() {
    let Some(dir) = vectors_dir() else { return };
    let row = TABLE[row_of("synthetic/jwt-verify-lib-es512-p521.json")];
    let v = load(&dir, row.0);
    let mut jwks = v.jwks.clone();
    let key = &mut jwks["keys"][3];
    assert_eq!(key["crv"], "P-521");
    let mut y = jwtgate_core::b64::decode(key["y"].as_str().unwrap().as_bytes()).unwrap();
    assert_eq!(y.len(), 65);
    y.insert(0, 0);
    key["y"] = json!(jwtgate_core::b64::encode(&y));
    assert!(KeySet::parse(jwks.to_string().as_bytes(), &Limits::default()).unwrap().refused().is_empty());
    let config = with_keys(row.1, &jwks);
    let token = v.token.as_str();
    let (head, sig) = token.rsplit_once('.').unwrap();
    let mut bytes = jwtgate_core::b64::decode(sig.as_bytes()).unwrap();
    assert_eq!(bytes.len(), 132);
    bytes[70] ^= 1;
    let tampered = format!("{head}.{}", jwtgate_core::b64::encode(&bytes));
    let now = clock(&v, row.2);
    assert_eq!(decide(&config, token, now), Outcome::Refused("missing_exp"));
    assert_eq!(decide(&config, &tampered, now), Outcome::Refused("bad_signature"));
    let mut default = config.clone();
    default["issuers"][0].as_object_mut().unwrap().remove("algorithms");
    assert_eq!(decide(&default, token, now), Outcome::Refused("algorithm_not_allowed"));
}

/// Claim rules on what real tokens hold (issue #18): each row's configuration with the profile's
/// `claim_rules` (and `scope_match`) set, the clock pinned as in `TABLE`. The claims named here
/// are what the files hold (`cognito:groups` ["admin-techsupport"], Apple's `email_verified` the
/// string "true", Keycloak's `email_verified` false and no `realm_access`, Entra v1's `amr`
/// ["pwd"] and `tid`, Envoy's nested object with a number, a boolean and an array): the real
/// tokens have no Entra `roles` nor Auth0 `permissions`, whose shapes the conformance vectors
/// cover with provider-shaped tokens.
#[rustfmt::skip]
const CLAIM_RULES: &[(&str, &str, Expect)] = &[
    ("cognito-access-us-west-2-groups.json", r#"["contains_any(cognito:groups,admin-techsupport,ops)"]"#, Accept),
    ("cognito-access-us-west-2-groups.json", r#"["contains_all(cognito:groups,admin-techsupport,ops)"]"#, Refuse("claim_rule_failed")),
    ("cognito-access-us-west-2-groups.json", r#"["equals(token_use,access)","contains_all(scope,aws.cognito.signin.user.admin)"]"#, Accept),
    ("cognito-access-us-west-2-nogroups.json", r#"["contains_any(cognito:groups,admin-techsupport)"]"#, Refuse("claim_rule_failed")),
    ("cognito-id-us-west-2-groups.json", r#"[{"claim":"email_verified","equals":true},{"claim":"cognito:groups","contains_all":["admin-techsupport"]}]"#, Accept),
    ("cognito-id-us-west-2-groups.json", r#"["equals(cognito:groups,admin-techsupport)"]"#, Refuse("invalid_claim")),
    // Apple writes email_verified as the string "true": compared as text, it equals `true`.
    ("apple-id-2021.json", r#"["equals(email_verified,true)"]"#, Accept),
    ("keycloak-access-ps256.json", r#"["equals(email_verified,true)"]"#, Refuse("claim_rule_failed")),
    ("keycloak-access-ps256.json", r#"["contains_all(scope,profile,email)","equals(azp,foo)"]"#, Accept),
    ("keycloak-access-ps256.json", r#"["contains_any(realm_access.roles,admin)"]"#, Refuse("claim_rule_failed")),
    ("keycloak-access-ps256.json", r#"["present(name.first)"]"#, Refuse("invalid_claim")),
    ("entra-v1-access-2016.json", r#"["contains_any(amr,pwd,mfa)","equals(tid,268da1a1-9db4-48b9-b1fe-683250ba90cc)","contains_all(scp,user_impersonation)"]"#, Accept),
    ("entra-v1-access-2016.json", r#"["contains_any(roles,Admin)"]"#, Refuse("claim_rule_failed")),
    ("entra-v1-access-2016.json", r#"["equals(amr,pwd)"]"#, Refuse("invalid_claim")),
    ("synthetic/envoy-nested-claims.json", r#"["contains_all(nested.nested-2.key-5,str2,str1)","equals(nested.nested-2.key-4,9999)","equals(nested.nested-2.key-3,true)","one_of(nested.key-1,value0,value1)"]"#, Accept),
    ("synthetic/envoy-nested-claims.json", r#"["equals(nested.nested-2.key-4,9999.5)"]"#, Refuse("claim_rule_failed")),
    ("synthetic/envoy-nested-claims.json", r#"["contains_any(nested.nested-2,key-3)"]"#, Refuse("invalid_claim")),
    ("synthetic/envoy-nested-claims.json", r#"["present(nested.key-1.deeper)"]"#, Refuse("invalid_claim")),
    ("synthetic/envoy-good-token-with-scope-string.json", r#"["equals(test_num,1337)","one_of(test_string,test_value,other)","contains_all(scope,write)"]"#, Accept),
];

#[test]
fn real_tokens_decide_with_claim_rules() {
    let Some(dir) = vectors_dir() else { return };
    let mut failures = Vec::new();
    for (file, rules, want) in CLAIM_RULES {
        let (_, config, now, _) = TABLE[row_of(file)];
        let v = load(&dir, file);
        let mut config = with_keys(config, &v.jwks);
        config["issuers"][0]["claim_rules"] = serde_json::from_str(rules).unwrap();
        let got = decide(&config, &v.token, clock(&v, now));
        if !matches(&got, *want) {
            failures.push(format!("{file} with {rules}: {got}, expected {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The scopes real tokens carry, under `scope_match` `any` and `all`.
#[test]
fn real_tokens_with_scope_match() {
    let Some(dir) = vectors_dir() else { return };
    for (file, scopes, mode, want) in [
        ("keycloak-access-ps256.json", r#"["email","admin"]"#, "any", Accept),
        ("keycloak-access-ps256.json", r#"["email","admin"]"#, "all", Refuse("missing_scope")),
        ("keycloak-access-ps256.json", r#"["openid","admin"]"#, "any", Refuse("missing_scope")),
        ("entra-v1-access-2016.json", r#"["Pets.Read","user_impersonation"]"#, "any", Accept),
        ("cognito-access-us-west-2-groups.json", r#"["aws.cognito.signin.user.admin"]"#, "all", Accept),
    ] {
        let (_, config, now, _) = TABLE[row_of(file)];
        let v = load(&dir, file);
        let mut config = with_keys(config, &v.jwks);
        config["issuers"][0]["required_scopes"] = serde_json::from_str(scopes).unwrap();
        config["issuers"][0]["scope_match"] = json!(mode);
        let got = decide(&config, &v.token, clock(&v, now));
        assert!(matches(&got, want), "{file} {scopes} {mode}: {got}, expected {want:?}");
    }
}

/// A real Cognito access token through a REST API's route rules: the one stage-wide policy
/// Deny-lists the route whose claim rule the groups fail, and allows the rest.
#[test]
fn real_cognito_groups_in_route_rules() {
    let Some(dir) = vectors_dir() else { return };
    let file = "cognito-access-us-west-2-groups.json";
    let (_, config, now, _) = TABLE[row_of(file)];
    let v = load(&dir, file);
    let mut config = with_keys(config, &v.jwks);
    config["route_rules"] = json!(
        "DELETE /pets/*=contains_any(cognito:groups,admin); GET /pets/*=contains_any(cognito:groups,admin-techsupport)"
    );
    let mut gate = Gate::new(Config::from_json(config.to_string().as_bytes()).unwrap());
    let arn = "arn:aws:execute-api:us-west-2:123456789012:abc123/prod";
    let decide = |gate: &mut Gate, route: &str| {
        let event = json!({ "type": "TOKEN", "authorizationToken": format!("Bearer {}", v.token), "methodArn": format!("{arn}/{route}") });
        gate.authorize(event.to_string().as_bytes(), clock(&v, now) * 1000)
    };
    let d = decide(&mut gate, "DELETE/pets/1");
    assert_eq!(d.reason.map(|r| r.code()), Some("claim_rule_failed"));
    let d = decide(&mut gate, "GET/pets/1");
    assert_eq!(d.reason, None);
    let policy = d.response.unwrap().to_value();
    assert_eq!(
        policy["policyDocument"]["Statement"][1],
        json!({ "Action": "execute-api:Invoke", "Effect": "Deny", "Resource": format!("{arn}/DELETE/pets/*") })
    );
}
