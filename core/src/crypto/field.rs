//! Arithmetic modulo a fixed prime of a few hundred bits, in Montgomery form: the coordinate
//! fields and the group orders of P-256, P-384 and P-521, for ECDSA verification.
//!
//! Why this shape (the same reasoning as `bigint.rs`): WebAssembly has a fast 64-bit multiply
//! but no 64x64->128 one, and a carry after every multiply-add serialises the work. So limbs
//! are 29 bits, multiplied as `u64`: a product is below 2^58, and a column of a product plus
//! its reduction, when the reduction reaches it, holds at most `2 * limbs` of them (`limbs`
//! from the product, `limbs - 1` from the reduction's `q * m[j]` with j >= 1, and `q * m[0]`) and
//! the previous column's carry, below 2^35: for up to 31 limbs that stays below 2^64 (19 limbs,
//! P-521: below 38 * 2^58 + 2^35 < 2^63.3), so the multiply loops have no carries; one carry
//! pass per multiplication normalises the result. Limbs are stored as `u32`: half the memory for tables, and widening a load costs
//! nothing (`i64.load32_u` in WebAssembly). R = 2^(29 * limbs) is well above 4m, so values
//! stay below 2m between operations ("almost Montgomery") and need no comparison per
//! multiplication.
//!
//! Everything is `const fn` with fixed-size arrays: the curve constants and the generator's
//! tables are computed by the compiler from hex values, and the arithmetic never allocates.
//! Nothing here is constant time: signature verification only handles public data (the key,
//! the message, the signature).

/// Bits per limb.
pub const LIMB_BITS: u32 = 29;
const LIMB_MASK: u32 = (1 << LIMB_BITS) - 1;
const LIMB_MASK_64: u64 = LIMB_MASK as u64;
/// The widest field supported (P-521: 19 limbs of 29 bits hold 551 bits, and R = 2^551 > 4p).
/// At most 31: the column bound above.
pub const MAX_LIMBS: usize = 19;
const _: () = assert!(((2 * MAX_LIMBS as u128) << (2 * LIMB_BITS)) + (1 << 35) < 1 << 64);
/// Product columns: twice the widest field.
const COLUMNS: usize = 2 * MAX_LIMBS;

/// An integer as little-endian 29-bit limbs, each below 2^29.
pub type Limbs<const L: usize> = [u32; L];

/// A field element in Montgomery form (a * R mod m), any value below 2m, limbs normalised.
/// Compare with [`PrimeField::equal`], not limb by limb: a value has two representations.
#[derive(Clone, Copy)]
pub struct Fe<const L: usize>(Limbs<L>);

/// A prime modulus prepared for Montgomery arithmetic.
pub struct PrimeField<const L: usize> {
    modulus: Limbs<L>,
    twice_modulus: Limbs<L>,
    /// -m^-1 mod 2^29.
    neg_inv: u64,
    /// R^2 mod m: multiplying by it enters Montgomery form.
    r_squared: Fe<L>,
    /// 1 in Montgomery form (R mod m).
    one: Fe<L>,
    /// R^3 mod m: brings a plain inverse of a Montgomery value back to Montgomery form.
    r_cubed: Fe<L>,
    bits: usize,
}

impl<const L: usize> PrimeField<L> {
    /// Prepare an odd prime `m` given big-endian. Only ever evaluated at compile time, where
    /// a panic is a build error.
    pub const fn new(modulus_be: &[u8]) -> PrimeField<L> {
        assert!(L <= MAX_LIMBS);
        let Some(modulus) = limbs_from_be::<L>(modulus_be) else { panic!("modulus too wide") };
        assert!(modulus[0] & 1 == 1, "modulus must be odd");
        let bits = bit_length(&modulus);
        // R > 4m keeps products of values below 2m reduced below 2m; the sum of two values
        // below 2m must fit the limbs too.
        assert!(bits + 2 <= LIMB_BITS as usize * L, "R must exceed 4m");
        let twice_modulus = add_limbs(&modulus, &modulus);
        let neg_inv = inverse_mod_2_64(modulus[0] as u64).wrapping_neg() & LIMB_MASK_64;
        // R mod m and R^2 mod m by doubling 1 modulo m, 29 * L and 2 * 29 * L times.
        let mut r = small::<L>(1);
        let mut one = small::<L>(0);
        let mut i = 0;
        while i < 2 * LIMB_BITS as usize * L {
            r = add_limbs(&r, &r);
            if !less_than(&r, &modulus) {
                r = sub_limbs(&r, &modulus).0;
            }
            i += 1;
            if i == LIMB_BITS as usize * L {
                one = r;
            }
        }
        let mut field =
            PrimeField { modulus, twice_modulus, neg_inv, r_squared: Fe(r), one: Fe(one), r_cubed: Fe(r), bits };
        field.r_cubed = field.mul(&field.r_squared, &field.r_squared);
        field
    }

