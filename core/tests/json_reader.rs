//! The strict JSON reader (`json::read_object`) against its contract: exactly one RFC 8259
//! value, which must be an object, with only JSON whitespace around it; no member name repeated
//! in any object (names compared after unescaping); nesting no deeper than serde_json allows;
//! numbers in the RFC grammar that do not overflow an f64; strings of valid UTF-8, without raw
//! control characters, with only JSON's escapes and paired surrogates.
//!
//! A hand-picked table for every rule, the nesting limit at its edge, then a differential
//! property test against serde_json on generated documents and on their byte-level corruptions.

use jwtgate_core::json::{self, Json, JsonError, Object};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Number, Value};
use std::collections::HashSet;
use std::fmt::Write;

/// The number's text, as written.
fn number_text(j: &Json<'_>) -> Option<String> {
    match j {
        Json::Number(n) => Some(n.text().to_owned()),
        _ => None,
    }
}

/// How many members an object has.
fn member_count(object: &Object<'_>) -> usize {
    object.members().count()
}

/// `text` is the number serde_json read: exactly when serde_json read an integer, else as an
/// f64. Without its `float_roundtrip` feature serde_json's float parsing is best effort
/// (measured up to 2 ULP from the correctly rounded value), so floats may differ by 4 ULP.
fn same_number(text: &str, n: &Number) -> bool {
    if let Some(u) = n.as_u64() {
        text.parse::<u64>() == Ok(u)
    } else if let Some(i) = n.as_i64() {
        text.parse::<i64>() == Ok(i)
    } else {
        // Ordered as integers, so the distance counts the f64s between (0.0 and -0.0 are one).
        let key = |x: f64| {
            let b = x.to_bits() as i64;
            if b < 0 { i64::MIN - b } else { b }
        };
        text.parse::<f64>().is_ok_and(|x| x.is_finite() && key(x).abs_diff(key(n.as_f64().unwrap())) <= 4)
    }
}

fn same(ours: &Json<'_>, theirs: &Value) -> bool {
    match (ours, theirs) {
        (Json::Null, Value::Null) => true,
        (Json::Bool(a), Value::Bool(b)) => a == b,
        (Json::Str(a), Value::String(b)) => a.as_ref() == b.as_str(),
        (Json::Array(a), Value::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y)),
        (Json::Object(a), Value::Object(b)) => same_object(a, b),
        (ours @ Json::Number(_), Value::Number(n)) => number_text(ours).is_some_and(|t| same_number(&t, n)),
        _ => false,
    }
}

