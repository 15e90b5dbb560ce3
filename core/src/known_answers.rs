//! Known answers for a signature provider: before a session lets the host's provider
//! (`node:crypto`, the wasmtime host's native build) check an algorithm, the provider must
//! verify a signature that an independent signer made, and refuse it with one bit of the
//! signature changed and with one byte of the message changed. An algorithm whose answers the
//! provider does not give is checked by the module's own code instead, so a broken or
//! substituted host library cannot let a forged token through. This is the self-test a
//! cryptographic module runs at start-up, applied at the seam where the host's code enters.
//!
//! The vectors were made by `node:crypto` (OpenSSL) with fresh keys, never by this crate:
//! `node scripts/known-answers.mjs` prints them. The tests below check them with our own
//! arithmetic too, so the table and [`PureRust`](crate::PureRust) vouch for each other.

use crate::alg::Algorithm;
use crate::b64;
use crate::crypto::CryptoProvider;
use crate::keys::Jwk;
use crate::limits::Limits;

/// The message every vector signs.
pub const MESSAGE: &[u8] = b"jwtgate known-answer check";

/// One algorithm's vector: the public key (JWK text) and a signature over [`MESSAGE`]
/// (base64url).
#[derive(Clone, Copy, Debug)]
pub struct KnownAnswer {
    /// The algorithm.
    pub alg: Algorithm,
    /// The signer's public key as JWK text.
    pub jwk: &'static str,
    /// The signature over [`MESSAGE`], base64url without padding.
    pub signature: &'static str,
}

const RSA: &str = r#"{"e":"AQAB","kty":"RSA","n":"xFMsbxgdHqJLyZonclXFBunKOv0-q1Px98BJ4_pf63rOiWsJdr0m_4VyZ11Ql5fEqEsJKSZTgpqSW2XhGAhdrRhhyG0KHczcZp-YXXxSeA6P2UhJPo-x09kUlnwqIcQcdpAsfKv_LMr1PnnIkMimLavIOLA0J6EgHHBmumpVcPHh4rWSyDCCdKyEM9tvitD7SRXjti-dw7N9yYMIKsT5Un0r8RQZibQqs3hkF2tUS7NV_u8FPxqK2Mx6hFZZNdC-VIWg6rbCToHe4sNKFJwRK6i6FkAo7d5bAPFZdt2orUNlKqbCVHAw8vONc913GeVgNtcZhO1JvrowiAwjoKgD6w"}"#;
const P256: &str = r#"{"crv":"P-256","kty":"EC","x":"lbPx3O4v_x9oyyJtxbR64msjBIHelQtCitg_vaLe70k","y":"alhIUiVdwR9XaL6c78vyQvgGkK8q-5VJlX3YwkyMKUo"}"#;
const P384: &str = r#"{"crv":"P-384","kty":"EC","x":"WbBng389WfzgRRwYBBFCDy73dG32uPplxifjW0odqcVDK3Wyau-kM4d8KLcRHUSY","y":"rN9bSutXnxhTeDPrj9FgLcK8JFrj4XuuxLRbITXmzwGkQA77fUwPW31j50uXXCW-"}"#;
const P521: &str = r#"{"crv":"P-521","kty":"EC","x":"ARJSGXhLLL_m8OzpjQ6gsczpuO8qnfURpH_LXufGygxWQzLbgLCprrR29BqvsyvnqTwHlnXpyk_0j-qi1tmyDILQ","y":"ASluKzmIhvjgTZYoFhtNDdg95nh92mv4ivaFFTSHXp5zuPwGWQJ_Q0qCNxWhtOAaeWWnzcFW86-7YxaHVkDCvHWd"}"#;
const ED: &str = r#"{"crv":"Ed25519","kty":"OKP","x":"C-fKigrdoozcl6xiuRgG8YaN8Z4GaRob-pINoWAfHkM"}"#;

