//! `js/host-provider.js` turns the module's algorithm codes back into JWA names: its list must
//! be `Algorithm::ALL`, in order, or a host verifier would check a signature as another
//! algorithm (an ES512 code read as EdDSA).

use jwtgate_core::Algorithm;

#[test]
fn host_provider_names_algorithms_in_code_order() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/js/host-provider.js");
    let js = std::fs::read_to_string(path).unwrap();
    let line = js.lines().find(|l| l.starts_with("const ALGORITHMS = [")).expect("the ALGORITHMS list");
    let list = line.trim_start_matches("const ALGORITHMS = [").trim_end_matches("];");
    let names: Vec<&str> = list.split(", ").map(|n| n.trim_matches('"')).collect();
    let want: Vec<&str> = Algorithm::ALL.iter().map(|a| a.name()).collect();
    assert_eq!(names, want);
}
