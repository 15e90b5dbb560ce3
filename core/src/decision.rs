//! What the core tells its host: the outcome, the reason, the exact response for API Gateway,
//! and the fields for the host's one log line.

use crate::event::EventKind;
use crate::policy::Response;
use crate::reason::Reason;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A valid token: the response allows.
    Allow,
    /// A valid token without the scopes this route needs: the response denies (403).
    Deny,
    /// No valid token: the host answers with the error `Unauthorized` (401).
    Unauthorized,
    /// The token names a `kid` the key set does not have. The host may refetch the JWKS (at
    /// most once per cooldown) and decide again; otherwise it treats this as `Unauthorized`.
    RefreshKeys,
}

impl Outcome {
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Allow => "allow",
            Outcome::Deny => "deny",
            Outcome::Unauthorized => "unauthorized",
            Outcome::RefreshKeys => "refresh_keys",
        }
    }
}

/// Fields for the decision's log line. Never the token or the signature.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogFields {
    pub event: Option<EventKind>,
    pub alg: Option<&'static str>,
    pub kid: Option<String>,
    pub iss: Option<String>,
    pub sub: Option<String>,
    pub client_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub outcome: Outcome,
    pub reason: Option<Reason>,
    /// The authorizer's return value; `None` means: fail with the error `Unauthorized`.
    pub response: Option<Response>,
    pub log: LogFields,
}

impl Decision {
    pub fn unauthorized(reason: Reason, log: LogFields) -> Decision {
        let outcome = if reason == Reason::UnknownKid { Outcome::RefreshKeys } else { Outcome::Unauthorized };
        Decision { outcome, reason: Some(reason), response: None, log }
    }

    /// The `kid` to look for after a refresh, when the outcome is `RefreshKeys`.
    pub fn refresh_kid(&self) -> Option<&str> {
        (self.outcome == Outcome::RefreshKeys).then_some(self.log.kid.as_deref()).flatten()
    }

    /// The decision as it crosses the wasm boundary and appears in logs (without `response`
    /// when logging: see `log_json`). Its fields are the `Serialize` impl's, the one place
    /// that lists them; writing strings and JSON values into a `Value` cannot fail.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or_default()
    }

    /// `to_json` as JSON text, written directly (see the `Serialize` impl): the hosts' hot path.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        // A decision is usually 200-700 bytes: one allocation instead of a chain of regrowths.
        let mut out = Vec::with_capacity(1024);
        match serde_json::to_writer(&mut out, self) {
            Ok(()) => out,
            Err(_) => Vec::new(),
        }
    }

    /// The answer alone as JSON text: `outcome`, `reason`, `message` and `response`, without
    /// the log fields. For a host that only answers API Gateway and logs nothing: less to
    /// write here and less to parse there.
    pub fn answer_json_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(1024);
        match serde_json::to_writer(&mut out, &Answer(self)) {
            Ok(()) => out,
            Err(_) => Vec::new(),
        }
    }

    /// The structured log fields (no response, no token).
    pub fn log_json(&self) -> Value {
        let mut v = self.to_json();
        if let Value::Object(fields) = &mut v {
            fields.remove("response");
        }
        v
    }
}

/// The decision document (`to_json`) written straight to a serializer: a host's hot path
/// serialises every decision, and building the intermediate `Value` map first costs more than
/// the writing. Fields in sorted order, as a `Value` map keeps them, so `to_json` gives the
/// same text.
impl Serialize for Decision {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(10))?;
        map.serialize_entry("alg", &self.log.alg)?;
        map.serialize_entry("client_id", &self.log.client_id)?;
        map.serialize_entry("event", &self.log.event.map(EventKind::name))?;
        map.serialize_entry("iss", &self.log.iss)?;
        map.serialize_entry("kid", &self.log.kid)?;
        map.serialize_entry("message", &self.reason.map(Reason::message))?;
        map.serialize_entry("outcome", self.outcome.name())?;
        map.serialize_entry("reason", &self.reason.map(Reason::code))?;
        map.serialize_entry("response", &self.response)?;
        map.serialize_entry("sub", &self.log.sub)?;
        map.end()
    }
}

/// The members of the decision document that answer API Gateway (see `answer_json_bytes`), in
/// the same order.
struct Answer<'a>(&'a Decision);

impl Serialize for Answer<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let d = self.0;
        let mut map = serializer.serialize_map(Some(4))?;
        map.serialize_entry("message", &d.reason.map(Reason::message))?;
        map.serialize_entry("outcome", d.outcome.name())?;
        map.serialize_entry("reason", &d.reason.map(Reason::code))?;
        map.serialize_entry("response", &d.response)?;
        map.end()
    }
}