    /// The modulus m.
    pub const fn modulus(&self) -> &Limbs<L> {
        &self.modulus
    }

    /// The bit length of m.
    pub const fn bits(&self) -> usize {
        self.bits
    }

    /// 1 in Montgomery form.
    pub const fn one(&self) -> Fe<L> {
        self.one
    }

    /// 0.
    pub const fn zero(&self) -> Fe<L> {
        Fe([0; L])
    }

    /// `value` (an integer below 2m) in Montgomery form.
    pub const fn to_montgomery(&self, value: &Limbs<L>) -> Fe<L> {
        self.mul(&Fe(*value), &self.r_squared)
    }

    /// The integer `a` stands for, fully reduced (below m).
    pub const fn to_integer(&self, a: &Fe<L>) -> Limbs<L> {
        self.canonical(&self.mul(a, &Fe(small::<L>(1))))
    }

    /// `integer * a`, reduced below m, for an integer below 2m and `a` in Montgomery form: the
    /// Montgomery factors cancel, so the product comes out as a plain integer.
    pub const fn mul_integer(&self, integer: &Limbs<L>, a: &Fe<L>) -> Limbs<L> {
        let product = self.mul(&Fe(*integer), a);
        self.canonical(&product)
    }

    /// a * b / R mod m, below 2m for a and b below 2m (because R > 4m). Not inlined (nor is
    /// `square`): one copy per field keeps the module about 30 KiB smaller, and a call costs
    /// little next to the multiplication (the reduction inside it is another matter: see
    /// `reduce_columns`).
    #[inline(never)]
    pub const fn mul(&self, a: &Fe<L>, b: &Fe<L>) -> Fe<L> {
        let mut t = [0u64; COLUMNS];
        let mut i = 0;
        while i < L {
            let ai = a.0[i] as u64;
            let mut j = 0;
            while j < L {
                t[i + j] += ai * b.0[j] as u64;
                j += 1;
            }
            i += 1;
        }
        self.reduce_columns(t)
    }

    /// a * a / R mod m: the cross products `a[i] * a[j]` (i < j) once, doubled.
    #[inline(never)]
    pub const fn square(&self, a: &Fe<L>) -> Fe<L> {
        let mut t = [0u64; COLUMNS];
        let mut i = 0;
        while i < L {
            let ai = a.0[i] as u64;
            t[2 * i] += ai * ai;
            let twice_ai = ai << 1;
            let mut j = i + 1;
            while j < L {
                t[i + j] += twice_ai * a.0[j] as u64;
                j += 1;
            }
            i += 1;
        }
        self.reduce_columns(t)
    }

    /// [`Self::reduce`], inlined into the caller for P-256 and P-384: the product's columns
    /// then stay in locals, where passing them to a function puts them in memory (in
    /// WebAssembly, linear memory), each multiply-add becoming a load and a store. P-521's 19
    /// limbs call one copy: its unrolled reduction is the largest, and ES512 rare.
    #[inline(always)]
    const fn reduce_columns(&self, t: [u64; COLUMNS]) -> Fe<L> {
        if L < MAX_LIMBS { self.reduce(t) } else { self.reduce_outlined(t) }
    }

