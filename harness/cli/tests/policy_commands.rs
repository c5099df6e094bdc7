//! `scpcheck explain`, `eval` and `lint` run as the built binary from the repository root:
//! their output and exit codes, valid and invalid input.
#![expect(
    clippy::unwrap_used,
    reason = "a binary that cannot be run, or that a signal ends, fails the test"
)]

use std::path::PathBuf;
use std::process::{Command, Output};

use scpcheck_cli::exit_codes;

/// The repository root, where the bundled `policies/` are.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn scpcheck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_scpcheck"))
        .args(args)
        .current_dir(root())
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn code(output: &Output) -> i32 {
    output.status.code().unwrap()
}

const VOLUME: &str = "arn:aws:ec2:eu-central-1:111122223333:volume/*";

#[test]
fn explain_prints_the_decision_and_every_condition() {
    let output = scpcheck(&[
        "explain",
        "--policy",
        "policies/deny-unencrypted-ec2.json",
        "--action",
        "ec2:CreateVolume",
        "--resource",
        VOLUME,
        "--context",
        "ec2:Encrypted=false",
    ]);
    assert_eq!(code(&output), exit_codes::SUCCESS, "{}", stderr(&output));
    let out = stdout(&output);
    assert!(
        out.starts_with("scp decision: deny (explicit deny at organizational unit `ou-vectors`)\n"),
        "{out}"
    );
    assert!(out.contains("  policy `deny-unencrypted-ec2`\n"), "{out}");
    assert!(
        out.contains("condition Bool `ec2:Encrypted` [`false`]: found `false`: true"),
        "{out}"
    );
}

#[test]
fn explain_accumulates_a_repeated_context_key_into_a_list() {
    let output = scpcheck(&[
        "explain",
        "--policy",
        "harness/cli/tests/data/tag-keys.json",
        "--action",
        "ec2:CreateTags",
        "--resource",
        "*",
        "--context",
        "aws:TagKeys=Owner",
        "--context",
        "aws:TagKeys=Secret",
    ]);
    assert_eq!(code(&output), exit_codes::SUCCESS, "{}", stderr(&output));
    let out = stdout(&output);
    assert!(out.starts_with("scp decision: deny"), "{out}");
    assert!(
        out.contains(
            "condition ForAnyValue:StringEquals `aws:TagKeys` [`Secret`, `Internal`]: \
             found [`Owner`, `Secret`]: true"
        ),
        "{out}"
    );

    let empty = scpcheck(&[
        "explain",
        "--policy",
        "harness/cli/tests/data/tag-keys.json",
        "--action",
        "ec2:CreateTags",
        "--resource",
        "*",
        "--context",
        "aws:TagKeys[]",
    ]);
    let out = stdout(&empty);
    assert!(out.starts_with("scp decision: allow"), "{out}");
    assert!(out.contains("found []: false"), "{out}");
}

#[test]
fn explain_uses_a_policy_directory_with_its_layout() {
    let output = scpcheck(&[
        "explain",
        "--layout",
        "policies",
        "--action",
        "s3:PutObject",
        "--resource",
        "arn:aws:s3:::bucket/key",
        "--context",
        "aws:SecureTransport=true",
    ]);
    assert_eq!(code(&output), exit_codes::SUCCESS, "{}", stderr(&output));
    let out = stdout(&output);
    assert!(
        out.starts_with("scp decision: deny (explicit deny at organizational unit `ou-tenants`)\n"),
        "{out}"
    );
    assert!(
        out.contains("condition Null `s3:x-amz-server-side-encryption` [`true`]: key absent: true"),
        "{out}"
    );
}

#[test]
fn explain_exempts_the_management_account() {
    let output = scpcheck(&[
        "explain",
        "--layout",
        "policies",
        "--action",
        "ec2:CreateVolume",
        "--resource",
        VOLUME,
        "--context",
        "ec2:Encrypted=false",
        "--account",
        "999999999999",
    ]);
    let out = stdout(&output);
    assert!(
        out.starts_with(
            "scp decision: allow (principal is in the management account, which SCPs do not \
             restrict)"
        ),
        "{out}"
    );
}

#[test]
fn explain_reports_the_source_document_snippet_with_line_and_column() {
    let output = scpcheck(&[
        "explain",
        "--policy",
        "harness/cli/tests/data/s3-snippet.json",
        "--action",
        "s3:PutObject",
        "--resource",
        "*",
    ]);
    assert_eq!(code(&output), exit_codes::INVALID_INPUT);
    assert!(stdout(&output).is_empty());
    let err = stderr(&output);
    assert!(
        err.contains("policy document is not a JSON object"),
        "{err}"
    );
    assert!(
        err.contains("[harness/cli/tests/data/s3-snippet.json:1:1]"),
        "{err}"
    );
    assert!(err.contains("unexpected end of input"), "{err}");
    assert!(
        err.contains("[harness/cli/tests/data/s3-snippet.json:7:1]"),
        "{err}"
    );
    assert!(err.contains("this `{` (line 4) is never closed"), "{err}");
}