fn same_object(ours: &Object<'_>, theirs: &Map<String, Value>) -> bool {
    member_count(ours) == theirs.len() && theirs.iter().all(|(name, v)| ours.get(name).is_some_and(|o| same(o, v)))
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Outcome {
    Object,
    Invalid,
    Duplicate,
    NotAnObject,
}

fn outcome(result: &Result<Object<'_>, JsonError>) -> Outcome {
    match result {
        Ok(_) => Outcome::Object,
        Err(JsonError::Invalid) => Outcome::Invalid,
        Err(JsonError::Duplicate) => Outcome::Duplicate,
        Err(JsonError::NotAnObject) => Outcome::NotAnObject,
    }
}

// ---- The oracle: serde_json, and a scan for repeated names (serde_json keeps the last).

/// Whether `bytes` repeats a name within one object, as far as the text reads as JSON: the scan
/// tracks objects and arrays by their brackets and decodes names with serde_json, and stops at
/// a string it cannot decode. Only meaningful on text serde_json has read (up to its error).
fn repeats_a_name(bytes: &[u8]) -> bool {
    enum Frame {
        Object { names: HashSet<String>, at_name: bool },
        Array,
    }
    let mut stack = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'{' => stack.push(Frame::Object { names: HashSet::new(), at_name: true }),
            b'[' => stack.push(Frame::Array),
            b'}' | b']' => drop(stack.pop()),
            b',' => {
                if let Some(Frame::Object { at_name, .. }) = stack.last_mut() {
                    *at_name = true;
                }
            }
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                let Some(literal) = bytes.get(start..=i) else { return false };
                if let Some(Frame::Object { names, at_name: at_name @ true }) = stack.last_mut() {
                    let Ok(name) = serde_json::from_slice::<String>(literal) else { return false };
                    *at_name = false;
                    if !names.insert(name) {
                        return true;
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    false
}

/// The outcomes serde_json allows our reader, and the object it read. Both Invalid and
/// Duplicate are allowed for text that is not JSON but repeats a name before its first error
/// (the contract does not rank the two; a reader may see the repetition only when the object
/// closes, or check the whole text's UTF-8 first).
fn oracle(bytes: &[u8]) -> (Vec<Outcome>, Option<Map<String, Value>>) {
    match serde_json::from_slice::<Value>(bytes) {
        Err(e) => {
            // serde_json's column counts the bytes of the error's line read, the bad one included.
            let line_start = match e.line() {
                0 | 1 => 0,
                n => bytes
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| **b == b'\n')
                    .nth(n - 2)
                    .map_or(bytes.len(), |(i, _)| i + 1),
            };
            let read = &bytes[..(line_start + e.column()).min(bytes.len())];
            if repeats_a_name(read) {
                (vec![Outcome::Invalid, Outcome::Duplicate], None)
            } else {
                (vec![Outcome::Invalid], None)
            }
        }
        Ok(_) if repeats_a_name(bytes) => (vec![Outcome::Duplicate], None),
        Ok(Value::Object(map)) => (vec![Outcome::Object], Some(map)),
        Ok(_) => (vec![Outcome::NotAnObject], None),
    }
}

/// Our reader gives an outcome serde_json allows, and the same object.
fn agrees_with_serde(bytes: &[u8]) -> Result<(), String> {
    let result = json::read_object(bytes);
    let (allowed, map) = oracle(bytes);
    let got = outcome(&result);
    if !allowed.contains(&got) {
        return Err(format!("{}: ours {got:?}, serde_json {allowed:?}", bytes.escape_ascii()));
    }
    match (&result, &map) {
        (Ok(object), Some(map)) if !same_object(object, map) => {
            Err(format!("{}: ours {object:?}, serde_json {map:?}", bytes.escape_ascii()))
        }
        _ => Ok(()),
    }
}

// ---- The table.

/// Numbers the RFC grammar admits and an f64 holds; each is read as a member value, in an
/// array, and (NotAnObject) alone.
const GOOD_NUMBERS: &[&str] = &[
    "0",
    "-0",
    "-0.0",
    "0.5",
    "-1.25e-3",
    "1E+2",
    "1e2",
    "1E-2",
    "2e0",
    "0e0",
    "1e007",
    "0.000",
    "10",
    "123456789",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "18446744073709551615",
    "18446744073709551616",
    "123456789012345678901234567890.123456789012345678901234567890e-10",
    // The extremes: the largest f64, and underflow (to a subnormal or to zero) is not an error.
    "1.7976931348623157e308",
    "-1.7976931348623157e308",
    "1e308",
    "10e307",
    "0.0000001e310",
    "5e-324",
    "1e-400",
    "-1e-400",
    "1E-999999",
    "1e-99999999999999999999",
    "0e400",
    "0e99999999999999999999",
    "-0E+400",
];

/// Outside the grammar, or too large for an f64 (magnitudes at or above 1e309; the band from
/// f64::MAX to 1e309 is left to the reader). Each is Invalid anywhere.
const BAD_NUMBERS: &[&str] = &[
    "01",
    "-01",
    "00",
    "-00",
    "00.5",
    "+1",
    "+0",
    ".5",
    "-.5",
    "1.",
    "-1.",
    "1.e5",
    "1e",
    "1E",
    "1e+",
    "1e-",
    "1E+-2",
    "1e1.5",
    "1.5.5",
    "1e5e5",
    "--1",
    "-",
    "- 1",
    "-+1",
    "0x10",
    "0X1",
    "0b1",
    "1_000",
    "NaN",
    "-NaN",
    "Infinity",
    "-Infinity",
    "inf",
    "e5",
    ".",
    "1e400",
    "-1e400",
    "1e309",
    "-1e309",
    "1000e306",
    "0.1e311",
    "1e99999999999999999999",
    "-1e99999999999999999999",
    "\u{661}",
    "\u{ff11}",
];

/// String literals (quotes included); each is read as a member value, as a name, and
/// (NotAnObject) alone.
const GOOD_STRINGS: &[&[u8]] = &[
    br#""""#,
    br#""a""#,
    br#""\"\\\/\b\f\n\r\t""#,
    br#""\u00e9\u00E9\u00c9\uaBcD""#,
    br#""\u0000\u001f\u007f\uFFFF\ufffe""#,
    br#""\uD83D\uDE00\ud83d\ude00\uD83d\uDe00""#,
    br#""\uDBFF\uDFFF\uD800\uDC00""#,
    br#""\uD83D\uDE00x\uD83D\uDE00\u0041""#,
    "\"é😀\u{10ffff}\u{fffe}\"".as_bytes(),
    b"\"\x7f\"",
    br#""\\u0000""#,
    br#""'""#,
    br#""a/b\/c""#,
];

/// Raw control characters, unknown or short escapes, lone surrogates, bad UTF-8, no closing
/// quote. Each is Invalid anywhere.
const BAD_STRINGS: &[&[u8]] = &[
    b"\"\x00\"",
    b"\"\x01\"",
    b"\"\x1f\"",
    b"\"\n\"",
    b"\"\t\"",
    b"\"\r\"",
    b"\"a\x00b\"",
    br#""\a""#,
    br#""\x41""#,
    br#""\U0041""#,
    br#""\'""#,
    br#""\0""#,
    b"\"\\\n\"",
    b"\"\\ \"",
    br#""\u12""#,
    br#""\u12G4""#,
    br#""\u""#,
    br#""\u 123""#,
    br#""\u+123""#,
    br#""\uD83D\uDE0""#,
    // Surrogates: a high one alone, before another character or escape, or twice; a low one alone or first.
    br#""\uD800""#,
    br#""\uD800x""#,
    br#""\uD800\u0041""#,
    br#""\uD800\n""#,
    br#""\uD800\uD800""#,
    br#""\uDBFF""#,
    br#""\uDC00""#,
    br#""\uDFFF""#,
    br#""\uDC00\uD800""#,
    br#""\ud83dx\ude00""#,
    br#""\uD800\\uDC00""#,
    br#""x\uDC00""#,
    // UTF-8: stray continuation, truncated, overlong, an encoded surrogate, above U+10FFFF, 0xFF.
    b"\"\x80\"",
    b"\"\xbf\"",
    b"\"\xc3\"",
    b"\"\xc3\x28\"",
    b"\"\xe2\x82\"",
    b"\"\xf0\x9f\x98\"",
    b"\"\xc0\xaf\"",
    b"\"\xe0\x80\xaf\"",
    b"\"\xed\xa0\x80\"",
    b"\"\xf4\x90\x80\x80\"",
    b"\"\xf8\x88\x80\x80\x80\"",
    b"\"\xff\"",
    // Not closed.
    b"\"abc",
    b"\"\\\"",
    b"\"\\u00e9",
    b"\"\\",
];

const GOOD_LITERALS: &[&str] = &["true", "false", "null"];

const BAD_LITERALS: &[&str] = &[
    "tru",
    "True",
    "TRUE",
    "t",
    "nul",
    "nulll",
    "NULL",
    "Null",
    "n",
    "fals",
    "falsee",
    "f",
    "truefalse",
    "undefined",
    "nil",
    "None",
    "ture",
    "nuLL",
    "truE",
    "nulL",
    "falsE",
    "trux",
];

/// Whole documents that are objects.
const OBJECTS: &[&[u8]] = &[
    b"{}",
    b" \t\n\r{}\r\n\t ",
    b"{ \t\n\r}",
    br#"{"":0}"#,
    br#"{"a":[]}"#,
    br#"{"a":[[],[[]],{},[{}]]}"#,
    br#"{"a":{"b":{}}}"#,
    b"\n{ \"a\" :\t[ 1 ,\r{ } , \"x\" ,[ ] ] ,\n\"b\"\r:\nnull\t}\n",
    b"{\"a\"\r\n:\r\n1\r\n,\r\n\"b\"\r\n:\r\n2\r\n}",
    // Distinct names: case, a space, the same name in other objects, siblings in an array, an
    // escaped NUL against the empty name, no Unicode normalisation.
    br#"{"a":1,"A":2,"a ":3," a":4,"b":{"a":5},"c":[{"a":6},{"a":7}]}"#,
    br#"{"\u0000":1,"":2}"#,
    "{\"é\":1,\"e\\u0301\":2,\"\\u00c9\":3}".as_bytes(),
    br#"{"\uD83D\uDE00":1,"\uD83D\uDE01":2}"#,
    br#"{"t":true,"f":false,"n":null,"l":[true,false,null]}"#,
];

/// Documents that repeat a name somewhere.
const DUPLICATES: &[&[u8]] = &[
    br#"{"a":1,"a":2}"#,
    br#"{"a":1,"a":1}"#,
    br#"{"":1,"":2}"#,
    br#"{"a":1,"b":2,"c":3,"b":4}"#,
    br#"{"a":{},"a":{}}"#,
    br#" {"a":1 , "a":2} "#,
    br#"{"a":1,"\u0061":2}"#,
    br#"{"\u0061":1,"\u0061":2}"#,
    br#"{"\u00E9":1,"\u00e9":2}"#,
    "{\"é\":1,\"\\u00e9\":2}".as_bytes(),
    "{\"😀\":1,\"\\ud83d\\ude00\":2}".as_bytes(),
    br#"{"\uD83D\uDE00":1,"\ud83d\ude00":2}"#,
    br#"{"/":1,"\/":2}"#,
    br#"{"\n":1,"\u000a":2}"#,
    br#"{"\"":1,"\u0022":2}"#,
    br#"{"x":{"a":1,"a":2}}"#,
    br#"{"x":[0,{"y":{"a":1,"a":2}}]}"#,
    br#"{"a":1,"b":{"a":1},"b":2}"#,
    // At any depth, even in a document that is not an object.
    br#"[{"a":1,"a":2}]"#,
    br#"[0,[{"x":{"a":1,"\u0061":2}}]]"#,
];

const NOT_OBJECTS: &[&[u8]] = &[b"[]", b" [ ] ", b"[{}]", b"[1,\"a\",null]", br#""{}""#, b"\n null \t"];

/// Whole documents that are not one JSON value, or not JSON at all.
const INVALID: &[&[u8]] = &[
    // Nothing, too little, too much.
    b"",
    b" \t\n\r",
    b"{",
    b"}",
    b"{{}}",
    b"{}}",
    b"{}{}",
    b"{} {}",
    b"{}x",
    b"{} []",
    b"{}0",
    b"[] x",
    b"1 2",
    b"[",
    b"]",
    b"{}\"\"",
    b"{}\\",
    // Other whitespace and bytes around or inside: NUL, form feed, vertical tab, NBSP, U+2028, BOM.
    b"{}\x00",
    b"\x00{}",
    b"{\x00}",
    b"{}\x0c",
    b"\x0c{}",
    b"{\x0c}",
    b"{}\x0b",
    b"{\"a\":1\x0b}",
    "{}\u{a0}".as_bytes(),
    "{\u{a0}}".as_bytes(),
    "{}\u{2028}".as_bytes(),
    "\u{feff}{}".as_bytes(),
    "{}\u{feff}".as_bytes(),
    b"{}\xff",
    b"{\xff}",
    b"\xff",
    b"\x80{}",
    // Comments.
    b"{}//",
    b"{}//c\n",
    b"/*c*/{}",
    b"{/*c*/}",
    b"{\"a\":1/*c*/}",
    b"{}#",
    b"#\n{}",
    // Members.
    br#"{"a":1,}"#,
    br#"{,}"#,
    br#"{,"a":1}"#,
    br#"{"a":1,,"b":2}"#,
    br#"{"a" 1}"#,
    br#"{"a"::1}"#,
    br#"{"a":}"#,
    br#"{"a"}"#,
    br#"{:1}"#,
    br#"{"a":1 "b":2}"#,
    br#"{"a":1;"b":2}"#,
    br#"{"a"=1}"#,
    br#"{"a"=>1}"#,
    br#"{a:1}"#,
    br#"{'a':1}"#,
    br#"{"a":'x'}"#,
    br#"{1:1}"#,
    br#"{null:1}"#,
    br#"{true:1}"#,
    br#"{{}:1}"#,
    br#"{[]:1}"#,
    // Not closed, or closed by the wrong bracket.
    br#"{"a":1"#,
    br#"{"a":"x}"#,
    br#"{"a"#,
    br#"{"a":"\"#,
    br#"{"a":"x"]"#,
    br#"{"a":{"b":1}"#,
    br#"{"a":1}}"#,
    br#"{"a":[1}"#,
    br#"{"a":[}"#,
    br#"{"a":]}"#,
    br#"{"a":[1]]}"#,
    // Arrays.
    br#"{"a":[1,]}"#,
    br#"{"a":[,1]}"#,
    br#"{"a":[,]}"#,
    br#"{"a":[1,,2]}"#,
    br#"{"a":[1 2]}"#,
    br#"{"a":[1:2]}"#,
];

fn cases() -> Vec<(Vec<u8>, Outcome)> {
    use Outcome::*;
    let mut cases = Vec::new();
    let wrap = |prefix: &str, v: &[u8], suffix: &str| [prefix.as_bytes(), v, suffix.as_bytes()].concat();
    for n in GOOD_NUMBERS.iter().chain(GOOD_LITERALS) {
        cases.push((wrap("{\"a\":", n.as_bytes(), "}"), Object));
        cases.push((wrap("{\"a\":[", n.as_bytes(), "]}"), Object));
        cases.push((wrap(" ", n.as_bytes(), " "), NotAnObject));
    }
    for n in BAD_NUMBERS.iter().chain(BAD_LITERALS) {
        cases.push((wrap("{\"a\":", n.as_bytes(), "}"), Invalid));
        cases.push((wrap("{\"a\":[", n.as_bytes(), "]}"), Invalid));
        cases.push((n.as_bytes().to_vec(), Invalid));
    }
    for s in GOOD_STRINGS {
        cases.push((wrap("{\"a\":", s, "}"), Object));
        cases.push((wrap("{", s, ":0}"), Object));
        cases.push((s.to_vec(), NotAnObject));
    }
    for s in BAD_STRINGS {
        cases.push((wrap("{\"a\":", s, "}"), Invalid));
        cases.push((wrap("{", s, ":0}"), Invalid));
        cases.push((s.to_vec(), Invalid));
    }
    // Integers of 308 digits fit (just below 1e308); of 400 they do not.
    cases.push((format!("{{\"a\":{}}}", "9".repeat(308)).into_bytes(), Object));
    cases.push((format!("{{\"a\":-1{}}}", "0".repeat(307)).into_bytes(), Object));
    cases.push((format!("{{\"a\":1{}}}", "0".repeat(399)).into_bytes(), Invalid));
    cases.push((format!("{{\"a\":0.{}1}}", "0".repeat(400)).into_bytes(), Object));
    // Many members, repeated only at the end.
    let many: Vec<String> = (0..500).map(|i| format!("\"k{i}\":{i}")).collect();
    cases.push((format!("{{{}}}", many.join(",")).into_bytes(), Object));
    cases.push((format!("{{{},\"k250\":0}}", many.join(",")).into_bytes(), Duplicate));
    for (list, expected) in [(OBJECTS, Object), (DUPLICATES, Duplicate), (NOT_OBJECTS, NotAnObject), (INVALID, Invalid)]
    {
        cases.extend(list.iter().map(|d| (d.to_vec(), expected)));
    }
    cases
}

#[test]
fn every_rule_on_hand_picked_documents() {
    let mut wrong = Vec::new();
    for (doc, expected) in cases() {
        let result = json::read_object(&doc);
        let got = outcome(&result);
        if got != expected {
            wrong.push(format!("{}: {got:?}, expected {expected:?}", doc.escape_ascii()));
        } else if let (Ok(object), Ok(Value::Object(map))) = (&result, serde_json::from_slice::<Value>(&doc))
            && !same_object(object, &map)
        {
            wrong.push(format!("{}: read as {object:?}", doc.escape_ascii()));
        }
    }
    assert!(wrong.is_empty(), "{} of {} cases:\n{}", wrong.len(), cases().len(), wrong.join("\n"));
}

/// The oracle of the property tests agrees with the contract on the table.
#[test]
fn serde_json_agrees_with_the_table() {
    let wrong: Vec<String> = cases()
        .into_iter()
        .filter(|(doc, expected)| !oracle(doc).0.contains(expected))
        .map(|(doc, expected)| {
            format!("{}: serde_json {:?}, expected {expected:?}", doc.escape_ascii(), oracle(&doc).0)
        })
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn escapes_decode_to_the_characters_they_name() {
    let doc = br#"{"\u0061\u00E9":"\"\\\/\b\f\n\r\t\u0000","s":"\uD83D\uDE00","t":"\ud83d\ude00x\uDBFF\uDFFF"}"#;
    let object = json::read_object(doc).unwrap();
    let text = |name| match object.get(name) {
        Some(Json::Str(s)) => Some(s.as_ref()),
        _ => None,
    };
    assert_eq!(text("aé"), Some("\"\\/\u{8}\u{c}\n\r\t\0"));
    assert_eq!(text("s"), Some("😀"));
    assert_eq!(text("t"), Some("😀x\u{10ffff}"));
    assert_eq!(text("a"), None);
}

/// The contract of the `Number` payload: the text exactly as written.
#[test]
fn numbers_keep_their_text() {
    for n in GOOD_NUMBERS {
        let doc = format!("{{\"a\":{n}}}");
        let object = json::read_object(doc.as_bytes()).unwrap();
        assert_eq!(object.get("a").and_then(number_text).as_deref(), Some(*n));
    }
}

/// A repeated name before the first syntax error may be reported either way; anything else is
/// not a rejection.
#[test]
fn invalid_documents_with_repeated_names_are_rejected() {
    for doc in [&br#"{"a":1,"a":2"#[..], br#"{"a":1,"a":2} x"#, br#"{"x":{"a":1,"a":2},"#, br#"[{"a":1,"a":2}"#] {
        let got = outcome(&json::read_object(doc));
        assert!(matches!(got, Outcome::Invalid | Outcome::Duplicate), "{}: {got:?}", doc.escape_ascii());
    }
}

#[test]
fn nesting_stops_where_serde_json_stops() {
    let arrays = |d: usize| format!("{}{}", "[".repeat(d), "]".repeat(d));
    let limit = (1..).take_while(|&d| serde_json::from_str::<Value>(&arrays(d)).is_ok()).last().unwrap();
    // remaining_depth starts at 128 and is decremented, then checked, on entering each level.
    assert_eq!(limit, 127);
    // `d` levels, the outer object the first of them.
    let shapes: [fn(usize) -> String; 4] = [
        |d| format!("{{\"a\":{}{}}}", "[".repeat(d - 1), "]".repeat(d - 1)),
        |d| format!("{}0{}", "{\"a\":".repeat(d), "}".repeat(d)),
        |d| {
            (1..d).fold("{}".to_string(), |inner, level| match (d - 1 - level) % 2 {
                0 => format!("{{\"k\":1,\"v\":{inner}}}"),
                _ => format!(" [ true , {inner} ] "),
            })
        },
        |d| format!("{}{{\"b\":1,\"b\":2}}{}", "{\"a\":".repeat(d - 1), "}".repeat(d - 1)),
    ];
    let expected = [Outcome::Object, Outcome::Object, Outcome::Object, Outcome::Duplicate];
    for (shape, at_limit) in shapes.iter().zip(expected) {
        let (deepest, too_deep) = (shape(limit), shape(limit + 1));
        assert_eq!(outcome(&json::read_object(deepest.as_bytes())), at_limit, "{deepest}");
        assert_eq!(outcome(&json::read_object(too_deep.as_bytes())), Outcome::Invalid, "{too_deep}");
        agrees_with_serde(deepest.as_bytes()).unwrap();
        agrees_with_serde(too_deep.as_bytes()).unwrap();
    }
    assert_eq!(outcome(&json::read_object(arrays(limit).as_bytes())), Outcome::NotAnObject);
    assert_eq!(outcome(&json::read_object(arrays(limit + 1).as_bytes())), Outcome::Invalid);
    // Hostile depth is an error, not a stack overflow, closed or not.
    for d in [100_000, 1_000_000] {
        for doc in [shapes[0](d), shapes[1](d), "{\"a\":".repeat(d), format!("{{\"a\":{}", "[".repeat(d))] {
            assert_eq!(outcome(&json::read_object(doc.as_bytes())), Outcome::Invalid, "depth {d}");
        }
    }
}

// ---- Generated documents.

fn ws() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => Just(String::new()),
        1 => proptest::collection::vec(select(vec![' ', '\t', '\n', '\r']), 1..4).prop_map(String::from_iter),
    ]
}

/// `c` in a JSON string, the `how`th way: raw, short escape, or \u in lower or upper hex (a
/// surrogate pair above U+FFFF). A character that cannot be raw, or has no short escape, takes
/// a \u escape.
fn write_char(out: &mut String, c: char, how: u8) {
    let short = match c {
        '"' | '\\' | '/' => Some(c),
        '\u{8}' => Some('b'),
        '\u{c}' => Some('f'),
        '\n' => Some('n'),
        '\r' => Some('r'),
        '\t' => Some('t'),
        _ => None,
    };
    match (how % 4, short) {
        (0, _) if c >= ' ' && c != '"' && c != '\\' => out.push(c),
        (1, Some(s)) => write!(out, "\\{s}").unwrap(),
        (upper, _) => {
            for unit in c.encode_utf16(&mut [0; 2]) {
                match upper {
                    3 => write!(out, "\\u{unit:04X}").unwrap(),
                    _ => write!(out, "\\u{unit:04x}").unwrap(),
                }
            }
        }
    }
}

/// Rare pieces of string that make a document invalid.
const BAD_PIECES: &[&str] =
    &["\u{0}", "\u{1f}", "\n", "\\uD800", "\\udc00", "\\uD83D\\u0041", "\\ud83dx", "\\x41", "\\u12", "\\U0041", "\\'"];

fn string_literal(chars: impl Strategy<Value = char>, len: std::ops::Range<usize>) -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        300 => (chars, any::<u8>()).prop_map(|(c, how)| {
            let mut s = String::new();
            write_char(&mut s, c, how);
            s
        }),
        1 => select(BAD_PIECES).prop_map(String::from),
    ];
    proptest::collection::vec(piece, len).prop_map(|pieces| format!("\"{}\"", pieces.concat()))
}

