//! Whole tokens against `jwt-compact`, an independent JWT implementation (RS*/PS* through the
//! `rsa` crate, ES256 through `p256`, EdDSA through `ed25519-dalek`). From the fuzzer's bytes a
//! token is generated for the test issuer and audience at the pinned clock, signed with one of
//! the committed test keys (RS256 or PS256 with `rsa-2048` or `rsa-3072`, ES256 with `ec-p256`,
//! EdDSA with `ed25519`; jwt-compact signs ES256 and EdDSA, RSA is RFC 8017's encodings and CRT
//! over num-bigint here, PSS with a seeded salt), then kept or mutated: a bit flipped in a decoded part, `alg` swapped (signature kept, or
//! re-signed with the same key), cut short, padded with `=`, `kid` changed (another key's,
//! unknown, escaped, empty, `null`), signed with another key or a PSS salt of another length,
//! a non-canonical last base64url character (RFC 7515 section 2 and RFC 4648 section 3.5: the
//! unused bits must be zero), a malleated signature (ECDSA s to n - s, Ed25519 S to S + L, RSA
//! s + n), the token's text overwritten with fuzzed bytes, the signature replaced (empty,
//! zeros, random, a leading zero added or dropped, another token's), header members added
//! (`cty`, `crit`, `b64`, `jku`, `jwk`, thumbprints, a repeated `alg` or `kid`), claims
//! rewritten (escapes, white space, fractions, a repeated `iss`), or the segments reordered.
//!
//! Our `Verifier::verify` decides it with the public test keys (`key_set()`) under a
//! configuration allowing every algorithm jwt-compact knows; jwt-compact decides it with the
//! same public keys: the one the header's `kid` names, else each key that fits the header's
//! `alg` (RFC 7515 section 4.1.4), through `alg.validator(&key).validate(&token)`. Where
//! jwt-compact refuses before its signature check for a reason of its own (a header member it
//! reads differently, a `cty` it does not support, claims it cannot type), its signature
//! primitive is asked directly over the same signing input, the header read with serde_json
//! and the signature decoded with the `base64` crate.
//!
//! Oracles:
//! - a token our core accepts is one whose signature jwt-compact accepts with a key of the same
//!   set (a well-formed JWS with three canonical base64url parts, an `alg` it knows, a key the
//!   header names or fits, a signature of the right length that verifies);
//! - an unmutated token, and one re-signed after a change that keeps it valid, is accepted by
//!   both;
//! - when jwt-compact's signature check passes and ours answers `bad_signature`, it is one of
//!   our documented stricter signature rules: an RSA signature of other than k bytes (RFC 8017
//!   section 8.2.2 step 1), an RSA signature representative s of n or more (RFC 8017 section
//!   5.2.2 step 1: "signature representative out of range"), or an EdDSA signature that
//!   `verify_strict` refuses (jwt-compact calls `verify`).
//!
//! The second rule is the reference's weakness, found by this target on its first run: the
//! `rsa` crate (0.9.10) checks s < n for PKCS#1 v1.5 but not for PSS, so jwt-compact accepts a
//! PS256 token whose signature is s + n (whenever that still fits in k bytes): a second valid
//! signature anyone can make from a valid one. Our core refuses it.
//!
//! Found while writing it, and kept as facts the oracles rely on: both accept a high-S ECDSA
//! signature (n - s; RFC 7518 section 3.4 defines the JWS signature as r || s with no low-S
//! rule, and RustCrypto's `p256` enforces none), both refuse an Ed25519 S of L or more (RFC 8032
//! section 5.1.7), both refuse padding and non-zero trailing bits (base64ct is strict too), and
//! both require a PSS salt as long as the hash (RFC 7518 section 3.5). Our other stricter rules
//! are outside the signature and allowed by the oracle: `kid`, `typ` and `cty` must be strings,
//! `crit` and `b64` are refused, claims are read strictly (a repeated member is refused), a
//! thumbprint without `kid` names the key. The reverse, also outside the signature: we accept
//! `cty: "JWT"` (jwt-compact supports no nested tokens), an `x5t` that is not base64url of 20
//! bytes (we compare it as text), and an `exp` past chrono's range such as 1e20.
#![no_main]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jwt_compact::alg::{Ed25519, Es256, Rsa, RsaPublicKey};
use jwt_compact::{
    Algorithm as _, AlgorithmExt, AlgorithmSignature, Empty, ParseError, UntrustedToken, ValidationError,
};
use jwtgate_core::{Config, Reason, Verifier};
use jwtgate_core_fuzz::input::{Input, be_padded};
use jwtgate_core_fuzz::{AUDIENCE, ISSUER, NOW, key_set};
use libfuzzer_sys::fuzz_target;
use num_bigint::BigUint;
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rsa::traits::PublicKeyParts;
use sha2::{Digest, Sha256, Sha384, Sha512};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;

