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
    assert!(out.contains("found [] (no value): false"), "{out}");
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
        "arn:aws:ec2:eu-central-1:999999999999:volume/*",
        "--context",
        "ec2:Encrypted=false",
        "--principal",
        "arn:aws:iam::999999999999:role/Admin",
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
        err.contains("[harness/cli/tests/data/s3-snippet.json:6:53]"),
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
        stderr(&output).contains("invalid condition key: `Encrypted` is not a condition key"),
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
    // Each problem once: its message, then its snippet under a `[file:line:column]` header.
    assert!(
        err.starts_with(
            "  × invalid vector file `harness/cli/tests/data/invalid.jsonl`: 2 problems\n"
        ),
        "{err}"
    );
    assert!(
        err.contains(
            "  × invalid `scp`: invalid action `ec2`\n   \
             ╭─[harness/cli/tests/data/invalid.jsonl:2:93]\n"
        ),
        "{err}"
    );
    assert!(
        err.contains("╭─[harness/cli/tests/data/invalid.jsonl:3:22]\n"),
        "{err}"
    );
    assert_eq!(err.matches("invalid action `ec2`").count(), 1, "{err}");
    assert_eq!(err.matches("unexpected end").count(), 1, "{err}");
    assert!(!err.contains("Error:"), "{err}");
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
    assert!(!out.contains("ec2:*Volume"), "{out}");
    assert!(out.contains("`NumericLessThan` cannot read `ten`"), "{out}");
    assert!(
        out.contains("[harness/cli/tests/data/warnings.json:9:61]"),
        "{out}"
    );
    assert!(
        out.ends_with("1 file checked: 0 errors, 2 warnings\n"),
        "{out}"
    );
}

