//! JSON text for the documents every decision produces (the decision and its response),
//! written by hand: serde's serializer escapes strings a byte at a time and makes a call per
//! member, which was most of the cost of writing a decision in wasm. The text is exactly what
//! serde_json writes for the same members (same escapes), so hosts read back the same values.

/// An object being written into `out`: `{`, then members, then `}` from [`ObjectText::end`].
/// Callers give members in sorted order, as serde_json's maps keep them.
pub struct ObjectText<'a> {
    out: &'a mut Vec<u8>,
    empty: bool,
}

impl<'a> ObjectText<'a> {
    /// Start an object: writes `{`.
    pub fn new(out: &'a mut Vec<u8>) -> ObjectText<'a> {
        out.push(b'{');
        ObjectText { out, empty: true }
    }

    /// Start a member: its name and the colon. The caller writes the value into the result.
    pub fn member(&mut self, name: &str) -> &mut Vec<u8> {
        if !self.empty {
            self.out.push(b',');
        }
        self.empty = false;
        string(self.out, name);
        self.out.push(b':');
        self.out
    }

    /// A string member.
    pub fn string(&mut self, name: &str, value: &str) {
        string(self.member(name), value);
    }

    /// A string, or `null`.
    pub fn optional(&mut self, name: &str, value: Option<&str>) {
        let out = self.member(name);
        match value {
            Some(value) => string(out, value),
            None => out.extend_from_slice(b"null"),
        }
    }

    /// A boolean member.
    pub fn bool(&mut self, name: &str, value: bool) {
        self.member(name).extend_from_slice(if value { b"true" } else { b"false" });
    }

    /// A whole number member.
    pub fn number(&mut self, name: &str, value: u64) {
        self.member(name).extend_from_slice(decimal(value).as_bytes());
    }

    /// Close the object: writes `}`.
    pub fn end(self) {
        self.out.push(b'}');
    }
}

/// An array being written into `out`: `[`, then items, then `]` from [`ArrayText::end`].
pub struct ArrayText<'a> {
    out: &'a mut Vec<u8>,
    empty: bool,
}

impl<'a> ArrayText<'a> {
    /// Start an array: writes `[`.
    pub fn new(out: &'a mut Vec<u8>) -> ArrayText<'a> {
        out.push(b'[');
        ArrayText { out, empty: true }
    }

    /// Start an item; the caller writes it into the result.
    pub fn item(&mut self) -> &mut Vec<u8> {
        if !self.empty {
            self.out.push(b',');
        }
        self.empty = false;
        self.out
    }

    /// Close the array: writes `]`.
    pub fn end(self) {
        self.out.push(b']');
    }
}

/// `value` in decimal, as JSON writes a whole number. The core writes numbers (in documents
/// and in error messages) with this, and builds messages by concatenation, never with
/// `format!`: the WebAssembly module then holds none of `core::fmt`'s machinery.
pub fn decimal(value: u64) -> String {
    let mut digits = Vec::with_capacity(20);
    let mut rest = value;
    loop {
        digits.push(b'0' + (rest % 10) as u8);
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    digits.reverse();
    into_string(digits)
}

/// A JSON array of strings.
pub fn strings<S: AsRef<str>>(out: &mut Vec<u8>, items: &[S]) {
    let mut list = ArrayText::new(out);
    for item in items {
        string(list.item(), item.as_ref());
    }
    list.end();
}

/// A whole JSON object as a `String`, its members written by `write`.
pub fn object_string(write: impl FnOnce(&mut ObjectText<'_>)) -> String {
    let mut out = Vec::new();
    let mut object = ObjectText::new(&mut out);
    write(&mut object);
    object.end();
    into_string(out)
}

/// Text this writer wrote, as a `String`: it writes only whole strings, numbers and
/// punctuation, so the bytes are always UTF-8.
pub fn into_string(out: Vec<u8>) -> String {
    String::from_utf8(out).unwrap_or_default()
}

/// A JSON string: `"` and `\` escaped, the control characters as serde_json escapes them
/// (`\b \t \n \f \r` short, the rest `\u00xx`), everything else as it is.
pub fn string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut done = 0;
    while done < bytes.len() {
        let run = plain_run(&bytes[done..]);
        out.extend_from_slice(&bytes[done..done + run]);
        done += run;
        if let Some(&b) = bytes.get(done) {
            let (escaped, len) = escape(b);
            out.extend_from_slice(&escaped[..len]);
            done += 1;
        }
    }
    out.push(b'"');
}

/// How many leading bytes need no escape, eight at a time while it can: string members are
/// escaped on every decision, and a whole word at once costs about what one byte does.
fn plain_run(bytes: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has_zero = |w: u64| w.wrapping_sub(ONES) & !w & HIGHS != 0;
    let mut run = 0;
    for word in bytes.chunks_exact(8) {
        let w = u64::from_le_bytes([word[0], word[1], word[2], word[3], word[4], word[5], word[6], word[7]]);
        // Any byte below 0x20, or equal to `"` or `\`, and the word is done byte by byte.
        let control = w.wrapping_sub(0x20 * ONES) & !w & HIGHS != 0;
        if control || has_zero(w ^ (b'"' as u64 * ONES)) || has_zero(w ^ (b'\\' as u64 * ONES)) {
            break;
        }
        run += 8;
    }
    run + bytes[run..].iter().take_while(|&&b| !needs_escape(b)).count()
}

fn needs_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// Bytes `string` writes for `s` between the quotes: the length of its JSON escaping (the same
/// as JavaScript's `JSON.stringify`), without writing it.
pub fn string_len(s: &str) -> usize {
    s.bytes().map(|b| if needs_escape(b) { escape(b).1 } else { 1 }).sum()
}

/// The escape for a byte that `needs_escape`, and its length.
fn escape(b: u8) -> ([u8; 6], usize) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let short = |c: u8| ([b'\\', c, 0, 0, 0, 0], 2);
    match b {
        b'"' => short(b'"'),
        b'\\' => short(b'\\'),
        0x08 => short(b'b'),
        b'\t' => short(b't'),
        b'\n' => short(b'n'),
        0x0c => short(b'f'),
        b'\r' => short(b'r'),
        _ => ([b'\\', b'u', b'0', b'0', HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]], 6),
    }
}