    /// [`Self::reduce`], one copy.
    #[inline(never)]
    const fn reduce_outlined(&self, t: [u64; COLUMNS]) -> Fe<L> {
        self.reduce(t)
    }

    /// Montgomery reduction of product columns: t / R mod m, normalised, below 2m.
    #[inline(always)]
    const fn reduce(&self, mut t: [u64; COLUMNS]) -> Fe<L> {
        let m = &self.modulus;
        let mut i = 0;
        while i < L {
            let q = ((t[i] & LIMB_MASK_64) * self.neg_inv) & LIMB_MASK_64;
            // t[i] + q * m[0] is a multiple of 2^29 by the choice of q: carry its high part.
            t[i + 1] += (t[i] + q * m[0] as u64) >> LIMB_BITS;
            let mut j = 1;
            while j < L {
                t[i + j] += q * m[j] as u64;
                j += 1;
            }
            i += 1;
        }
        let mut out = [0u32; L];
        let mut carry = 0;
        let mut k = 0;
        while k < L {
            let v = t[L + k] + carry;
            out[k] = v as u32 & LIMB_MASK;
            carry = v >> LIMB_BITS;
            k += 1;
        }
        Fe(out)
    }

    /// a + b.
    pub const fn add(&self, a: &Fe<L>, b: &Fe<L>) -> Fe<L> {
        Fe(subtract_if_not_below(add_limbs(&a.0, &b.0), &self.twice_modulus))
    }

    /// 2a.
    pub const fn double(&self, a: &Fe<L>) -> Fe<L> {
        self.add(a, a)
    }

    /// a - b.
    pub const fn sub(&self, a: &Fe<L>, b: &Fe<L>) -> Fe<L> {
        let (difference, borrow) = sub_limbs(&a.0, &b.0);
        // On a borrow the limbs hold a - b + 2^(29L); adding 2m wraps back to a - b + 2m.
        if borrow { Fe(add_limbs(&difference, &self.twice_modulus)) } else { Fe(difference) }
    }

    /// -a.
    pub const fn neg(&self, a: &Fe<L>) -> Fe<L> {
        self.sub(&self.zero(), a)
    }

    /// The representative below m.
    const fn canonical(&self, a: &Fe<L>) -> Limbs<L> {
        subtract_if_not_below(a.0, &self.modulus)
    }

    /// Whether a is 0 modulo m (whichever representative it holds).
    pub const fn is_zero(&self, a: &Fe<L>) -> bool {
        is_zero_limbs(&self.canonical(a))
    }

    /// Whether a and b are equal modulo m.
    pub const fn equal(&self, a: &Fe<L>, b: &Fe<L>) -> bool {
        self.is_zero(&self.sub(a, b))
    }

    /// a^-1 (0 for 0). a stands for a * R; its plain inverse (a * R)^-1 times R^3, through
    /// one Montgomery multiplication, is a^-1 * R.
    pub const fn invert(&self, a: &Fe<L>) -> Fe<L> {
        let inverse = self.invert_integer(&self.canonical(a));
        self.mul(&Fe(inverse), &self.r_cubed)
    }

    /// a^-1 mod m for a below m (0 for 0): see [`invert_wide`].
    const fn invert_integer(&self, a: &Limbs<L>) -> Limbs<L> {
        let inverse = invert_wide(&widen(a), &widen(&self.modulus), L);
        let mut out = [0u32; L];
        let mut k = 0;
        while k < L {
            out[k] = inverse[k];
            k += 1;
        }
        out
    }
}

/// A value of any supported field's width, its first `n` limbs used: the inversion works on
/// it, so one copy of that code serves every field. It runs once per signature, where its loop
/// overhead is small next to the scalar multiplication; a copy per limb count, its loops
/// unrolled, would cost about 4 KB of module per curve.
type Wide = [u32; MAX_LIMBS];

const fn widen<const L: usize>(x: &Limbs<L>) -> Wide {
    let mut out = [0u32; MAX_LIMBS];
    let mut k = 0;
    while k < L {
        out[k] = x[k];
        k += 1;
    }
    out
}