#[test]
fn lint_refuses_what_the_restricted_scp_language_lacks() {
    let dir = std::env::temp_dir().join(format!("scpcheck-lint-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("allow-with-condition.json");
    let policy = r#"{
  "Version": "2012-10-17",
  "Statement": {
    "Effect": "Allow",
    "Action": "s3:Get*Tagging",
    "Resource": "*",
    "Condition": {"Bool": {"aws:SecureTransport": "true"}}
  }
}
"#;
    std::fs::write(&file, policy).unwrap();
    let path = file.display().to_string();

    let full = scpcheck(&["lint", &path]);
    assert_eq!(code(&full), exit_codes::SUCCESS, "{}", stdout(&full));
    assert_eq!(stdout(&full), "1 file checked: 0 errors, 0 warnings\n");

    let restricted = scpcheck(&["lint", "--scp-language", "restricted", &path]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(code(&restricted), exit_codes::INVALID_INPUT);
    let out = stdout(&restricted);
    assert!(out.contains("scp-restricted-action-wildcard"), "{out}");
    assert!(out.contains(&format!("[{path}:5:22]")), "{out}");
    assert!(out.contains("scp-restricted-allow-condition"), "{out}");
    assert!(out.contains(&format!("[{path}:7:5]")), "{out}");
    assert!(
        out.ends_with("1 file checked: 2 errors, 0 warnings\n"),
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

/// `explain` with identity and resource-based policies for a role session reading an object.
fn explain_read(extra: &[&str]) -> Output {
    let mut args = vec![
        "explain",
        "--policy",
        "policies/deny-s3-insecure-transport.json",
        "--identity-policy",
        "harness/cli/tests/data/list-buckets-only.json",
        "--resource-policy",
        "harness/cli/tests/data/bucket-policy.json",
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::reports/q1.csv",
        "--principal",
        "arn:aws:sts::111122223333:assumed-role/Reader/alice",
    ];
    args.extend_from_slice(extra);
    scpcheck(&args)
}

#[test]
fn explain_combines_identity_and_resource_based_policies() {
    let output = explain_read(&["--context", "aws:SecureTransport=true"]);
    assert_eq!(code(&output), exit_codes::SUCCESS, "{}", stderr(&output));
    let out = stdout(&output);
    assert!(
        out.starts_with(
            "decision: allow (allowed by the SCPs and the resource-based policy, which names the \
             principal)\n"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "identity policies:\n  policy `harness/cli/tests/data/list-buckets-only.json`\n"
        ),
        "{out}"
    );
    assert!(
        out.contains(
            "principal `arn:aws:sts::111122223333:assumed-role/Reader/alice`: named by \
             `arn:aws:iam::111122223333:role/Reader`"
        ),
        "{out}"
    );

    let insecure = explain_read(&["--context", "aws:SecureTransport=false"]);
    let out = stdout(&insecure);
    // The SCP denies first; the bucket policy's own deny is shown as matching too.
    assert!(
        out.starts_with("decision: deny (explicit deny in an SCP)\n"),
        "{out}"
    );
    assert!(out.contains("statement `TlsOnly` (Deny): matches"), "{out}");

    let across = explain_read(&[
        "--context",
        "aws:SecureTransport=true",
        "--resource-account",
        "444455556666",
    ]);
    let out = stdout(&across);
    assert!(
        out.starts_with("decision: deny (implicit deny: no identity policy allows)\n"),
        "{out}"
    );
    assert!(
        out.contains("resource in account `444455556666`, another account than the principal's"),
        "{out}"
    );
}

#[test]
fn explain_with_scps_alone_denies_a_resource_of_another_account() {
    let output = scpcheck(&[
        "explain",
        "--policy",
        "policies/deny-unencrypted-ec2.json",
        "--action",
        "sqs:SendMessage",
        "--resource",
        "arn:aws:sqs:us-east-1:444455556666:queue1",
    ]);
    assert_eq!(code(&output), exit_codes::SUCCESS, "{}", stderr(&output));
    let out = stdout(&output);
    assert!(
        out.starts_with(
            "decision: deny (implicit deny: across accounts the resource-based policy must \
             allow, and it does not)\nscp decision: allow (allowed at every level)\n"
        ),
        "{out}"
    );
    assert!(out.contains("policy `allow-all-identity`"), "{out}");
    assert!(
        out.ends_with(
            "resource-based policy: none given, for a resource of account `444455556666`, \
             another account than the principal's\n"
        ),
        "{out}"
    );
}

#[test]
fn explain_reports_a_principal_in_an_identity_policy_and_a_bad_resource_account() {
    // A bucket policy given as an identity policy: `Principal` is refused with its place.
    let output = scpcheck(&[
        "explain",
        "--policy",
        "policies/deny-s3-insecure-transport.json",
        "--identity-policy",
        "harness/cli/tests/data/bucket-policy.json",
        "--action",
        "s3:GetObject",
        "--resource",
        "*",
    ]);
    assert_eq!(code(&output), exit_codes::INVALID_INPUT);
    let err = stderr(&output);
    assert!(
        err.contains("`Principal` is not allowed in a service control or identity policy"),
        "{err}"
    );
    assert!(err.contains("bucket-policy.json:7:7"), "{err}");

    let output = explain_read(&["--resource-account", "4444"]);
    assert_eq!(code(&output), exit_codes::INVALID_INPUT);
    assert!(
        stderr(&output).contains("`4444` is not an account id"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn files_that_are_not_utf8_are_refused_with_the_place_of_the_first_invalid_byte() {
    let path = std::env::temp_dir().join(format!("scpcheck-not-utf8-{}.json", std::process::id()));
    let mut bytes = b"{\n  \"Version\": \"2012-10-17\", \"Sid\": \"\xC3\xA9".to_vec();
    bytes.extend_from_slice(b"\xFF\",\n  \"Statement\": []\n}\n");
    std::fs::write(&path, bytes).unwrap();
    let file = path.to_str().unwrap();
    let expected = format!(
        "error: `{file}`: not UTF-8 text: invalid byte 0xFF at line 2, column 37 \
         (byte offset 39)\n"
    );

    let runs = [
        scpcheck(&["lint", file]),
        scpcheck(&["eval", "--vectors", file]),
        scpcheck(&[
            "explain",
            "--policy",
            file,
            "--action",
            "s3:GetObject",
            "--resource",
            "*",
        ]),
    ];
    let _ = std::fs::remove_file(&path);
    for (index, output) in runs.into_iter().enumerate() {
        assert_eq!(code(&output), exit_codes::INVALID_INPUT);
        // `lint` reports the file with its findings on stdout, and counts it as checked, with
        // one error; the others report it on stderr.
        if index == 0 {
            assert_eq!(
                stdout(&output),
                format!("{expected}1 file checked: 1 error, 0 warnings\n")
            );
            assert_eq!(stderr(&output), "");
        } else {
            assert_eq!(stderr(&output), expected);
            assert_eq!(stdout(&output), "");
        }
    }
}

/// An SCP that denies S3 to everyone but the `Admin` role, through `aws:PrincipalArn`.
const ADMIN_ONLY_SCP: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny",
  "Action": "s3:*", "Resource": "*",
  "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Admin"}}}]}"#;

fn scratch_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("scpcheck-explain-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn explain_derives_the_principal_keys_and_checks_its_arguments() {
    let scp = scratch_file("admin-only.json", ADMIN_ONLY_SCP);
    let scp = scp.to_str().unwrap();
    let explain = |extra: &[&str]| {
        let mut args = vec!["explain", "--policy", scp];
        if !extra.contains(&"--action") {
            args.extend_from_slice(&["--action", "s3:GetObject"]);
        }
        if !extra.contains(&"--resource") {
            args.extend_from_slice(&["--resource", "*"]);
        }
        args.extend_from_slice(extra);
        scpcheck(&args)
    };
    let admin = explain(&[
        "--principal",
        "arn:aws:sts::111122223333:assumed-role/Admin/alice",
    ]);
    assert_eq!(code(&admin), exit_codes::SUCCESS, "{}", stderr(&admin));
    let out = stdout(&admin);
    assert!(out.starts_with("scp decision: allow"), "{out}");
    assert!(
        out.contains("found `arn:aws:iam::111122223333:role/Admin`: false"),
        "{out}"
    );
    // `--account` alone names the role `VectorRole` of that account.
    let by_account = explain(&["--account", "444455556666"]);
    assert_eq!(
        code(&by_account),
        exit_codes::SUCCESS,
        "{}",
        stderr(&by_account)
    );
    assert!(
        stdout(&by_account).contains(
            "principal: `arn:aws:iam::444455556666:role/VectorRole` in account `444455556666`"
        ),
        "{}",
        stdout(&by_account)
    );
    let other = explain(&[
        "--principal",
        "arn:aws:sts::111122223333:assumed-role/Dev/bob",
    ]);
    assert!(
        stdout(&other).starts_with("scp decision: deny"),
        "{}",
        stdout(&other)
    );
    // A key given with `--context` is taken as given.
    let given = explain(&[
        "--principal",
        "arn:aws:sts::111122223333:assumed-role/Admin/alice",
        "--context",
        "aws:PrincipalArn=arn:aws:iam::111122223333:role/Dev",
    ]);
    assert!(
        stdout(&given).starts_with("scp decision: deny"),
        "{}",
        stdout(&given)
    );

    for (extra, message) in [
        (
            &["--principal", "notanarn"][..],
            "`--principal`: `notanarn`: not an ARN: expected an IAM user or role",
        ),
        (
            &["--principal", "arn:aws:iam::12345:role/x"][..],
            "`--principal`: `arn:aws:iam::12345:role/x`: `12345` is not an account id: expected \
             12 digits",
        ),
        (
            &["--principal", "arn:aws:iam:us-east-1:111122223333:role/R"][..],
            "IAM and STS ARNs have no region, found `us-east-1`",
        ),
        (
            &["--account", "abc"][..],
            "`--account`: `arn:aws:iam::abc:role/VectorRole`: `abc` is not an account id",
        ),
        (
            &["--resource", "notarn"][..],
            "`--resource`: `notarn`: expected `*` or an ARN",
        ),
        (
            &["--context", "ec2:Encrypted[]x=1"][..],
            "`ec2:Encrypted[]x` is not a condition key",
        ),
        (
            &[
                "--principal",
                "arn:aws:iam::111122223333:root",
                "--account",
                "999999999999",
            ][..],
            "`--account 999999999999` is not the account of `--principal` (111122223333)",
        ),
        (
            &["--action", "s3:*"][..],
            "`--action`: `s3:*`: expected one action",
        ),
    ] {
        let output = explain(extra);
        assert_eq!(code(&output), exit_codes::INVALID_INPUT, "{extra:?}");
        assert!(stderr(&output).contains(message), "{}", stderr(&output));
    }
}

#[test]
fn explain_gives_an_allow_all_identity_policy_unless_told_otherwise() {
    let bucket = "harness/cli/tests/data/bucket-policy.json";
    let explain = |extra: &[&str]| {
        let mut args = vec![
            "explain",
            "--policy",
            "policies/deny-s3-insecure-transport.json",
            "--resource-policy",
            bucket,
            "--action",
            "s3:PutObject",
            "--resource",
            "arn:aws:s3:::reports/q1.csv",
            "--principal",
            "arn:aws:sts::444455556666:assumed-role/Partner/carol",
            "--context",
            "aws:SecureTransport=true",
        ];
        args.extend_from_slice(extra);
        stdout(&scpcheck(&args))
    };
    // The bucket policy does not name the partner: within its own account the allow-all
    // identity policy decides; with no identity policy nothing allows.
    let with_default = explain(&["--resource-account", "444455556666"]);
    assert!(
        with_default.starts_with("decision: allow (allowed by the SCPs and an identity policy)"),
        "{with_default}"
    );
    assert!(
        with_default.contains("policy `allow-all-identity`"),
        "{with_default}"
    );
    let without = explain(&["--resource-account", "444455556666", "--no-identity-policy"]);
    assert!(
        without.starts_with("decision: deny (implicit deny: no identity policy allows)"),
        "{without}"
    );
    assert!(
        without.contains("account `444455556666`: allows"),
        "{without}"
    );
}

#[test]
fn lint_reports_an_unreadable_file_and_goes_on_with_the_others() {
    let not_utf8 = scratch_file("lint-not-utf8.json", "");
    std::fs::write(&not_utf8, b"{\"Version\": \"\xFF\"}\n").unwrap();
    let not_utf8 = not_utf8.to_str().unwrap();
    let output = scpcheck(&[
        "lint",
        "no-such-policy.json",
        not_utf8,
        "policies/deny-unencrypted-ec2.json",
    ]);
    let _ = std::fs::remove_file(not_utf8);

    assert_eq!(code(&output), exit_codes::INVALID_INPUT);
    let out = stdout(&output);
    assert!(
        out.starts_with("error: cannot read `no-such-policy.json`: "),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "error: `{not_utf8}`: not UTF-8 text: invalid byte 0xFF at line 1, column 14"
        )),
        "{out}"
    );
    assert!(
        out.ends_with("\n3 files checked: 2 errors, 0 warnings\n"),
        "{out}"
    );
    assert_eq!(stderr(&output), "");
}

