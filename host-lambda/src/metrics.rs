//! Metrics as CloudWatch Embedded Metric Format (EMF): each decision's log line, and each key
//! set's, is also the metric record (an `_aws` member naming the metrics and their
//! dimensions), so CloudWatch Logs extracts them with no extra call and no SDK. Names, units and
//! dimension sets are those of the Node host (host-node/src/metrics.ts) and of README "Metrics
//! and logs". Dimensions come only from closed sets (outcome, reason code, failure code), never
//! from a token or its claims.

use serde_json::{Map, Value, json};

/// The metrics one namespace receives.
#[derive(Clone, Debug)]
pub struct Metrics {
    namespace: String,
}

impl Metrics {
    pub fn new(namespace: impl Into<String>) -> Metrics {
        Metrics { namespace: namespace.into() }
    }

    /// Make a decision's log line its metric record: `decisions` (1) and `latency_ms` by
    /// nothing and by `outcome`, `decisions` by `outcome` and `reason` when there is a reason.
    pub fn decision(&self, line: &mut Map<String, Value>, timestamp_ms: u64) {
        let mut directives =
            vec![self.directive(json!([[], ["outcome"]]), &[("decisions", "Count"), ("latency_ms", "Milliseconds")])];
        if line.get("reason").is_some_and(Value::is_string) {
            directives.push(self.directive(json!([["outcome", "reason"]]), &[("decisions", "Count")]));
        }
        line.insert("decisions".into(), json!(1));
        line.insert("_aws".into(), json!({ "Timestamp": timestamp_ms, "CloudWatchMetrics": directives }));
    }

    /// Make a key set's log line (`keys loaded`, `keys fetch failed`) its metric record:
    /// `jwks_fetches` (1) and `jwks_failures` (0 or 1) by nothing, `jwks_failures` by
    /// `failure` (its code) when the fetch failed. Other lines are left as they are.
    pub fn key_set(&self, line: &mut Map<String, Value>, timestamp_ms: u64) {
        let failed = match line.get("msg").and_then(Value::as_str) {
            Some("keys loaded") => false,
            Some("keys fetch failed") => true,
            _ => return,
        };
        let mut directives =
            vec![self.directive(json!([[]]), &[("jwks_fetches", "Count"), ("jwks_failures", "Count")])];
        if failed && line.get("failure").is_some_and(Value::is_string) {
            directives.push(self.directive(json!([["failure"]]), &[("jwks_failures", "Count")]));
        }
        line.insert("jwks_fetches".into(), json!(1));
        line.insert("jwks_failures".into(), json!(u8::from(failed)));
        line.insert("_aws".into(), json!({ "Timestamp": timestamp_ms, "CloudWatchMetrics": directives }));
    }

    fn directive(&self, dimensions: Value, metrics: &[(&str, &str)]) -> Value {
        let metrics: Vec<Value> = metrics.iter().map(|(name, unit)| json!({ "Name": name, "Unit": unit })).collect();
        json!({ "Namespace": self.namespace, "Dimensions": dimensions, "Metrics": metrics })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn dimension_sets_name_only_members_the_line_has() {
        let m = Metrics::new("jwtgate");
        let mut allow = object(json!({ "outcome": "allow", "reason": null, "latency_ms": 0.05 }));
        m.decision(&mut allow, 7);
        let sets: Vec<&Value> =
            allow["_aws"]["CloudWatchMetrics"].as_array().unwrap().iter().map(|d| &d["Dimensions"]).collect();
        assert_eq!(sets, [&json!([[], ["outcome"]])]);
        assert_eq!((allow["decisions"].clone(), allow["_aws"]["Timestamp"].clone()), (json!(1), json!(7)));

        let mut refused = object(json!({ "outcome": "unauthorized", "reason": "bad_signature", "latency_ms": 0.05 }));
        m.decision(&mut refused, 7);
        assert_eq!(refused["_aws"]["CloudWatchMetrics"][1]["Dimensions"], json!([["outcome", "reason"]]));
        assert_eq!(refused["_aws"]["CloudWatchMetrics"][1]["Namespace"], json!("jwtgate"));

        let mut failed = object(json!({ "msg": "keys fetch failed", "failure": "timeout" }));
        m.key_set(&mut failed, 7);
        assert_eq!((failed["jwks_fetches"].clone(), failed["jwks_failures"].clone()), (json!(1), json!(1)));
        assert_eq!(failed["_aws"]["CloudWatchMetrics"][1]["Dimensions"], json!([["failure"]]));
        let mut loaded = object(json!({ "msg": "keys loaded" }));
        m.key_set(&mut loaded, 7);
        assert_eq!(
            (loaded["jwks_failures"].clone(), loaded["_aws"]["CloudWatchMetrics"].as_array().unwrap().len()),
            (json!(0), 1)
        );
        let mut other = object(json!({ "msg": "authorizer started" }));
        m.key_set(&mut other, 7);
        assert!(other.get("_aws").is_none());
    }
}
