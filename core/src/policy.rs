//! The answers API Gateway understands: IAM policies for REST APIs (and HTTP APIs that ask for
//! them), simple responses for HTTP API payload 2.0.

use crate::json::{Json, Object};
use crate::json_text::{self, ArrayText, ObjectText};

/// The parts of an execute-api ARN:
/// `arn:PARTITION:execute-api:REGION:ACCOUNT:API/STAGE/VERB/PATH...` (REST and HTTP APIs), or
/// `arn:PARTITION:execute-api:REGION:ACCOUNT:API/STAGE/ROUTE` (WebSocket APIs, e.g. `$connect`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecuteApiArn<'a> {
    /// `arn:PARTITION:execute-api:REGION:ACCOUNT:API`.
    pub api: &'a str,
    pub stage: &'a str,
    /// The HTTP verb, or a WebSocket route key.
    pub verb: &'a str,
    /// `None` for a WebSocket route ARN, which has no path part.
    pub path: Option<&'a str>,
}

impl<'a> ExecuteApiArn<'a> {
    pub fn parse(arn: &'a str) -> Option<ExecuteApiArn<'a>> {
        let mut fields = arn.splitn(6, ':');
        let (Some("arn"), Some(partition), Some("execute-api"), Some(region), Some(account), Some(rest)) = (
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
        ) else {
            return None;
        };
        if !partition.starts_with("aws") || region.is_empty() || account.is_empty() {
            return None;
        }
        let mut segments = rest.splitn(4, '/');
        let (Some(api_id), Some(stage), Some(verb)) = (segments.next(), segments.next(), segments.next())
        else {
            return None;
        };
        if api_id.is_empty() || stage.is_empty() || verb.is_empty() {
            return None;
        }
        let api_end = arn.len() - rest.len() + api_id.len();
        Some(ExecuteApiArn { api: &arn[..api_end], stage, verb, path: segments.next() })
    }

    /// Every method and path of this stage: `API/STAGE/*/*`, or `API/STAGE/*` for a WebSocket
    /// route ARN (`API/STAGE/$connect` has no path part, so `*/*` would not match it and a valid
    /// token would be denied).
    pub fn stage_wide(&self) -> String {
        self.resource(if self.path.is_some() { "*/*" } else { "*" })
    }

    /// `API/STAGE/suffix`. Concatenated, not formatted: this runs for every decision, and
    /// `format!` costs several times more in wasm.
    pub fn resource(&self, suffix: &str) -> String {
        [self.api, "/", self.stage, "/", suffix].concat()
    }
}

/// One `execute-api:Invoke` statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub allow: bool,
    pub resource: String,
}

impl Statement {
    pub fn allow(resource: String) -> Statement {
        Statement { allow: true, resource }
    }
    pub fn deny(resource: String) -> Statement {
        Statement { allow: false, resource }
    }
}

/// IAM evaluation for one ARN: an explicit Deny wins, then an Allow, else the implicit deny.
pub fn allows(statements: &[Statement], arn: &str) -> bool {
    let mut allowed = false;
    for statement in statements.iter().filter(|s| crate::routes::glob(&s.resource, arn)) {
        if !statement.allow {
            return false;
        }
        allowed = true;
    }
    allowed
}

/// The authorizer's return value for API Gateway, kept typed until a host writes it out (JSON
/// text on the hot path): building a JSON tree per decision only to serialise it
/// cost more than the writing.
#[derive(Debug, Clone, PartialEq)]
pub enum Response {
    /// REST APIs (and HTTP APIs that ask for IAM policies):
    /// `{principalId, policyDocument: {Version, Statement}, context?}`.
    Policy { principal_id: String, statements: Vec<Statement>, context: Context },
    /// HTTP API payload 2.0 simple response: `{isAuthorized, context?}`.
    Simple { authorized: bool, context: Context },
}

impl Response {
    /// The response as a JSON value (`write` read back), for native hosts and tests.
    #[cfg(feature = "serde_json")]
    pub fn to_value(&self) -> serde_json::Value {
        let mut out = Vec::new();
        self.write(&mut out);
        serde_json::from_slice(&out).unwrap_or_default()
    }

    /// The response as JSON text. Members in sorted order, as serde_json's maps keep them, so
    /// the text is the same as its `to_value()`'s.
    pub fn write(&self, out: &mut Vec<u8>) {
        let context = match self {
            Response::Policy { context, .. } | Response::Simple { context, .. } => context,
        };
        let mut response = ObjectText::new(out);
        if !context.is_empty() {
            response.member("context").extend_from_slice(context.text.as_bytes());
        }
        match self {
            Response::Policy { principal_id, statements, .. } => {
                let mut document = ObjectText::new(response.member("policyDocument"));
                let mut list = ArrayText::new(document.member("Statement"));
                for statement in statements {
                    let mut s = ObjectText::new(list.item());
                    s.string("Action", "execute-api:Invoke");
                    s.string("Effect", if statement.allow { "Allow" } else { "Deny" });
                    s.string("Resource", &statement.resource);
                    s.end();
                }
                list.end();
                document.string("Version", "2012-10-17");
                document.end();
                response.string("principalId", principal_id);
            }
            Response::Simple { authorized, .. } => response.bool("isAuthorized", *authorized),
        }
        response.end();
    }
}

