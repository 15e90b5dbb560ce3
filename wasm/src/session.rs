//! One authorizer instance inside the module: a validated configuration and its key cache
//! (the core's `Gate`), kept between calls so keys are parsed once per fetch, not once per
//! token. Both exported interfaces (wasm-bindgen for JavaScript, the C ABI for wasmtime) are
//! thin wrappers around this type, so they cannot drift apart.

use crate::provider::{CheckedProvider, Signatures, next_key_id};
use jwtgate_core::env::Settings;
use jwtgate_core::json::{self, Json};
use jwtgate_core::json_text::{self, ObjectText};
use jwtgate_core::key_cache::HostFailure;
use jwtgate_core::{Config, Decision, Gate, KeyEvent, LogFields, Reason, Reply};
use std::collections::BTreeMap;

pub struct Session {
    gate: Gate<CheckedProvider>,
}

impl Session {
    /// `config` is the core's configuration JSON. Errors are a JSON `{ok:false, error}` string.
    /// Signatures are checked by `provider`: the module's own pure-Rust code, or the host's,
    /// which must first give the known answers of each configured algorithm.
    pub fn new(config: &[u8], provider: Signatures) -> Result<Session, String> {
        let config = Config::from_json(config).map_err(|e| error_json(&e.message()))?;
        Session::from_config(config, provider)
    }

    /// A session for a configuration already validated (by `Config::from_json`, or by the
    /// settings: `validate_settings`), so it is not read again. Every way to configure ends
    /// here.
    pub fn from_config(config: Config, provider: Signatures) -> Result<Session, String> {
        let provider = CheckedProvider::check(provider, &config.algorithms);
        let mut gate = Gate::with_provider(config, provider);
        gate.cache_mut().tag_keys_with(next_key_id);
        Ok(Session { gate })
    }

    /// What configuring reports besides success: `{ok:true}`, with `known_answers_failed` (the
    /// algorithms' names) when the host's provider failed some, which the module then checks
    /// itself. Hosts log it as a warning.
    pub fn configured_json(&self) -> String {
        json_text::object_string(|doc| {
            let failed: Vec<&str> = self.gate.verifier().provider().failed().map(|a| a.name()).collect();
            if !failed.is_empty() {
                json_text::strings(doc.member("known_answers_failed"), &failed);
            }
            doc.bool("ok", true);
        })
    }

    /// Decide an API Gateway event. `now_ms` is milliseconds since the epoch from the host's
    /// clock.
    pub fn authorize(&mut self, event: &[u8], now_ms: i64, fields: Fields) -> String {
        decision_text(&self.gate.authorize(event, now_ms), fields)
    }

    /// Decide a TOKEN event given by its members as UTF-8 bytes (see
    /// `Verifier::authorize_token_event`). Bytes that are not UTF-8 could not have come from a
    /// JSON event, so they are an `invalid_event`.
    pub fn authorize_token(
        &mut self,
        authorization_token: &[u8],
        method_arn: &[u8],
        now_ms: i64,
        fields: Fields,
    ) -> String {
        let decision = match (std::str::from_utf8(authorization_token), std::str::from_utf8(method_arn)) {
            (Ok(token), Ok(arn)) => self.gate.authorize_token_event(token, arn, now_ms),
            _ => return self.invalid_event(fields),
        };
        decision_text(&decision, fields)
    }

    /// The decision on input that cannot be an event.
    pub fn invalid_event(&self, fields: Fields) -> String {
        decision_text(&Decision::unauthorized(Reason::InvalidEvent, LogFields::default()), fields)
    }