#[test]
fn eval_refuses_a_vector_file_without_vectors() {
    let empty = scratch_file("empty.jsonl", "\n\n");
    let empty = empty.to_str().unwrap();
    let output = scpcheck(&["eval", "--vectors", empty]);

    assert_eq!(code(&output), exit_codes::INVALID_INPUT);
    assert!(stdout(&output).is_empty(), "{}", stdout(&output));
    let err = stderr(&output);
    assert!(
        err.starts_with(&format!(
            "  × invalid vector file `{empty}`: the file has no vectors\n   ╭─[{empty}:1:1]\n"
        )),
        "{err}"
    );
    assert_eq!(err.matches("the file has no vectors").count(), 1, "{err}");
}

#[test]
fn eval_refuses_a_repeated_vector_id_naming_its_first_line() {
    let scp = concat!(
        r#"{"Version": "2012-10-17", "Statement": "#,
        r#"{"Effect": "Allow", "Action": "*", "Resource": "*"}}"#
    );
    let request = r#"{"action": "s3:GetObject", "resource": "*"}"#;
    let vector = |id: &str| {
        format!(r#"{{"id": "{id}", "scp": {scp}, "request": {request}, "expected": "Allow"}}"#)
    };
    let text = [vector("first"), vector("second"), vector("first")].join("\n");
    let file = scratch_file("repeated.jsonl", &text);
    let file = file.to_str().unwrap();
    let output = scpcheck(&["eval", "--vectors", file]);

    assert_eq!(code(&output), exit_codes::INVALID_INPUT);
    assert!(stdout(&output).is_empty(), "{}", stdout(&output));
    let err = stderr(&output);
    assert!(err.contains("duplicate vector id `first`:"), "{err}");
    assert!(err.contains(&format!("╭─[{file}:3:8]\n")), "{err}");
    assert!(
        err.contains("already the id of the vector on line 1"),
        "{err}"
    );
    assert!(err.contains("give each vector its own `id`"), "{err}");
}

/// The words of a shell command line with single quotes and without other shell syntax.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut started = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                started = true;
            }
            c if c.is_whitespace() && !quoted => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            c => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        words.push(word);
    }
    words
}

