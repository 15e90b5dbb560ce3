//! Per-route rules that survive API Gateway's policy cache (DESIGN point 8): what a rule
//! means, and what the rules say for one request or for one HTTP API route key.
//!
//! A rule is written `METHOD /path=TERMS` (or as JSON, see `RulesInput`); a WebSocket rule
//! names its route key instead: `$connect=TERMS`. TERMS are separated by white space or commas
//! outside parentheses: a term `OP(...)` with OP a claim rule operator (`claim_rule`) is a
//! claim rule, any other term a scope. METHOD is one of [`METHODS`], or `ANY`
//! (or `*`) for all seven. In a path, `*` stands for any run of characters, `/` included, as
//! in an IAM resource; `{name}` and `{name+}` stand for `*`, since an IAM pattern cannot say
//! "one segment".
//!
//! A rule applies to a request when the request's method is one of its methods and its path
//! matches; a request must meet every rule that applies to it: hold its scopes (all of them, or
//! one with the profile's `scope_match` `any`) and meet each of its claim rules. A request no rule
//! applies to is allowed when `unlisted_routes` is `allow`, refused when it is `deny`.
//! `policy.rs` turns the rules into the one policy API Gateway caches for a token, which
//! answers every route of the stage as these rules do.

use crate::claim_rule::{self, ClaimRule};
use crate::json_text::decimal;
use crate::paths::{self, PathSet};
use crate::scan;
use crate::setting::{ConfigError, Named};

/// The most route rules: each adds statements to the one policy, which must fit API
/// Gateway's answer limit.
pub const MAX_RULES: usize = 50;
// `for_route_key` keeps a bit per rule in a `u64`.
const _: () = assert!(MAX_RULES <= 64);
/// Keeps every built resource ARN under API Gateway's 512 characters: the ARN prefix (partition,
/// region, account, API id, stage) takes at most about 200.
pub const MAX_PATTERN_LEN: usize = 256;

/// The methods API Gateway routes, REST resources and HTTP API routes alike.
pub const METHODS: [&str; 7] = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"];

/// A set of [`METHODS`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Methods(u8);

impl Methods {
    /// Every method (what `ANY` and `*` name).
    pub const ALL: Methods = Methods((1 << METHODS.len()) - 1);

    /// One method by its name (upper case), or `ANY`/`*` for all.
    pub fn named(name: &str) -> Option<Methods> {
        match name {
            "ANY" | "*" => Some(Methods::ALL),
            _ => METHODS.iter().position(|m| *m == name).map(|i| Methods(1 << i)),
        }
    }

    /// Whether the request method `name` is in the set (`ANY` and `*` are no request's
    /// method).
    pub fn contains(self, name: &str) -> bool {
        Methods::named(name).is_some_and(|m| m != Methods::ALL && self.meets(m))
    }

    /// Whether the two sets share a method.
    pub fn meets(self, other: Methods) -> bool {
        self.0 & other.0 != 0
    }

    /// The method names in the set, in [`METHODS`]' order.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        METHODS.iter().enumerate().filter(move |(i, _)| self.0 & (1 << i) != 0).map(|(_, m)| *m)
    }
}

/// A rule as configured: the text form or a JSON list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RulesInput {
    /// The text form: `METHOD /path=TERMS; ...` (the environment's `ROUTE_RULES`).
    Text(String),
    /// The JSON list form: one object per rule.
    List(Vec<RuleInput>),
}

/// One rule as written, before its route is checked ([`parse`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleInput {
    /// `GET /pets/*`, or a WebSocket route key such as `$connect`.
    pub route: String,
    /// Scopes a request the rule applies to must hold.
    pub scopes: Vec<String>,
    /// Claim rules the token must meet for those requests.
    pub claims: Vec<ClaimRule>,
}

/// Whether routes that no rule names are open (to any valid token) or closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum UnlistedRoutes {
    /// `allow`: any valid token passes (the default).
    #[default]
    Allow,
    /// `deny`: a valid token gets Deny (`route_not_listed`).
    Deny,
}

