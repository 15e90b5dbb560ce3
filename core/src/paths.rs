//! Sets of request paths, and the two questions route rules ask of them.
//!
//! A rule's path is an IAM-style glob (`*` stands for any run of characters, `/` included). An
//! HTTP API route key's path is a template (`{id}` stands for one segment, `{proxy+}` for the
//! rest of the path). Both are small regular languages; route rules need to know whether two
//! of them share a path ([`intersects`]) and whether one is covered by a union of others
//! ([`covered`]). Both answers are exact; where the work to find one would exceed a fixed
//! bound, each gives the answer that refuses (the rule applies; the path is not covered).

/// An atom: a literal byte (below 256), or a run of any characters ([`ANY_RUN`]) or of any
/// characters but `/` ([`SEGMENT_RUN`]), the empty run included.
type Atom = u16;
const ANY_RUN: Atom = 256;
const SEGMENT_RUN: Atom = 257;

/// A set of paths: a sequence of atoms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathSet {
    atoms: Vec<Atom>,
}

/// How many states a search may visit before it gives the answer that refuses.
const SEARCH_WORK: usize = 20_000;

impl PathSet {
    /// An IAM-style glob: `*` is any run of characters, `/` included; every other character is
    /// itself.
    pub fn glob(pattern: &str) -> PathSet {
        PathSet { atoms: pattern.bytes().map(|b| if b == b'*' { ANY_RUN } else { Atom::from(b) }).collect() }
    }

    /// An API Gateway route template: `{name}` is any run of characters without `/`, and
    /// `{name+}` any run of characters. Both include the empty run, a superset of what API
    /// Gateway routes to them, so that a rule's answer for the template holds for every path it
    /// serves. `None` when a brace is not closed.
    pub fn template(path: &str) -> Option<PathSet> {
        let mut atoms = Vec::with_capacity(path.len());
        let mut rest = path.as_bytes();
        while let Some((&b, tail)) = rest.split_first() {
            rest = tail;
            if b == b'{' {
                let close = tail.iter().position(|&c| c == b'}')?;
                atoms.push(if tail[..close].last() == Some(&b'+') { ANY_RUN } else { SEGMENT_RUN });
                rest = &tail[close + 1..];
            } else {
                atoms.push(Atom::from(b));
            }
        }
        Some(PathSet { atoms })
    }

    /// Every path: `/` and anything after it.
    pub fn every() -> PathSet {
        PathSet { atoms: vec![Atom::from(b'/'), ANY_RUN] }
    }

    /// The states reachable from `state` without reading a character: a run may be empty.
    fn closure(&self, mut state: usize, add: &mut dyn FnMut(usize)) {
        add(state);
        while self.atoms.get(state).is_some_and(|&a| a >= ANY_RUN) {
            state += 1;
            add(state);
        }
    }

    /// The state after reading `c` in `state` (before its closure).
    fn step(&self, state: usize, c: u8) -> Option<usize> {
        match *self.atoms.get(state)? {
            ANY_RUN => Some(state),
            SEGMENT_RUN => (c != b'/').then_some(state),
            literal => (literal == Atom::from(c)).then_some(state + 1),
        }
    }
}

/// Whether some path is in both sets.
pub fn intersects(a: &PathSet, b: &PathSet) -> bool {
    // The literal beginnings must agree as far as both go (most pairs of rules part here).
    let literal = |s: &PathSet| s.atoms.iter().take_while(|&&x| x < ANY_RUN).count();
    let common = literal(a).min(literal(b));
    a.atoms[..common] == b.atoms[..common] && search(a, &[b], true)
}

/// Whether every path of `set` is in at least one of `by`.
pub fn covered(set: &PathSet, by: &[&PathSet]) -> bool {
    !search(set, by, false)
}

