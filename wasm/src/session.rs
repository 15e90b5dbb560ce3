//! One authorizer instance inside the module: a validated configuration and the current key
//! set, kept between calls so keys are parsed once per JWKS fetch, not once per token.
//! Both exported interfaces (wasm-bindgen for JavaScript, the C ABI for wasmtime) are thin
//! wrappers around this type, so they cannot drift apart.

use crate::provider::{SessionProvider, next_key_id};
use jwtgate_core::env::Settings;
use jwtgate_core::json;
use jwtgate_core::json_text::{self, ArrayText, ObjectText};
use jwtgate_core::{Config, Decision, KeySet, LogFields, Reason, Verifier};
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
            Err(e) => Err(error_json(e.code())),
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
            _ => return self.invalid_event(fields),
        };
        decision_text(&decision, fields)
    }

    /// The decision on input that cannot be an event.
    pub fn invalid_event(&self, fields: Fields) -> String {
        decision_text(&Decision::unauthorized(Reason::InvalidEvent, LogFields::default()), fields)
    }

    /// Verify a bare token: `{ok:true, header, claims}` or `{ok:false, reason, message, kid}`.
    pub fn verify(&self, token: &str, now: i64) -> String {
        let result = self.verifier.verify(&self.keys, token, now);
        json_text::object_string(|doc| match result {
            Ok(v) => {
                // The claims' text as the token carries it (strict JSON, checked).
                doc.member("claims").extend_from_slice(v.claims.as_bytes());
                let mut header = ObjectText::new(doc.member("header"));
                header.string("alg", v.header.alg.name());
                header.optional("kid", v.header.kid.as_deref());
                header.optional("typ", v.header.typ.as_deref());
                header.end();
                doc.bool("ok", true);
            }
            Err(f) => {
                doc.optional("kid", f.header.as_ref().and_then(|h| h.kid.as_deref()));
                doc.string("message", f.reason.message());
                doc.bool("ok", false);
                doc.string("reason", f.reason.code());
                doc.bool("refresh_keys", f.reason == Reason::UnknownKid);
            }
        })
    }
}

/// Which members of the decision document a host asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fields {
    /// The whole document (what hosts log).
    All,
    /// The answer only: the response itself, or `{message, outcome, reason, response: null}`
    /// when there is none (see `Decision::answer_json_bytes`).
    Answer,
}

/// The decision document as text.
fn decision_text(decision: &Decision, fields: Fields) -> String {
    let bytes = match fields {
        Fields::All => decision.to_json_bytes(),
        Fields::Answer => decision.answer_json_bytes(),
    };
    json_text::into_string(bytes)
}

fn keys_report(keys: &KeySet) -> String {
    json_text::object_string(|doc| {
        doc.number("keys", keys.keys().len() as u64);
        let mut kids = ArrayText::new(doc.member("kids"));
        for key in keys.keys() {
            let out = kids.item();
            match &key.kid {
                Some(kid) => json_text::string(out, kid),
                None => out.extend_from_slice(b"null"),
            }
        }
        kids.end();
        doc.bool("ok", true);
        let mut refused = ArrayText::new(doc.member("refused"));
        for r in keys.refused() {
            let mut entry = ObjectText::new(refused.item());
            entry.number("index", r.index as u64);
            entry.optional("kid", r.kid.as_deref());
            entry.string("problem", r.problem.code());
            entry.end();
        }
        refused.end();
    })
}

fn error_json(message: &str) -> String {
    json_text::object_string(|doc| {
        doc.string("error", message);
        doc.bool("ok", false);
    })
}

/// Settings from an environment map (JSON object; members that are not strings are ignored):
/// the core configuration and the host's JWKS rules, validated, as
/// `{ok:true, config, jwks, signatures}` or `{ok:false, error}`.
pub fn settings_from_env(env: &[u8]) -> Result<String, String> {
    let Ok(object) = json::read_object(env) else {
        return Err(error_json("environment is not a JSON object of strings"));
    };
    // Inserted one by one: collecting would sort first, with a sort of its own in the module.
    let mut vars = BTreeMap::new();
    for (name, value) in object.members() {
        if let Some(value) = value.as_str() {
            vars.insert(name.to_owned(), value.to_owned());
        }
    }
    match Settings::from_env(&vars) {
        Ok(s) => Ok(json_text::object_string(|doc| {
            s.config_input.write_json(doc.member("config"));
            s.jwks.write_json(doc.member("jwks"));
            doc.bool("ok", true);
            doc.string("signatures", jwtgate_core::config::Named::name(s.signatures));
        })),
        Err(e) => Err(error_json(&e.to_string())),
    }
}