/// a^-1 mod m for a below m (0 for 0), both of `n` limbs, by the binary extended Euclidean
/// algorithm: shifts and subtractions instead of the few hundred multiplications of Fermat's
/// a^(m-2), and variable time, which verification allows. Invariants: x1 * a = u and
/// x2 * a = v (mod m), gcd(u, v) = 1 since m is prime, so u and v stay nonzero and never
/// equal until one is 1, each subtraction is followed by at least one halving, and one of
/// them reaches 1 within 2 * bits halvings.
#[inline(never)]
const fn invert_wide(a: &Wide, m: &Wide, n: usize) -> Wide {
    let (mut u, mut v) = (*a, *m);
    let (mut x1, mut x2) = ([0u32; MAX_LIMBS], [0u32; MAX_LIMBS]);
    x1[0] = 1;
    let mut k = 0;
    while k < n && u[k] == 0 {
        k += 1;
    }
    if k == n {
        return [0; MAX_LIMBS];
    }
    while !is_one_wide(&u, n) && !is_one_wide(&v, n) {
        while u[0] & 1 == 0 {
            halve_wide(&mut u, n);
            halve_mod_wide(&mut x1, m, n);
        }
        while v[0] & 1 == 0 {
            halve_wide(&mut v, n);
            halve_mod_wide(&mut x2, m, n);
        }
        // v - u borrows exactly when u > v (they are never equal here).
        let mut difference = v;
        if !sub_wide(&mut difference, &u, n) {
            v = difference;
            sub_mod_wide(&mut x2, &x1, m, n);
        } else {
            sub_wide(&mut u, &v, n);
            sub_mod_wide(&mut x1, &x2, m, n);
        }
    }
    if is_one_wide(&u, n) { x1 } else { x2 }
}

/// x / 2, rounding down.
const fn halve_wide(x: &mut Wide, n: usize) {
    let mut k = 0;
    while k < n {
        let high = if k + 1 < n { (x[k + 1] & 1) << (LIMB_BITS - 1) } else { 0 };
        x[k] = (x[k] >> 1) | high;
        k += 1;
    }
}

/// x / 2 mod m for x below m: (x + m) / 2 when x is odd.
const fn halve_mod_wide(x: &mut Wide, m: &Wide, n: usize) {
    if x[0] & 1 == 1 {
        add_wide(x, m, n);
    }
    halve_wide(x, n);
}

/// x - y mod m for x, y below m.
const fn sub_mod_wide(x: &mut Wide, y: &Wide, m: &Wide, n: usize) {
    if sub_wide(x, y, n) {
        add_wide(x, m, n);
    }
}

/// x += y over `n` limbs, a carry out of the top one dropped.
const fn add_wide(x: &mut Wide, y: &Wide, n: usize) {
    let mut carry = 0;
    let mut k = 0;
    while k < n {
        let v = x[k] + y[k] + carry;
        x[k] = v & LIMB_MASK;
        carry = v >> LIMB_BITS;
        k += 1;
    }
}

/// x -= y over `n` limbs; whether it borrowed (then x holds x - y + 2^(29n)).
const fn sub_wide(x: &mut Wide, y: &Wide, n: usize) -> bool {
    let mut borrow = 0;
    let mut k = 0;
    while k < n {
        let v = x[k].wrapping_sub(y[k]).wrapping_sub(borrow);
        x[k] = v & LIMB_MASK;
        borrow = v >> 31;
        k += 1;
    }
    borrow == 1
}

const fn is_one_wide(x: &Wide, n: usize) -> bool {
    let mut k = 1;
    while k < n {
        if x[k] != 0 {
            return false;
        }
        k += 1;
    }
    x[0] == 1
}

/// `count` (at most 32) bits of `value` from bit `start`; bits past the top read as zero.
pub const fn bits_at<const L: usize>(value: &Limbs<L>, start: usize, count: usize) -> u32 {
    let mut out = 0u32;
    let mut k = 0;
    while k < count {
        let bit = start + k;
        let limb = bit / LIMB_BITS as usize;
        if limb < L {
            out |= ((value[limb] >> (bit % LIMB_BITS as usize)) & 1) << k;
        }
        k += 1;
    }
    out
}