/// Every `cargo run -- explain` example of the README runs as written and succeeds.
#[test]
fn the_readme_explain_examples_run() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let mut commands = Vec::new();
    let mut current = String::new();
    let mut in_block = false;
    for line in readme.lines() {
        if line.starts_with("```") {
            in_block = !in_block;
            continue;
        }
        let line = line.trim();
        if !in_block || (current.is_empty() && !line.starts_with("cargo run -- explain ")) {
            continue;
        }
        current.push_str(line.trim_end_matches('\\'));
        current.push(' ');
        if !line.ends_with('\\') {
            commands.push(std::mem::take(&mut current));
        }
    }
    assert!(commands.len() >= 2, "{commands:?}");
    for command in commands {
        let words = shell_words(&command);
        let args: Vec<&str> = words.iter().skip(3).map(String::as_str).collect();
        let output = scpcheck(&args);
        assert_eq!(
            code(&output),
            exit_codes::SUCCESS,
            "{command}\n{}",
            stderr(&output)
        );
        assert!(stderr(&output).is_empty(), "{command}\n{}", stderr(&output));
        assert!(stdout(&output).contains("decision: "), "{command}");
    }
}

#[test]
fn lint_reports_a_directory_without_policies_and_goes_on_with_the_others() {
    let empty = std::env::temp_dir().join(format!("scpcheck-lint-empty-{}", std::process::id()));
    std::fs::create_dir_all(&empty).unwrap();
    let empty_name = empty.to_str().unwrap().to_owned();
    let output = scpcheck(&["lint", &empty_name, "policies/deny-unencrypted-ec2.json"]);
    let _ = std::fs::remove_dir(&empty);

    assert_eq!(code(&output), exit_codes::INVALID_INPUT);
    let out = stdout(&output);
    assert!(
        out.starts_with(&format!(
            "error: no `*.json` policy files in `{empty_name}`\n"
        )),
        "{out}"
    );
    assert!(
        out.ends_with("\n1 file checked: 1 error, 0 warnings\n"),
        "{out}"
    );
}