    /// Verify a bare token: `{ok:true, header, claims}` or `{ok:false, reason, message, kid,
    /// fetch_keys}` (`fetch_keys`: drive the fetches and verify again).
    pub fn verify(&mut self, token: &str, now_ms: i64) -> String {
        let result = self.gate.verify(token, now_ms);
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
            Err((f, fetch)) => {
                doc.bool("fetch_keys", fetch);
                doc.optional("kid", f.header.as_ref().and_then(|h| h.kid.as_deref()));
                doc.string("message", f.reason.message());
                doc.bool("ok", false);
                doc.string("reason", f.reason.code());
            }
        })
    }

    /// Queue the first fetch of every key source without keys.
    pub fn warm_up(&mut self, now_ms: i64) {
        self.gate.cache_mut().warm_up(now_ms);
    }

    /// The next request for the host, as `{id, kind, max_bytes, timeout_ms, url}`, if one is due.
    pub fn next_fetch(&mut self, now_ms: i64) -> Option<String> {
        let request = self.gate.next_fetch(now_ms)?;
        let mut out = Vec::new();
        request.write_json(&mut out);
        Some(json_text::into_string(out))
    }

    /// What the host got for a request: `reply` is `{id, status, location, cache_control}` (an
    /// answer, with `body`) or `{id, failure, detail}` (`failure`: network, timeout or
    /// too_large). The result is the log line to write, or empty while the round goes on.
    pub fn fetched(&mut self, reply: &[u8], body: &[u8], now_ms: i64) -> String {
        let Ok(doc) = json::read_object(reply) else { return String::new() };
        let text = |name: &str| doc.get(name).and_then(Json::as_str);
        let number = |name: &str| match doc.get(name) {
            Some(Json::Number(n)) => n.to_u64(),
            _ => None,
        };
        let Some(id) = number("id") else { return String::new() };
        let reply = match (text("failure").map(HostFailure::from_name), number("status")) {
            (Some(Some(failure)), _) => Reply::Failed { failure, detail: text("detail").unwrap_or("") },
            (None, Some(status)) => Reply::Answer {
                status: u16::try_from(status).unwrap_or(0),
                location: text("location"),
                cache_control: text("cache_control"),
                body,
            },
            // Neither a known failure nor a status: the host failed in a way it did not say.
            _ => Reply::Failed { failure: HostFailure::Network, detail: "the host's reply is not understood" },
        };
        match self.gate.fetched(id, now_ms, reply) {
            KeyEvent::Continue => String::new(),
            KeyEvent::Loaded { log } | KeyEvent::Failed { log, .. } => log,
        }
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

pub fn error_json(message: &str) -> String {
    json_text::object_string(|doc| {
        doc.string("error", message);
        doc.bool("ok", false);
    })
}

/// Settings from an environment map (JSON object; members that are not strings are ignored)
/// and the contents of the file CONFIG_FILE names, when the host read one: the core
/// configuration, validated, as `{ok:true, config, metrics_namespace, signatures}` or `{ok:false, error}`.
pub fn settings_from_env(env: &[u8], config_file: Option<&[u8]>) -> Result<String, String> {
    validate_settings(env, config_file).map(|settings| settings.document)
}

/// Settings the module validated: the document for the host (`settings_from_env`'s), and the
/// configuration they make, kept so a session is configured from it (`Session::from_config`)
/// without the host handing the configuration back to be read and checked again.
pub struct ValidatedSettings {
    /// `{ok:true, config, metrics_namespace, signatures}`.
    pub document: String,
    /// The validated configuration.
    pub config: Config,
}

/// `settings_from_env`, keeping the configuration too.
pub fn validate_settings(env: &[u8], config_file: Option<&[u8]>) -> Result<ValidatedSettings, String> {
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
    match Settings::from_env(&vars, config_file) {
        Ok(s) => {
            let document = json_text::object_string(|doc| {
                s.config_input.write_json(doc.member("config"));
                doc.optional("metrics_namespace", s.metrics_namespace.as_deref());
                doc.bool("ok", true);
                doc.string("signatures", jwtgate_core::config::Named::name(s.signatures));
            });
            Ok(ValidatedSettings { document, config: s.config })
        }
        Err(e) => Err(error_json(&e.message())),
    }
}