/// The authorizer `context`: the configured claims, written once as a JSON object's text (a
/// decision copies them straight from the token into its answer, with no map in between).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Context {
    /// `{...}` with at least one member, or empty.
    text: String,
}

impl Context {
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// The object's JSON text (empty when there is no context).
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// Claims for the authorizer `context`. API Gateway accepts only strings, numbers and booleans
/// there (an object or array makes REST APIs answer 500), so arrays of strings are joined with
/// spaces and anything else is left out. `names` must be sorted without repeats (the
/// configuration keeps them so), which makes the members sorted as serde_json's maps keep them.
pub fn context(claims: &Object<'_>, names: &[String]) -> Context {
    // Room for a usual context at once (sub, iss, client id and scopes take about 150 bytes).
    let mut text = Vec::with_capacity(256);
    let mut members = ObjectText::new(&mut text);
    let mut any = false;
    for name in names {
        match claims.get(name) {
            Some(Json::Str(s)) => json_text::string(members.member(name), s),
            // Numbers as the token wrote them (JSON numbers either way).
            Some(Json::Number(n)) => members.member(name).extend_from_slice(n.text().as_bytes()),
            Some(Json::Bool(b)) => members.bool(name, *b),
            Some(Json::Array(items)) if items.iter().all(|i| i.as_str().is_some()) => {
                let joined = items.iter().filter_map(Json::as_str).collect::<Vec<_>>().join(" ");
                json_text::string(members.member(name), &joined)
            }
            _ => continue,
        }
        any = true;
    }
    members.end();
    if !any {
        text.clear();
    }
    Context { text: json_text::into_string(text) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_method_arns() {
        let arn = ExecuteApiArn::parse("arn:aws:execute-api:us-east-1:123456789012:abc/prod/GET/pets/1").unwrap();
        assert_eq!(arn.api, "arn:aws:execute-api:us-east-1:123456789012:abc");
        assert_eq!((arn.stage, arn.verb, arn.path), ("prod", "GET", Some("pets/1")));
        assert_eq!(arn.stage_wide(), "arn:aws:execute-api:us-east-1:123456789012:abc/prod/*/*");
        let root = ExecuteApiArn::parse("arn:aws:execute-api:us-west-2:1:ymy8tbxw7b/*/GET/").unwrap();
        assert_eq!(root.stage_wide(), "arn:aws:execute-api:us-west-2:1:ymy8tbxw7b/*/*/*");
        let ws = ExecuteApiArn::parse("arn:aws:execute-api:eu-west-1:123456789012:abcdef123/test/$connect").unwrap();
        assert_eq!((ws.stage, ws.verb, ws.path), ("test", "$connect", None));
        assert_eq!(ws.stage_wide(), "arn:aws:execute-api:eu-west-1:123456789012:abcdef123/test/*");
        assert!(allows(&[Statement::allow(ws.stage_wide())], "arn:aws:execute-api:eu-west-1:123456789012:abcdef123/test/$connect"));
        for bad in ["", "arn:aws:s3:::bucket", "arn:aws:execute-api:us-east-1:1:abc", "arn:aws:execute-api:us-east-1:1:abc/prod", "x:aws:execute-api:r:1:a/s/GET/"] {
            assert!(ExecuteApiArn::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn context_keeps_only_scalar_values() {
        let claims = crate::json::read_object(
            br#"{"sub":"u","n":1,"b":true,"scp":["a","b"],"obj":{"x":1},"mixed":[1,"a"],"nul":null}"#,
        )
        .unwrap();
        let mut names: Vec<String> = ["sub", "n", "b", "scp", "obj", "mixed", "nul", "absent"].iter().map(|s| s.to_string()).collect();
        names.sort();
        let ctx = context(&claims, &names);
        assert_eq!(serde_json::from_str::<serde_json::Value>(ctx.text()).unwrap(), json!({"sub":"u","n":1,"b":true,"scp":"a b"}));
        assert_eq!(ctx.text, json!({"sub":"u","n":1,"b":true,"scp":"a b"}).to_string(), "sorted members, serde_json's text");
        assert!(context(&claims, &["absent".to_owned(), "obj".to_owned()]).is_empty());
    }
}
