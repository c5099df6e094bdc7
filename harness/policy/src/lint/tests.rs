//! Tests of the SCP checks: each rule's message, severity and place.

use super::*;

fn findings(text: &str) -> Vec<LintFinding> {
    let policy = Policy::parse("scp.json", text).unwrap();
    lint_scp(&policy, text)
}

fn codes(findings: &[LintFinding]) -> Vec<&'static str> {
    findings.iter().map(LintFinding::code).collect()
}

const CLEAN: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "DenyUnencryptedVolumes", "Effect": "Deny", "Action": "ec2:CreateVolume",
     "Resource": "*", "Condition": {"Bool": {"ec2:Encrypted": "false"}}}
  ]
}"#;

#[test]
fn a_clean_scp_has_no_findings() {
    assert_eq!(findings(CLEAN), []);
}

#[test]
fn size_limit_counts_every_character_and_is_configurable() {
    let policy = Policy::parse("scp.json", CLEAN).unwrap();
    let size = CLEAN.chars().count();
    let options = LintOptions { max_size: size };
    assert_eq!(lint_scp_with(&policy, CLEAN, &options), []);

    let options = LintOptions { max_size: size - 1 };
    let findings = lint_scp_with(&policy, CLEAN, &options);
    assert_eq!(codes(&findings), ["scp-size"]);
    let finding = &findings[0];
    assert_eq!(finding.severity(), LintSeverity::Error);
    let max = size - 1;
    assert_eq!(
        finding.message(),
        format!("SCP is {size} characters, more than the limit of {max}")
    );
    assert_eq!(finding.span(), span(CLEAN.len() - 1, 1));
    assert_eq!(finding.location(), SourceLocation { line: 7, column: 1 });
    let compact = compact_size(CLEAN);
    let expected_help =
        format!("without white space outside strings it would be {compact} characters");
    assert_eq!(finding.help(), Some(expected_help.as_str()));

    let tiny = LintOptions { max_size: 10 };
    let findings = lint_scp_with(&policy, CLEAN, &tiny);
    assert_eq!(
        findings[0].help(),
        Some("split the statements across several SCPs")
    );
}

#[test]
fn compact_size_keeps_white_space_inside_strings() {
    assert_eq!(
        compact_size("{ \"a b\" : [ 1 , \"c\\\" d\" ] }"),
        "{\"a b\":[1,\"c\\\" d\"]}".len()
    );
}

#[test]
fn version_must_be_current() {
    let missing = findings(
        r#"{"Statement": {"Effect": "Deny", "Action": "s3:*", "Resource": "*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}}"#,
    );
    assert_eq!(codes(&missing), ["scp-version"]);
    assert_eq!(missing[0].label(), "no `Version`");
    let original = findings(
        r#"{"Version": "2008-10-17", "Statement": {"Effect": "Deny",
        "Action": "s3:*", "Resource": "*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}}"#,
    );
    assert_eq!(codes(&original), ["scp-version"]);
    assert_eq!(
        original[0].location(),
        SourceLocation {
            line: 1,
            column: 13
        }
    );
}

#[test]
fn statement_rules() {
    let text = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "Deny-All", "Effect": "Deny", "Action": "*", "Resource": "*"},
    {"Sid": "Deny-All", "Effect": "Deny", "Action": ["s3:*Object", "s3:Get*"],
     "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2x"},
                   "Bool": {"aws:SecureTransport": "no"}}},
    {"Effect": "Allow", "Action": "*", "Resource": "*",
     "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}}
  ]
}"#;
    let findings = findings(text);
    let summary: Vec<(&str, LintSeverity, &str, usize, usize)> = findings
        .iter()
        .map(|finding| {
            let location = finding.location();
            (
                finding.code(),
                finding.severity(),
                finding.message(),
                location.line,
                location.column,
            )
        })
        .collect();
    let warning = LintSeverity::Warning;
    let sid_message = "`Sid` `Deny-All` has characters other than ASCII letters and digits";
    let expected = [
        (
            "deny-everything",
            warning,
            "statement `Deny-All` denies every action on every resource",
            4,
            5,
        ),
        ("sid-characters", warning, sid_message, 4, 13),
        (
            "missing-resource",
            warning,
            "statement `Deny-All` has no `Resource`",
            5,
            5,
        ),
        (
            "duplicate-sid",
            LintSeverity::Error,
            "duplicate `Sid` `Deny-All`",
            5,
            13,
        ),
        ("sid-characters", warning, sid_message, 5, 13),
        (
            "scp-action-wildcard",
            warning,
            "wildcard inside action `s3:*Object`",
            5,
            54,
        ),
        (
            "unreadable-condition-value",
            warning,
            "`NumericLessThan` cannot read `1.2x`",
            6,
            57,
        ),
        (
            "unreadable-condition-value",
            warning,
            "`Bool` cannot read `no`",
            7,
            52,
        ),
        (
            "for-all-values-absent-key",
            warning,
            "`ForAllValues:StringEquals` on `aws:TagKeys` allows requests without the key",
            9,
            20,
        ),
    ];
    assert_eq!(summary, expected);
    let unreadable = &findings[6];
    assert_eq!(unreadable.help(), Some("write a number"));
    assert_eq!(unreadable.label(), "never matches");
}

#[test]
fn variables_under_the_original_version_are_flagged() {
    let text = r#"{"Version": "2008-10-17", "Statement": {"Effect": "Deny", "Action": "s3:*",
        "Resource": "arn:aws:s3:::home/${aws:username}/*",
        "Condition": {"StringNotEquals": {"aws:PrincipalTag/team": "${aws:username}"}}}}"#;
    let findings = findings(text);
    assert_eq!(
        codes(&findings),
        ["scp-version", "variable-as-text", "variable-as-text"]
    );
    assert_eq!(
        findings[1].message(),
        "`arn:aws:s3:::home/${aws:username}/*` is plain text under version `2008-10-17`"
    );
}

#[test]
fn for_all_values_with_a_null_check_is_fine() {
    let text = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*",
        "Resource": "*", "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": "team"},
        "Null": {"aws:TagKeys": "false"}}}}"#;
    assert_eq!(findings(text), []);
}