fn text_char() -> impl Strategy<Value = char> {
    prop_oneof![
        4 => proptest::char::range('a', 'e'),
        2 => select(vec!['"', '\\', '/', '\u{8}', '\u{c}', '\n', '\r', '\t', '\0', '\u{1f}', '\u{7f}', 'é', '\u{ffff}', '😀', '\u{10ffff}']),
        1 => any::<char>(),
    ]
}

/// Names: often from a tiny set (so repeated, in several spellings), otherwise varied.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        1 => string_literal(select(vec!['a', 'b']), 0..2),
        6 => string_literal(text_char(), 0..4),
    ]
}

/// Numbers in the grammar, of magnitude at most about 1e300 (clear of the f64::MAX to 1e309
/// band), around the i64 and u64 limits, and with long mantissas.
fn number() -> impl Strategy<Value = String> {
    let int = prop_oneof![
        2 => Just("0".to_string()),
        6 => "[1-9][0-9]{0,19}",
        1 => select(vec!["9223372036854775807", "9223372036854775808", "18446744073709551615", "18446744073709551616"]).prop_map(String::from),
    ];
    let fraction = proptest::option::of("[0-9]{1,20}");
    let exponent = proptest::option::of(("[eE][+-]?", 0u32..=280, 0usize..3));
    (any::<bool>(), int, fraction, exponent).prop_map(|(negative, int, fraction, exponent)| {
        let mut n = if negative { format!("-{int}") } else { int };
        if let Some(f) = fraction {
            write!(n, ".{f}").unwrap();
        }
        if let Some((e, digits, zeros)) = exponent {
            write!(n, "{e}{}{digits}", "0".repeat(zeros)).unwrap();
        }
        n
    })
}

