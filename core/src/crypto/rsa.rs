//! RSASSA-PKCS1-v1_5 and RSASSA-PSS verification (RFC 8017 sections 8.2.2 and 9.1.2) on top
//! of our Montgomery exponentiation. PSS is fixed to what JWA (RFC 7518 section 3.5) requires:
//! MGF1 with the message hash and a salt as long as that hash.

use super::bigint::Modulus;
use crate::alg::Hash;
use sha2::{Digest, Sha256, Sha384, Sha512};

/// A validated RSA public key, prepared for verification.
#[derive(Clone, Debug)]
pub struct RsaKey {
    modulus: Modulus,
    e: u64,
}

impl RsaKey {
    pub fn new(modulus: Modulus, e: u64) -> RsaKey {
        RsaKey { modulus, e }
    }

    pub fn bits(&self) -> usize {
        self.modulus.bits()
    }

    /// `signature^e mod n`, or `None` when the signature is not exactly `k` bytes or not below `n`.
    fn open(&self, signature: &[u8]) -> Option<Vec<u8>> {
        if signature.len() != self.modulus.byte_len() {
            return None;
        }
        self.modulus.pow(signature, self.e)
    }

    pub fn verify_pkcs1v15(&self, hash: Hash, message: &[u8], signature: &[u8]) -> bool {
        let Some(em) = self.open(signature) else { return false };
        // Build the one valid encoding and compare: no parsing of attacker-shaped padding.
        emsa_pkcs1v15(hash, message, em.len()).is_some_and(|expected| expected == em)
    }

    pub fn verify_pss(&self, hash: Hash, message: &[u8], signature: &[u8]) -> bool {
        let Some(m) = self.open(signature) else { return false };
        let em_bits = self.modulus.bits() - 1;
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

pub fn digest(hash: Hash, data: &[u8]) -> Vec<u8> {
    match hash {
        Hash::Sha256 => Sha256::digest(data).to_vec(),
        Hash::Sha384 => Sha384::digest(data).to_vec(),
        Hash::Sha512 => Sha512::digest(data).to_vec(),
    }
}

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
            0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x01, 0x05, 0x00, 0x04, 0x20,
        ],
        Hash::Sha384 => &[
            0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x02, 0x05, 0x00, 0x04, 0x30,
        ],
        Hash::Sha512 => &[
            0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x03, 0x05, 0x00, 0x04, 0x40,
        ],
    }
}

/// ROCA (CVE-2017-15361): moduli made by the affected Infineon library are congruent, modulo
/// each small prime below, to a power of 65537. A random modulus passes all of these with
/// negligible probability, so passing all of them marks the key as factorable.
pub fn has_roca_fingerprint(modulus: &Modulus) -> bool {
    const PRIMES: [u32; 38] = [
        3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89,
        97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157, 163, 167,
    ];
    PRIMES.iter().all(|&p| {
        let r = modulus.rem_small(p);
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