impl Named for UnlistedRoutes {
    const NAMES: &'static [(&'static str, Self)] = &[("allow", Self::Allow), ("deny", Self::Deny)];
}

/// What a rule names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    /// REST and HTTP API requests: methods, and a path glob starting with `/`.
    Http {
        /// The methods it names.
        methods: Methods,
        /// The path glob as the policy writes it (`{name}` and `{name+}` become `*`).
        path: String,
        /// The same glob as a set of paths, for the overlap and cover checks ([`paths`]).
        paths: PathSet,
    },
    /// A WebSocket API route key (`$connect`).
    WebSocket(String),
}

/// A checked rule: what it names and what it requires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteRule {
    /// The requests it applies to.
    pub route: Route,
    /// Scopes those requests need (all, or one with `scope_match` `any`).
    pub scopes: Vec<String>,
    /// Claim rules the token must meet for them.
    pub claims: Vec<ClaimRule>,
}

impl RouteRule {
    /// Whether the rule applies to a request of an execute-api ARN: `verb` and `path` (after the
    /// method, without its leading `/`) for REST and HTTP APIs, the route key alone (no path)
    /// for WebSocket APIs.
    pub fn applies(&self, verb: &str, path: Option<&str>) -> bool {
        match (&self.route, path) {
            (Route::Http { methods, path: glob_path, .. }, Some(path)) => {
                methods.contains(verb) && glob(&glob_path[1..], path)
            }
            (Route::WebSocket(key), None) => key == verb,
            _ => false,
        }
    }

    /// The resource suffixes (after `API/STAGE/`) of the requests this rule applies to: one
    /// per method, so that no `*` stands in the method position, where IAM's `*` would also
    /// match the start of the path.
    pub fn resources(&self) -> impl Iterator<Item = String> + '_ {
        let (methods, path, key) = match &self.route {
            Route::Http { methods, path, .. } => (*methods, path.as_str(), None),
            Route::WebSocket(key) => (Methods(0), "", Some(key.as_str())),
        };
        methods.names().map(move |m| [m, path].concat()).chain(key.map(str::to_owned))
    }

    /// Whether the rule names a WebSocket route key.
    pub fn is_websocket(&self) -> bool {
        matches!(self.route, Route::WebSocket(_))
    }
}

/// What the rules say of a request, or of every request a route key serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every rule that applies is met, or none applies and unlisted routes are open.
    Allowed,
    /// A rule that applies needs a scope the token does not hold.
    MissingScope,
    /// A rule that applies has a claim rule the token does not meet (its scopes are held).
    ClaimRuleFailed,
    /// No rule applies, and unlisted routes are closed.
    NotListed,
}

/// What the token meets of one rule: `Allowed`, `MissingScope` (its scopes are not held) or
/// `ClaimRuleFailed` (they are, a claim rule is not met).
pub type Check<'a> = &'a dyn Fn(&RouteRule) -> Verdict;

/// Of the verdicts of the rules that apply, the one that decides: scopes are checked before
/// claims, so a missing scope anywhere wins over a failed claim rule.
fn worse(a: Verdict, b: Verdict) -> Verdict {
    match (a, b) {
        (Verdict::MissingScope, _) | (_, Verdict::MissingScope) => Verdict::MissingScope,
        (Verdict::ClaimRuleFailed, _) | (_, Verdict::ClaimRuleFailed) => Verdict::ClaimRuleFailed,
        _ => a,
    }
}

/// The verdict for one request (see [`RouteRule::applies`]).
pub fn for_request(
    rules: &[RouteRule],
    unlisted: UnlistedRoutes,
    verb: &str,
    path: Option<&str>,
    check: Check<'_>,
) -> Verdict {
    let mut listed = false;
    let mut verdict = Verdict::Allowed;
    for rule in rules.iter().filter(|r| r.applies(verb, path)) {
        verdict = worse(verdict, check(rule));
        if verdict == Verdict::MissingScope {
            return verdict;
        }
        listed = true;
    }
    if verdict != Verdict::Allowed {
        return verdict;
    }
    if listed || unlisted == UnlistedRoutes::Allow { Verdict::Allowed } else { Verdict::NotListed }
}

