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
    let options = LintOptions {
        max_size: size,
        ..LintOptions::default()
    };
    assert_eq!(lint_scp_with(&policy, CLEAN, &options), []);

    let options = LintOptions {
        max_size: size - 1,
        ..LintOptions::default()
    };
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
    assert_eq!(finding.label(), "the first character beyond the limit");

    // Far over the limit, still only the first character beyond it is underlined.
    let options = LintOptions {
        max_size: 10,
        ..LintOptions::default()
    };
    let findings = lint_scp_with(&policy, CLEAN, &options);
    let first_extra = CLEAN.char_indices().nth(10).unwrap().0;
    assert_eq!(findings[0].span(), span(first_extra, 1));
    let compact = compact_size(CLEAN);
    let expected_help =
        format!("without white space outside strings it would be {compact} characters");
    assert_eq!(finding.help(), Some(expected_help.as_str()));

    let tiny = LintOptions {
        max_size: 10,
        ..LintOptions::default()
    };
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
    let unreadable = &findings[5];
    assert_eq!(
        unreadable.help(),
        Some("write a decimal number such as `5` or `-1.25`, without an exponent")
    );
    assert_eq!(unreadable.label(), "never matches");
}

#[test]
fn set_operators_must_fit_the_key() {
    let text = r#"{"Version": "2012-10-17", "Statement": [
    {"Effect": "Deny", "Action": "*", "Resource": "*",
     "Condition": {"ForAnyValue:StringNotEquals": {"aws:SourceVpc": "vpc-1"},
                   "StringEquals": {"AWS:TAGKEYS": "team"},
                   "ForAllValues:StringLike": {"aws:PrincipalTag/team": "b*",
                                               "aws:CalledVia": "athena.amazonaws.com"},
                   "Null": {"aws:TagKeys": "false", "aws:SourceIp": "true"},
                   "StringEqualsIfExists": {"ec2:InstanceType": "t3.micro",
                                            "aws:PrincipalOrgPaths": "o-1/r-1/ou-1/"}}}]}"#;
    let findings = findings(text);
    let summary: Vec<(&str, &str, &str)> = findings
        .iter()
        .map(|finding| {
            (
                finding.code(),
                finding.message(),
                finding.help().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "set-operator-on-single-valued-key",
                "`ForAnyValue:StringNotEquals` on `aws:SourceVpc`, a single-valued key",
                "write `StringNotEquals` without the set operator"
            ),
            (
                "multivalued-key-without-set-operator",
                "`StringEquals` on `AWS:TAGKEYS`, a multivalued key, without a set operator",
                "write `ForAllValues:StringEquals` (every value must match) or \
                 `ForAnyValue:StringEquals` (one value must match)"
            ),
            (
                "set-operator-on-single-valued-key",
                "`ForAllValues:StringLike` on `aws:PrincipalTag/team`, a single-valued key",
                "write `StringLike` without the set operator"
            ),
            (
                "multivalued-key-without-set-operator",
                "`StringEqualsIfExists` on `aws:PrincipalOrgPaths`, a multivalued key, without \
                 a set operator",
                "write `ForAllValues:StringEqualsIfExists` (every value must match) or \
                 `ForAnyValue:StringEqualsIfExists` (one value must match)"
            ),
        ]
    );
    assert_eq!(findings[0].label(), "a set operator on one value");
    assert_eq!(findings[1].label(), "can carry several values");
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

fn findings_under(text: &str, language: ScpLanguage) -> Vec<LintFinding> {
    let policy = Policy::parse("scp.json", text).unwrap();
    let options = LintOptions {
        language,
        ..LintOptions::default()
    };
    lint_scp_with(&policy, text, &options)
}

/// A policy of one statement, written on one line after `{"Version": "2012-10-17", `.
fn one_statement(statement: &str) -> String {
    format!(r#"{{"Version": "2012-10-17", "Statement": {statement}}}"#)
}

/// The source text a finding underlines.
fn underlined<'a>(text: &'a str, finding: &LintFinding) -> &'a str {
    let start = finding.span().offset();
    &text[start..start + finding.span().len()]
}

/// One rule of the restricted SCP language and a statement that breaks it.
struct RestrictedCase {
    statement: &'static str,
    code: &'static str,
    message: &'static str,
    underlined: &'static str,
    label: &'static str,
    help: &'static str,
}

const ACTION_WILDCARD_LABEL: &str =
    "the restricted SCP language accepts a wildcard only alone or at the end";
const ACTION_WILDCARD_HELP: &str = "list the actions, or end the pattern with the wildcard";