fn array_of(item: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    (ws(), proptest::collection::vec((ws(), item, ws()), 0..5)).prop_map(|(inside, items)| {
        let items: Vec<String> = items.into_iter().map(|(a, v, b)| format!("{a}{v}{b}")).collect();
        if items.is_empty() { format!("[{inside}]") } else { format!("[{}]", items.join(",")) }
    })
}

fn object_of(value: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    (ws(), proptest::collection::vec((ws(), name(), ws(), ws(), value, ws()), 0..5)).prop_map(|(inside, members)| {
        let members: Vec<String> =
            members.into_iter().map(|(a, n, b, c, v, d)| format!("{a}{n}{b}:{c}{v}{d}")).collect();
        if members.is_empty() { format!("{{{inside}}}") } else { format!("{{{}}}", members.join(",")) }
    })
}

fn value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        1 => select(vec!["true", "false", "null"]).prop_map(String::from),
        2 => number(),
        2 => string_literal(text_char(), 0..6),
    ];
    leaf.prop_recursive(5, 48, 5, |inner| prop_oneof![array_of(inner.clone()), object_of(inner)])
}

/// A JSON text: mostly an object, sometimes any value, with whitespace around.
fn document() -> impl Strategy<Value = String> {
    (ws(), prop_oneof![8 => object_of(value()), 1 => value()], ws()).prop_map(|(a, v, b)| format!("{a}{v}{b}"))
}