/// Whether some path of `set` is (`in_by`) or is not (`!in_by`) in the union of `by`: a walk
/// over `set`'s states together with the subset of `by`'s states a path leads to (`by`
/// determinised as it goes). More than [`SEARCH_WORK`] states visited answers `true`.
fn search(set: &PathSet, by: &[&PathSet], in_by: bool) -> bool {
    // The states of `by` numbered one after another; a subset of them is a bit set.
    let mut starts = Vec::with_capacity(by.len());
    let mut total = 0;
    for s in by {
        starts.push(total);
        total += s.atoms.len() + 1;
    }
    let words = total.div_ceil(64);
    let has = |bits: &[u64], n: usize| bits[n / 64] & (1 << (n % 64)) != 0;
    let enter = |bits: &mut Vec<u64>, k: usize, state: usize| {
        by[k].closure(state, &mut |s| bits[(starts[k] + s) / 64] |= 1 << ((starts[k] + s) % 64))
    };

    // The characters that tell paths apart for these sets: every literal, `/`, and one
    // character that is neither (it stands for all the others, which no set tells apart).
    let mut seen = [false; 256];
    seen[usize::from(b'/')] = true;
    for atom in by.iter().chain([&set]).flat_map(|s| &s.atoms) {
        if let Ok(b) = u8::try_from(*atom) {
            seen[usize::from(b)] = true;
        }
    }
    let other = (1..=255u8).find(|&b| !seen[usize::from(b)]);
    let sigma: Vec<u8> = (0..=255u8).filter(|&b| seen[usize::from(b)]).chain(other).collect();

    let mut first = vec![0u64; words];
    for k in 0..by.len() {
        enter(&mut first, k, 0);
    }
    // Visited (state of `set`, subset of `by`), kept sorted for a binary search.
    let mut visited: Vec<(usize, Vec<u64>)> = Vec::new();
    let mut todo: Vec<(usize, Vec<u64>)> = Vec::new();
    let visit = |visited: &mut Vec<(usize, Vec<u64>)>, todo: &mut Vec<(usize, Vec<u64>)>, j: usize, bits: &Vec<u64>| {
        let state = (j, bits.clone());
        if let Err(at) = visited.binary_search(&state) {
            visited.insert(at, state.clone());
            todo.push(state);
        }
    };
    set.closure(0, &mut |j| visit(&mut visited, &mut todo, j, &first));
    while let Some((j, bits)) = todo.pop() {
        let accepted = (0..by.len()).any(|k| has(&bits, starts[k] + by[k].atoms.len()));
        if (j == set.atoms.len() && accepted == in_by) || visited.len() > SEARCH_WORK {
            return true;
        }
        for &c in &sigma {
            let Some(j2) = set.step(j, c) else { continue };
            let mut next = vec![0u64; words];
            for (k, s) in by.iter().enumerate() {
                for state in 0..=s.atoms.len() {
                    if has(&bits, starts[k] + state)
                        && let Some(to) = s.step(state, c)
                    {
                        enter(&mut next, k, to);
                    }
                }
            }
            if next.iter().all(|&w| w == 0) {
                if !in_by {
                    // No set of `by` can hold this path however it goes on, and every state of
                    // `set` can still reach its end.
                    return true;
                }
                continue;
            }
            set.closure(j2, &mut |j3| visit(&mut visited, &mut todo, j3, &next));
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(path: &str) -> PathSet {
        PathSet::template(path).unwrap()
    }

    #[test]
    fn intersections() {
        assert!(intersects(&PathSet::glob("/pets/*"), &t("/pets/{id}")));
        assert!(intersects(&PathSet::glob("/admin/*"), &t("/{a}/users")), "/admin/users is in both");
        assert!(!intersects(&PathSet::glob("/admin/*"), &t("/{a}")), "a segment never holds /");
        assert!(intersects(&PathSet::glob("/admin/*"), &t("/{a+}")));
        assert!(!intersects(&PathSet::glob("/pets"), &t("/pets/{id}")));
        assert!(intersects(&PathSet::glob("/pets*"), &t("/{id}")));
        assert!(intersects(&PathSet::glob("*/toys"), &PathSet::glob("/pets/*")));
        assert!(!intersects(&PathSet::glob("/a*b"), &PathSet::glob("/a*c")));
        assert!(intersects(&PathSet::glob("/x"), &PathSet::every()));
    }

    #[test]
    fn coverage() {
        let g = PathSet::glob;
        assert!(covered(&t("/pets/{id}"), &[&g("/pets/*")]));
        assert!(!covered(&t("/pets/{id}"), &[&g("/pets/1")]));
        assert!(!covered(&t("/{a}/users"), &[&g("/admin/*")]));
        assert!(covered(&t("/{a}/users"), &[&g("/*/users")]));
        assert!(covered(&t("/pets/{id}"), &[&g("/pets/a*"), &g("/pets/*")]));
        // Only together: the rest of the path without `/`, and with one.
        assert!(covered(&g("/a*"), &[&t("/a{x}"), &g("/a*/*")]));
        assert!(!covered(&g("/a*"), &[&t("/a{x}")]));
        assert!(!covered(&g("/a*"), &[&g("/a*/*")]));
        assert!(!covered(&g("/*"), &[&g("/a*"), &g("/")]));
        assert!(!covered(&PathSet::every(), &[&g("/a*")]));
        assert!(covered(&t("/pets"), &[&g("/pets")]));
        assert!(!covered(&t("/pets"), &[]));
    }

    #[test]
    fn templates() {
        assert_eq!(PathSet::template("/pets/{id"), None);
        assert_eq!(t("/pets/{id}"), PathSet { atoms: "/pets/".bytes().map(Atom::from).chain([SEGMENT_RUN]).collect() });
        assert_eq!(t("/{proxy+}"), PathSet { atoms: vec![Atom::from(b'/'), ANY_RUN] });
    }
}