const TEST_KEYS: &str = include_str!("../../../tests/keys/test-keys.json");

/// Every algorithm jwt-compact implements with the features we build it with (its HMAC
/// algorithms aside): the configuration allows exactly these.
const ALGS: &[&str] = &["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "EdDSA"];

/// Names a swapped header may carry: ours, others we do not allow or know, other spellings.
const ALG_NAMES: &[&str] = &[
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519", "none",
    "HS256", "rs256", "RS256 ", "",
];

/// The P-256 group order n and the Ed25519 group order L.
const P256_N: &str = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
const ED25519_L: &str = "1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3ed";

/// An RSA private key in CRT form (RFC 8017 section 3.2, the JWK's `p`, `q`, `dp`, `dq`,
/// `qi`), with num-bigint: the instrumented `rsa` crate takes about 0.1 s for one 2,048-bit
/// signature (0.35 s at 3,072 bits), which would leave the target a few executions a second.
struct RsaCrt {
    n: BigUint,
    p: BigUint,
    q: BigUint,
    dp: BigUint,
    dq: BigUint,
    qi: BigUint,
}

impl RsaCrt {
    /// RSASP1 (RFC 8017 section 5.2.1, step 2b) on an encoded message of k bytes.
    fn private(&self, em: &[u8]) -> Vec<u8> {
        let m = BigUint::from_bytes_be(em);
        let m1 = m.modpow(&self.dp, &self.p);
        let m2 = m.modpow(&self.dq, &self.q);
        let h = (&self.qi * (&m1 + &self.p - &m2 % &self.p)) % &self.p;
        let s = m2 + h * &self.q;
        be_padded(&s, self.n.to_bytes_be().len())
    }
}

enum Private {
    Rsa(RsaCrt),
    P256(p256::ecdsa::SigningKey),
    Ed25519(ed25519_dalek::SigningKey),
}

enum Public {
    Rsa(RsaPublicKey),
    P256(p256::ecdsa::VerifyingKey),
    Ed25519(ed25519_dalek::VerifyingKey),
}

struct TestKey {
    kid: &'static str,
    private: Private,
    public: Public,
    /// Published (in `key_set()`): the 1,024-bit key is refused at load, so it only signs.
    published: bool,
}

impl TestKey {
    /// Whether this key may check a signature made with `alg` (RFC 7518 section 3.1).
    fn fits(&self, alg: &str) -> bool {
        match self.public {
            Public::Rsa(_) => alg.starts_with("RS") || alg.starts_with("PS"),
            Public::P256(_) => alg == "ES256",
            Public::Ed25519(_) => alg == "EdDSA",
        }
    }

    /// The algorithm this key signs with when nothing else is asked.
    fn own_alg(&self) -> &'static str {
        match self.public {
            Public::Rsa(_) => "RS256",
            Public::P256(_) => "ES256",
            Public::Ed25519(_) => "EdDSA",
        }
    }
}

/// The committed test keys jwt-compact can use (not P-384 or P-521: it has no ES384 or ES512).
fn keys() -> &'static [TestKey] {
    static KEYS: OnceLock<Vec<TestKey>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let doc: serde_json::Value = serde_json::from_str(TEST_KEYS).expect("test keys are JSON");
        let bytes = |key: &serde_json::Value, name: &str| {
            URL_SAFE_NO_PAD.decode(key[name].as_str().expect("a key member")).expect("base64url")
        };
        let find = |kid: &str| doc["keys"].as_array().unwrap().iter().find(|k| k["kid"] == kid).expect("test key");
        let rsa_key = |kid: &'static str| {
            let key = find(kid);
            let part = |name: &str| BigUint::from_bytes_be(&bytes(key, name));
            let public = RsaPublicKey::new(
                rsa::BigUint::from_bytes_be(&bytes(key, "n")),
                rsa::BigUint::from_bytes_be(&bytes(key, "e")),
            )
            .expect("a valid RSA public key");
            let private =
                RsaCrt { n: part("n"), p: part("p"), q: part("q"), dp: part("dp"), dq: part("dq"), qi: part("qi") };
            TestKey {
                kid,
                private: Private::Rsa(private),
                public: Public::Rsa(public),
                published: kid != "rsa-1024-weak",
            }
        };
        let ec = find("ec-p256");
        let ec_private = p256::ecdsa::SigningKey::from_slice(&bytes(ec, "d")).expect("a P-256 scalar");
        let ec_public = *ec_private.verifying_key();
        let ed = find("ed25519");
        let ed_private =
            ed25519_dalek::SigningKey::from_bytes(&bytes(ed, "d").try_into().expect("a 32-byte Ed25519 seed"));
        let ed_public = ed_private.verifying_key();
        assert_eq!(URL_SAFE_NO_PAD.decode(ed["x"].as_str().unwrap()).unwrap(), ed_public.as_bytes());
        vec![
            rsa_key("rsa-2048"),
            rsa_key("rsa-3072"),
            rsa_key("rsa-1024-weak"),
            TestKey {
                kid: "ec-p256",
                private: Private::P256(ec_private),
                public: Public::P256(ec_public),
                published: true,
            },
            TestKey {
                kid: "ed25519",
                private: Private::Ed25519(ed_private),
                public: Public::Ed25519(ed_public),
                published: true,
            },
        ]
    })
}