#[test]
fn explain_refuses_a_malformed_context_entry() {
    let output = scpcheck(&[
        "explain",
        "--policy",
        "policies/deny-unencrypted-ec2.json",
        "--action",
        "ec2:CreateVolume",
        "--resource",
        "*",
        "--context",
        "Encrypted=false",
    ]);
    assert_eq!(code(&output), exit_codes::INVALID_INPUT);
    assert!(
        stderr(&output).contains("invalid condition key `Encrypted`"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn eval_passes_the_public_vectors() {
    let output = scpcheck(&[
        "eval",
        "--vectors",
        "harness/policy/tests/data/vectors/public-cases.jsonl",
    ]);
    assert_eq!(code(&output), exit_codes::SUCCESS, "{}", stdout(&output));
    let out = stdout(&output);
    assert!(
        out.starts_with("P01  expected deny   got deny   ok\n"),
        "{out}"
    );
    assert!(
        out.contains("P03  expected allow  got allow  ok\n"),
        "{out}"
    );
    assert!(out.ends_with("\n10 passed, 0 failed\n"), "{out}");
}

#[test]
fn eval_reports_a_differing_vector_with_its_explanation() {
    let output = scpcheck(&["eval", "--vectors", "harness/cli/tests/data/diff.jsonl"]);
    assert_eq!(code(&output), exit_codes::CONFORMANCE_FAILURE);
    let out = stdout(&output);
    assert!(
        out.starts_with("encrypted          expected allow  got allow  ok\n"),
        "{out}"
    );
    assert!(
        out.contains("wrong-expectation  expected allow  got deny   DIFF\n    why: written"),
        "{out}"
    );
    assert!(
        out.contains("    scp decision: deny (explicit deny at organizational unit"),
        "{out}"
    );
    assert!(out.ends_with("\n1 passed, 1 failed\n"), "{out}");
}

#[test]
fn eval_reports_invalid_vectors_with_file_line_and_column() {
    let output = scpcheck(&["eval", "--vectors", "harness/cli/tests/data/invalid.jsonl"]);
    assert_eq!(code(&output), exit_codes::INVALID_INPUT);
    assert!(stdout(&output).is_empty());
    let err = stderr(&output);
    assert!(
        err.contains(
            "harness/cli/tests/data/invalid.jsonl:2:93: invalid `scp`: invalid action `ec2`\n"
        ),
        "{err}"
    );
    assert!(
        err.contains("harness/cli/tests/data/invalid.jsonl:3:23: invalid JSON: unexpected end"),
        "{err}"
    );
}

#[test]
fn eval_reports_a_missing_file() {
    let output = scpcheck(&["eval", "--vectors", "no-such-file.jsonl"]);
    assert_eq!(code(&output), exit_codes::INVALID_INPUT);
    assert!(
        stderr(&output).starts_with("error: cannot read `no-such-file.jsonl`"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn lint_checks_the_bundled_policies_by_default() {
    let output = scpcheck(&["lint"]);
    assert_eq!(code(&output), exit_codes::SUCCESS, "{}", stdout(&output));
    let policies = std::fs::read_dir(root().join("policies"))
        .unwrap()
        .filter(|entry| {
            entry
                .as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|extension| extension == "json")
        })
        .count();
    assert_eq!(
        stdout(&output),
        format!("{policies} files checked: 0 errors, 0 warnings\n")
    );
}

#[test]
fn lint_prints_warnings_and_succeeds() {
    let output = scpcheck(&["lint", "harness/cli/tests/data/warnings.json"]);
    assert_eq!(code(&output), exit_codes::SUCCESS);
    let out = stdout(&output);
    assert!(
        out.contains("wildcard inside action `ec2:*Volume`"),
        "{out}"
    );
    assert!(
        out.contains("[harness/cli/tests/data/warnings.json:7:17]"),
        "{out}"
    );
    assert!(out.contains("`NumericLessThan` cannot read `ten`"), "{out}");
    assert!(
        out.ends_with("1 file checked: 0 errors, 3 warnings\n"),
        "{out}"
    );
}

#[test]
fn lint_fails_on_the_source_document_snippet() {
    let output = scpcheck(&[
        "lint",
        "harness/cli/tests/data/s3-snippet.json",
        "policies/deny-unencrypted-efs.json",
    ]);
    assert_eq!(code(&output), exit_codes::INVALID_INPUT);
    let out = stdout(&output);
    assert!(
        out.contains("policy document is not a JSON object"),
        "{out}"
    );
    assert!(
        out.contains("[harness/cli/tests/data/s3-snippet.json:1:1]"),
        "{out}"
    );
    assert!(
        out.ends_with("2 files checked: 2 errors, 0 warnings\n"),
        "{out}"
    );
}
