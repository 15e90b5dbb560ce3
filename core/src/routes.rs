//! Per-route scope rules that survive API Gateway's policy cache (DESIGN point 8).
//!
//! With an authorizer TTL, API Gateway caches one policy per token and evaluates it for every
//! later route. So instead of answering for one route, the policy carries one statement per
//! rule (Allow where the token holds the rule's scopes, Deny where it does not) plus a
//! stage-wide default. IAM evaluation makes an explicit Deny win, so a route must satisfy every
//! rule that matches it; routes no rule names get the default.
//!
//! Rules are written `METHOD /path=scope scope; ...` (or as JSON, see `RulesInput`). METHOD is a
//! verb or `*`; `*` in a path matches any characters, `/` included, as in IAM resource ARNs.

use crate::config::{ConfigError, Named};
use crate::scan;

pub const MAX_RULES: usize = 50;
/// Keeps every built resource ARN under API Gateway's 512 characters: the ARN prefix (partition,
/// region, account, API id, stage) takes at most about 200.
pub const MAX_PATTERN_LEN: usize = 256;
const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "*"];

/// A rule as configured: the text form or a JSON list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RulesInput {
    Text(String),
    List(Vec<RuleInput>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleInput {
    /// `GET /pets/*`
    pub route: String,
    pub scopes: Vec<String>,
}

/// Whether routes that no rule names are open (to any valid token) or closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum UnlistedRoutes {
    #[default]
    Allow,
    Deny,
}

impl Named for UnlistedRoutes {
    const NAMES: &'static [(&'static str, Self)] = &[("allow", Self::Allow), ("deny", Self::Deny)];
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteRule {
    /// Upper-case verb, or `*`.
    pub method: String,
    /// Starts with `/`; `*` matches anything.
    pub path: String,
    pub scopes: Vec<String>,
}

impl RouteRule {
    /// The resource pattern inside a stage: `VERB/path` without the leading slash.
    pub fn resource_suffix(&self) -> String {
        format!("{}/{}", self.method, &self.path[1..])
    }

    /// Whether this rule applies to an HTTP API route key (`GET /pets/{id}`, `ANY /x`,
    /// `$default`). `ANY` routes and `$default` take every rule whose path could apply, the
    /// restrictive reading: the route serves requests the rule names.
    pub fn applies_to_route_key(&self, route_key: &str) -> bool {
        if route_key == "$default" {
            return true;
        }
        let Some((method, path)) = route_key.split_once(' ') else { return true };
        let method_fits = self.method == "*" || method == "ANY" || method.eq_ignore_ascii_case(&self.method);
        method_fits && (glob(&self.path, path) || glob(path_pattern(path).as_str(), &self.path))
    }
}

/// A route key's path with `{param}` and `{proxy+}` as wildcards, to compare with rule paths.
fn path_pattern(path: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push('*');
            }
            '}' => in_param = false,
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}