fn key(kid: &str) -> &'static TestKey {
    keys().iter().find(|k| k.kid == kid).expect("a test key")
}

fn verifier() -> &'static Verifier {
    static VERIFIER: OnceLock<Verifier> = OnceLock::new();
    VERIFIER.get_or_init(|| {
        let doc = serde_json::json!({ "issuers": [ISSUER], "audiences": [AUDIENCE], "algorithms": ALGS });
        Verifier::new(Config::from_json(doc.to_string().as_bytes()).expect("the configuration loads"))
    })
}

fn hash_len(alg: &str) -> usize {
    match &alg[2..] {
        "384" => 48,
        "512" => 64,
        _ => 32,
    }
}

/// Signatures made so far, by algorithm, key, PSS salt length and seed, and message.
type SignatureCache = HashMap<(String, &'static str, usize, u64, Vec<u8>), Vec<u8>>;

thread_local! {
    static SIGNED: RefCell<SignatureCache> = RefCell::new(HashMap::new());
}

/// `message` signed by `key` with `alg` (which fits it). PSS uses a salt of `salt_len` bytes
/// (RFC 7518 wants the hash's length) from a ChaCha20 stream seeded with `seed`. The inputs
/// draw from a few thousand messages, so signatures are kept: an RSA signature takes the
/// instrumented `rsa` crate about 0.1 s (2,048 bits) to 0.35 s (3,072 bits).
fn sign(alg: &str, key: &'static TestKey, message: &[u8], salt_len: usize, seed: u64) -> Vec<u8> {
    // Only PSS draws on the salt length and the seed.
    let (salt_len, seed) = if alg.starts_with("PS") { (salt_len, seed) } else { (0, 0) };
    let id = (alg.to_owned(), key.kid, salt_len, seed, message.to_vec());
    if let Some(signature) = SIGNED.with(|c| c.borrow().get(&id).cloned()) {
        return signature;
    }
    let signature = sign_now(alg, key, message, salt_len, seed);
    SIGNED.with(|c| {
        let mut cache = c.borrow_mut();
        if cache.len() >= 100_000 {
            cache.clear();
        }
        cache.insert(id, signature.clone());
    });
    signature
}

fn sign_now(alg: &str, key: &TestKey, message: &[u8], salt_len: usize, seed: u64) -> Vec<u8> {
    match &key.private {
        Private::Rsa(private) => {
            let h_len = hash_len(alg);
            let em = if alg.starts_with("PS") {
                let mut salt = vec![0; salt_len];
                ChaCha20Rng::seed_from_u64(seed).fill_bytes(&mut salt);
                // A salt too long for the key cannot be encoded (RFC 8017 section 9.1.1 step 3):
                // no signature then.
                let Some(em) = emsa_pss(h_len, message, &salt, private.n.bits() as usize - 1) else {
                    return Vec::new();
                };
                em
            } else {
                emsa_pkcs1v15(h_len, message, private.n.to_bytes_be().len())
            };
            private.private(&em)
        }
        Private::P256(private) => Es256.sign(private, message).as_bytes().into_owned(),
        Private::Ed25519(private) => Ed25519.sign(private, message).as_bytes().into_owned(),
    }
}

fn digest(h_len: usize, parts: &[&[u8]]) -> Vec<u8> {
    fn run<D: Digest>(parts: &[&[u8]]) -> Vec<u8> {
        let mut d = D::new();
        parts.iter().for_each(|p| d.update(p));
        d.finalize().to_vec()
    }
    match h_len {
        32 => run::<Sha256>(parts),
        48 => run::<Sha384>(parts),
        _ => run::<Sha512>(parts),
    }
}

/// EMSA-PKCS1-v1_5 (RFC 8017 section 9.2, with the DigestInfo prefixes of its note 1).
fn emsa_pkcs1v15(h_len: usize, message: &[u8], k: usize) -> Vec<u8> {
    let oid_last = match h_len {
        32 => 1,
        48 => 2,
        _ => 3,
    };
    let mut t = vec![0x30, 17 + h_len as u8, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02];
    t.extend_from_slice(&[oid_last, 0x05, 0x00, 0x04, h_len as u8]);
    t.extend_from_slice(&digest(h_len, &[message]));
    let mut em = vec![0x00, 0x01];
    em.resize(k - t.len() - 1, 0xff);
    em.push(0x00);
    em.extend_from_slice(&t);
    em
}

/// EMSA-PSS-ENCODE (RFC 8017 section 9.1.1) with MGF1 over the same hash (appendix B.2.1).
fn emsa_pss(h_len: usize, message: &[u8], salt: &[u8], em_bits: usize) -> Option<Vec<u8>> {
    let em_len = em_bits.div_ceil(8);
    if em_len < h_len + salt.len() + 2 {
        return None;
    }
    let m_hash = digest(h_len, &[message]);
    let h = digest(h_len, &[&[0; 8], &m_hash, salt]);
    let mut db = vec![0; em_len - salt.len() - h_len - 2];
    db.push(0x01);
    db.extend_from_slice(salt);
    let mut mask = Vec::new();
    for counter in 0u32.. {
        if mask.len() >= db.len() {
            break;
        }
        mask.extend(digest(h_len, &[&h, &counter.to_be_bytes()]));
    }
    db.iter_mut().zip(&mask).for_each(|(d, m)| *d ^= m);
    db[0] &= 0xff >> (8 * em_len - em_bits);
    db.extend_from_slice(&h);
    db.push(0xbc);
    Some(db)
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A JSON object written member by member, as given (values are JSON text).
fn object(members: &[(String, String)]) -> String {
    let inner: Vec<String> = members.iter().map(|(name, value)| format!("\"{name}\":{value}")).collect();
    format!("{{{}}}", inner.join(","))
}

fn string(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

/// What jwt-compact makes of a token.
#[derive(Clone, Debug)]
enum Reference {
    Accepted,
    /// Its signature check passed, but it refused the token for a reason of its own (the
    /// reason is for failure messages).
    OtherRefused(#[allow(dead_code)] String),
    /// The token is no JWS it can verify, or its signature does not verify.
    SignatureRefused(String),
}

impl Reference {
    fn signature_ok(&self) -> bool {
        !matches!(self, Reference::SignatureRefused(_))
    }
}

/// The published keys jwt-compact tries for a header: the one `kid` names, else every one.
fn candidates(alg: &str, kid: Option<&str>) -> Vec<&'static TestKey> {
    keys().iter().filter(|k| k.published && k.fits(alg) && kid.is_none_or(|kid| kid == k.kid)).collect()
}

/// jwt-compact's full check of one key: `validator(&key).validate(&token)`. When it stops at
/// the claims (before the signature), its signature primitive is asked on its own.
fn validate_with<A: AlgorithmExt>(alg: &A, key: &A::VerifyingKey, token: &UntrustedToken<'_>, text: &str) -> Reference {
    match alg.validator::<Empty>(key).validate(token) {
        Ok(_) => Reference::Accepted,
        Err(ValidationError::MalformedClaims(e)) => {
            if primitive(alg, key, token.signature_bytes(), text) {
                Reference::OtherRefused(format!("claims: {e}"))
            } else {
                Reference::SignatureRefused("invalid signature".into())
            }
        }
        Err(e) => Reference::SignatureRefused(e.to_string()),
    }
}

/// jwt-compact's signature primitive alone: length, shape, then the check over the signing
/// input (the token up to its last `.`).
fn primitive<A: AlgorithmExt>(alg: &A, key: &A::VerifyingKey, signature: &[u8], text: &str) -> bool {
    let signed = text.rsplit_once('.').map_or("", |(signed, _)| signed);
    A::Signature::LENGTH.is_none_or(|len| len.get() == signature.len())
        && A::Signature::try_from_slice(signature).is_ok_and(|s| alg.verify_signature(&s, key, signed.as_bytes()))
}

/// One key, by the algorithm named `alg`: the full check or the primitive alone.
fn check_key(alg: &str, key: &TestKey, token: Option<&UntrustedToken<'_>>, signature: &[u8], text: &str) -> Reference {
    let primitive_only = |ok: bool| {
        if ok { Reference::Accepted } else { Reference::SignatureRefused("invalid signature".into()) }
    };
    match (&key.public, token) {
        (Public::Rsa(public), Some(token)) => validate_with(&Rsa::with_name(alg), public, token, text),
        (Public::Rsa(public), None) => primitive_only(primitive(&Rsa::with_name(alg), public, signature, text)),
        (Public::P256(public), Some(token)) => validate_with(&Es256, public, token, text),
        (Public::P256(public), None) => primitive_only(primitive(&Es256, public, signature, text)),
        (Public::Ed25519(public), Some(token)) => validate_with(&Ed25519, public, token, text),
        (Public::Ed25519(public), None) => primitive_only(primitive(&Ed25519, public, signature, text)),
    }
}

/// The best answer over the keys a header names or fits: accepted if one key accepts.
fn over_keys(alg: &str, kid: Option<&str>, mut each: impl FnMut(&TestKey) -> Reference) -> Reference {
    if !ALGS.contains(&alg) {
        return Reference::SignatureRefused(format!("algorithm {alg:?} unknown to jwt-compact"));
    }
    let mut best = Reference::SignatureRefused(format!("no key for alg {alg}, kid {kid:?}"));
    for key in candidates(alg, kid) {
        match each(key) {
            Reference::Accepted => return Reference::Accepted,
            other @ Reference::OtherRefused(_) => best = other,
            refused if !best.signature_ok() => best = refused,
            _ => {}
        }
    }
    best
}

thread_local! {
    static DECIDED: RefCell<HashMap<String, Reference>> = RefCell::new(HashMap::new());
}

/// jwt-compact's answer for a token, kept: it is a pure function of the token, and its RSA
/// check (num-bigint-dig under the fuzzer's comparison tracing) is most of an execution's time,
/// while many inputs make the same token.
fn reference(text: &str) -> Reference {
    if let Some(answer) = DECIDED.with(|c| c.borrow().get(text).cloned()) {
        return answer;
    }
    let answer = reference_now(text);
    DECIDED.with(|c| {
        let mut cache = c.borrow_mut();
        if cache.len() >= 20_000 {
            cache.clear();
        }
        cache.insert(text.to_owned(), answer.clone());
    });
    answer
}

fn reference_now(text: &str) -> Reference {
    match UntrustedToken::new(text) {
        Ok(token) => {
            let alg = token.algorithm().to_owned();
            let kid = token.header().key_id.clone();
            over_keys(&alg, kid.as_deref(), |key| check_key(&alg, key, Some(&token), &[], text))
        }
        // Not three canonical base64url parts: no JWS (RFC 7515 sections 2 and 7.1).
        Err(e @ (ParseError::InvalidTokenStructure | ParseError::InvalidBase64Encoding)) => {
            Reference::SignatureRefused(e.to_string())
        }
        // A header member jwt-compact types differently, or a `cty` it does not support: its
        // signature primitive alone, with the header read by serde_json.
        Err(e) => match raw_signature_check(text) {
            Ok(()) => Reference::OtherRefused(format!("parse: {e}")),
            Err(why) => Reference::SignatureRefused(format!("parse: {e}; signature: {why}")),
        },
    }
}

fn raw_signature_check(text: &str) -> Result<(), String> {
    let parts: Vec<&str> = text.split('.').collect();
    let [header, _, signature] = parts[..] else { return Err("not three parts".into()) };
    let header = URL_SAFE_NO_PAD.decode(header).map_err(|e| format!("header base64: {e}"))?;
    let header: serde_json::Value = serde_json::from_slice(&header).map_err(|e| format!("header JSON: {e}"))?;
    let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|e| format!("signature base64: {e}"))?;
    let alg = header["alg"].as_str().ok_or("no alg")?;
    let kid = header.get("kid").and_then(serde_json::Value::as_str);
    match over_keys(alg, kid, |key| check_key(alg, key, None, &signature, text)) {
        Reference::SignatureRefused(why) => Err(why),
        _ => Ok(()),
    }
}

/// The token as built: header and payload JSON, and the key and algorithm that sign it.
struct Draft {
    header: Vec<(String, String)>,
    claims: Vec<(String, String)>,
    alg: &'static str,
    key: &'static TestKey,
    salt_len: usize,
    seed: u64,
}

impl Draft {
    fn header_text(&self) -> String {
        object(&self.header)
    }

    fn claims_text(&self) -> String {
        object(&self.claims)
    }

    /// The three base64url parts, signed as drafted.
    fn signed(&self) -> [String; 3] {
        self.signed_over(self.header_text().as_bytes(), self.claims_text().as_bytes())
    }

    fn signed_over(&self, header: &[u8], claims: &[u8]) -> [String; 3] {
        let (h, p) = (b64(header), b64(claims));
        let signature = sign(self.alg, self.key, format!("{h}.{p}").as_bytes(), self.salt_len, self.seed);
        [h, p, b64(&signature)]
    }

    fn set_header(&mut self, name: &str, value: Option<String>) {
        self.header.retain(|(n, _)| n != name);
        if let Some(v) = value {
            self.header.push((name.to_owned(), v));
        }
    }
}

fn join(parts: &[String; 3]) -> String {
    parts.join(".")
}

/// The last character of a base64url text changed so that its unused low bits are not zero
/// (the same bytes to a decoder that ignores them). `None` when there are no unused bits.
fn non_canonical(text: &str, low: u8) -> Option<String> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let unused = match text.len() % 4 {
        2 => 0b1111,
        3 => 0b11,
        _ => return None,
    };
    let last = *text.as_bytes().last()?;
    let sextet = ALPHABET.iter().position(|&c| c == last)? as u8;
    let changed = (sextet & !unused) | (1 + low % unused);
    let mut out = text[..text.len() - 1].to_owned();
    out.push(ALPHABET[changed as usize] as char);
    Some(out)
}

fn decode(part: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(part).expect("our own encoding")
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input::new(data);
    let (alg, kid) = match input.byte() % 6 {
        0 => ("RS256", "rsa-2048"),
        1 => ("RS256", "rsa-3072"),
        2 => ("PS256", "rsa-2048"),
        3 => ("PS256", "rsa-3072"),
        4 => ("ES256", "ec-p256"),
        _ => ("EdDSA", "ed25519"),
    };
    let shape = input.byte();
    // Few times and PSS seeds, so the signatures are few (see `sign`).
    let times = input.byte();
    let mut draft = Draft {
        header: Vec::new(),
        claims: Vec::new(),
        alg,
        key: key(kid),
        salt_len: hash_len(alg),
        seed: u64::from(times & 3),
    };
    // The header: `alg`, then (as chosen) `kid` and `typ`, in either order.
    draft.header.push(("alg".into(), string(alg)));
    if shape & 1 == 0 {
        draft.header.push(("kid".into(), string(kid)));
    }
    if shape & 2 != 0 {
        draft.header.push(("typ".into(), string(if shape & 4 != 0 { "at+jwt" } else { "JWT" })));
    }
    if shape & 8 != 0 {
        draft.header.reverse();
    }
    // Claims valid for the configuration at the pinned clock.
    let exp = NOW + 60 * (1 + i64::from(times >> 2 & 7));
    let iat = NOW - 10 * i64::from(times >> 5);
    draft.claims.push(("iss".into(), string(ISSUER)));
    let aud = if shape & 16 != 0 { format!("[{},\"api://other\"]", string(AUDIENCE)) } else { string(AUDIENCE) };
    draft.claims.push(("aud".into(), aud));
    draft.claims.push(("sub".into(), string("user-1")));
    draft.claims.push(("exp".into(), exp.to_string()));
    draft.claims.push(("iat".into(), iat.to_string()));
    if shape & 32 != 0 {
        draft.claims.push(("nbf".into(), iat.to_string()));
    }
    if shape & 64 != 0 {
        draft.claims.push(("scope".into(), string("pets:read pets:write")));
    }

    let mut parts = draft.signed();
    // Whether the token is valid by construction: both must accept it.
    let mut valid = false;
    let mutation = input.byte();
    let mut text: Option<String> = None;
    match mutation % 16 {
        0..=2 => valid = true,
        // A bit flipped in one decoded part.
        3 => {
            let part = input.byte() as usize % 3;
            let mut bytes = decode(&parts[part]);
            if !bytes.is_empty() {
                let bit = input.u16() as usize % (8 * bytes.len());
                bytes[bit / 8] ^= 1 << (bit % 8);
            }
            parts[part] = b64(&bytes);
        }
        // `alg` swapped: the signature kept, or made anew with the same key for the new
        // algorithm when it fits the key (then valid when we allow it).
        4 => {
            let name = ALG_NAMES[input.byte() as usize % ALG_NAMES.len()];
            draft.set_header("alg", Some(string(name)));
            if input.byte().is_multiple_of(2) && draft.key.fits(name) && ALGS.contains(&name) {
                draft.alg = name;
                draft.salt_len = hash_len(name);
                parts = draft.signed();
                valid = true;
            } else {
                parts[0] = b64(draft.header_text().as_bytes());
            }
        }
        // Cut short.
        5 => {
            let full = join(&parts);
            let at = input.u16() as usize % full.len();
            text = Some(full[..at].to_owned());
        }
        // Padded (as RFC 4648 base64url with `=`).
        6 => {
            let part = input.byte() as usize % 3;
            let pad = "=".repeat(1 + input.byte() as usize % 2);
            parts[part].push_str(&pad);
        }
        // `kid` changed, re-signed by the same key (or not).
        7 => {
            let value = match input.byte() % 8 {
                0 => None,
                1 => Some(string("rsa-2048")),
                2 => Some(string("rsa-3072")),
                3 => Some(string("unknown")),
                4 => Some(format!("\"{}\"", kid.replace('-', "\\u002d"))),
                5 => Some(string("")),
                6 => Some("null".into()),
                _ => Some(string("ed25519")),
            };
            draft.set_header("kid", value);
            if input.byte().is_multiple_of(4) {
                parts[0] = b64(draft.header_text().as_bytes());
            } else {
                parts = draft.signed();
            }
        }
        // Signed by another key (with an algorithm of its own when the drafted one does not fit),
        // or by PSS with a salt of another length.
        8 => {
            let other = &keys()[input.byte() as usize % keys().len()];
            let salt = [0, 20, 31, 33, 48, 64][input.byte() as usize % 6];
            let mut signer = Draft { header: Vec::new(), claims: Vec::new(), ..draft };
            signer.key = other;
            if !other.fits(signer.alg) {
                signer.alg = other.own_alg();
            }
            if signer.alg.starts_with("PS") {
                signer.salt_len = salt;
            }
            let signature = sign(
                signer.alg,
                signer.key,
                format!("{}.{}", parts[0], parts[1]).as_bytes(),
                signer.salt_len,
                signer.seed,
            );
            parts[2] = b64(&signature);
            // Exactly the key and algorithm and salt the header names: still valid.
            valid = std::ptr::eq(other, draft.key) && signer.salt_len == draft.salt_len;
        }
        // A non-canonical last character in one part.
        9 => {
            let part = input.byte() as usize % 3;
            if let Some(changed) = non_canonical(&parts[part], input.byte()) {
                parts[part] = changed;
            } else {
                valid = true;
            }
        }
        // Malleated: ECDSA s to n - s (high S), Ed25519 S to S + L, RSA s to s + n.
        10 => {
            let mut signature = decode(&parts[2]);
            match &draft.key.public {
                Public::P256(_) => {
                    let n = BigUint::parse_bytes(P256_N.as_bytes(), 16).unwrap();
                    let s = BigUint::from_bytes_be(&signature[32..]);
                    signature[32..].copy_from_slice(&be_padded(&(&n - s), 32));
                }
                Public::Ed25519(_) => {
                    let l = BigUint::parse_bytes(ED25519_L.as_bytes(), 16).unwrap();
                    let s = BigUint::from_bytes_le(&signature[32..]) + l;
                    let mut le = s.to_bytes_le();
                    le.resize(32, 0);
                    signature[32..].copy_from_slice(&le);
                }
                Public::Rsa(public) => {
                    let n = BigUint::from_bytes_be(&public.n().to_bytes_be());
                    let s = BigUint::from_bytes_be(&signature) + &n;
                    let k = signature.len();
                    signature = if s.bits() as usize <= 8 * k { be_padded(&s, k) } else { be_padded(&n, k) };
                }
            }
            parts[2] = b64(&signature);
        }
        // The token's text overwritten at an offset by the input's bytes.
        11 => {
            let mut full = join(&parts).into_bytes();
            let at = input.u16() as usize % full.len();
            let len = 1 + input.byte() as usize % 8;
            for (i, b) in input.bytes(len).into_iter().enumerate() {
                if at + i < full.len() {
                    full[at + i] = b;
                } else {
                    full.push(b);
                }
            }
            text = Some(String::from_utf8_lossy(&full).into_owned());
        }
        // The signature replaced.
        12 => {
            let signature = decode(&parts[2]);
            let replaced = match input.byte() % 6 {
                0 => Vec::new(),
                1 => vec![0; signature.len()],
                2 => input.bytes(signature.len()),
                3 => [&[0u8][..], &signature].concat(),
                4 => signature[1..].to_vec(),
                _ => {
                    // A genuine signature of another token (other claims).
                    let mut other = Draft { header: draft.header.clone(), claims: draft.claims.clone(), ..draft };
                    other.claims.push(("jti".into(), string("other")));
                    decode(&other.signed()[2])
                }
            };
            parts[2] = b64(&replaced);
        }
        // A header member added, re-signed (or not).
        13 => {
            let (name, value) = match input.byte() % 14 {
                0 => ("cty", string("JWT")),
                1 => ("cty", string("CBOR")),
                2 => ("crit", "[\"exp\"]".into()),
                3 => ("b64", "false".into()),
                4 => ("b64", "true".into()),
                5 => ("jku", string("https://attacker.test/jwks")),
                6 => ("x5t", string(&b64(&[7; 20]))),
                7 => ("x5t", string("not a thumbprint!")),
                8 => ("x5t#S256", string(&b64(&[7; 32]))),
                9 => ("typ", "5".into()),
                10 => ("jwk", "{\"kty\":\"oct\",\"k\":\"AAAA\"}".into()),
                11 => ("alg", string(if alg == "ES256" { "RS256" } else { "ES256" })),
                12 => ("kid", string("unknown")),
                _ => ("zip", string("DEF")),
            };
            // Appended as is: `alg` and `kid` then appear twice.
            draft.header.push((name.into(), value));
            if input.byte().is_multiple_of(4) {
                parts[0] = b64(draft.header_text().as_bytes());
            } else {
                parts = draft.signed();
            }
        }
        // Claims rewritten, re-signed (or not).
        14 => {
            let payload = match input.byte() % 8 {
                0 => draft.claims_text().replace(",", " ,\n\t"),
                1 => draft.claims_text().replace("\"iss\"", "\"\\u0069ss\""),
                2 => draft.claims_text().replace(&format!("\"exp\":{exp}"), &format!("\"exp\":{exp}.5")),
                3 => draft.claims_text().replace(&format!("\"exp\":{exp}"), &format!("\"exp\":\"{exp}\"")),
                4 => format!("{},\"iss\":\"https://attacker.test/\"}}", draft.claims_text().trim_end_matches('}')),
                5 => draft.claims_text().replace(&format!("\"exp\":{exp}"), "\"exp\":1e20"),
                6 => String::new(),
                _ => format!("{} ", draft.claims_text()),
            };
            if input.byte().is_multiple_of(4) {
                parts[1] = b64(payload.as_bytes());
            } else {
                parts = draft.signed_over(draft.header_text().as_bytes(), payload.as_bytes());
            }
        }
        // Segments moved, added or removed.
        _ => {
            let [h, p, s] = parts.clone();
            text = Some(match input.byte() % 6 {
                0 => format!("{p}.{h}.{s}"),
                1 => format!("{h}.{p}.{s}."),
                2 => format!("{h}.{p}"),
                3 => format!("{h}.{p}.{s}.{s}"),
                4 => format!("{h}..{s}"),
                _ => format!(".{p}.{s}"),
            });
        }
    }
    let token = text.unwrap_or_else(|| join(&parts));

    let ours = verifier().verify(key_set(), &token, NOW);
    let theirs = reference(&token);
    if ours.is_ok() {
        assert!(
            theirs.signature_ok(),
            "our core accepted a token whose signature jwt-compact refuses ({theirs:?}; mutation {}): {token}",
            mutation % 16
        );
    }
    if valid {
        assert!(
            ours.is_ok() && matches!(theirs, Reference::Accepted),
            "a valid token: ours {:?}, jwt-compact {theirs:?}: {token}",
            ours.as_ref().err().map(|f| f.reason)
        );
    }
    // jwt-compact's signature check passes and ours fails: only our documented stricter rules.
    if let Err(f) = &ours
        && f.reason == Reason::BadSignature
        && theirs.signature_ok()
    {
        let signature = token.rsplit('.').next().and_then(|s| URL_SAFE_NO_PAD.decode(s).ok()).unwrap_or_default();
        let header = f.header.as_ref().expect("a header with bad_signature");
        let alg = header.alg.name();
        // RFC 8017 section 8.2.2 step 1 (k bytes) and section 5.2.2 step 1 (s < n), with a key
        // the header names or fits: `rsa` 0.9 reads a PSS signature as a number mod n.
        let rsa_rule = candidates(alg, header.kid.as_deref()).iter().any(|key| match &key.public {
            Public::Rsa(public) => {
                signature.len() != public.size() || rsa::BigUint::from_bytes_be(&signature) >= *public.n()
            }
            _ => false,
        });
        assert!(
            rsa_rule || alg == "EdDSA",
            "jwt-compact accepts a signature our core refuses (alg {alg}, {} bytes): {token}",
            signature.len()
        );
    }
});
