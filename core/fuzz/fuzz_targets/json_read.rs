//! The strict JSON reader (`json::read`) against serde_json on any bytes. Every document the
//! core reads goes through this reader, so it must accept exactly the JSON serde_json accepts
//! (less documents with a repeated member name, which we refuse), and read the same values.
#![no_main]

use jwtgate_core::json::{self, Json, JsonError};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let ours = json::read(data);
    let theirs = serde_json::from_slice::<Value>(data);
    match (&ours, &theirs) {
        (Ok(ours), Ok(theirs)) => same(ours, theirs),
        // Refused by serde_json, read by us: only a number serde_json's approximate float
        // parsing puts past f64::MAX while it is below our bound of 1e309.
        (Ok(_), Err(e)) => {
            assert!(e.to_string().contains("number out of range"), "we read what serde_json refuses ({e})")
        }
        // serde_json keeps the last of repeated names; we refuse the document.
        (Err(JsonError::Duplicate), Ok(_)) => {}
        (Err(e), Ok(v)) => panic!("{e:?} for a document serde_json reads: {v}"),
        (Err(JsonError::NotAnObject), Err(_)) => panic!("NotAnObject from json::read"),
        (Err(_), Err(_)) => {}
    }
    // `read_object` is `read` plus the object check.
    match (json::read_object(data), ours) {
        (Ok(_), Ok(Json::Object(_))) => {}
        (Err(JsonError::NotAnObject), Ok(v)) => assert!(!matches!(v, Json::Object(_))),
        (Err(a), Err(b)) => assert_eq!(a, b),
        (a, b) => panic!("read_object {a:?} but read {b:?}"),
    }
});

fn same(ours: &Json<'_>, theirs: &Value) {
    match (ours, theirs) {
        (Json::Null, Value::Null) => {}
        (Json::Bool(a), Value::Bool(b)) => assert_eq!(a, b),
        (Json::Str(a), Value::String(b)) => assert_eq!(a.as_ref(), b.as_str()),
        (Json::Number(a), Value::Number(b)) => {
            let text = a.text();
            if let Some(i) = b.as_i64() {
                assert_eq!(text.parse::<i64>().ok(), Some(i), "{text}");
            } else if let Some(u) = b.as_u64() {
                assert_eq!(text.parse::<u64>().ok(), Some(u), "{text}");
            } else {
                // A float: within a few units in the last place (serde_json rounds approximately).
                let (x, y) = (text.parse::<f64>().unwrap(), b.as_f64().unwrap());
                assert!(x == y || ((x - y) / y).abs() < 1e-14, "{text}: {x} vs {y}");
            }
            // Whole-second bounds bracket the value (read correctly rounded by the standard
            // library; serde_json's own float reading is approximate). Below 2^53 every whole
            // number is a double, so the bracket is exact there.
            let (floor, ceil) = a.floor_ceil();
            let v = text.parse::<f64>().unwrap();
            if v.abs() < 1e15 {
                assert!(floor as f64 <= v && v <= ceil as f64 && ceil - floor <= 1, "{text}: {floor}..{ceil}");
            }
        }
        (Json::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len());
            a.iter().zip(b).for_each(|(x, y)| same(x, y));
        }
        (Json::Object(a), Value::Object(b)) => {
            assert_eq!(a.members().count(), b.len());
            for (name, value) in b {
                same(a.get(name).unwrap_or_else(|| panic!("member {name:?} missing")), value);
            }
        }
        (a, b) => panic!("{a:?} read as {b:?}"),
    }
}
