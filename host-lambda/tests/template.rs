//! The SAM template, checked offline: aws-sam-translator transforms it, the TOKEN authorizer
//! must be wired on the Authorization header with a TTL, and cfn-lint must pass on the result
//! (scripts/check-template.py). Needs the venv of scripts/install-tools.sh.

mod support;

use std::process::Command;

#[test]
#[ignore = "needs aws-sam-translator and cfn-lint: make test-lambda"]
fn sam_template_transforms_and_lints_clean() {
    let python = support::tools_bin().join("python");
    support::require(&python, "host-lambda/scripts/install-tools.sh");
    let dir = support::repo_root().join("host-lambda");
    let out = Command::new(python).arg(dir.join("scripts/check-template.py")).arg(dir.join("template.yaml")).output().unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