/// IAM-style wildcard match: `*` matches any run of characters (including none and `/`).
pub fn glob(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    // The text before the first `*` (most of an execute-api ARN) must match as it is: compared
    // at once, not a byte per turn of the loop below.
    let literal = scan::find(p, b'*').unwrap_or(p.len());
    if t.get(..literal) != Some(&p[..literal]) {
        return false;
    }
    let (mut pi, mut ti) = (literal, literal);
    let mut backtrack: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            backtrack = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((bp, bt)) = backtrack {
            pi = bp + 1;
            ti = bt + 1;
            backtrack = Some((bp, bt + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

fn err(problem: String) -> ConfigError {
    ConfigError { setting: "route_rules", problem }
}

pub fn parse(input: &RulesInput) -> Result<Vec<RouteRule>, ConfigError> {
    let list: Vec<(String, Vec<String>)> = match input {
        RulesInput::List(items) => items.iter().map(|r| (r.route.clone(), r.scopes.clone())).collect(),
        RulesInput::Text(text) => {
            let mut out = Vec::new();
            for rule in text.split(';').map(str::trim).filter(|r| !r.is_empty()) {
                let (route, scopes) = rule
                    .split_once('=')
                    .ok_or_else(|| err(format!("`{rule}`: expected `METHOD /path=scope ...`")))?;
                let scopes = scopes.split([' ', ',']).filter(|s| !s.is_empty()).map(str::to_owned).collect();
                out.push((route.trim().to_owned(), scopes));
            }
            out
        }
    };
    if list.len() > MAX_RULES {
        return Err(err(format!("{} rules; at most {MAX_RULES} fit in one policy", list.len())));
    }
    list.into_iter().map(|(route, scopes)| rule(&route, scopes)).collect()
}

fn rule(route: &str, scopes: Vec<String>) -> Result<RouteRule, ConfigError> {
    let bad = |why: &str| err(format!("`{route}`: {why}"));
    let mut parts = route.split_whitespace();
    let (Some(method), Some(path), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad("expected `METHOD /path`"));
    };
    let method = match method.to_ascii_uppercase().as_str() {
        "ANY" => "*".to_owned(),
        m if METHODS.contains(&m) => m.to_owned(),
        _ => return Err(bad("unknown method")),
    };
    if !path.starts_with('/') {
        return Err(bad("the path must start with `/`"));
    }
    if path.len() > MAX_PATTERN_LEN {
        return Err(bad(&format!("the path is longer than {MAX_PATTERN_LEN} characters")));
    }
    if !path.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~/*{}:@%+".contains(&b)) {
        return Err(bad("the path has a character API Gateway resource paths do not use"));
    }
    if scopes.is_empty() {
        return Err(bad("no scopes"));
    }
    if scopes.iter().any(|s| s.is_empty() || s.contains(char::is_whitespace)) {
        return Err(bad("a scope is empty or contains white space"));
    }
    // Path parameters `{id}` match one segment in API Gateway; in a policy ARN `*` is the
    // closest (and wider) form, so rules use `*`, and `{...}` is rewritten.
    let path = path_pattern(path);
    Ok(RouteRule { method, path, scopes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_form() {
        let rules = parse(&RulesInput::Text("GET /pets/*=pets:read; POST /pets=pets:write,admin ; DELETE /*=admin".into())).unwrap();
        assert_eq!(rules.len(), 3);
        assert_eq!(rules[0], RouteRule { method: "GET".into(), path: "/pets/*".into(), scopes: vec!["pets:read".into()] });
        assert_eq!(rules[1].scopes, vec!["pets:write", "admin"]);
        assert_eq!(rules[2].resource_suffix(), "DELETE/*");
        assert_eq!(parse(&RulesInput::Text("any /pets/{id}=x".into())).unwrap()[0].path, "/pets/*");
    }

    #[test]
    fn errors_name_the_rule() {
        for (text, needle) in [
            ("GET /pets", "GET /pets"),
            ("FETCH /pets=x", "unknown method"),
            ("GET pets=x", "start with `/`"),
            ("GET /pets?x=1=y", "character"),
            ("GET /pets=", "no scopes"),
            ("GET /a /b=x", "METHOD /path"),
        ] {
            let e = parse(&RulesInput::Text(text.into())).unwrap_err();
            assert!(e.to_string().contains(needle), "{text}: {e}");
        }
        let many = (0..51).map(|i| format!("GET /r{i}=s")).collect::<Vec<_>>().join(";");
        assert!(parse(&RulesInput::Text(many)).unwrap_err().to_string().contains("at most 50"));
        let long = format!("GET /{}=s", "a".repeat(300));
        assert!(parse(&RulesInput::Text(long)).is_err());
    }

    #[test]
    fn glob_matches_like_iam() {
        assert!(glob("GET/pets/*", "GET/pets/1"));
        assert!(glob("GET/pets/*", "GET/pets/1/toys"));
        assert!(!glob("GET/pets/*", "GET/pets"));
        assert!(glob("*/*", "DELETE/a/b"));
        assert!(glob("GET/pets", "GET/pets"));
        assert!(!glob("GET/pets", "GET/pets/"));
        assert!(glob("*", ""));
        assert!(!glob("a*b*c", "a-b-"));
        assert!(glob("a*b*c", "aXXbYYc"));
    }

    #[test]
    fn route_keys() {
        let r = |t: &str| parse(&RulesInput::Text(t.into())).unwrap().remove(0);
        assert!(r("GET /pets/*=s").applies_to_route_key("GET /pets/{id}"));
        assert!(!r("GET /pets/*=s").applies_to_route_key("POST /pets/{id}"));
        assert!(r("GET /pets/*=s").applies_to_route_key("ANY /pets/{proxy+}"));
        assert!(r("GET /pets/*=s").applies_to_route_key("$default"));
        assert!(!r("GET /pets/*=s").applies_to_route_key("GET /owners"));
        assert!(r("* /*=s").applies_to_route_key("PUT /owners"));
        assert!(r("GET /pets/1=s").applies_to_route_key("GET /pets/{id}"), "a parameterised route serves /pets/1");
    }
}
