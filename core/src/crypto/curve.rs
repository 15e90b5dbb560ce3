//! Points on the short-Weierstrass curves y^2 = x^3 - 3x + b with prime order and cofactor 1
//! (P-256, P-384, P-521), and the one scalar operation ECDSA verification needs: u1*G + u2*Q.
//!
//! Points are in Jacobian coordinates (X/Z^2, Y/Z^3), with Z = 0 for the point at infinity;
//! the formulas are the Explicit-Formulas Database's dbl-2001-b (a = -3), madd-2007-bl and
//! add-2007-bl, with the cases they leave out (an input at infinity, P + P, P + -P) handled
//! first. The scalar multiplication is interleaved wNAF with tables of odd multiples of each
//! base point in affine form, so every addition in the main loop is a mixed one. Each scalar
//! is also split in `PARTS` pieces, each multiplying its own base (2^(k*bits/PARTS) times
//! the point), so the loop doubles only bits/PARTS times: the generator's tables are built
//! by the compiler for P-256 and P-384, the key's when the key is first used. P-521's
//! generator tables (9.7 KB, as many doublings as a key's) are built at the first P-521
//! signature check, by the same code as a key's: the module carries no table for a curve few
//! issuers use, and a key set that merely holds a P-521 key (checked to be on the curve when
//! it loads) does not pay for them, nor does a host whose own provider checks signatures. The point formulas are not inlined, to keep one copy of each per curve in the module.
//!
//! Not constant time: verification handles public data only.

use super::field::{self, Fe, Limbs, PrimeField};
use std::sync::OnceLock;

/// Pieces each scalar is split in (and doublings saved: (PARTS - 1) / PARTS of them).
pub const PARTS: usize = 8;
/// wNAF window for the generator: its tables are built once (at compile time but for P-521).
pub const G_WINDOW: u32 = 5;
/// Odd multiples per generator table: 1, 3, ..., 2^(w-1) - 1 times the base.
pub const G_TABLE_LEN: usize = 1 << (G_WINDOW - 2);
/// wNAF window for a public key: its tables are built at its first signature check.
pub const Q_WINDOW: u32 = 5;
/// Odd multiples per public key table.
pub const Q_TABLE_LEN: usize = 1 << (Q_WINDOW - 2);
/// Digits of one scalar piece: its bits and one more for the final carry.
const MAX_DIGITS: usize = MAX_SCALAR_BITS.div_ceil(PARTS) + 1;
const MAX_SCALAR_BITS: usize = 521;

/// A point by its affine coordinates, in Montgomery form (never infinity).
#[derive(Clone, Copy)]
pub struct Affine<const L: usize> {
    x: Fe<L>,
    y: Fe<L>,
}

/// A point in Jacobian coordinates (x/z^2, y/z^3), in Montgomery form; z = 0 is
/// infinity.
#[derive(Clone, Copy)]
pub struct Jacobian<const L: usize> {
    x: Fe<L>,
    y: Fe<L>,
    z: Fe<L>,
}

/// Odd multiples B, 3B, 5B, ... of the `PARTS` bases B = 2^(k * piece bits) * P of a point P.
pub type Tables<const L: usize, const N: usize> = [[Affine<L>; N]; PARTS];

/// A curve's domain parameters in big-endian bytes (SP 800-186), the length of the digest its
/// JWS algorithm signs, and the bases of the generator's pieces: `(x, y)` of
/// 2^(k * piece bits) * G for k in 0..PARTS, or G alone (the others are then computed by
/// doubling). For a curve built at compile time the bases are given, to spare the compiler
/// hundreds of doublings in const evaluation; a test checks them.
pub struct Params<'a> {
    /// The field's prime p.
    pub p: &'a [u8],
    /// The group order n.
    pub n: &'a [u8],
    /// The coefficient b of y^2 = x^3 - 3x + b.
    pub b: &'a [u8],
    /// Bytes of the digest the curve's JWS algorithm signs.
    pub digest_len: usize,
    /// The generator G, or the bases of its `PARTS` pieces (G first).
    pub generator_bases: &'a [(&'a [u8], &'a [u8])],
}

/// A short Weierstrass curve with a = -3 (the NIST prime curves), with its fields and
/// the generator's tables.
pub struct Curve<const L: usize> {
    /// The JWK `crv` name (`P-256`).
    pub name: &'static str,
    /// The coordinate field, modulo p.
    pub field: PrimeField<L>,
    /// The scalars, modulo the group order n.
    pub order: PrimeField<L>,
    /// Bytes of an encoded coordinate or scalar.
    pub byte_len: usize,
    /// Bytes of the digest the curve's JWS algorithm signs (RFC 7518 section 3.4): as long as
    /// the order for P-256 and P-384, SHA-512's 64 bytes for the 521-bit order of P-521.
    pub digest_len: usize,
    b: Fe<L>,
    generator: Affine<L>,
    generator_tables: GeneratorTables<L>,
    /// Bits per scalar piece.
    piece_bits: usize,
}

