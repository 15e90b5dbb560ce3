//! What the core tells its host: the outcome, the reason, the exact response for API Gateway,
//! and the fields for the host's one log line.

use crate::event::EventKind;
use crate::json_text::ObjectText;
use crate::policy::Response;
use crate::reason::Reason;

/// What the host does with a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A valid token: the response allows.
    Allow,
    /// A valid token that lacks a required scope, fails a claim rule, or asks for a route
    /// unlisted routes close: the response denies (403).
    Deny,
    /// No valid token: the host answers with the error `Unauthorized` (401).
    Unauthorized,
    /// Keys are needed that the core does not have yet (none fetched, expired, or an unknown
    /// `kid` the rules allow a refetch for): the host performs the requests the gate names
    /// (`Gate::next_fetch`) and decides again. Never an answer to API Gateway.
    FetchKeys,
}

impl Outcome {
    /// The outcome as logged and as it crosses the wasm boundary.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Allow => "allow",
            Outcome::Deny => "deny",
            Outcome::Unauthorized => "unauthorized",
            Outcome::FetchKeys => "fetch_keys",
        }
    }
}

/// Fields for the decision's log line. Never the token or the signature.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogFields {
    /// The event's kind, once read.
    pub event: Option<EventKind>,
    /// The header's `alg`, once read.
    pub alg: Option<&'static str>,
    /// The header's `kid`, once read.
    pub kid: Option<String>,
    /// The token's `iss`, once it is authentic and its claims valid (Allow and Deny).
    pub iss: Option<String>,
    /// The token's `sub`, once it is authentic and its claims valid (Allow and Deny).
    pub sub: Option<String>,
    /// The token's `client_id` (else `azp`), once it is authentic and its claims valid.
    pub client_id: Option<String>,
    /// The key source of the token's issuer, once known (not written: it says which keys a
    /// `FetchKeys` decision waits for).
    pub key_source: Option<usize>,
}

/// The answer to one event (or token).
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// What the host does.
    pub outcome: Outcome,
    /// Why it is not Allow; `None` for Allow.
    pub reason: Option<Reason>,
    /// The authorizer's return value; `None` means: fail with the error `Unauthorized`.
    pub response: Option<Response>,
    /// What the log line says of the event and the token.
    pub log: LogFields,
}

impl Decision {
    /// An `Unauthorized` decision for `reason`: no response, the error `Unauthorized` (401).
    pub fn unauthorized(reason: Reason, log: LogFields) -> Decision {
        Decision { outcome: Outcome::Unauthorized, reason: Some(reason), response: None, log }
    }

    /// The decision as it crosses the wasm boundary and appears in logs (without `response`
    /// when logging: see `log_json`): `to_json_bytes` read back.
    #[cfg(feature = "serde_json")]
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.to_json_bytes()).unwrap_or_default()
    }

    /// The decision document as JSON text: the hosts' hot path.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        self.text(true)
    }

    /// The answer alone as JSON text, for a host that only answers API Gateway and logs
    /// nothing: the response itself when there is one (Allow, or Deny for missing scopes), else
    /// `{message, outcome, reason, response: null}`. A response never has an `outcome` member,
    /// which tells the two apart. Less to write here, and one object fewer to build there
    /// (JavaScript's `JSON.parse` pays about 70 ns per object, more than for its bytes).
    pub fn answer_json_bytes(&self) -> Vec<u8> {
        match &self.response {
            Some(response) => {
                let mut out = document_buffer();
                response.write(&mut out);
                out
            }
            None => self.text(false),
        }
    }

    /// The one list of the decision document's members, in sorted order (as serde_json's maps
    /// keep them, so `to_json` reads back the same text); `log_fields: false` leaves out all but
    /// the answer members.
    fn text(&self, log_fields: bool) -> Vec<u8> {
        let mut out = document_buffer();
        let mut doc = ObjectText::new(&mut out);
        if log_fields {
            doc.optional("alg", self.log.alg);
            doc.optional("client_id", self.log.client_id.as_deref());
            doc.optional("event", self.log.event.map(EventKind::name));
            doc.optional("iss", self.log.iss.as_deref());
            doc.optional("kid", self.log.kid.as_deref());
        }
        doc.optional("message", self.reason.map(Reason::message));
        doc.string("outcome", self.outcome.name());
        doc.optional("reason", self.reason.map(Reason::code));
        let response = doc.member("response");
        match &self.response {
            Some(r) => r.write(response),
            None => response.extend_from_slice(b"null"),
        }
        if log_fields {
            doc.optional("sub", self.log.sub.as_deref());
        }
        doc.end();
        out
    }

    /// The structured log fields (no response, no token).
    #[cfg(feature = "serde_json")]
    pub fn log_json(&self) -> serde_json::Value {
        let mut v = self.to_json();
        if let serde_json::Value::Object(fields) = &mut v {
            fields.remove("response");
        }
        v
    }
}

/// Room for a decision document: usually 200-700 bytes, so one allocation instead of a chain of
/// regrowths.
fn document_buffer() -> Vec<u8> {
    Vec::with_capacity(1024)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::Context;
    use crate::policy::Statements;
    use serde_json::{Value, json};

    fn read(bytes: Vec<u8>) -> Value {
        serde_json::from_slice(&bytes).unwrap()
    }

    #[test]
    fn the_answer_is_the_response_itself_or_the_refusal_members() {
        let log = LogFields { sub: Some("u".into()), alg: Some("RS256"), ..LogFields::default() };
        let policy = Response::Policy {
            principal_id: "u".into(),
            statements: Statements::allow("arn:aws:execute-api:r:1:a/s/*/*".into()),
            context: Context::default(),
            usage_identifier: None,
        };
        let responses = [
            Decision { outcome: Outcome::Allow, reason: None, response: Some(policy.clone()), log: log.clone() },
            Decision {
                outcome: Outcome::Deny,
                reason: Some(Reason::MissingScope),
                response: Some(policy),
                log: log.clone(),
            },
            Decision {
                outcome: Outcome::Allow,
                reason: None,
                response: Some(Response::Simple { authorized: true, context: Context::default() }),
                log: log.clone(),
            },
        ];
        for d in responses {
            let whole = read(d.to_json_bytes());
            assert_eq!(read(d.answer_json_bytes()), whole["response"]);
            assert!(read(d.answer_json_bytes()).get("outcome").is_none(), "a response has no outcome");
        }
        for reason in [Reason::TokenExpired, Reason::UnknownKid] {
            let d = Decision::unauthorized(reason, log.clone());
            let whole = read(d.to_json_bytes());
            let answer = read(d.answer_json_bytes());
            assert_eq!(
                answer,
                json!({ "message": whole["message"], "outcome": whole["outcome"], "reason": whole["reason"], "response": null })
            );
        }
    }
}