/// The verdict for an HTTP API route key, which API Gateway caches an answer for and then
/// uses for every request the route serves: `Allowed` only when every such request is
/// allowed. `GET /pets/{id}` serves `GET` on every path the template matches, `ANY /x` every
/// method, and `$default` (or a key this cannot read) every method and path. So every rule
/// that applies to some request the key serves must be held, and with unlisted routes closed,
/// every request the key serves must be named by some rule.
pub fn for_route_key(rules: &[RouteRule], unlisted: UnlistedRoutes, route_key: &str, check: Check<'_>) -> Verdict {
    let (methods, served) = route_key_requests(route_key);
    // Which rules name each method (a bit per rule), so that methods named by the same rules
    // are asked about once.
    let mut naming = [0u64; METHODS.len()];
    let mut verdict = Verdict::Allowed;
    for (i, rule) in rules.iter().enumerate() {
        let Route::Http { methods: named, paths, .. } = &rule.route else { continue };
        if named.meets(methods) && paths::intersects(paths, &served) {
            verdict = worse(verdict, check(rule));
            if verdict == Verdict::MissingScope {
                return verdict;
            }
        }
        for (m, bits) in naming.iter_mut().enumerate() {
            if named.0 & (1 << m) != 0 {
                *bits |= 1 << i;
            }
        }
    }
    if verdict != Verdict::Allowed || unlisted == UnlistedRoutes::Allow {
        return verdict;
    }
    let mut asked = Vec::new();
    for (m, &bits) in naming.iter().enumerate() {
        if methods.0 & (1 << m) == 0 || asked.contains(&bits) {
            continue;
        }
        let by: Vec<&PathSet> = rules
            .iter()
            .enumerate()
            .filter(|(i, _)| bits & (1 << i) != 0)
            .filter_map(|(_, r)| if let Route::Http { paths, .. } = &r.route { Some(paths) } else { None })
            .collect();
        if !paths::covered(&served, &by) {
            return Verdict::NotListed;
        }
        asked.push(bits);
    }
    Verdict::Allowed
}

/// The methods and paths an HTTP API route key can serve; every method and path for
/// `$default` and for a key this cannot read.
fn route_key_requests(route_key: &str) -> (Methods, PathSet) {
    if let Some((method, path)) = route_key.split_once(' ')
        && let (Some(methods), true) = (Methods::named(method), path.starts_with('/'))
        && let Some(paths) = PathSet::template(path)
    {
        return (methods, paths);
    }
    (Methods::ALL, PathSet::every())
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
    ConfigError { setting: "route_rules".to_owned(), problem }
}

/// Check the configured rules (at most [`MAX_RULES`]): each names a method and a path
/// glob or a WebSocket route key, and has scopes or claim rules.
pub fn parse(input: &RulesInput) -> Result<Vec<RouteRule>, ConfigError> {
    let list: Vec<RuleInput> = match input {
        RulesInput::List(items) => items.clone(),
        RulesInput::Text(text) => {
            let mut out = Vec::new();
            let rules =
                claim_rule::split_outside(text, |c| c == ';').map_err(|why| err(["`", text, "`: ", why].concat()))?;
            for rule in rules.into_iter().map(str::trim).filter(|r| !r.is_empty()) {
                let (route, terms) = rule
                    .split_once('=')
                    .ok_or_else(|| err(["`", rule, "`: expected `METHOD /path=scope ...`"].concat()))?;
                let (mut scopes, mut claims) = (Vec::new(), Vec::new());
                let terms = claim_rule::split_outside(terms, |c| c.is_whitespace() || c == ',')
                    .map_err(|why| err(["`", rule, "`: ", why].concat()))?;
                for term in terms.into_iter().filter(|t| !t.is_empty()) {
                    if term.contains('(') {
                        claims.push(
                            ClaimRule::parse(term).map_err(|why| err(["`", route.trim(), "`: ", &why].concat()))?,
                        );
                    } else {
                        scopes.push(term.to_owned());
                    }
                }
                out.push(RuleInput { route: route.trim().to_owned(), scopes, claims });
            }
            out
        }
    };
    if list.len() > MAX_RULES {
        return Err(err([
            &decimal(list.len() as u64),
            " rules; at most ",
            &decimal(MAX_RULES as u64),
            " fit in one policy",
        ]
        .concat()));
    }
    list.into_iter().map(|r| rule(&r.route, r.scopes, r.claims)).collect()
}

