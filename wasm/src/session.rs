//! One authorizer instance inside the module: a validated configuration and the current key
//! set, kept between calls so keys are parsed once per JWKS fetch, not once per token.
//! Both exported interfaces (wasm-bindgen for JavaScript, the C ABI for wasmtime) are thin
//! wrappers around this type, so they cannot drift apart.

use crate::provider::{SessionProvider, next_key_id};
use jwtgate_core::env::Settings;
use jwtgate_core::{Config, Decision, KeySet, LogFields, Reason, Verifier};
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub struct Session {
    verifier: Verifier<SessionProvider>,
    keys: KeySet,
}

impl Session {
    /// `config` is the core's configuration JSON. Errors are a JSON `{ok:false, error}` string.
    /// Signatures are checked by `provider`: the module's own pure-Rust code, or the host's.
    pub fn new(config: &[u8], provider: SessionProvider) -> Result<Session, String> {
        let config = Config::from_json(config).map_err(|e| error_json(&e.to_string()))?;
        Ok(Session { verifier: Verifier::with_provider(config, provider), keys: KeySet::default() })
    }

    /// Replace the key set: `Ok(report)`, or `Err(error)` with the previous keys still in use
    /// (last good keys). Both are JSON.
    pub fn set_keys(&mut self, jwks: &[u8]) -> Result<String, String> {
        match self.verifier.load_keys(jwks) {
            Ok(mut keys) => {
                keys.tag_keys(next_key_id);
                let report = keys_report(&keys);
                self.keys = keys;
                Ok(report)
            }
            Err(e) => Err(json!({ "ok": false, "error": e.code() }).to_string()),
        }
    }

    pub fn has_kid(&self, kid: &str) -> bool {
        self.keys.contains_kid(kid)
    }

    /// Decide an API Gateway event. `now` is Unix seconds from the host's clock.
    pub fn authorize(&self, event: &[u8], now: i64, fields: Fields) -> String {
        decision_text(&self.verifier.authorize(&self.keys, event, now), fields)
    }

    /// Decide a TOKEN event given by its members as UTF-8 bytes (see
    /// `Verifier::authorize_token_event`). Bytes that are not UTF-8 could not have come from a
    /// JSON event, so they are an `invalid_event`.
    pub fn authorize_token(&self, authorization_token: &[u8], method_arn: &[u8], now: i64, fields: Fields) -> String {
        let decision = match (std::str::from_utf8(authorization_token), std::str::from_utf8(method_arn)) {
            (Ok(token), Ok(arn)) => self.verifier.authorize_token_event(&self.keys, token, arn, now),
            _ => Decision::unauthorized(Reason::InvalidEvent, LogFields::default()),
        };
        decision_text(&decision, fields)
    }

    /// Verify a bare token: `{ok:true, header, claims}` or `{ok:false, reason, message, kid}`.
    pub fn verify(&self, token: &str, now: i64) -> String {
        let result = match self.verifier.verify(&self.keys, token, now) {
            Ok(v) => json!({
                "ok": true,
                "header": { "alg": v.header.alg.name(), "kid": v.header.kid, "typ": v.header.typ },
                "claims": Value::Object(v.claims),
            }),
            Err(f) => json!({
                "ok": false,
                "reason": f.reason.code(),
                "message": f.reason.message(),
                "refresh_keys": f.reason == jwtgate_core::Reason::UnknownKid,
                "kid": f.header.and_then(|h| h.kid),
            }),
        };
        to_text(&result)
    }
}

/// JSON text, written straight into a byte buffer (the `Display` route through `fmt` costs
/// several microseconds per decision in wasm).
fn to_text(value: &Value) -> String {
    serde_json::to_vec(value).ok().and_then(|bytes| String::from_utf8(bytes).ok()).unwrap_or_default()
}

/// Which members of the decision document a host asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fields {
    /// The whole document (what hosts log).
    All,
    /// `outcome`, `reason`, `message` and `response` only.
    Answer,
}

/// The decision document as text, written without an intermediate `Value`.
fn decision_text(decision: &Decision, fields: Fields) -> String {
    let bytes = match fields {
        Fields::All => decision.to_json_bytes(),
        Fields::Answer => decision.answer_json_bytes(),
    };
    String::from_utf8(bytes).unwrap_or_default()
}

fn keys_report(keys: &KeySet) -> String {
    let refused: Vec<Value> = keys
        .refused()
        .iter()
        .map(|r| json!({ "index": r.index, "kid": r.kid, "problem": r.problem.code() }))
        .collect();
    let kids: Vec<Value> = keys.keys().iter().map(|k| json!(k.kid)).collect();
    json!({ "ok": true, "keys": keys.keys().len(), "kids": kids, "refused": refused }).to_string()
}

fn error_json(message: &str) -> String {
    json!({ "ok": false, "error": message }).to_string()
}

/// Settings from an environment map (JSON object of strings): the core configuration and the
/// host's JWKS rules, validated, as `{ok:true, config, jwks}` or `{ok:false, error}`.
pub fn settings_from_env(env: &[u8]) -> Result<String, String> {
    let vars: BTreeMap<String, String> = match serde_json::from_slice::<BTreeMap<String, Value>>(env) {
        Ok(map) => map
            .into_iter()
            .filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_owned())))
            .collect(),
        Err(e) => return Err(error_json(&format!("environment is not a JSON object: {e}"))),
    };
    match Settings::from_env(&vars) {
        Ok(s) => Ok(json!({ "ok": true, "config": s.config_input, "jwks": s.jwks, "signatures": s.signatures }).to_string()),
        Err(e) => Err(error_json(&e.to_string())),
    }
}