const RESTRICTED_CASES: [RestrictedCase; 8] = [
    RestrictedCase {
        statement: r#"{"Effect": "Deny", "Action": ["s3:Get*", "s3:*Object"], "Resource": "*"}"#,
        code: "scp-restricted-action-wildcard",
        message: "wildcard inside `Action` pattern `s3:*Object`",
        underlined: "*",
        label: ACTION_WILDCARD_LABEL,
        help: ACTION_WILDCARD_HELP,
    },
    RestrictedCase {
        statement: r#"{"Effect": "Allow", "Action": "iam:*Role*", "Resource": "*"}"#,
        code: "scp-restricted-action-wildcard",
        message: "wildcard inside `Action` pattern `iam:*Role*`",
        underlined: "*",
        label: ACTION_WILDCARD_LABEL,
        help: ACTION_WILDCARD_HELP,
    },
    RestrictedCase {
        statement: r#"{"Effect": "Deny", "NotAction": "iam:?etRole", "Resource": "*"}"#,
        code: "scp-restricted-action-wildcard",
        message: "wildcard inside `NotAction` pattern `iam:?etRole`",
        underlined: "?",
        label: ACTION_WILDCARD_LABEL,
        help: ACTION_WILDCARD_HELP,
    },
    RestrictedCase {
        // With an escape the source differs from the text: the whole string is underlined.
        statement: r#"{"Effect": "Deny", "Action": "s3:\u002aObject", "Resource": "*"}"#,
        code: "scp-restricted-action-wildcard",
        message: "wildcard inside `Action` pattern `s3:*Object`",
        underlined: r#""s3:\u002aObject""#,
        label: ACTION_WILDCARD_LABEL,
        help: ACTION_WILDCARD_HELP,
    },
    RestrictedCase {
        statement: r#"{"Sid": "AllowTagged", "Effect": "Allow", "Action": "ec2:*", "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalTag/team": "ops"}}}"#,
        code: "scp-restricted-allow-condition",
        message: "`Allow` statement `AllowTagged` has a `Condition`",
        underlined: r#""Condition""#,
        label: "the restricted SCP language has no `Condition` in `Allow`",
        help: "allow without the condition, and deny what it should exclude in a `Deny` \
               statement with the opposite condition",
    },
    RestrictedCase {
        statement: r#"{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}"#,
        code: "scp-restricted-allow-not-action",
        message: "`Allow` statement #1 uses `NotAction`",
        underlined: r#""NotAction""#,
        label: "the restricted SCP language accepts only `Action` in `Allow`",
        help: "list the allowed actions in `Action`, or deny the others with `NotAction` in a \
               `Deny` statement",
    },
    RestrictedCase {
        statement: r#"{"Effect": "Allow", "Action": "s3:*",
            "Resource": ["*", "arn:aws:s3:::logs/*"]}"#,
        code: "scp-restricted-allow-resource",
        message: "`Allow` statement #1 names resource `arn:aws:s3:::logs/*`",
        underlined: r#""arn:aws:s3:::logs/*""#,
        label: "the restricted SCP language accepts only `\"*\"` here",
        help: "write `\"Resource\": \"*\"` and deny the other resources in a `Deny` statement",
    },
    RestrictedCase {
        statement: r#"{"Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::logs/*"}"#,
        code: "scp-restricted-not-resource",
        message: "statement #1 uses `NotResource`",
        underlined: r#""NotResource""#,
        label: "the restricted SCP language has no `NotResource`",
        help: "list the denied resources in `Resource` instead",
    },
];

#[test]
fn restricted_rules_report_errors_only_under_the_restricted_language() {
    for case in &RESTRICTED_CASES {
        let text = one_statement(case.statement);
        let restricted = findings_under(&text, ScpLanguage::Restricted);
        let found: Vec<&LintFinding> = restricted
            .iter()
            .filter(|finding| finding.code().starts_with("scp-restricted-"))
            .collect();
        assert_eq!(found.len(), 1, "{}: {restricted:?}", case.statement);
        let finding = found[0];
        assert_eq!(finding.code(), case.code, "{}", case.statement);
        assert_eq!(finding.severity(), LintSeverity::Error, "{}", case.code);
        assert_eq!(finding.message(), case.message, "{}", case.code);
        assert_eq!(underlined(&text, finding), case.underlined, "{}", case.code);
        assert_eq!(finding.label(), case.label, "{}", case.code);
        assert_eq!(finding.help(), Some(case.help), "{}", case.code);

        let full = findings_under(&text, ScpLanguage::Full);
        assert!(
            full.iter()
                .all(|finding| finding.severity() != LintSeverity::Error),
            "{}: {full:?}",
            case.statement
        );
        assert_eq!(
            full,
            lint_scp(&Policy::parse("scp.json", &text).unwrap(), &text)
        );
    }
}

