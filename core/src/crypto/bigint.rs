//! Just enough unsigned big-integer arithmetic for RSA signature verification: `s^e mod n`
//! by Montgomery multiplication (CIOS) on 32-bit limbs with 64-bit products.
//!
//! Verification works on public values only (the signature, the message and the public key),
//! so these routines are not constant time; they are bounded by the modulus size, which the
//! key loader caps.

/// An odd modulus prepared for Montgomery arithmetic. Limbs are little-endian.
#[derive(Clone, Debug)]
pub struct Modulus {
    n: Vec<u32>,
    /// -n^-1 mod 2^32.
    n0_inv: u32,
    /// R^2 mod n, R = 2^(32 * limbs).
    r2: Vec<u32>,
    bits: usize,
}

impl Modulus {
    /// `be` is big-endian without leading zero bytes. `None` unless odd and above one.
    pub fn new(be: &[u8]) -> Option<Modulus> {
        if be.is_empty() || be[0] == 0 || be[be.len() - 1] & 1 == 0 {
            return None;
        }
        let limbs = be.len().div_ceil(4);
        let n = limbs_from_be(be, limbs)?;
        if limbs == 1 && n[0] == 1 {
            return None;
        }
        let bits = be.len() * 8 - be[0].leading_zeros() as usize;
        let n0_inv = inverse_mod_2_32(n[0]).wrapping_neg();
        // R^2 mod n by doubling 1 modulo n, 2 * 32 * limbs times: done once per key.
        let mut r2 = vec![0u32; limbs];
        r2[0] = 1;
        for _ in 0..(64 * limbs) {
            let carry = shift_left_one(&mut r2);
            if carry || !less_than(&r2, &n) {
                sub_in_place(&mut r2, &n);
            }
        }
        Some(Modulus { n, n0_inv, r2, bits })
    }

    pub fn bits(&self) -> usize {
        self.bits
    }

    /// Length of the modulus in bytes (`k` in RFC 8017).
    pub fn byte_len(&self) -> usize {
        self.bits.div_ceil(8)
    }

    /// The remainder of the modulus by a small number (for weak-key fingerprints).
    pub fn rem_small(&self, d: u32) -> u32 {
        let d = d as u64;
        self.n.iter().rev().fold(0u64, |r, &limb| ((r << 32) | limb as u64) % d) as u32
    }

    /// `base^e mod n` as `byte_len()` big-endian bytes; `None` if `base >= n` or `e == 0`.
    pub fn pow(&self, base_be: &[u8], e: u64) -> Option<Vec<u8>> {
        self.pow_be(base_be, &e.to_be_bytes())
    }

    /// `base^e mod n` with a big-endian exponent of any length (tests sign with it).
    pub fn pow_be(&self, base_be: &[u8], e_be: &[u8]) -> Option<Vec<u8>> {
        let l = self.n.len();
        let e_be = &e_be[e_be.iter().position(|&b| b != 0)?..];
        if base_be.len() > 4 * l {
            return None;
        }
        let base = limbs_from_be(base_be, l)?;
        if !less_than(&base, &self.n) {
            return None;
        }
        let mut scratch = vec![0u32; l + 2];
        let mut base_m = vec![0u32; l];
        self.mont_mul(&base, &self.r2, &mut scratch, &mut base_m);
        let mut acc = base_m.clone();
        let mut tmp = vec![0u32; l];
        // Left to right from the bit below the top one (acc already holds base^1).
        let top = e_be.len() * 8 - e_be[0].leading_zeros() as usize - 1;
        for bit in (0..top).rev() {
            self.mont_mul(&acc, &acc, &mut scratch, &mut tmp);
            core::mem::swap(&mut acc, &mut tmp);
            if (e_be[e_be.len() - 1 - bit / 8] >> (bit % 8)) & 1 == 1 {
                self.mont_mul(&acc, &base_m, &mut scratch, &mut tmp);
                core::mem::swap(&mut acc, &mut tmp);
            }
        }
        let mut one = vec![0u32; l];
        one[0] = 1;
        self.mont_mul(&acc, &one, &mut scratch, &mut tmp);
        Some(limbs_to_be(&tmp, self.byte_len()))
    }