#[test]
fn lint_reports_a_link_to_nothing_in_a_directory() {
    let dir = std::env::temp_dir().join(format!("scpcheck-lint-link-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let link = dir.join("gone.json");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(dir.join("no-such-target.json"), &link).unwrap();
    let output = scpcheck(&["lint", dir.to_str().unwrap()]);
    let _ = std::fs::remove_file(&link);
    let _ = std::fs::remove_dir(&dir);

    assert_eq!(code(&output), exit_codes::INVALID_INPUT);
    let out = stdout(&output);
    assert!(
        out.starts_with(&format!("error: cannot read `{}`: ", link.display())),
        "{out}"
    );
    assert!(
        out.ends_with("\n1 file checked: 1 error, 0 warnings\n"),
        "{out}"
    );
}

#[test]
fn lint_takes_a_size_limit() {
    let policy = "policies/deny-unencrypted-ec2.json";
    let size = std::fs::read_to_string(root().join(policy))
        .unwrap()
        .chars()
        .count();
    let at_limit = scpcheck(&["lint", "--max-size", &size.to_string(), policy]);
    assert_eq!(
        code(&at_limit),
        exit_codes::SUCCESS,
        "{}",
        stdout(&at_limit)
    );

    let below = (size - 1).to_string();
    let over = scpcheck(&["lint", "--max-size", &below, policy]);
    assert_eq!(code(&over), exit_codes::INVALID_INPUT);
    let out = stdout(&over);
    assert!(
        out.contains(&format!(
            "SCP is {size} characters, more than the limit of {below}"
        )),
        "{out}"
    );
    assert!(
        out.contains("the first character beyond the limit"),
        "{out}"
    );
    assert!(
        out.ends_with("1 file checked: 1 error, 0 warnings\n"),
        "{out}"
    );

    let refused = scpcheck(&["lint", "--max-size", "many", policy]);
    assert_eq!(code(&refused), exit_codes::INVALID_INPUT);
    assert!(
        stderr(&refused).contains("--max-size"),
        "{}",
        stderr(&refused)
    );
}

#[test]
fn explain_warns_about_an_scp_organizations_would_refuse() {
    let statement = r#"{"Sid": "Same", "Effect": "Deny", "Action": "s3:DeleteBucket",
        "Resource": "*"}"#;
    let text = format!(r#"{{"Version": "2008-10-17", "Statement": [{statement}, {statement}]}}"#);
    let scp = scratch_file("refused.json", &text);
    let scp = scp.to_str().unwrap();
    let output = scpcheck(&[
        "explain",
        "--policy",
        scp,
        "--action",
        "s3:GetObject",
        "--resource",
        "*",
    ]);
    assert_eq!(code(&output), exit_codes::SUCCESS);
    assert!(
        stdout(&output).starts_with("scp decision: allow"),
        "{}",
        stdout(&output)
    );
    let err = stderr(&output);
    assert!(
        err.starts_with(&format!(
            "warning: AWS Organizations would refuse the SCP `{scp}`: {scp}:1:13: SCP does not \
             use version `2012-10-17`, and 1 more problem\n"
        )),
        "{err}"
    );
    assert!(err.contains(&format!("`scpcheck lint {scp}`")), "{err}");
}

#[test]
fn explain_refuses_a_resource_account_without_a_resource_policy() {
    let output = scpcheck(&[
        "explain",
        "--policy",
        "policies/deny-s3-insecure-transport.json",
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::reports/q1.csv",
        "--resource-account",
        "444455556666",
    ]);
    assert_eq!(code(&output), exit_codes::INVALID_INPUT);
    let err = stderr(&output);
    assert!(
        err.starts_with("error: `--resource-account 444455556666` needs `--resource-policy`"),
        "{err}"
    );
    assert!(err.contains("help: give the resource's policy"), "{err}");
    assert!(stdout(&output).is_empty());
}

#[test]
fn explain_refuses_a_resource_account_other_than_the_arns() {
    let output = scpcheck(&[
        "explain",
        "--policy",
        "policies/deny-s3-insecure-transport.json",
        "--resource-policy",
        "examples/bucket-policy.json",
        "--action",
        "sqs:SendMessage",
        "--resource",
        "arn:aws:sqs:us-east-1:111122223333:q",
        "--resource-account",
        "444455556666",
    ]);
    assert_eq!(code(&output), exit_codes::INVALID_INPUT);
    let err = stderr(&output);
    assert!(
        err.starts_with(
            "error: `--resource-account 444455556666`: the resource's ARN names account \
             `111122223333`, which owns it"
        ),
        "{err}"
    );
    assert!(stdout(&output).is_empty());
}

/// A reader that closes stderr early (`2>&1 | head -1`) does not make a command panic: it
/// exits with its own code.
#[test]
fn a_closed_stderr_does_not_change_the_exit_code() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scpcheck"))
        .args([
            "explain",
            "--policy",
            "harness/cli/tests/data/s3-snippet.json",
            "--action",
            "s3:PutObject",
            "--resource",
            "*",
        ])
        .current_dir(root())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stderr.take());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(exit_codes::INVALID_INPUT));
}
