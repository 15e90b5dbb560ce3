//! Pieces of HTTP field values (RFC 9110 section 5.5), shared by the readers of the token's
//! sources (`token_source`, `cookie`): optional white space trimmed, and a part of a value
//! borrowed when the value is.

use std::borrow::Cow;
use std::ops::Range;

/// `s` without the spaces and tabs around it (RFC 9110 OWS).
pub(crate) fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    let ows = |c: &u8| *c == b' ' || *c == b'\t';
    let start = b.iter().position(|c| !ows(c)).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !ows(c)).map_or(start, |i| i + 1);
    &s[start..end]
}

/// Where `inner`, a slice of `whole`, lies in it.
pub(crate) fn span(whole: &str, inner: &str) -> Range<usize> {
    let start = inner.as_ptr() as usize - whole.as_ptr() as usize;
    start..start + inner.len()
}

/// `value[range]` as a `Cow` of the same lifetime: borrowed when `value` is.
pub(crate) fn part(value: Cow<'_, str>, range: Range<usize>) -> Cow<'_, str> {
    match value {
        Cow::Borrowed(whole) => Cow::Borrowed(&whole[range]),
        Cow::Owned(whole) => Cow::Owned(whole[range].to_owned()),
    }
}