/// One vector per algorithm, in the order of [`Algorithm::ALL`].
pub const KNOWN_ANSWERS: &[KnownAnswer] = &[
    KnownAnswer {
        alg: Algorithm::RS256,
        jwk: RSA,
        signature: "ADfsC4j1KakJthuQS_O4RWeGHYXVEpDjZMQarJ3B_P5GFGcjnHTvU6LgD03nKKalSLsKXRYu_hGGD6stPQXOYg0AHdr1yTliXCsRwmQlFB-aDa1SDS6ZlxZuRJAGNvb5T888sw9l2yNT8Wofs9b5c0POtVQJKiq_EvxbdhRMIoyq-Hywff6auKDcEa9a6Z2mAt6lpQtQ2RkJHSH0Pd71QA-BPXK63MzOiueSru5etPBEFHb3QO2CdDyZVrrwaoB6yhNGRtMV3yiyKu9VHCu81IIG8bNernmMQWZJ9yF5U2_EHNt8JWdmuTGkswZBvFM8FdVWe3J_cXrjoGyo-D4J6w",
    },
    KnownAnswer {
        alg: Algorithm::RS384,
        jwk: RSA,
        signature: "g6A9ZlWOmc6plwG88dlh75FHC8WGUgulmZZJT59FQGVz40Q34kK6tkb5iBfGrE7jaZGuDxCvCiQ2RjS7AC0rzNdaHT4EnnbiDeWVcyomj4oewf1LfP1bIH5rlZooInTTA1MzN_Ud7R8y2wDE51zkJKpdpUjHxvM3KfmoGG7aHLdfvIwEMeS3ToRjukibQaewFY7qjBtk0gZynEIBZXz1hp7wXeBsTjFbUL9cLlhtKGVNE7Hu-qalRDki6u7zy2I5RqADS_3n55zXCUz-l9TbSOfKGjQ6NPuD5OgbnQ5vPkbpfjsuzhrZ8JrFS37jGDeGtbe34mnCoNcyGlF-HnuwQA",
    },
    KnownAnswer {
        alg: Algorithm::RS512,
        jwk: RSA,
        signature: "rFcEVSHy0SdHrtcFHUWRJSbdglqjC-NjVlVZXU3O2JY_MH7ElmEVsmjYjYztINq0f_w126hwA6iKlLJFsTfFz9i3xZoFmBtO2NeujwnqoT8OjeYrjHCu5TNB5ai17LS4RTEmX2AeaSTbEJ9aqjZ3aGexXqEWuJM4MGu5q1rFEini00l3_Df5YlhXgvBjKY1Ga_uscIeU4Q0r5nwZcPn4IWUEL29IsNMsTaZP-7re2GgQ_Nj9FZZy0ELhbD3RaJ2t5y8akxm5wZYFWfaXrEICeyOcsnSJxRhRLQK5PPsdkk9AFbATzUiqOuNzl6tAqlgGfRVWOAvwxgGO3KbTunjtYA",
    },
    KnownAnswer {
        alg: Algorithm::PS256,
        jwk: RSA,
        signature: "L0wZ81yDov06r5ZZBvobjfn1PMHUFKX-WfD6VZfoIGcbx_mwvh--tVXApXZ_4RhNLKjAVp6Ll9GuUKSWrzwxp-84lTnPKN9wdFyFv7TBpJnwPIo9ef8ccb6iz1GJlMXCYlBwfJTNnqQwNzyuHED__rHHDH5Eew4FIiaUZXuV4PeWseux8ttHRgXxoy-WkkFwUQbNhgpklhLRX-LS1ZYHfsJKgJisMvXGOZMLfZknCnufP-ej-3PIAe_eGUr8V3gW24h87-d_EJbRVYFZDVwEWm3oxjecRCymwVYbajbduc3eBGjUgW1384x3JcdjCDcbeHxQjv_J1l-V8AY_xZF_6Q",
    },
    KnownAnswer {
        alg: Algorithm::PS384,
        jwk: RSA,
        signature: "eH6o_UI9Op2Hp4-g30WWTPBNm2TbV9hdGmW1JYaHgkuG2q1dWC00JtXdnxbt69cGDAnswYrD7HGw7aqmHqAgLZks8YDBf9gTxM18N5PFFGJlcUipZdzc2wv_QXKdnkxjibKcspVG7-LqJiDIozv6MYlc1W-76XBb-gBU3BRKz_OLfvrCAywo-sd_ddX_PR01eaUrC6yB1YTl-BaHKJMdq5yM-uCBSdzu0UMWR6wikw3ZcIzlJEca0SKgmOT6vBLUY0PNC91tbUBzvJ6V_JdLGUymXaa2ZBYEV2hz7cwHTNNK8ONNhGSU5etAX-RjAc9xI2S8yq-dk2xtX8iXGYikgw",
    },
    KnownAnswer {
        alg: Algorithm::PS512,
        jwk: RSA,
        signature: "a6WqdsMNiLe-vrLLkdaAntFiVFa3q8R2r4zZz4miFwkHgNeqevHpiuFjl0gWR4T84cSjb8tBtPvEeoLVAsSLm2x82ueeVBAJQkcjtUWrJdq7zvT7jRPxPu_vfy8bqkrhGY8CsH_W0NTLPluKZxMuz8uuYSNZN5B0RskoOl-xZe3yMhwEGIyKQa4RnWVAN7dI0rspFkvAAdWMdaCDH_8eT3KsvAwUnRPQZFFnTczzw1XLN6upe-oTwBRp5D3wrvZ5fdqbvF35YMg6W5Xhz9M3igOxBn-qX1JTiZwThjLCy17k61RtoYJHzy6CuUlph6x-Omhij3c-abbn1K4psPaVsA",
    },
    KnownAnswer {
        alg: Algorithm::ES256,
        jwk: P256,
        signature: "49mMmGmHWbvnve8J-OSr43tpYT07t-p8kzygVRpmNt7Ielu0UXTRckhIEbPYizAhn1KrfK8kwdO2hQdMps5_og",
    },
    KnownAnswer {
        alg: Algorithm::ES384,
        jwk: P384,
        signature: "hZ9V7sCngz-nlclMl3do-b1xucGhnc3-u8OvPcWSAjdIht2I3JGCYdfslwnwS02Nk4qRN7Lbb7kvGz2l6d7MpjLNuizHuHstuBeeb-Wv8XjzwFNGQpePXSDSOZMMdbuv",
    },
    KnownAnswer {
        alg: Algorithm::ES512,
        jwk: P521,
        signature: "AVDU8rXGIXG4M4bOxH_Uh4lgyTC5Jmj91a_R9yMPrtm4uWZeYA2LE_-O0m4ejPuJdowBff4gh0Nqd5GrbM52IJw9AOls9oxRiBvNfbvSK48YjGR4OOB6oTYIqCyVFF4YfWqGNn85Ko2fwfVpmyUq90vx989VCF0FXDOMnJb8amOc-1A9",
    },
    KnownAnswer {
        alg: Algorithm::EdDSA,
        jwk: ED,
        signature: "muLJMEkXPYqNzQ_I6quxDKxrHlj5EO2AsKEvrWE1ay09xmaqESeHg67ziOLuOKSP0b3tUeC11WkQ_roSILefCg",
    },
];