fn rule(route: &str, scopes: Vec<String>, claims: Vec<ClaimRule>) -> Result<RouteRule, ConfigError> {
    let bad = |why: &str| err(["`", route, "`: ", why].concat());
    if scopes.is_empty() && claims.is_empty() {
        return Err(bad("no scopes or claim rules"));
    }
    if claims.len() > claim_rule::MAX_RULES {
        return Err(bad(&["more than ", &decimal(claim_rule::MAX_RULES as u64), " claim rules"].concat()));
    }
    for claim in &claims {
        claim.check_bounds().map_err(|why| bad(&why))?;
    }
    if scopes.iter().any(|s| s.is_empty() || s.contains(char::is_whitespace)) {
        return Err(bad("a scope is empty or contains white space"));
    }
    let mut parts = route.split_whitespace();
    let route = match (parts.next(), parts.next(), parts.next()) {
        (Some(key), None, None) if !key.starts_with('/') && Methods::named(&key.to_ascii_uppercase()).is_none() => {
            // API Gateway calls a WebSocket API's authorizer on `$connect` only; its own route
            // keys start with `$`. A word without it is an HTTP rule missing its method and
            // path (`pets=admin`), which as a route key would match no request and leave the
            // route it meant open.
            if !key.starts_with('$') {
                return Err(bad("a rule is `METHOD /path=...`, or a WebSocket route key such as `$connect`"));
            }
            if key.len() > MAX_PATTERN_LEN {
                return Err(bad(
                    &["the route key is longer than ", &decimal(MAX_PATTERN_LEN as u64), " characters"].concat()
                ));
            }
            if !key.bytes().all(|b| b.is_ascii_alphanumeric() || b"$_-.:".contains(&b)) {
                return Err(bad("a WebSocket route key is letters, digits and `$_-.:`"));
            }
            Route::WebSocket(key.to_owned())
        }
        (Some(method), Some(path), None) => {
            let methods = Methods::named(&method.to_ascii_uppercase()).ok_or_else(|| bad("unknown method"))?;
            if !path.starts_with('/') {
                return Err(bad("the path must start with `/`"));
            }
            if path.len() > MAX_PATTERN_LEN {
                return Err(bad(
                    &["the path is longer than ", &decimal(MAX_PATTERN_LEN as u64), " characters"].concat()
                ));
            }
            if !path.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~/*{}:@%+".contains(&b)) {
                return Err(bad("the path has a character API Gateway resource paths do not use"));
            }
            let path = path_glob(path).map_err(&bad)?;
            let paths = PathSet::glob(&path);
            Route::Http { methods, path, paths }
        }
        _ => return Err(bad("expected `METHOD /path` or a WebSocket route key")),
    };
    Ok(RouteRule { route, scopes, claims })
}

/// A rule path with each `{name}` or `{name+}` segment as `*`. A parameter must be a whole
/// segment (`/{id}/`), named, and a greedy one (`{proxy+}`) the last; anything else is refused
/// rather than read as something wider.
fn path_glob(path: &str) -> Result<String, &'static str> {
    let mut out = String::with_capacity(path.len());
    let mut segments = path.split('/').peekable();
    while let Some(segment) = segments.next() {
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            None if segment.contains(['{', '}']) => {
                return Err("a `{parameter}` must be a whole path segment, with its braces balanced");
            }
            None => out.push_str(segment),
            Some(name) => {
                let (name, greedy) = name.strip_suffix('+').map_or((name, false), |n| (n, true));
                if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b)) {
                    return Err(if name.contains(['{', '}']) {
                        "a `{parameter}` must be a whole path segment, with its braces balanced"
                    } else {
                        "a `{parameter}` needs a name of letters, digits and `-._`"
                    });
                }
                if greedy && segments.peek().is_some() {
                    return Err("a greedy `{parameter+}` must be the last segment");
                }
                out.push('*');
            }
        }
        if segments.peek().is_some() {
            out.push('/');
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> RouteRule {
        parse(&RulesInput::Text(text.into())).unwrap().remove(0)
    }

    fn path_of(rule: &RouteRule) -> &str {
        match &rule.route {
            Route::Http { path, .. } => path,
            Route::WebSocket(key) => key,
        }
    }

    #[test]
    fn text_form() {
        let rules =
            parse(&RulesInput::Text("GET /pets/*=pets:read; POST /pets=pets:write,admin ; DELETE /*=admin".into()))
                .unwrap();
        assert_eq!(rules.len(), 3);
        assert_eq!(path_of(&rules[0]), "/pets/*");
        assert_eq!(rules[0].scopes, vec!["pets:read"]);
        assert_eq!(rules[1].scopes, vec!["pets:write", "admin"]);
        assert_eq!(rules[2].resources().collect::<Vec<_>>(), ["DELETE/*"]);
        assert_eq!(path_of(&one("any /pets/{id}=x")), "/pets/*");
        assert_eq!(path_of(&one("GET /{proxy+}=x")), "/*");
        assert_eq!(path_of(&one("GET /a/{b}/c/{d+}=x")), "/a/*/c/*");
    }

    #[test]
    fn any_lists_the_seven_methods() {
        let resources: Vec<String> = one("ANY /pets=x").resources().collect();
        assert_eq!(
            resources,
            ["DELETE/pets", "GET/pets", "HEAD/pets", "OPTIONS/pets", "PATCH/pets", "POST/pets", "PUT/pets"]
        );
        assert_eq!(one("* /pets=x").resources().count(), 7);
        assert!(one("ANY /pets=x").resources().all(|r| !r.starts_with('*')));
    }

    #[test]
    fn websocket_route_keys() {
        let rule = one("$connect=chat");
        assert_eq!(rule.route, Route::WebSocket("$connect".into()));
        assert_eq!(rule.resources().collect::<Vec<_>>(), ["$connect"]);
        assert!(rule.applies("$connect", None));
        assert!(!rule.applies("$connect", Some("")));
        assert!(!one("GET /x=s").applies("$connect", None));
        assert!(one("$default=s").is_websocket());
        // API Gateway's route keys start with `$` (and its authorizer only sees `$connect`): a
        // bare word is an HTTP rule cut short.
        for text in ["sendMessage=s", "pets=admin", "admin=write"] {
            assert!(parse(&RulesInput::Text(text.into())).is_err(), "{text}");
        }
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
            ("GET=x", "METHOD /path"),
            ("/pets=x", "METHOD /path"),
            ("GET /pets/{id=x", "`GET /pets/{id`: a `{parameter}` must be a whole path segment"),
            ("GET /pets/id}=x", "whole path segment"),
            ("GET /pets/{a}{b}=x", "whole path segment"),
            ("GET /pets/x{a}=x", "whole path segment"),
            ("GET /pets/{}=x", "needs a name"),
            ("GET /{proxy+}/x=x", "last segment"),
            ("$con/nect=x", "route key"),
            ("$conn*=x", "route key"),
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
    fn claim_terms() {
        let r = one("DELETE /pets/*=contains_any(cognito:groups,admin, ops) pets:write,equals(\"a;b\",x)");
        assert_eq!(r.scopes, ["pets:write"]);
        assert_eq!(
            r.claims,
            [
                ClaimRule::parse("contains_any(cognito:groups,admin,ops)").unwrap(),
                ClaimRule::parse("equals(\"a;b\",x)").unwrap()
            ]
        );
        let r = one("GET /a=present(tenant); GET /b=s");
        assert_eq!((r.scopes.len(), r.claims.len()), (0, 1));
        assert_eq!(
            parse(&RulesInput::Text("GET /a=equals(t,\"x;y\"); GET /b=s".into())).unwrap().len(),
            2,
            "`;` inside quotes"
        );
        for (text, needle) in [
            ("GET /a=has(groups,admin)", "`has(groups,admin)`: not a claim rule operator"),
            ("GET /a=equals(t)", "exactly one value"),
            ("GET /a=equals(t,x", "`(` without"),
            ("GET /a=s)", "`)` without"),
        ] {
            let e = parse(&RulesInput::Text(text.into())).unwrap_err();
            assert_eq!(e.setting, "route_rules");
            assert!(e.problem.contains(needle), "{text}: {e}");
        }
        let many = (0..=claim_rule::MAX_RULES).map(|i| format!("present(c{i})")).collect::<Vec<_>>().join(" ");
        assert!(
            parse(&RulesInput::Text(format!("GET /a={many}")))
                .unwrap_err()
                .problem
                .contains("more than 20 claim rules")
        );
    }

    #[test]
    fn a_missing_scope_decides_before_a_failed_claim_rule() {
        let rules =
            parse(&RulesInput::Text("GET /pets/*=present(tenant); GET /pets/1=admin; GET /x/*=present(tenant)".into()))
                .unwrap();
        let check = |r: &RouteRule| {
            if !r.scopes.is_empty() {
                Verdict::MissingScope
            } else if !r.claims.is_empty() {
                Verdict::ClaimRuleFailed
            } else {
                Verdict::Allowed
            }
        };
        assert_eq!(for_request(&rules, UnlistedRoutes::Allow, "GET", Some("pets/1"), &check), Verdict::MissingScope);
        assert_eq!(for_request(&rules, UnlistedRoutes::Allow, "GET", Some("pets/2"), &check), Verdict::ClaimRuleFailed);
        assert_eq!(for_request(&rules, UnlistedRoutes::Deny, "GET", Some("y"), &check), Verdict::NotListed);
        assert_eq!(for_route_key(&rules, UnlistedRoutes::Allow, "GET /pets/{id}", &check), Verdict::MissingScope);
        assert_eq!(for_route_key(&rules, UnlistedRoutes::Deny, "GET /x/{id}", &check), Verdict::ClaimRuleFailed);
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
    fn route_keys_answer_for_every_request_they_serve() {
        let rules = parse(&RulesInput::Text("GET /admin/*=admin; GET /pets/*=pets".into())).unwrap();
        let user = |r: &RouteRule| if r.scopes == ["pets"] { Verdict::Allowed } else { Verdict::MissingScope };
        let open = |key| for_route_key(&rules, UnlistedRoutes::Allow, key, &user);
        let closed = |key| for_route_key(&rules, UnlistedRoutes::Deny, key, &user);
        assert_eq!(open("GET /pets/{id}"), Verdict::Allowed);
        assert_eq!(open("GET /{a}/users"), Verdict::MissingScope, "serves GET /admin/users");
        assert_eq!(open("GET /{proxy+}"), Verdict::MissingScope);
        assert_eq!(open("$default"), Verdict::MissingScope);
        assert_eq!(open("POST /{proxy+}"), Verdict::Allowed, "no rule names POST");
        assert_eq!(open("GET /owners"), Verdict::Allowed);
        assert_eq!(closed("GET /owners"), Verdict::NotListed);
        assert_eq!(closed("GET /pets/{id}"), Verdict::Allowed);
        assert_eq!(closed("ANY /pets/{id}"), Verdict::NotListed, "serves POST /pets/1, which no rule names");
        assert_eq!(closed("GET /{a}"), Verdict::NotListed);
        assert_eq!(closed("nonsense"), Verdict::MissingScope, "read as every request");
    }
}