/// Delete, insert or replace bytes: structural characters, escape letters, digits, control
/// bytes and bytes that break UTF-8, or any byte.
fn corrupted_document() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        3 => select(b"{}[]:,\"\\/ubfnrt0123456789aAdDeE-+. \t\n\r\x00\x08\x0c\x1f\x7f\x80\xbf\xc3\xed\xf0\xff'".to_vec()),
        1 => any::<u8>(),
    ];
    (document(), proptest::collection::vec((0u8..3, any::<usize>(), byte), 1..4)).prop_map(|(doc, edits)| {
        let mut bytes = doc.into_bytes();
        for (kind, at, byte) in edits {
            let at = at % (bytes.len() + 1);
            match kind {
                0 if at < bytes.len() => drop(bytes.remove(at)),
                2 if at < bytes.len() => bytes[at] = byte,
                _ => bytes.insert(at, byte),
            }
        }
        bytes
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4000))]

    #[test]
    fn generated_documents_agree_with_serde_json(doc in document()) {
        agrees_with_serde(doc.as_bytes()).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn corrupted_documents_agree_with_serde_json(doc in corrupted_document()) {
        agrees_with_serde(&doc).map_err(TestCaseError::fail)?;
    }
}

/// The generators reach every outcome (as serde_json sees it) often enough for the properties
/// to mean something.
#[test]
fn generators_reach_every_outcome() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut count = |strategy: BoxedStrategy<Vec<u8>>| {
        let mut counts = [0usize; 4];
        for _ in 0..1000 {
            let doc = strategy.new_tree(&mut runner).unwrap().current();
            counts[oracle(&doc).0[0] as usize] += 1;
        }
        counts
    };
    let [object, invalid, duplicate, not_object] = count(document().prop_map(String::into_bytes).boxed());
    assert!(
        object > 500 && invalid > 10 && duplicate > 50 && not_object > 50,
        "{object} {invalid} {duplicate} {not_object}"
    );
    let [object, invalid, duplicate, not_object] = count(corrupted_document().boxed());
    assert!(
        object > 30 && invalid > 300 && duplicate > 20 && not_object > 0,
        "{object} {invalid} {duplicate} {not_object}"
    );
}
