//! An API Gateway authorizer event through `Verifier::authorize`: event parsing, the token's
//! extraction from the configured sources (configuration 4: query, cookie, Authorization, a
//! header with its own scheme), verification and the policy or simple response.
//! Input: one byte choosing the configuration, then the event bytes.
#![no_main]

use jwtgate_core::Outcome;
use jwtgate_core::Reason;
use jwtgate_core_fuzz::{
    NOW, accepted_json, base64url, check_accepted, check_accepted_key, check_context, check_decision,
    check_doubled_source_is_ambiguous, check_keys_asked, check_routes, check_same_up_to_signature,
    check_token_is_given, choose_indexed, scopes, take_asked,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((choice, v, event)) = choose_indexed(data) else { return };
    let keys = &v.keys;
    let parsed =
        jwtgate_core::event::parse(event, v.real.config().limits.max_event_bytes, &v.real.config().token_sources).ok();
    let token = parsed.as_ref().and_then(|e| e.authorization.as_deref().ok());
    take_asked();
    let real = v.real.authorize(keys, event, NOW);
    let asked_real = take_asked();
    let accept_all = v.accept_all.authorize(keys, event, NOW);
    let asked_all = take_asked();
    match token {
        // Only the profile's own keys, named by the header and fitting its algorithm, at most 4.
        Some(token) => {
            check_keys_asked(&v.profiles, token, &asked_real);
            check_keys_asked(&v.profiles, token, &asked_all);
        }
        None => assert!(asked_real.is_empty() && asked_all.is_empty(), "keys used without a token"),
    }
    let arn = parsed.as_ref().map(|e| e.arn.clone());
    check_decision(&real, arn.as_deref());
    check_decision(&accept_all, arn.as_deref());
    for d in [&real, &accept_all] {
        // A verifier without a key cache never asks for keys: that is the Gate's.
        assert_ne!(d.outcome, Outcome::FetchKeys);
    }
    // A token the decision found authentic meets its profile's rules; beyond the event's own
    // route, the response must answer every route the rules decide, for the scopes it holds.
    if let (Some(e), Some(arn), Some(token)) = (&parsed, &arn, token) {
        for d in [&real, &accept_all] {
            if d.response.is_none() {
                continue;
            }
            let Some((header, claims)) = accepted_json(token) else { continue };
            let held = scopes(&claims);
            let scoped = d.outcome == Outcome::Allow || d.reason == Some(Reason::RouteNotListed);
            let payload = token.split('.').nth(1).and_then(base64url).expect("an accepted payload decodes");
            let Some(profile) = check_accepted(&v.profiles, &header, &String::from_utf8_lossy(&payload), NOW, scoped)
            else {
                continue;
            };
            check_accepted_key(profile, &header);
            check_context(profile, &claims, d, e.kind == jwtgate_core::event::EventKind::HttpV2);
            check_routes(choice, v.real.config(), profile, &claims, d, arn, e.route_key.as_deref(), &held);
        }
    }
    check_same_up_to_signature(&real, &accept_all);
    // Token sources (README, "Token sources"): a token taken from the event is a value the
    // event holds as it is, and the same source given twice never yields one.
    if let Some(token) = token {
        check_token_is_given(event, token);
        if real.response.is_some() {
            let doubled = check_doubled_source_is_ambiguous(event, token);
            if let Some(doubled) = doubled {
                let d = v.real.authorize(keys, &doubled, NOW);
                assert!(
                    d.outcome == Outcome::Unauthorized
                        && matches!(d.reason, Some(Reason::AmbiguousToken | Reason::InvalidEvent)),
                    "the token's source given twice decided {:?} {:?}: {}",
                    d.outcome,
                    d.reason,
                    String::from_utf8_lossy(&doubled)
                );
                take_asked();
            }
        }
    }
    // Deterministic: the same input decides the same way.
    assert_eq!(real, v.real.authorize(keys, event, NOW));
    take_asked();
});