/// Whether `provider` gives the known answers for `alg`: the vector verifies, and neither the
/// signature with one bit flipped nor the message with its last byte changed does.
pub fn holds(provider: &impl CryptoProvider, alg: Algorithm) -> bool {
    let Some(vector) = KNOWN_ANSWERS.iter().find(|v| v.alg == alg) else { return false };
    let (Ok(key), Some(signature)) =
        (Jwk::from_text(vector.jwk.as_bytes(), &Limits::default()), b64::decode(vector.signature.as_bytes()))
    else {
        return false;
    };
    let mut flipped = signature.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x10;
    let mut changed = MESSAGE.to_vec();
    if let Some(last) = changed.last_mut() {
        *last ^= 0x01;
    }
    // The key untagged (host tag 0): a host goes by its text, and keeps nothing of it by number.
    let key = key.provider_key();
    provider.verify(alg, key, MESSAGE, &signature)
        && !provider.verify(alg, key, MESSAGE, &flipped)
        && !provider.verify(alg, key, &changed, &signature)
}

/// The algorithms of `algorithms` whose known answers `provider` does not give.
pub fn failing(provider: &impl CryptoProvider, algorithms: &[Algorithm]) -> Vec<Algorithm> {
    algorithms.iter().copied().filter(|&alg| !holds(provider, alg)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{ProviderKey, PureRust};

    #[test]
    fn every_algorithm_has_one_vector_in_order() {
        let algs: Vec<Algorithm> = KNOWN_ANSWERS.iter().map(|v| v.alg).collect();
        assert_eq!(algs, Algorithm::ALL);
    }

    #[test]
    fn our_own_provider_gives_every_known_answer() {
        assert_eq!(failing(&PureRust, Algorithm::ALL), Vec::<Algorithm>::new());
    }

    /// A provider with one planted fault: what the check must catch.
    struct Faulty(fn(Algorithm, &[u8], &[u8], bool) -> bool);

    impl CryptoProvider for Faulty {
        fn verify(&self, alg: Algorithm, key: ProviderKey<'_>, message: &[u8], signature: &[u8]) -> bool {
            (self.0)(alg, message, signature, PureRust.verify(alg, key, message, signature))
        }
    }

    #[test]
    fn a_provider_that_accepts_everything_fails_every_algorithm() {
        assert_eq!(failing(&Faulty(|_, _, _, _| true), Algorithm::ALL), Algorithm::ALL);
    }

    #[test]
    fn a_provider_that_refuses_everything_fails_every_algorithm() {
        assert_eq!(failing(&Faulty(|_, _, _, _| false), Algorithm::ALL), Algorithm::ALL);
    }

    #[test]
    fn a_provider_that_ignores_the_message_or_part_of_the_signature_fails() {
        // Checks the signature against the original message whatever it is given.
        let ignores_message = Faulty(|alg, _, signature, _| {
            let vector = KNOWN_ANSWERS.iter().find(|v| v.alg == alg).unwrap();
            b64::decode(vector.signature.as_bytes()).as_deref() == Some(signature)
        });
        assert_eq!(failing(&ignores_message, Algorithm::ALL), Algorithm::ALL);
        // Accepts any signature whose first half is right.
        let half = Faulty(|alg, message, signature, _| {
            let vector = KNOWN_ANSWERS.iter().find(|v| v.alg == alg).unwrap();
            let good = b64::decode(vector.signature.as_bytes()).unwrap();
            message == MESSAGE && signature[..signature.len() / 2] == good[..good.len() / 2]
        });
        assert_eq!(failing(&half, Algorithm::ALL), Algorithm::ALL);
    }

    #[test]
    fn a_fault_in_one_algorithm_fails_that_algorithm_only() {
        // RS384 checked as RS256: the hash of one name mapped to another's.
        let swapped = Faulty(|alg, message, signature, right| {
            if alg != Algorithm::RS384 {
                return right;
            }
            let key = Jwk::from_text(KNOWN_ANSWERS[0].jwk.as_bytes(), &Limits::default()).unwrap();
            PureRust.verify(Algorithm::RS256, key.provider_key(), message, signature)
        });
        assert_eq!(failing(&swapped, Algorithm::ALL), [Algorithm::RS384]);
        assert_eq!(failing(&swapped, &[Algorithm::RS256, Algorithm::ES256]), []);
    }
}
