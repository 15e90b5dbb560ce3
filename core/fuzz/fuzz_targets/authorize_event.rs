//! An API Gateway authorizer event through `Verifier::authorize`: event parsing, bearer
//! extraction, verification and the policy or simple response.
//! Input: one byte choosing the configuration, then the event bytes.
#![no_main]

use jwtgate_core_fuzz::{NOW, check_decision, check_routes, check_same_up_to_signature, choose_indexed, key_set, scopes};
use libfuzzer_sys::fuzz_target;

/// The payload of a compact JWS read as JSON (only for decisions the core already made).
fn token_claims(token: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    let payload = token.split('.').nth(1)?;
    serde_json::from_slice(&jwtgate_core::b64::decode(payload.as_bytes())?).ok()
}

fuzz_target!(|data: &[u8]| {
    let Some((choice, v, event)) = choose_indexed(data) else { return };
    let keys = key_set();
    let real = v.real.authorize(keys, event, NOW);
    let accept_all = v.accept_all.authorize(keys, event, NOW);
    let parsed = jwtgate_core::event::parse(event, v.real.config().limits.max_event_bytes).ok();
    let arn = parsed.as_ref().map(|e| e.arn.clone());
    check_decision(&real, arn.as_deref());
    check_decision(&accept_all, arn.as_deref());
    // Beyond the event's own route: the response must answer every route the rules decide,
    // for the scopes the (authentic) token holds.
    if let (Some(e), Some(arn)) = (&parsed, &arn) {
        let claims = e.authorization.as_deref().and_then(|a| jwtgate_core::event::bearer_token(a).ok()).and_then(token_claims);
        if let Some(claims) = claims {
            let held = scopes(&claims);
            for d in [&real, &accept_all] {
                check_routes(choice, v.real.config(), d, arn, e.route_key.as_deref(), &held);
            }
        }
    }
    check_same_up_to_signature(&real, &accept_all);
    // Deterministic: the same input decides the same way.
    assert_eq!(real, v.real.authorize(keys, event, NOW));
});
