//! RSASSA-PKCS1-v1_5 and RSASSA-PSS verification (RFC 8017 sections 8.2.2 and 9.1.2) on top
//! of our Montgomery exponentiation. PSS is fixed to what JWA (RFC 7518 section 3.5) requires:
//! MGF1 with the message hash and a salt as long as that hash.

use super::bigint::Modulus;
use crate::alg::Hash;
use sha2::{Digest, Sha256, Sha384, Sha512};
use std::sync::OnceLock;

/// A validated RSA public key. Its Montgomery constants (`R^2 mod n`: about 4.7 ms for an
/// 8192-bit key in WebAssembly) are computed at its first signature check and kept, so a key
/// set costs work in proportion to its size when it is loaded, whatever its keys' sizes.
#[derive(Clone, Debug)]
pub struct RsaKey {
    /// Big-endian, without leading zeros, odd.
    n: Vec<u8>,
    e: u64,
    modulus: OnceLock<Option<Modulus>>,
}

impl RsaKey {
    /// `n` big-endian without leading zeros; `None` unless it is odd and above 1.
    pub fn new(n: &[u8], e: u64) -> Option<RsaKey> {
        let odd = n.last().is_some_and(|b| b & 1 == 1) && n.first() != Some(&0) && n != [1];
        odd.then(|| RsaKey { n: n.to_vec(), e, modulus: OnceLock::new() })
    }

    /// The modulus's length in bits.
    pub fn bits(&self) -> usize {
        (self.n.len() * 8).saturating_sub(self.n.first().map_or(8, |b| b.leading_zeros() as usize))
    }

    /// Whether the Montgomery constants have been computed (by a first signature check).
    pub fn is_prepared(&self) -> bool {
        self.modulus.get().is_some()
    }

    /// `signature^e mod n`, or `None` when the signature is not exactly `k` bytes or not below `n`.
    fn open(&self, signature: &[u8]) -> Option<Vec<u8>> {
        if signature.len() != self.n.len() {
            return None;
        }
        self.modulus.get_or_init(|| Modulus::new(&self.n)).as_ref()?.pow(signature, self.e)
    }

    /// RSASSA-PKCS1-v1_5 verification (RFC 8017 section 8.2.2) of `signature` over
    /// `message`.
    pub fn verify_pkcs1v15(&self, hash: Hash, message: &[u8], signature: &[u8]) -> bool {
        let Some(em) = self.open(signature) else { return false };
        // Build the one valid encoding and compare: no parsing of attacker-shaped padding.
        emsa_pkcs1v15(hash, message, em.len()).is_some_and(|expected| expected == em)
    }

    /// RSASSA-PSS verification (RFC 8017 section 8.1.2) of `signature` over `message`,
    /// with MGF1 of `hash` and a salt as long as the hash (RFC 7518 section 3.5).
    pub fn verify_pss(&self, hash: Hash, message: &[u8], signature: &[u8]) -> bool {
        let Some(m) = self.open(signature) else { return false };
        let em_bits = self.bits() - 1;
        let em_len = em_bits.div_ceil(8);
        // I2OSP(m, emLen): the bytes above emLen must be zero.
        let (high, em) = m.split_at(m.len() - em_len);
        if high.iter().any(|&b| b != 0) {
            return false;
        }
        let m_hash = digest(hash, message);
        let h_len = m_hash.len();
        let s_len = h_len;
        if em_len < h_len + s_len + 2 || em[em_len - 1] != 0xbc {
            return false;
        }
        let (masked_db, rest) = em.split_at(em_len - h_len - 1);
        let h = &rest[..h_len];
        let unused_bits = 8 * em_len - em_bits;
        let top_mask = 0xffu8 >> unused_bits;
        if masked_db[0] & !top_mask != 0 {
            return false;
        }
        let mut db = mgf1(hash, h, masked_db.len());
        for (d, m) in db.iter_mut().zip(masked_db) {
            *d ^= m;
        }
        db[0] &= top_mask;
        let ps_len = em_len - h_len - s_len - 2;
        if db[..ps_len].iter().any(|&b| b != 0) || db[ps_len] != 0x01 {
            return false;
        }
        let salt = &db[ps_len + 1..];
        let mut m_prime = Vec::with_capacity(8 + h_len + s_len);
        m_prime.extend_from_slice(&[0u8; 8]);
        m_prime.extend_from_slice(&m_hash);
        m_prime.extend_from_slice(salt);
        digest(hash, &m_prime) == h
    }
}

/// EMSA-PKCS1-v1_5 (RFC 8017 section 9.2): the `k`-byte encoding of `message`'s digest.
pub fn emsa_pkcs1v15(hash: Hash, message: &[u8], k: usize) -> Option<Vec<u8>> {
    let digest = digest(hash, message);
    let prefix = digest_info_prefix(hash);
    let t_len = prefix.len() + digest.len();
    if k < t_len + 11 {
        return None;
    }
    let mut em = Vec::with_capacity(k);
    em.extend_from_slice(&[0x00, 0x01]);
    em.resize(k - t_len - 1, 0xff);
    em.push(0x00);
    em.extend_from_slice(prefix);
    em.extend_from_slice(&digest);
    Some(em)
}