/// A value read by [`crate::json`], written back as JSON text (members in the reader's order).
pub fn value(out: &mut Vec<u8>, value: &crate::json::Json<'_>) {
    use crate::json::Json;
    match value {
        Json::Null => out.extend_from_slice(b"null"),
        Json::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Json::Number(n) => out.extend_from_slice(n.text().as_bytes()),
        Json::Str(s) => string(out, s),
        Json::Array(items) => {
            let mut array = ArrayText::new(out);
            for item in items {
                self::value(array.item(), item);
            }
            array.end();
        }
        Json::Object(object) => {
            let mut doc = ObjectText::new(out);
            for (name, item) in object.members() {
                self::value(doc.member(name), item);
            }
            doc.end();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn text(s: &str) -> String {
        let mut out = Vec::new();
        string(&mut out, s);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut samples: Vec<String> = (0u8..0x80).map(|b| format!("ab{}cdefghijk{}", b as char, b as char)).collect();
        samples.extend(
            ["", "plain", "é€😀", "a\"b\\c", "\u{7f}\u{80}\u{2028}", "12345678\"12345678", "1234567\\"]
                .map(String::from),
        );
        for s in samples {
            assert_eq!(text(&s), serde_json::to_string(&s).unwrap(), "{s:?}");
        }
    }

    #[test]
    fn lengths_are_the_written_lengths() {
        for b in 0u8..0x80 {
            let s = format!("a{}b", b as char);
            assert_eq!(string_len(&s) + 2, text(&s).len(), "{b:#x}");
        }
        assert_eq!(string_len("é€😀"), "é€😀".len());
    }

    #[test]
    fn objects_read_back_as_serde_json_writes_them() {
        let mut out = Vec::new();
        let mut doc = ObjectText::new(&mut out);
        doc.string("a", "x\ny");
        doc.bool("b", true);
        doc.number("c", u64::MAX);
        doc.optional("d", None);
        strings(doc.member("e"), &["one", "t\"wo"]);
        doc.end();
        let v = json!({ "a": "x\ny", "b": true, "c": u64::MAX, "d": null, "e": ["one", "t\"wo"] });
        assert_eq!(String::from_utf8(out).unwrap(), v.to_string());
    }
}
