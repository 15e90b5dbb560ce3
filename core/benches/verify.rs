//! Per-token verification for each algorithm, and JWKS parsing (`cargo bench -p jwtgate-core`).

#[path = "../tests/support/mod.rs"]
mod support;

use criterion::{Criterion, criterion_group, criterion_main};
use jwtgate_core::{Algorithm, KeySet, Limits};
use serde_json::json;
use std::hint::black_box;
use support::*;

fn per_token(c: &mut Criterion) {
    let keys = key_set(&["rsa-2048", "ec-p256", "ec-p384", "ec-p521", "ed25519"]);
    let v = verifier(json!({}));
    let mut group = c.benchmark_group("verify");
    for &alg in Algorithm::ALL {
        let t = token(alg, &claims(), json!({}));
        group.bench_function(alg.name(), |b| b.iter(|| v.verify(&keys, black_box(&t), NOW).unwrap()));
    }
    let event = token_event(&format!("Bearer {}", token(Algorithm::RS256, &claims(), json!({}))));
    group.bench_function("authorize RS256 TOKEN event", |b| b.iter(|| v.authorize(&keys, black_box(&event), NOW)));
    // Everything but the signature arithmetic: what a host provider's check is added to.
    let overhead = jwtgate_core::Verifier::with_provider(config(json!({})), AcceptAll);
    group.bench_function("authorize overhead (signature check excluded)", |b| {
        b.iter(|| overhead.authorize(&keys, black_box(&event), NOW))
    });
    let bearer = format!("Bearer {}", token(Algorithm::RS256, &claims(), json!({})));
    group.bench_function("authorize_token_event overhead (signature check excluded)", |b| {
        b.iter(|| overhead.authorize_token_event(&keys, black_box(&bearer), METHOD_ARN, NOW))
    });
    // Three claim rules (issue 18): a nested array, a boolean, a top-level array.
    let rules = json!({ "claim_rules": ["contains_any(realm_access.roles,admin,ops)", "equals(email_verified,true)", { "claim": "cognito:groups", "contains_all": ["pets"] }] });
    let mut c = claims();
    c.insert("realm_access".into(), json!({ "roles": ["default", "ops"] }));
    c.insert("email_verified".into(), json!(true));
    c.insert("cognito:groups".into(), json!(["users", "pets"]));
    let with_rules = token_event(&format!("Bearer {}", token(Algorithm::RS256, &c, json!({}))));
    let ruled = jwtgate_core::Verifier::new(config(rules.clone()));
    assert_eq!(ruled.authorize(&keys, &with_rules, NOW).outcome, jwtgate_core::Outcome::Allow);
    group.bench_function("authorize RS256 TOKEN event, three claim rules", |b| {
        b.iter(|| ruled.authorize(&keys, black_box(&with_rules), NOW))
    });
    // The same token without the rules: the difference is the rules' own cost.
    group.bench_function("authorize RS256 TOKEN event, same token, no rules", |b| {
        b.iter(|| v.authorize(&keys, black_box(&with_rules), NOW))
    });
    let ruled_overhead = jwtgate_core::Verifier::with_provider(config(rules), AcceptAll);
    group.bench_function("authorize overhead, three claim rules", |b| {
        b.iter(|| ruled_overhead.authorize(&keys, black_box(&with_rules), NOW))
    });
    group.bench_function("authorize overhead, same token, no rules", |b| {
        b.iter(|| overhead.authorize(&keys, black_box(&with_rules), NOW))
    });
    // The three rules' own checks, on claims already read.
    let payload = serde_json::to_vec(&c).unwrap();
    let object = jwtgate_core::json::read_object(&payload).unwrap();
    let three = jwtgate_core::claim_rule::list_from_text(
        "contains_any(realm_access.roles,admin,ops) equals(email_verified,true) contains_all(cognito:groups,pets)",
    )
    .unwrap();
    group.bench_function("three claim rules checked (claims read)", |b| {
        b.iter(|| black_box(&three).iter().all(|r| r.check(black_box(&object)) == Ok(true)))
    });
    group.finish();
}

/// A provider that accepts every signature: for measuring the rest of the path only.
struct AcceptAll;

impl jwtgate_core::CryptoProvider for AcceptAll {
    fn verify(&self, _: Algorithm, _: jwtgate_core::ProviderKey<'_>, _: &[u8], _: &[u8]) -> bool {
        true
    }
}

fn jwks_parsing(c: &mut Criterion) {
    let doc = jwks(&["rsa-2048", "rsa-3072", "ec-p256", "ec-p384", "ed25519"]);
    c.bench_function("jwks parse (5 keys)", |b| b.iter(|| KeySet::parse(black_box(&doc), &Limits::default()).unwrap()));
}

criterion_group!(benches, per_token, jwks_parsing);
criterion_main!(benches);