/// `data` hashed with `hash`.
pub fn digest(hash: Hash, data: &[u8]) -> Vec<u8> {
    match hash {
        Hash::Sha256 => Sha256::digest(data).to_vec(),
        Hash::Sha384 => Sha384::digest(data).to_vec(),
        Hash::Sha512 => Sha512::digest(data).to_vec(),
    }
}

/// MGF1 (RFC 8017 appendix B.2.1) with `hash`: `len` bytes from `seed`.
pub fn mgf1(hash: Hash, seed: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 64);
    let mut counter = 0u32;
    while out.len() < len {
        let mut block = Vec::with_capacity(seed.len() + 4);
        block.extend_from_slice(seed);
        block.extend_from_slice(&counter.to_be_bytes());
        out.extend_from_slice(&digest(hash, &block));
        counter += 1;
    }
    out.truncate(len);
    out
}

/// DER of DigestInfo up to the digest (RFC 8017 section 9.2, note 1).
fn digest_info_prefix(hash: Hash) -> &'static [u8] {
    match hash {
        Hash::Sha256 => &[
            0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04,
            0x20,
        ],
        Hash::Sha384 => &[
            0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04,
            0x30,
        ],
        Hash::Sha512 => &[
            0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04,
            0x40,
        ],
    }
}

/// ROCA (CVE-2017-15361): moduli made by the affected Infineon library are congruent, modulo
/// each small prime below, to a power of 65537. A random modulus passes all of these with
/// negligible probability, so passing all of them marks the key as factorable.
/// `n` is big-endian.
pub fn has_roca_fingerprint(n: &[u8]) -> bool {
    PRIMES.iter().zip(small_remainders(n)).all(|(&p, r)| {
        let g = 65537 % p;
        let mut x = 1u32;
        for _ in 0..p {
            if x == r {
                return true;
            }
            x = x * g % p;
        }
        false
    })
}

const PRIMES: [u32; 38] = [
    3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109,
    113, 127, 131, 137, 139, 149, 151, 157, 163, 167,
];

/// (first prime, end, product of `PRIMES[first..end]`) for each group of [`small_remainders`].
const GROUPS: [(usize, usize, u64); 8] = [
    (0, 9, 3_234_846_615),
    (9, 14, 95_041_567),
    (14, 19, 907_383_479),
    (19, 24, 4_132_280_413),
    (24, 28, 121_330_189),
    (28, 32, 257_557_397),
    (32, 36, 490_995_677),
    (36, 38, 27_221),
];

/// `n` (big-endian) modulo each of [`PRIMES`]: one pass over `n` per group of primes whose
/// product stays below 2^32 (eight passes), four bytes a step, not one pass per prime, since
/// this runs for every key loaded.
fn small_remainders(n: &[u8]) -> [u32; PRIMES.len()] {
    // The leading bytes that do not fill a word first, then whole 32-bit words: each step keeps
    // the remainder below 2^32, so `r << 32 | word` fits in 64 bits. The eight groups advance
    // together, word by word: their divisions do not wait on each other.
    let (head, words) = n.split_at(n.len() % 4);
    let first = head.iter().fold(0u64, |r, &b| (r << 8) | u64::from(b));
    let mut r = GROUPS.map(|(_, _, product)| first % product);
    for w in words.chunks_exact(4) {
        let word = u64::from(u32::from_be_bytes([w[0], w[1], w[2], w[3]]));
        for (r, &(_, _, product)) in r.iter_mut().zip(&GROUPS) {
            *r = ((*r << 32) | word) % product;
        }
    }
    let mut remainders = [0u32; PRIMES.len()];
    for (&(first, end, _), r) in GROUPS.iter().zip(r) {
        for i in first..end {
            remainders[i] = (r % u64::from(PRIMES[i])) as u32;
        }
    }
    remainders
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The grouped remainders against a fold byte by byte, prime by prime, on moduli of many
    /// lengths up to 1,100 bytes; and each group's product is its primes' and below 2^32.
    #[test]
    fn grouped_remainders_are_the_remainders() {
        let mut next = 0;
        for &(first, end, product) in &GROUPS {
            assert_eq!(first, next);
            assert_eq!(PRIMES[first..end].iter().map(|&p| u64::from(p)).product::<u64>(), product);
            assert!(product < 1 << 32);
            next = end;
        }
        assert_eq!(next, PRIMES.len());
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for len in (1..1100).step_by(7) {
            let n: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u8
                })
                .collect();
            let got = small_remainders(&n);
            for (i, &p) in PRIMES.iter().enumerate() {
                let want = n.iter().fold(0u32, |r, &b| (r * 256 + u32::from(b)) % p);
                assert_eq!(got[i], want, "len {len} p {p}");
            }
        }
    }
}