/// Where a curve's generator tables are.
enum GeneratorTables<const L: usize> {
    /// Not yet given: a curve being built, whose arithmetic builds its own tables.
    Missing,
    /// Built by the compiler.
    Built(&'static Tables<L, G_TABLE_LEN>),
    /// Built into the cell at the first signature check, from the curve's parameters.
    AtFirstUse(&'static OnceLock<Tables<L, G_TABLE_LEN>>, &'static Params<'static>),
}

impl<const L: usize> Curve<L> {
    /// The curve's arithmetic, without its generator tables (see [`Curve::with_tables`]);
    /// built at compile time for a `static` curve, where a panic is a build error (the
    /// parameters are fixed: tests run every check below).
    const fn arithmetic(name: &'static str, params: &Params<'_>) -> Curve<L> {
        let field = PrimeField::new(params.p);
        let order = PrimeField::new(params.n);
        let bits = order.bits();
        assert!(bits <= MAX_SCALAR_BITS);
        // x(R) mod n is x(R) or x(R) - n only if p < 2n (Hasse: p and n are close).
        assert!(field::less_than(field.modulus(), &field::add_limbs(order.modulus(), order.modulus())));
        // FIPS 186-5 section 6.4.2 takes the digest's leftmost bits(n) bits: a digest no longer
        // than the order is used whole, below 2^bits(n) < 2n as the Montgomery product needs.
        assert!(8 * params.digest_len <= bits);
        let b = to_montgomery_const(&field, params.b);
        let (gx, gy) = params.generator_bases[0];
        let generator = Affine { x: to_montgomery_const(&field, gx), y: to_montgomery_const(&field, gy) };
        let curve = Curve {
            name,
            field,
            order,
            byte_len: params.p.len(),
            digest_len: params.digest_len,
            b,
            generator,
            generator_tables: GeneratorTables::Missing,
            piece_bits: bits.div_ceil(PARTS),
        };
        assert!(curve.is_on_curve(&generator));
        curve
    }

    /// The curve with its generator tables.
    const fn with_tables(mut self, tables: GeneratorTables<L>) -> Curve<L> {
        self.generator_tables = tables;
        self
    }

    /// The generator's tables, from its parameters (the generator first, or the bases of its
    /// pieces, each checked to be on the curve).
    const fn build_generator_tables(&self, params: &Params<'_>) -> Tables<L, G_TABLE_LEN> {
        let curve = self;
        let generator = curve.generator;
        let tables = if params.generator_bases.len() == 1 {
            curve.tables::<G_TABLE_LEN>(&generator)
        } else {
            assert!(params.generator_bases.len() == PARTS);
            let mut bases = [curve.to_jacobian(&generator); PARTS];
            let mut k = 0;
            while k < PARTS {
                let (x, y) = params.generator_bases[k];
                let base = Affine { x: to_montgomery_const(&curve.field, x), y: to_montgomery_const(&curve.field, y) };
                assert!(curve.is_on_curve(&base));
                bases[k] = curve.to_jacobian(&base);
                k += 1;
            }
            curve.tables_of_bases::<G_TABLE_LEN>(&bases)
        };
        let Some(tables) = tables else { panic!("generator tables") };
        tables
    }

    /// Whether the generator's tables exist (P-521's only after a first signature check).
    pub fn has_generator_tables(&self) -> bool {
        match &self.generator_tables {
            GeneratorTables::Missing => false,
            GeneratorTables::Built(_) => true,
            GeneratorTables::AtFirstUse(cell, _) => cell.get().is_some(),
        }
    }

    /// The generator's tables, built now if this is their first use; `None` only for a curve
    /// still being built.
    fn generator_tables(&self) -> Option<&Tables<L, G_TABLE_LEN>> {
        match &self.generator_tables {
            GeneratorTables::Missing => None,
            GeneratorTables::Built(tables) => Some(tables),
            GeneratorTables::AtFirstUse(cell, params) => Some(cell.get_or_init(|| self.build_generator_tables(params))),
        }
    }

    /// The generator G.
    pub const fn generator(&self) -> Affine<L> {
        self.generator
    }

    /// y^2 == x^3 - 3x + b.
    pub const fn is_on_curve(&self, point: &Affine<L>) -> bool {
        let f = &self.field;
        let x3 = f.mul(&f.square(&point.x), &point.x);
        let three_x = f.add(&f.double(&point.x), &point.x);
        let rhs = f.add(&f.sub(&x3, &three_x), &self.b);
        f.equal(&f.square(&point.y), &rhs)
    }

    /// A public key from its big-endian coordinates: each below p, the point on the curve.
    /// (It cannot be infinity, which has no affine coordinates; every point on the curve has
    /// order n since the cofactor is 1.)
    pub fn affine_from_be(&self, x: &[u8], y: &[u8]) -> Option<Affine<L>> {
        let point = Affine { x: self.coordinate_from_be(x)?, y: self.coordinate_from_be(y)? };
        self.is_on_curve(&point).then_some(point)
    }

    /// A big-endian coordinate below p, in Montgomery form.
    fn coordinate_from_be(&self, be: &[u8]) -> Option<Fe<L>> {
        let value = field::limbs_from_be::<L>(be)?;
        field::less_than(&value, self.field.modulus()).then(|| self.field.to_montgomery(&value))
    }

    /// The point at infinity.
    pub const fn infinity(&self) -> Jacobian<L> {
        Jacobian { x: self.field.one(), y: self.field.one(), z: self.field.zero() }
    }

    /// Whether `p` is the point at infinity.
    pub const fn is_infinity(&self, p: &Jacobian<L>) -> bool {
        self.field.is_zero(&p.z)
    }

    const fn to_jacobian(&self, p: &Affine<L>) -> Jacobian<L> {
        Jacobian { x: p.x, y: p.y, z: self.field.one() }
    }

    /// 2P (dbl-2001-b, a = -3: 3M + 5S). Infinity doubles to infinity (Z3 = 2*Y1*Z1).
    #[inline(never)]
    pub const fn double(&self, p: &Jacobian<L>) -> Jacobian<L> {
        let f = &self.field;
        let delta = f.square(&p.z);
        let gamma = f.square(&p.y);
        let beta = f.mul(&p.x, &gamma);
        let t = f.mul(&f.sub(&p.x, &delta), &f.add(&p.x, &delta));
        let alpha = f.add(&f.double(&t), &t);
        let four_beta = f.double(&f.double(&beta));
        let x3 = f.sub(&f.square(&alpha), &f.double(&four_beta));
        let z3 = f.sub(&f.sub(&f.square(&f.add(&p.y, &p.z)), &gamma), &delta);
        let gamma_sq = f.square(&gamma);
        let eight_gamma_sq = f.double(&f.double(&f.double(&gamma_sq)));
        let y3 = f.sub(&f.mul(&alpha, &f.sub(&four_beta, &x3)), &eight_gamma_sq);
        Jacobian { x: x3, y: y3, z: z3 }
    }

    /// P + Q for an affine Q (madd-2007-bl: 7M + 4S), every case.
    #[inline(never)]
    pub const fn add_affine(&self, p: &Jacobian<L>, q: &Affine<L>) -> Jacobian<L> {
        let f = &self.field;
        if f.is_zero(&p.z) {
            return self.to_jacobian(q);
        }
        let z1z1 = f.square(&p.z);
        let u2 = f.mul(&q.x, &z1z1);
        let s2 = f.mul(&q.y, &f.mul(&p.z, &z1z1));
        let h = f.sub(&u2, &p.x);
        let s2_minus_y1 = f.sub(&s2, &p.y);
        if f.is_zero(&h) {
            // Same x: the same point (double it) or its negation (the sum is infinity).
            return if f.is_zero(&s2_minus_y1) { self.double(p) } else { self.infinity() };
        }
        let hh = f.square(&h);
        let i = f.double(&f.double(&hh));
        let j = f.mul(&h, &i);
        let r = f.double(&s2_minus_y1);
        let v = f.mul(&p.x, &i);
        let x3 = f.sub(&f.sub(&f.square(&r), &j), &f.double(&v));
        let y3 = f.sub(&f.mul(&r, &f.sub(&v, &x3)), &f.double(&f.mul(&p.y, &j)));
        let z3 = f.sub(&f.sub(&f.square(&f.add(&p.z, &h)), &z1z1), &hh);
        Jacobian { x: x3, y: y3, z: z3 }
    }

    /// P + Q, both Jacobian (add-2007-bl: 11M + 5S), every case. Only for building tables.
    #[inline(never)]
    pub const fn add(&self, p: &Jacobian<L>, q: &Jacobian<L>) -> Jacobian<L> {
        let f = &self.field;
        if f.is_zero(&p.z) {
            return *q;
        }
        if f.is_zero(&q.z) {
            return *p;
        }
        let z1z1 = f.square(&p.z);
        let z2z2 = f.square(&q.z);
        let u1 = f.mul(&p.x, &z2z2);
        let u2 = f.mul(&q.x, &z1z1);
        let s1 = f.mul(&p.y, &f.mul(&q.z, &z2z2));
        let s2 = f.mul(&q.y, &f.mul(&p.z, &z1z1));
        let h = f.sub(&u2, &u1);
        let s2_minus_s1 = f.sub(&s2, &s1);
        if f.is_zero(&h) {
            return if f.is_zero(&s2_minus_s1) { self.double(p) } else { self.infinity() };
        }
        let i = f.square(&f.double(&h));
        let j = f.mul(&h, &i);
        let r = f.double(&s2_minus_s1);
        let v = f.mul(&u1, &i);
        let x3 = f.sub(&f.sub(&f.square(&r), &j), &f.double(&v));
        let y3 = f.sub(&f.mul(&r, &f.sub(&v, &x3)), &f.double(&f.mul(&s1, &j)));
        let z_sum_sq = f.square(&f.add(&p.z, &q.z));
        let z3 = f.mul(&f.sub(&f.sub(&z_sum_sq, &z1z1), &z2z2), &h);
        Jacobian { x: x3, y: y3, z: z3 }
    }

    /// Affine coordinates of rows of points none of which is infinity (else `None`), with one
    /// inversion for all of them (Montgomery's trick).
    pub const fn to_affine_all<const N: usize, const ROWS: usize>(
        &self,
        points: &[[Jacobian<L>; N]; ROWS],
    ) -> Option<[[Affine<L>; N]; ROWS]> {
        let f = &self.field;
        // prefix[i] = z_0 * ... * z_i, counting through the rows.
        let mut prefix = [[f.one(); N]; ROWS];
        let mut acc = f.one();
        let mut i = 0;
        while i < N * ROWS {
            let z = &points[i / N][i % N].z;
            if f.is_zero(z) {
                return None;
            }
            acc = f.mul(&acc, z);
            prefix[i / N][i % N] = acc;
            i += 1;
        }
        // inverse = (z_0 * ... * z_i)^-1, walking down.
        let mut inverse = f.invert(&acc);
        let mut out = [[self.generator; N]; ROWS];
        while i > 0 {
            i -= 1;
            let point = &points[i / N][i % N];
            let z_inv = if i == 0 { inverse } else { f.mul(&inverse, &prefix[(i - 1) / N][(i - 1) % N]) };
            inverse = f.mul(&inverse, &point.z);
            let z_inv2 = f.square(&z_inv);
            out[i / N][i % N] = Affine { x: f.mul(&point.x, &z_inv2), y: f.mul(&point.y, &f.mul(&z_inv2, &z_inv)) };
        }
        Some(out)
    }

    /// The tables the scalar multiplication uses for a point P (a public key): its piece
    /// bases 2^(k * piece bits) * P by doubling, then their odd multiples.
    pub const fn tables<const N: usize>(&self, p: &Affine<L>) -> Option<Tables<L, N>> {
        let mut bases = [self.to_jacobian(p); PARTS];
        let mut k = 1;
        while k < PARTS {
            bases[k] = bases[k - 1];
            let mut d = 0;
            while d < self.piece_bits {
                bases[k] = self.double(&bases[k]);
                d += 1;
            }
            k += 1;
        }
        self.tables_of_bases(&bases)
    }

    /// B, 3B, 5B, ... (2N - 1)B for each base B, in affine form; `None` if one is infinity
    /// (only for a point not on the curve: on it, every point has order n).
    #[inline(never)]
    const fn tables_of_bases<const N: usize>(&self, bases: &[Jacobian<L>; PARTS]) -> Option<Tables<L, N>> {
        let mut multiples = [[bases[0]; N]; PARTS];
        let mut k = 0;
        while k < PARTS {
            let twice = self.double(&bases[k]);
            multiples[k][0] = bases[k];
            let mut i = 1;
            while i < N {
                multiples[k][i] = self.add(&multiples[k][i - 1], &twice);
                i += 1;
            }
            k += 1;
        }
        self.to_affine_all(&multiples)
    }

    /// u1*G + u2*Q for scalars below 2^bits(n), Q given by its tables. (`None` cannot happen:
    /// the digits and table indexes are bounded by construction; it is checked rather than
    /// trusted.)
    pub fn mul_add_generator(&self, u1: &Limbs<L>, u2: &Limbs<L>, q: &Tables<L, Q_TABLE_LEN>) -> Option<Jacobian<L>> {
        let mut g_digits = [[0i8; MAX_DIGITS]; PARTS];
        let mut q_digits = [[0i8; MAX_DIGITS]; PARTS];
        for k in 0..PARTS {
            wnaf(u1, k * self.piece_bits, self.piece_bits, G_WINDOW, &mut g_digits[k]);
            wnaf(u2, k * self.piece_bits, self.piece_bits, Q_WINDOW, &mut q_digits[k]);
        }
        let generator_tables = self.generator_tables()?;
        let mut acc = self.infinity();
        let mut started = false;
        for i in (0..=self.piece_bits).rev() {
            if started {
                acc = self.double(&acc);
            }
            for k in 0..PARTS {
                for (digits, table) in [(&g_digits[k], &generator_tables[k][..]), (&q_digits[k], &q[k][..])] {
                    let digit = *digits.get(i)?;
                    if digit != 0 {
                        acc = self.add_affine(&acc, &self.table_entry(table, digit)?);
                        started = true;
                    }
                }
            }
        }
        Some(acc)
    }

    /// digit * B for an odd digit from `table` = [B, 3B, 5B, ...]. wnaf() bounds |digit|
    /// below 2^(window-1), so the index is below the table length.
    fn table_entry(&self, table: &[Affine<L>], digit: i8) -> Option<Affine<L>> {
        let entry = *table.get(usize::from(digit.unsigned_abs() >> 1))?;
        Some(if digit < 0 { Affine { x: entry.x, y: self.field.neg(&entry.y) } } else { entry })
    }

    /// Whether x(P) mod n == r, for r in [1, n): without leaving Jacobian coordinates, x(P) =
    /// X / Z^2 equals r or, when r + n < p, r + n (x(P) < p < 2n).
    pub fn x_mod_order_is(&self, point: &Jacobian<L>, r: &Limbs<L>) -> bool {
        let f = &self.field;
        if self.is_infinity(point) {
            return false;
        }
        let z2 = f.square(&point.z);
        let matches = |candidate: &Limbs<L>| f.equal(&point.x, &f.mul(&f.to_montgomery(candidate), &z2));
        if matches(r) {
            return true;
        }
        let r_plus_n = field::add_limbs(r, self.order.modulus());
        field::less_than(&r_plus_n, f.modulus()) && matches(&r_plus_n)
    }

    /// The affine coordinates of `point`, big-endian, `None` for infinity (tests and the
    /// differential fuzz target compare points with other implementations through it).
    pub fn affine_to_be<const N: usize>(&self, point: &Jacobian<L>) -> Option<([u8; N], [u8; N])> {
        let [[affine]] = self.to_affine_all(&[[*point]])?;
        let f = &self.field;
        Some((field::limbs_to_be(&f.to_integer(&affine.x)), field::limbs_to_be(&f.to_integer(&affine.y))))
    }
}

const fn to_montgomery_const<const L: usize>(field: &PrimeField<L>, be: &[u8]) -> Fe<L> {
    let Some(value) = field::limbs_from_be::<L>(be) else { panic!("constant too wide") };
    assert!(field::less_than(&value, field.modulus()));
    field.to_montgomery(&value)
}

/// The width-`window` non-adjacent form of bits [start, start + len) of `scalar`: digits odd
/// in (-2^(window-1), 2^(window-1)) or zero, each nonzero digit followed by at least
/// `window - 1` zeros, summing (digit i times 2^i) to those bits' value; `digits[len]` takes
/// the final carry. The same recoding as libsecp256k1's `ecmult_wnaf`.
#[inline(never)]
fn wnaf<const L: usize>(scalar: &Limbs<L>, start: usize, len: usize, window: u32, digits: &mut [i8; MAX_DIGITS]) {
    let window = window as usize;
    let mut carry = 0u32;
    let mut bit = 0;
    while bit < len {
        if field::bits_at(scalar, start + bit, 1) == carry {
            bit += 1;
            continue;
        }
        let now = window.min(len - bit);
        // Odd: the bit at `bit` differs from the carry.
        let mut word = field::bits_at(scalar, start + bit, now) as i32 + carry as i32;
        carry = ((word >> (window - 1)) & 1) as u32;
        word -= (carry as i32) << window;
        if let Some(slot) = digits.get_mut(bit) {
            *slot = word as i8;
        }
        bit += now;
    }
    if let Some(slot) = digits.get_mut(len) {
        *slot = carry as i8;
    }
}

/// P-256 (SP 800-186 section 3.2.1.3), built at compile time.
pub static P256: Curve<9> = Curve::arithmetic("P-256", &P256_PARAMS).with_tables(GeneratorTables::Built(&P256_TABLES));
static P256_TABLES: Tables<9, G_TABLE_LEN> =
    Curve::arithmetic("P-256", &P256_PARAMS).build_generator_tables(&P256_PARAMS);
const P256_PARAMS: Params<'static> = Params {
    p: &hex::<32>("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff"),
    n: &hex::<32>("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"),
    b: &hex::<32>("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b"),
    digest_len: 32,
    generator_bases: &[
        (
            &hex::<32>("6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296"),
            &hex::<32>("4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5"),
        ),
        (
            &hex::<32>("7fe36b40af22af8921656b32262c71da1ab919365c65dfb63a5a9e22185a5943"),
            &hex::<32>("e697d45825b636249f09f40407dca6f174b3d5867b8af212d50d152c699ca101"),
        ),
        (
            &hex::<32>("0fa822bc2811aaa58492592e326e25de29493baaad651f7e90e75cb48e14db63"),
            &hex::<32>("bff44ae8f5dba80d6f4ad4bcb3df188b34b1a65050fe82f5e41124545f462ee7"),
        ),
        (
            &hex::<32>("4a5b506612a677a657880b3a18a2e902e9a521b074ca0141a84aa9397512218e"),
            &hex::<32>("eb13461ceac089f1c42604fbe1627d40626db15419e26d9d0beada7a4c4f3840"),
        ),
        (
            &hex::<32>("447d739beedb5e67fb982fd588c6766efc35ff7dc297eac357c84fc9d789bd85"),
            &hex::<32>("2d4825ab834131eee12e9d953a4aaff73d349b95a7fae5000c7e33c972e25b32"),
        ),
        (
            &hex::<32>("8a535f566ec73617f5622df4373713269e4c35874afdf43aaee9c75df7f82f2a"),
            &hex::<32>("0455c08468b08bd737e02819085a92bfcde533864c8c7669c5f9a0ac223094b7"),
        ),
        (
            &hex::<32>("a6d39677a78492762736ff8344315fc596439591a3c6b94a6cf20ffb313728be"),
            &hex::<32>("674f84749b0b881666b8babd2d27ecdf824a920c2284059bf2bab833c357f5f4"),
        ),
        (
            &hex::<32>("68f6b8542783dfeeeb5b06e70ce08ffefd75f3fa01876bd86a703f10e895df07"),
            &hex::<32>("cbe1feba92e40ce6fbc8044dfda45028cf5293d2f310bf7f90c76f8a78712655"),
        ),
    ],
};

/// P-384 (SP 800-186 section 3.2.1.4), built at compile time.
pub static P384: Curve<14> = Curve::arithmetic("P-384", &P384_PARAMS).with_tables(GeneratorTables::Built(&P384_TABLES));
static P384_TABLES: Tables<14, G_TABLE_LEN> =
    Curve::arithmetic("P-384", &P384_PARAMS).build_generator_tables(&P384_PARAMS);
const P384_PARAMS: Params<'static> = Params {
    p: &hex::<48>("fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff"),
    n: &hex::<48>("ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973"),
    b: &hex::<48>("b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef"),
    digest_len: 48,
    generator_bases: &[
        (
            &hex::<48>(
                "aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7",
            ),
            &hex::<48>(
                "3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f",
            ),
        ),
        (
            &hex::<48>(
                "f19c3f9b433eb6a3804100caa7f6297ecbd8aa258512e48ab6971da1cc7fdedf3917d3a0900807059112e340f47168ac",
            ),
            &hex::<48>(
                "ae61a171f610090c4a1e9b515d38904565d24d485a620149af40b68bee4928be1b7078cb39d2cf6c45e0b1762d8b523f",
            ),
        ),
        (
            &hex::<48>(
                "f532389a060cbd1bd6e98b0d37ca7abc4360390918141b1a4b58808b3f8686a92c3e0c91558717db39c1b328d8ee21c9",
            ),
            &hex::<48>(
                "b9d2852cc3b38e696f04caa2de3a82babd22cfb2a2124163bc40ce5abe64360331ea31b1085a4e9a7a7e183923d86ecd",
            ),
        ),
        (
            &hex::<48>(
                "4e5a9dfe6ac2c3ef049f9294aaf0c000d214b583badc49fb712e1253ee0d124b89bba01d262810506f5e0f5d2805e596",
            ),
            &hex::<48>(
                "526f1b07f6acf1717bdd7fa6306b571281a2b6587a5e5a25b5a0603d0051e0574b8f321bced6e714965622c691013e25",
            ),
        ),
        (
            &hex::<48>(
                "c19e0b4c800119c440f7f9e706421279b42a31af8a3e297ddb2987894d10ddeaba065458a4f52d78a628b09aaa03bd53",
            ),
            &hex::<48>(
                "16f3fdbf0356b301e5a0191d1f5b77f6577a30eae3567af9c1c7cad135f6ebf2af68aa6de639d858822d0fc5e6c88c41",
            ),
        ),
        (
            &hex::<48>(
                "c6b405288edffa7fdbc082aba71bfebcf03811a5455c1c820f54907fa76f70c9464a92d055db2392b3de52c7a213e83b",
            ),
            &hex::<48>(
                "5c88fb72c6c4eafbb78ca0ff03519fa164acc0d1640707c9888e190753eec12112b29e9a4c00333ac07bb07de3636016",
            ),
        ),
        (
            &hex::<48>(
                "b2d1055817cbaa12211905035f4972d7097da395a23096863d8b29dbd08848c2f33a450ad156f761e4bfc2c04905ca71",
            ),
            &hex::<48>(
                "354cd872c3c6cbd2237c0dba3cfd056bf82be8f52e6236c09b475d744ecf1a68e87ab07c6924666fddcebb55753ee324",
            ),
        ),
        (
            &hex::<48>(
                "f23c10b4637ee9430231423bc46da385aee309abd12c0f3a8a1646fe51a3599f6e668ac4932b516d35b2e4383f385d2b",
            ),
            &hex::<48>(
                "c425de168de7ac781e8c72ad267bb3fdee94bf701f2d8179af084771daad7d1d9ed447e3d45f6553c0bc215d22248e00",
            ),
        ),
    ],
};