#[test]
fn restricted_not_resource_in_an_allow_has_its_own_help() {
    let text = one_statement(
        r#"{"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:iam::*:role/admin"}"#,
    );
    let findings = findings_under(&text, ScpLanguage::Restricted);
    assert_eq!(codes(&findings), ["scp-restricted-not-resource"]);
    assert_eq!(
        findings[0].help(),
        Some("write `\"Resource\": \"*\"` and deny what should stay out in a `Deny` statement")
    );
    assert_eq!(
        findings[0].location(),
        SourceLocation {
            line: 1,
            column: 75
        }
    );
}

#[test]
fn restricted_allow_reports_each_named_resource_and_an_empty_condition() {
    let text = one_statement(
        r#"[{"Effect": "Deny", "Action": "s3:*", "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
           {"Effect": "Allow", "Action": "s3:Get*",
            "Resource": ["arn:aws:s3:::a", "arn:aws:s3:::b"], "Condition": {}}]"#,
    );
    let findings = findings_under(&text, ScpLanguage::Restricted);
    assert_eq!(
        codes(&findings),
        [
            "scp-restricted-allow-resource",
            "scp-restricted-allow-resource",
            "scp-restricted-allow-condition"
        ]
    );
    let places: Vec<SourceLocation> = findings.iter().map(LintFinding::location).collect();
    let at = |line, column| SourceLocation { line, column };
    assert_eq!(places, [at(4, 26), at(4, 44), at(4, 63)]);
    assert_eq!(
        findings[0].message(),
        "`Allow` statement #2 names resource `arn:aws:s3:::a`"
    );
}

#[test]
fn what_the_restricted_language_accepts_has_no_findings() {
    let accepted = [
        r#"{"Effect": "Allow", "Action": "*", "Resource": "*"}"#,
        r#"{"Effect": "Allow", "Action": ["s3:Get*", "ec2:Describe??", "*"], "Resource": ["*"]}"#,
        r#"{"Effect": "Deny", "NotAction": ["iam:*", "sts:Get*"], "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": "eu-central-1"}}}"#,
        r#"{"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::logs/*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}"#,
    ];
    for statement in accepted {
        let text = one_statement(statement);
        assert_eq!(
            findings_under(&text, ScpLanguage::Restricted),
            [],
            "{statement}"
        );
    }
}

#[test]
fn the_default_language_is_full() {
    assert_eq!(LintOptions::default().language, ScpLanguage::Full);
    assert_eq!(ScpLanguage::default(), ScpLanguage::Full);
}

#[test]
fn bundled_policies_have_no_errors_under_the_full_language() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|extension| extension != "json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.display().to_string();
        let policy = Policy::parse(&name, &text).unwrap();
        let findings = lint_scp_with(&policy, &text, &LintOptions::default());
        let errors: Vec<&LintFinding> = findings
            .iter()
            .filter(|finding| finding.severity() == LintSeverity::Error)
            .collect();
        assert_eq!(errors, Vec::<&LintFinding>::new(), "{name}");
        checked += 1;
    }
    assert!(checked > 0, "no policies in {}", dir.display());
}

#[test]
fn a_long_scp_reports_each_repeated_sid_at_its_place() {
    // 20,000 statements on one line, every tenth repeating the `Sid` of the one before it: a
    // check that compares each statement with all earlier ones, or that locates each finding
    // from the start of the text, takes time quadratic in the size here.
    let count = 20_000;
    let statements: Vec<String> = (0..count)
        .map(|index| {
            let sid = if index % 10 == 9 { index - 1 } else { index };
            let body = r#""Effect": "Deny", "Resource": "*""#;
            format!(r#"{{"Sid": "S{sid}", "Action": "s3:Get{index}", {body}}}"#)
        })
        .collect();
    let text = format!(
        "{{\"Version\": \"2012-10-17\",\n\"Statement\": [{}]}}",
        statements.join(", ")
    );
    let policy = Policy::parse("scp.json", &text).unwrap();
    let options = LintOptions {
        max_size: usize::MAX,
        ..LintOptions::default()
    };
    let findings = lint_scp_with(&policy, &text, &options);

    assert_eq!(findings.len(), count / 10);
    assert!(
        findings
            .iter()
            .all(|finding| finding.code() == "duplicate-sid")
    );
    for (finding, index) in findings.iter().zip((9..count).step_by(10)) {
        let repeated = format!("\"S{}\"", index - 1);
        let statement_start = text.find(&format!("\"s3:Get{index}\"")).unwrap();
        let sid_offset = text
            .get(..statement_start)
            .unwrap()
            .rfind(&repeated)
            .unwrap();
        assert_eq!(
            finding.message(),
            format!("duplicate `Sid` `S{}`", index - 1)
        );
        assert_eq!(finding.span().offset(), sid_offset);
        let column = sid_offset - text.find('\n').unwrap();
        assert_eq!(finding.location(), SourceLocation { line: 2, column });
    }
}