/// Big-endian bytes to limbs; `None` if the value needs more than 29 * L bits.
pub const fn limbs_from_be<const L: usize>(be: &[u8]) -> Option<Limbs<L>> {
    let Some(wide) = wide_from_be(be, L) else { return None };
    let mut out = [0u32; L];
    let mut k = 0;
    while k < L {
        out[k] = wide[k];
        k += 1;
    }
    Some(out)
}

/// [`limbs_from_be`] for `n` limbs, one copy for every field (as [`invert_wide`]): bytes
/// from the last, gathered until a limb's 29 bits are there.
#[inline(never)]
const fn wide_from_be(be: &[u8], n: usize) -> Option<Wide> {
    let mut out = [0u32; MAX_LIMBS];
    // Below 2^29 before a byte joins it, so below 2^37 after.
    let mut pending = 0u64;
    let mut pending_bits = 0;
    let mut limb = 0;
    let mut i = be.len();
    while i > 0 {
        i -= 1;
        pending |= (be[i] as u64) << pending_bits;
        pending_bits += 8;
        if pending_bits >= LIMB_BITS {
            if !place_limb(&mut out, limb, n, pending as u32 & LIMB_MASK) {
                return None;
            }
            pending >>= LIMB_BITS;
            pending_bits -= LIMB_BITS;
            limb += 1;
        }
    }
    if !place_limb(&mut out, limb, n, pending as u32) {
        return None;
    }
    Some(out)
}

/// Limb `limb` of `out` set to `value`; false when that is a nonzero limb beyond the first `n`.
const fn place_limb(out: &mut Wide, limb: usize, n: usize, value: u32) -> bool {
    if limb < n {
        out[limb] = value;
        true
    } else {
        value == 0
    }
}

/// Limbs to `N` big-endian bytes (the low `8N` bits).
pub const fn limbs_to_be<const L: usize, const N: usize>(value: &Limbs<L>) -> [u8; N] {
    let mut out = [0u8; N];
    let mut byte = 0;
    while byte < N {
        out[N - 1 - byte] = bits_at(value, 8 * byte, 8) as u8;
        byte += 1;
    }
    out
}

/// `value` as limbs (L of at least 2).
pub const fn small<const L: usize>(value: u32) -> Limbs<L> {
    let mut out = [0u32; L];
    out[0] = value & LIMB_MASK;
    out[1] = value >> LIMB_BITS;
    out
}

/// a + b, normalised; a carry out of the top limb is dropped (callers keep sums in range).
/// Inlined (as is `sub_limbs`): the inner step of every field addition and
/// subtraction, which a call would make several percent slower.
#[inline]
pub const fn add_limbs<const L: usize>(a: &Limbs<L>, b: &Limbs<L>) -> Limbs<L> {
    let mut out = [0u32; L];
    let mut carry = 0;
    let mut k = 0;
    while k < L {
        let v = a[k] + b[k] + carry;
        out[k] = v & LIMB_MASK;
        carry = v >> LIMB_BITS;
        k += 1;
    }
    out
}

/// a - b and whether it borrowed (then the limbs hold a - b + 2^(29L)).
#[inline]
pub const fn sub_limbs<const L: usize>(a: &Limbs<L>, b: &Limbs<L>) -> (Limbs<L>, bool) {
    let mut out = [0u32; L];
    let mut borrow = 0;
    let mut k = 0;
    while k < L {
        let v = a[k].wrapping_sub(b[k]).wrapping_sub(borrow);
        out[k] = v & LIMB_MASK;
        borrow = v >> 31;
        k += 1;
    }
    (out, borrow == 1)
}

const fn subtract_if_not_below<const L: usize>(a: Limbs<L>, bound: &Limbs<L>) -> Limbs<L> {
    let (difference, borrow) = sub_limbs(&a, bound);
    if borrow { a } else { difference }
}

/// a < b.
pub const fn less_than<const L: usize>(a: &Limbs<L>, b: &Limbs<L>) -> bool {
    sub_limbs(a, b).1
}