/// P-521 (SP 800-186 section 3.2.1.5; p = 2^521 - 1), its arithmetic built at compile time,
/// its generator tables at the first signature check: see the module comment.
pub fn p521() -> &'static Curve<19> {
    &P521
}

static P521: Curve<19> =
    Curve::arithmetic("P-521", &P521_PARAMS).with_tables(GeneratorTables::AtFirstUse(&P521_TABLES, &P521_PARAMS));
static P521_TABLES: OnceLock<Tables<19, G_TABLE_LEN>> = OnceLock::new();

const P521_PARAMS: Params<'static> = Params {
    p: &hex::<66>(concat!(
        "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    )),
    n: &hex::<66>(concat!(
        "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
        "fa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409",
    )),
    b: &hex::<66>(concat!(
        "0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109",
        "e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00",
    )),
    digest_len: 64,
    generator_bases: &[(
        &hex::<66>(concat!(
            "00c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3d",
            "baa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66",
        )),
        &hex::<66>(concat!(
            "011839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e66",
            "2c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650",
        )),
    )],
};

/// Hex to bytes at compile time.
const fn hex<const N: usize>(s: &str) -> [u8; N] {
    const fn nibble(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => panic!("not lowercase hex"),
        }
    }
    let s = s.as_bytes();
    assert!(s.len() == 2 * N);
    let mut out = [0u8; N];
    let mut i = 0;
    while i < N {
        out[i] = (nibble(s[2 * i]) << 4) | nibble(s[2 * i + 1]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::bigint::Modulus;
    use crate::crypto::field::{limbs_from_be, limbs_to_be, small, sub_limbs};

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    fn scalar<const L: usize>(hex: &str) -> Limbs<L> {
        limbs_from_be::<L>(&unhex(&format!("{hex:0>132}"))).unwrap()
    }

    fn generator_tables<const L: usize>(curve: &Curve<L>) -> Tables<L, Q_TABLE_LEN> {
        curve.tables(&curve.generator()).unwrap()
    }

    /// u1*G + u2*Q with Q = G, in big-endian affine coordinates (`None` for infinity).
    fn combination<const L: usize, const N: usize>(
        curve: &Curve<L>,
        u1: &Limbs<L>,
        u2: &Limbs<L>,
    ) -> Option<([u8; N], [u8; N])> {
        let point = curve.mul_add_generator(u1, u2, &generator_tables(curve)).unwrap();
        if curve.is_infinity(&point) { None } else { curve.affine_to_be(&point) }
    }

    /// k*G from Node's crypto (ECDH public key of private key k), through every path: the
    /// generator's tables, a key's tables, and split between both.
    fn known_multiples<const L: usize, const N: usize>(curve: &Curve<L>, vectors: &[(&str, &str, &str)]) {
        for &(k, x, y) in vectors {
            let k = scalar::<L>(k);
            let want = Some((unhex(x).try_into().unwrap(), unhex(y).try_into().unwrap()));
            let zero = small(0);
            assert!(combination::<L, N>(curve, &k, &zero) == want, "k*G");
            assert!(combination::<L, N>(curve, &zero, &k) == want, "k*Q");
            let (k_minus_one, _) = sub_limbs(&k, &small(1));
            assert!(combination::<L, N>(curve, &k_minus_one, &small(1)) == want, "(k-1)*G + Q");
            assert!(combination::<L, N>(curve, &small(1), &k_minus_one) == want, "G + (k-1)*Q");
        }
    }

    #[test]
    fn p256_known_multiples() {
        known_multiples::<9, 32>(
            &P256,
            &[
                (
                    "2",
                    "7cf27b188d034f7e8a52380304b51ac3c08969e277f21b35a60b48fc47669978",
                    "07775510db8ed040293d9ac69f7430dbba7dade63ce982299e04b79d227873d1",
                ),
                (
                    "3",
                    "5ecbe4d1a6330a44c8f7ef951d4bf165e6c6b721efada985fb41661bc6e7fd6c",
                    "8734640c4998ff7e374b06ce1a64a2ecd82ab036384fb83d9a79b127a27d5032",
                ),
                (
                    "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550",
                    "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
                    "b01cbd1c01e58065711814b583f061e9d431cca994cea1313449bf97c840ae0a",
                ),
                (
                    "1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d07",
                    "affd7da542ce763fd470312dfcdfc6547d75190288aef0cb770e687b3045c17d",
                    "cc015a328c97ab326f5cf019b05c3ac25564633a9fbfded415f345ab9959882c",
                ),
                (
                    "100000000000000000000000000000001",
                    "ef9519328a9c72ffddc6068bb91dfc60ef7fbd2b1a0a11b713949c932a1d367f",
                    "611e9fc37dbb2c9bc1ee9807022c219c23183b0895ca1740196035a77376d8a8",
                ),
            ],
        );
    }

    #[test]
    fn p384_known_multiples() {
        known_multiples::<14, 48>(
            &P384,
            &[
                (
                    "2",
                    "08d999057ba3d2d969260045c55b97f089025959a6f434d651d207d19fb96e9e4fe0e86ebe0e64f85b96a9c75295df61",
                    "8e80f1fa5b1b3cedb7bfe8dffd6dba74b275d875bc6cc43e904e505f256ab4255ffd43e94d39e22d61501e700a940e80",
                ),
                (
                    "3",
                    "077a41d4606ffa1464793c7e5fdc7d98cb9d3910202dcd06bea4f240d3566da6b408bbae5026580d02d7e5c70500c831",
                    "c995f7ca0b0c42837d0bbe9602a9fc998520b41c85115aa5f7684c0edc111eacc24abd6be4b5d298b65f28600a2f1df1",
                ),
                (
                    "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52972",
                    "aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7",
                    "c9e821b569d9d390a26167406d6d23d6070be242d765eb831625ceec4a0f473ef59f4e30e2817e6285bce2846f15f1a0",
                ),
                (
                    "1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d07",
                    "d98bdf3c9ee9f4fe4eb3ffd018bd9d3cb816edc4eb9fb1ebf6f12cae5d00905c661613255a6cab65b722060eb7820881",
                    "670a70b86f2bca07d807c41ae44f84c52a567d20e8eafe5759ace53e08ca4cd849356295576c548445db55358bfd404c",
                ),
                (
                    "1000000000000000000000000000000000000000000000001",
                    "aab8bb9f0fdc3088567a6233cd6ce3a39bb183b270b375ddd37de424b860fae69097dbb1c6cb001730991560aa133909",
                    "48942f81314f6d28f0af01d1282050b5f6005fc815eb04ac6d955bb3c9747bf3ebdf73f2d62faa4416c5b981600ad5a6",
                ),
            ],
        );
    }

    #[test]
    fn p521_known_multiples() {
        known_multiples::<19, 66>(
            p521(),
            &[
                (
                    "2",
                    "00433c219024277e7e682fcb288148c282747403279b1ccc06352c6e5505d769be97b3b204da6ef55507aa104a3a35c5af41cf2fa364d60fd967f43e3933ba6d783d",
                    "00f4bb8cc7f86db26700a7f3eceeeed3f0b5c6b5107c4da97740ab21a29906c42dbbb3e377de9f251f6b93937fa99a3248f4eafcbe95edc0f4f71be356d661f41b02",
                ),
                (
                    "3",
                    "01a73d352443de29195dd91d6a64b5959479b52a6e5b123d9ab9e5ad7a112d7a8dd1ad3f164a3a4832051da6bd16b59fe21baeb490862c32ea05a5919d2ede37ad7d",
                    "013e9b03b97dfa62ddd9979f86c6cab814f2f1557fa82a9d0317d2f8ab1fa355ceec2e2dd4cf8dc575b02d5aced1dec3c70cf105c9bc93a590425f588ca1ee86c0e5",
                ),
                (
                    "1fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386408",
                    "00c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3dbaa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66",
                    "00e7c6d6958765c43ffba375a04bd382e426670abbb6a864bb97e85042e8d8c199d368118d66a10bd9bf3aaf46fec052f89ecac38f795d8d3dbf77416b89602e99af",
                ),
                (
                    "1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d07",
                    "003ea8cd3ee30a49b45be9d93dcb3992c7cd7477eea9d95d48815754dda8a9f328658c422619cda098da5949c1e28b8941bf16d38635d8d0e1c43b4b460efe334283",
                    "000c3f0fb2935204a38291d7fb0acf3abdff99d62468abf2d4c574b1eff7a2d4354229021babfd35e55477ce70a022befc7659515d3bc8def0cc7fdf2cec007ad18b",
                ),
                (
                    "1000000000000000000000000000000000000000000000000000000000000000001",
                    "011119315060c480332e42b0b0e4103ff824b2ec5433d31ea3f8dfbcba662615f02015e0e6bc95b259b5b4dc0007f75ed0f40dbb603e896191c1de34d04fe6a3ace5",
                    "01f16dc2e8b068c60cf7e3c72479422476e23aa734f2f0a4028bc43805b9b44215e7b7f2656ee6af1c234a52bddc41e9328e80b678cf71f3f73b9997ea28045452f1",
                ),
            ],
        );
    }

    /// n*G, (n-1)*G + G and G + (n-1)*G are infinity; 0*G + 0*Q too; 1*G + 0*Q is G.
    fn order_and_zero<const L: usize, const N: usize>(curve: &Curve<L>) {
        let n = *curve.order.modulus();
        let (n_minus_one, _) = sub_limbs(&n, &small(1));
        let (zero, one) = (small(0), small(1));
        assert!(combination::<L, N>(curve, &n, &zero).is_none());
        assert!(combination::<L, N>(curve, &zero, &n).is_none());
        assert!(combination::<L, N>(curve, &n_minus_one, &one).is_none());
        assert!(combination::<L, N>(curve, &one, &n_minus_one).is_none());
        assert!(combination::<L, N>(curve, &zero, &zero).is_none());
        let g = curve.generator();
        let f = &curve.field;
        let want = (limbs_to_be::<L, N>(&f.to_integer(&g.x)), limbs_to_be::<L, N>(&f.to_integer(&g.y)));
        assert!(combination::<L, N>(curve, &one, &zero) == Some(want));
        assert!(curve.is_on_curve(&g));
    }

    #[test]
    fn order_times_generator_is_infinity() {
        order_and_zero::<9, 32>(&P256);
        order_and_zero::<14, 48>(&P384);
        order_and_zero::<19, 66>(p521());
    }

    /// The cases the addition formulas leave out: P + P, P + -P, infinity + P.
    fn addition_special_cases<const L: usize, const N: usize>(curve: &Curve<L>) {
        let f = &curve.field;
        let g = curve.generator();
        let minus_g = Affine { x: g.x, y: f.neg(&g.y) };
        let jg = curve.to_jacobian(&g);
        // A Jacobian G with Z != 1, as in the main loop.
        let z = f.to_montgomery(&small(12345));
        let (z2, z3) = (f.square(&z), f.mul(&f.square(&z), &z));
        let scaled_g = Jacobian { x: f.mul(&g.x, &z2), y: f.mul(&g.y, &z3), z };
        let doubled = curve.affine_to_be::<N>(&curve.double(&jg));
        for p in [jg, scaled_g] {
            assert!(curve.affine_to_be::<N>(&curve.add_affine(&p, &g)) == doubled, "P + P in madd");
            assert!(curve.affine_to_be::<N>(&curve.add(&p, &jg)) == doubled, "P + P in add");
            assert!(curve.is_infinity(&curve.add_affine(&p, &minus_g)), "P + -P in madd");
            assert!(curve.is_infinity(&curve.add(&p, &curve.to_jacobian(&minus_g))), "P + -P in add");
            assert!(curve.is_infinity(&curve.double(&curve.add_affine(&p, &minus_g))));
        }
        let inf = curve.infinity();
        assert!(curve.affine_to_be::<N>(&curve.add_affine(&inf, &g)) == curve.affine_to_be::<N>(&jg));
        assert!(curve.affine_to_be::<N>(&curve.add(&inf, &scaled_g)) == curve.affine_to_be::<N>(&jg));
        assert!(curve.affine_to_be::<N>(&curve.add(&scaled_g, &inf)) == curve.affine_to_be::<N>(&jg));
        assert!(curve.is_infinity(&curve.double(&inf)));
        assert!(curve.to_affine_all(&[[jg], [inf]]).is_none());
        // Q = -G: u*G + u*Q is infinity, through the main loop.
        let minus_g_tables = curve.tables(&minus_g).unwrap();
        let u = scalar::<L>("1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d07");
        assert!(curve.is_infinity(&curve.mul_add_generator(&u, &u, &minus_g_tables).unwrap()));
        // Q = G: u*G + u*G is (2u)*G.
        let two_u = field::add_limbs(&u, &u);
        let via_sum = curve.mul_add_generator(&u, &u, &generator_tables(curve)).unwrap();
        assert!(curve.affine_to_be::<N>(&via_sum) == combination::<L, N>(curve, &two_u, &small(0)));
    }

    /// The given piece bases are 2^(k * piece bits) * G: the generator's tables equal the
    /// tables computed from G alone by doubling, as for a public key.
    fn generator_bases_are_doublings<const L: usize>(curve: &Curve<L>) {
        let computed = curve.tables::<G_TABLE_LEN>(&curve.generator()).unwrap();
        let f = &curve.field;
        for (given, computed) in curve.generator_tables().unwrap().iter().zip(&computed) {
            for (a, b) in given.iter().zip(computed) {
                assert!(f.equal(&a.x, &b.x) && f.equal(&a.y, &b.y));
            }
        }
    }

    #[test]
    fn generator_bases_are_powers_of_two_times_g() {
        generator_bases_are_doublings(&P256);
        generator_bases_are_doublings(&P384);
    }

    #[test]
    fn addition_handles_doubling_and_inverses() {
        addition_special_cases::<9, 32>(&P256);
        addition_special_cases::<14, 48>(&P384);
        addition_special_cases::<19, 66>(p521());
    }

    #[test]
    fn wnaf_digits_sum_to_the_scalar_and_are_sparse() {
        let mut rng = crate::crypto::field::tests::TestRng(7);
        let mut scalars: Vec<Limbs<19>> = vec![small(0), small(1), [(1 << 29) - 1; 19]];
        for _ in 0..200 {
            let mut bytes = rng.bytes(66);
            bytes[0] &= 1; // 521 bits
            scalars.push(limbs_from_be::<19>(&bytes).unwrap());
        }
        for s in &scalars {
            for window in [2u32, 4, G_WINDOW, Q_WINDOW, 7] {
                let longest = MAX_DIGITS - 1;
                for (start, len) in [(0, 32), (224, 32), (0, longest), (521 - longest, longest), (100, longest - 5)] {
                    let mut digits = [0i8; MAX_DIGITS];
                    wnaf(s, start, len, window, &mut digits);
                    let mut last_nonzero: Option<usize> = None;
                    let mut carry = 0i32;
                    for (i, &d) in digits.iter().enumerate() {
                        if d != 0 {
                            assert!(i <= len);
                            assert!(d % 2 != 0 && (d.unsigned_abs() as u32) < 1 << (window - 1));
                            assert!(last_nonzero.is_none_or(|j| i - j >= window as usize));
                            last_nonzero = Some(i);
                        }
                        // sum(d_i 2^i) equals the bits: compare bit by bit with a signed carry.
                        let total = d as i32 + carry;
                        let bit = if i < len { field::bits_at(s, start + i, 1) as i32 } else { 0 };
                        assert_eq!(total.rem_euclid(2), bit, "window {window} bit {i}");
                        carry = (total - bit) / 2;
                    }
                    assert_eq!(carry, 0);
                }
            }
        }
    }

    /// x(R) mod n == r also when x(R) = r + n, which needs x(R) >= n: a point with x = n + k.
    /// The first point (x, y) with x = start + k for k = 1, 2, ...: y from a square root,
    /// a^((p+1)/4) since p is 3 mod 4 for both curves (with the RSA code's exponentiation).
    fn point_with_x_above<const L: usize, const N: usize>(curve: &Curve<L>, start: &Limbs<L>) -> (Affine<L>, u32) {
        let f = &curve.field;
        let reference = Modulus::new(&limbs_to_be::<L, N>(f.modulus())).unwrap();
        let p_plus_one = field::add_limbs(f.modulus(), &small(1));
        let mut quarter = [0u32; L];
        for bit in 0..N * 8 {
            if field::bits_at(&p_plus_one, bit + 2, 1) == 1 {
                quarter[bit / 29] |= 1 << (bit % 29);
            }
        }
        let quarter_be = limbs_to_be::<L, N>(&quarter);
        let mut k = 1u32;
        loop {
            let xm = f.to_montgomery(&field::add_limbs(start, &small(k)));
            let three_x = f.add(&f.double(&xm), &xm);
            let rhs = f.add(&f.sub(&f.mul(&f.square(&xm), &xm), &three_x), &curve.b);
            let root = reference.pow_be(&limbs_to_be::<L, N>(&f.to_integer(&rhs)), &quarter_be).unwrap();
            let candidate = Affine { x: xm, y: f.to_montgomery(&limbs_from_be::<L>(&root).unwrap()) };
            if curve.is_on_curve(&candidate) {
                return (candidate, k);
            }
            k += 1;
        }
    }

    /// x(R) mod n == r also when x(R) = r + n, which needs x(R) >= n: a point with x = n + k.
    fn x_above_order<const L: usize, const N: usize>(curve: &Curve<L>) {
        let f = &curve.field;
        let (point, k) = point_with_x_above::<L, N>(curve, curve.order.modulus());
        let z = f.to_montgomery(&small(777));
        let (z2, z3) = (f.square(&z), f.mul(&f.square(&z), &z));
        let jacobian = Jacobian { x: f.mul(&point.x, &z2), y: f.mul(&point.y, &z3), z };
        assert!(curve.x_mod_order_is(&jacobian, &small(k)), "x = n + k matches r = k");
        assert!(!curve.x_mod_order_is(&jacobian, &small(k + 1)));
        let x = field::add_limbs(curve.order.modulus(), &small(k));
        assert!(!field::less_than(&x, curve.order.modulus()));
        // And a point with a small x matches only r = x.
        let g = curve.to_jacobian(&curve.generator());
        let gx = f.to_integer(&curve.generator().x);
        assert!(curve.x_mod_order_is(&g, &gx));
        assert!(!curve.x_mod_order_is(&g, &field::add_limbs(&gx, &small(1))));
        assert!(!curve.x_mod_order_is(&curve.infinity(), &gx));
    }

    /// A coordinate must be below p: x + p names the same residue but is not its encoding.
    fn coordinates_below_p<const L: usize, const N: usize>(curve: &Curve<L>) {
        let f = &curve.field;
        let p = *f.modulus();
        let be = |v: &Limbs<L>| limbs_to_be::<L, N>(v);
        assert!(curve.coordinate_from_be(&be(&p)).is_none());
        assert!(curve.coordinate_from_be(&[0xff; N]).is_none());
        assert!(curve.coordinate_from_be(&be(&sub_limbs(&p, &small(1)).0)).is_some());
        assert!(curve.coordinate_from_be(&[0; N]).is_some());
        let (point, _) = point_with_x_above::<L, N>(curve, &small(0));
        let (x, y) = (f.to_integer(&point.x), f.to_integer(&point.y));
        assert!(curve.affine_from_be(&be(&x), &be(&y)).is_some());
        assert!(curve.affine_from_be(&be(&field::add_limbs(&x, &p)), &be(&y)).is_none());
        // Its negation (x, p - y) is on the curve too; (x, -y + p) = (x, 2p - y) does not fit.
        let minus_y = sub_limbs(&p, &y).0;
        assert!(curve.affine_from_be(&be(&x), &be(&minus_y)).is_some());
    }

    #[test]
    fn coordinates_must_be_below_the_field_prime() {
        coordinates_below_p::<9, 32>(&P256);
        coordinates_below_p::<14, 48>(&P384);
        coordinates_below_p::<19, 66>(p521());
    }

    #[test]
    fn x_coordinate_is_compared_modulo_the_order() {
        x_above_order::<9, 32>(&P256);
        x_above_order::<14, 48>(&P384);
        x_above_order::<19, 66>(p521());
    }
}