    /// out = a * b * R^-1 mod n, for a, b < n. `t` is scratch of `limbs + 2`.
    fn mont_mul(&self, a: &[u32], b: &[u32], t: &mut [u32], out: &mut [u32]) {
        let n = &self.n;
        let l = n.len();
        t.fill(0);
        for &bi in b.iter().take(l) {
            let bi = bi as u64;
            let mut c = 0u64;
            for j in 0..l {
                let s = t[j] as u64 + a[j] as u64 * bi + c;
                t[j] = s as u32;
                c = s >> 32;
            }
            let s = t[l] as u64 + c;
            t[l] = s as u32;
            t[l + 1] = (s >> 32) as u32;

            let m = t[0].wrapping_mul(self.n0_inv) as u64;
            let mut c = (t[0] as u64 + m * n[0] as u64) >> 32;
            for j in 1..l {
                let s = t[j] as u64 + m * n[j] as u64 + c;
                t[j - 1] = s as u32;
                c = s >> 32;
            }
            let s = t[l] as u64 + c;
            t[l - 1] = s as u32;
            t[l] = t[l + 1] + (s >> 32) as u32;
        }
        // The result t[0..=l] is below 2n: one conditional subtraction.
        if t[l] != 0 || !less_than(&t[..l], n) {
            sub_in_place(&mut t[..l], n);
        }
        out.copy_from_slice(&t[..l]);
    }
}

fn inverse_mod_2_32(odd: u32) -> u32 {
    // Newton's iteration doubles the correct low bits each step; x = odd is right mod 8.
    let mut x = odd;
    for _ in 0..4 {
        x = x.wrapping_mul(2u32.wrapping_sub(odd.wrapping_mul(x)));
    }
    x
}

fn limbs_from_be(be: &[u8], limbs: usize) -> Option<Vec<u32>> {
    if be.len() > limbs * 4 {
        return None;
    }
    let mut out = vec![0u32; limbs];
    for (i, chunk) in be.rchunks(4).enumerate() {
        out[i] = chunk.iter().fold(0u32, |v, &b| (v << 8) | b as u32);
    }
    Some(out)
}

fn limbs_to_be(limbs: &[u32], len: usize) -> Vec<u8> {
    let mut out = vec![0u8; len];
    for (i, byte) in out.iter_mut().rev().enumerate() {
        let limb = limbs.get(i / 4).copied().unwrap_or(0);
        *byte = (limb >> (8 * (i % 4))) as u8;
    }
    out
}

fn less_than(a: &[u32], b: &[u32]) -> bool {
    for (x, y) in a.iter().rev().zip(b.iter().rev()) {
        if x != y {
            return x < y;
        }
    }
    false
}

fn sub_in_place(a: &mut [u32], b: &[u32]) {
    let mut borrow = 0u64;
    for (x, &y) in a.iter_mut().zip(b) {
        let d = (*x as u64).wrapping_sub(y as u64).wrapping_sub(borrow);
        *x = d as u32;
        borrow = (d >> 63) & 1;
    }
}

fn shift_left_one(a: &mut [u32]) -> bool {
    let mut carry = 0u32;
    for x in a.iter_mut() {
        let next = *x >> 31;
        *x = (*x << 1) | carry;
        carry = next;
    }
    carry == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive_pow(base: u128, e: u64, n: u128) -> u128 {
        let mut acc = 1u128;
        for _ in 0..e {
            acc = acc * base % n;
        }
        acc
    }

    #[test]
    fn small_moduli_agree_with_naive_arithmetic() {
        for n in [3u128, 0xffff_fffb, 0x1_0000_0001, 0xffff_ffff_ffff_ffc5] {
            let m = Modulus::new(&be_trim(n)).unwrap();
            for base in [0u128, 1, 2, 12345, n - 1].into_iter().filter(|&b| b < n) {
                for e in [1u64, 3, 17, 65] {
                    let got = m.pow(&be_trim(base), e).unwrap();
                    let want = naive_pow(base, e, n);
                    assert_eq!(u128_from_be(&got), want, "n={n} base={base} e={e}");
                }
            }
            assert!(m.pow(&be_trim(n), 3).is_none(), "base >= n must be refused");
        }
    }

    #[test]
    fn refuses_even_zero_and_one() {
        assert!(Modulus::new(&[]).is_none());
        assert!(Modulus::new(&[4]).is_none());
        assert!(Modulus::new(&[1]).is_none());
        assert!(Modulus::new(&[0, 3]).is_none());
    }

    fn be_trim(v: u128) -> Vec<u8> {
        let b = v.to_be_bytes();
        let first = b.iter().position(|&x| x != 0).unwrap_or(15);
        b[first..].to_vec()
    }

    fn u128_from_be(b: &[u8]) -> u128 {
        b.iter().fold(0u128, |v, &x| (v << 8) | x as u128)
    }
}