/// Whether every limb is 0.
pub const fn is_zero_limbs<const L: usize>(a: &Limbs<L>) -> bool {
    let mut k = 0;
    while k < L {
        if a[k] != 0 {
            return false;
        }
        k += 1;
    }
    true
}

const fn bit_length<const L: usize>(a: &Limbs<L>) -> usize {
    let mut k = L;
    while k > 0 {
        k -= 1;
        if a[k] != 0 {
            return k * LIMB_BITS as usize + (32 - a[k].leading_zeros() as usize);
        }
    }
    0
}

const fn inverse_mod_2_64(odd: u64) -> u64 {
    // Newton's iteration doubles the correct low bits each step; x = odd is right mod 8.
    let mut x = odd;
    let mut i = 0;
    while i < 5 {
        x = x.wrapping_mul(2u64.wrapping_sub(odd.wrapping_mul(x)));
        i += 1;
    }
    x
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::crypto::bigint::Modulus;
    use crate::crypto::curve::{P256, P384, p521};

    /// A small deterministic generator (xorshift64*) for test values.
    pub(crate) struct TestRng(pub u64);

    impl TestRng {
        pub fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }

        pub fn bytes(&mut self, len: usize) -> Vec<u8> {
            (0..len).map(|_| self.next() as u8).collect()
        }
    }

    fn be<const L: usize>(value: &Limbs<L>, len: usize) -> Vec<u8> {
        let full: [u8; 72] = limbs_to_be(value);
        full[72 - len..].to_vec()
    }

    /// Values below m: edge values and random ones of every size.
    fn samples<const L: usize>(f: &PrimeField<L>, rng: &mut TestRng) -> Vec<Limbs<L>> {
        let m = f.modulus();
        let len = f.bits().div_ceil(8);
        let mut out = vec![small(0), small(1), small(2), sub_limbs(m, &small(1)).0, sub_limbs(m, &small(2)).0];
        for i in 0..40 {
            let mut bytes = rng.bytes(len);
            bytes[0] = bytes[0].checked_shr(i % 9).unwrap_or(0); // sometimes shorter
            bytes[0] &= 0xff >> (8 * len - f.bits()); // below 2^bits < 2m (P-521: 1 bit of 8)
            let value = limbs_from_be::<L>(&bytes).unwrap();
            out.push(if less_than(&value, m) { value } else { sub_limbs(&value, m).0 });
        }
        out
    }

    /// Against the RSA code's independent exponentiation: cubes and inverses (a^(m-2)).
    fn agrees_with_bigint<const L: usize>(f: &PrimeField<L>) {
        let len = f.bits().div_ceil(8);
        let reference = Modulus::new(&be(f.modulus(), len)).unwrap();
        let mut rng = TestRng(0x9e37_79b9_7f4a_7c15 ^ len as u64);
        for a in samples(f, &mut rng) {
            let am = f.to_montgomery(&a);
            assert_eq!(f.to_integer(&am), a, "round trip");
            let cube = f.mul(&f.square(&am), &am);
            assert_eq!(be(&f.to_integer(&cube), len), reference.pow(&be(&a, len), 3).unwrap());
            let inverse = f.invert(&am);
            let minus_two = be(&sub_limbs(f.modulus(), &small(2)).0, len);
            assert_eq!(be(&f.to_integer(&inverse), len), reference.pow_be(&be(&a, len), &minus_two).unwrap());
            if !is_zero_limbs(&a) {
                assert!(f.equal(&f.mul(&am, &inverse), &f.one()));
            }
            // The second representative (a + m) behaves like a.
            let a_plus_m = Fe(add_limbs(&am.0, f.modulus()));
            assert!(f.equal(&a_plus_m, &am));
            assert!(f.equal(&f.mul(&a_plus_m, &a_plus_m), &f.square(&am)));
            assert!(f.equal(&f.sub(&f.add(&am, &a_plus_m), &am), &am));
            assert!(f.is_zero(&f.add(&am, &f.neg(&a_plus_m))));
        }
    }

    /// Bit b of the big-endian integer is bit b % 29 of limb b / 29: every input length
    /// around the widths of 9 and 19 limbs, leading zero bytes, and a value wider by one bit.
    #[test]
    fn bytes_become_limbs_bit_for_bit() {
        fn by_bits<const L: usize>(be: &[u8]) -> Option<Limbs<L>> {
            let mut out = [0u32; L];
            for (b, byte) in be.iter().rev().enumerate() {
                for bit in 0..8 {
                    if byte >> bit & 1 == 1 {
                        let at = 8 * b + bit;
                        *out.get_mut(at / 29)? |= 1 << (at % 29);
                    }
                }
            }
            Some(out)
        }
        let mut rng = TestRng(0x5eed);
        for len in 0..=80 {
            for round in 0..20 {
                let mut bytes = rng.bytes(len);
                if round % 4 == 1 && len > 0 {
                    bytes[..len / 2].fill(0);
                }
                if round % 4 == 2 {
                    bytes.fill(0xff);
                }
                assert_eq!(limbs_from_be::<9>(&bytes), by_bits::<9>(&bytes), "{bytes:02x?}");
                assert_eq!(limbs_from_be::<19>(&bytes), by_bits::<19>(&bytes), "{bytes:02x?}");
            }
        }
        // 261 bits fill 9 limbs; the 262nd does not fit.
        let mut widest = vec![0xffu8; 33];
        widest[0] = 0x1f;
        assert_eq!(limbs_from_be::<9>(&widest), Some([LIMB_MASK; 9]));
        widest[0] = 0x3f;
        assert_eq!(limbs_from_be::<9>(&widest), None);
    }

    #[test]
    fn p256_fields_agree_with_bigint() {
        agrees_with_bigint(&P256.field);
        agrees_with_bigint(&P256.order);
    }

    #[test]
    fn p384_fields_agree_with_bigint() {
        agrees_with_bigint(&P384.field);
        agrees_with_bigint(&P384.order);
    }

    #[test]
    fn p521_fields_agree_with_bigint() {
        agrees_with_bigint(&p521().field);
        agrees_with_bigint(&p521().order);
    }

    #[test]
    fn multiplication_of_largest_values_does_not_overflow() {
        // All limbs at their maximum below 2m: the column bound is what keeps this exact.
        fn check<const L: usize>(f: &PrimeField<L>) {
            let top = Fe(sub_limbs(&f.twice_modulus, &small(1)).0);
            let same = Fe(sub_limbs(f.modulus(), &small(1)).0);
            assert!(f.equal(&f.mul(&top, &top), &f.mul(&same, &same)));
            assert!(f.equal(&f.square(&top), &f.mul(&same, &same)));
            assert!(f.equal(&f.square(&f.neg(&f.one())), &f.one()));
        }
        check(&P256.field);
        check(&P384.field);
        // 19 limbs: the widest columns, within 2^64 only by the bound in the module comment.
        check(&p521().field);
        check(&p521().order);
    }

    #[test]
    fn constants_are_what_the_standards_say() {
        assert_eq!(P256.field.bits(), 256);
        assert_eq!(P256.order.bits(), 256);
        assert_eq!(P384.field.bits(), 384);
        assert_eq!(P384.order.bits(), 384);
        assert_eq!(p521().field.bits(), 521);
        assert_eq!(p521().order.bits(), 521);
        // p = 2^521 - 1 is -1 mod 2^29 too.
        assert_eq!(p521().field.neg_inv, 1);
        let mut ones = [LIMB_MASK; 19];
        (ones[17], ones[18]) = ((1 << 28) - 1, 0);
        assert_eq!(*p521().field.modulus(), ones);
        // p = 2^256 - 2^224 + 2^192 + 2^96 - 1 is 3 mod 4 and -1 mod 2^29: -p^-1 = 1.
        assert_eq!(P256.field.neg_inv, 1);
        assert_eq!(limbs_from_be::<9>(&[0xff; 33]), None);
        assert_eq!(limbs_from_be::<9>(&[1; 32]).map(|v| be(&v, 32)), Some(vec![1; 32]));
    }
}
