//! The decision reader: what a `jwtgate_authorize` document says, read so that anything
//! unexpected is `Unauthorized` (reject by default).

use serde_json::Value;

/// The decision's outcome, read from the decision document. Anything unexpected is
/// `Unauthorized`: reject by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Allow,
    Deny,
    Unauthorized,
    /// Keys are needed first: drive `next_fetch`/`fetched`, then decide again.
    FetchKeys,
}

/// One decision document from `jwtgate_authorize` (see ABI.md).
#[derive(Clone, Debug, PartialEq)]
pub struct Decision(pub Value);

impl Decision {
    pub fn outcome(&self) -> Outcome {
        match self.0.get("outcome").and_then(Value::as_str) {
            Some("allow") => Outcome::Allow,
            Some("deny") => Outcome::Deny,
            Some("fetch_keys") => Outcome::FetchKeys,
            _ => Outcome::Unauthorized,
        }
    }

    /// The authorizer's return value, or `None`: fail the invocation with `Unauthorized`.
    /// Only allow and deny carry a response, whatever the document says.
    pub fn response(&self) -> Option<&Value> {
        match self.outcome() {
            Outcome::Allow | Outcome::Deny => self.0.get("response").filter(|r| r.is_object()),
            Outcome::Unauthorized | Outcome::FetchKeys => None,
        }
    }

    pub fn field(&self, name: &str) -> Option<&str> {
        self.0.get(name).and_then(Value::as_str)
    }
}
