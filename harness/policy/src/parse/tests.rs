//! Tests of policy parsing: the model built, and every error's message, help and place.

use super::*;
use crate::error::SourceLocation;

fn errors(text: &str) -> Vec<PolicyError> {
    Policy::parse("test.json", text)
        .unwrap_err()
        .errors()
        .to_vec()
}

/// The only error of `text`, checked for its message, its location and its help.
fn only_error(text: &str, message: &str, line: usize, column: usize) -> PolicyError {
    let errors = errors(text);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    let error = errors.into_iter().next().unwrap();
    assert_eq!(error.message(), message);
    assert_eq!(
        error.location(),
        SourceLocation { line, column },
        "{message}"
    );
    error
}

fn statement(body: &str) -> String {
    format!("{{\"Version\": \"2012-10-17\",\n\"Statement\": {{{body}}}}}")
}

/// The S3 snippet of the source document exactly as printed: members without the enclosing
/// braces, and the `Condition` object never closed.
const SOURCE_DOCUMENT_S3_SNIPPET: &str = r#""Effect": "Deny",
"Action": "s3:PutObject",
"Resource": "*",
"Condition": {
  "StringNotEquals": { "s3:x-amz-server-side-encryption": [ "aws:kms", "AES256"]},
  "Null": { "s3:x-amz-server-side-encryption": true }
"#;

#[test]
fn source_document_s3_snippet_reports_its_two_problems() {
    let errors = errors(SOURCE_DOCUMENT_S3_SNIPPET);
    assert_eq!(errors.len(), 2, "{errors:#?}");

    let not_object = &errors[0];
    assert_eq!(not_object.message(), "policy document is not a JSON object");
    assert_eq!(not_object.location(), SourceLocation { line: 1, column: 1 });
    assert_eq!(not_object.label(), "a member name outside of any object");
    assert!(
        not_object
            .help()
            .unwrap()
            .contains("\"Statement\": [{ ... }]")
    );

    // The end of the input has no character to underline: the label is under the last one.
    let unclosed = &errors[1];
    assert_eq!(unclosed.message(), "unexpected end of input");
    assert_eq!(unclosed.label(), "the text ends after this");
    let last_brace = SOURCE_DOCUMENT_S3_SNIPPET.trim_end().len() - 1;
    assert_eq!(unclosed.span(), crate::error::span(last_brace, 1));
    assert_eq!(
        unclosed.location(),
        SourceLocation {
            line: 6,
            column: 53
        }
    );
    let condition_brace = SOURCE_DOCUMENT_S3_SNIPPET.find("\"Condition\": {").unwrap() + 13;
    assert_eq!(
        unclosed.secondary_labels(),
        [(
            crate::error::span(condition_brace, 1),
            "this `{` (line 4) is never closed".into()
        )]
    );
    let brace = SourceLocation::of_offset(SOURCE_DOCUMENT_S3_SNIPPET, condition_brace);
    assert_eq!(
        brace,
        SourceLocation {
            line: 4,
            column: 14
        }
    );
    assert_eq!(unclosed.help(), Some("add `}` to close what is still open"));
}

#[test]
fn source_document_s3_snippet_parses_once_wrapped_and_closed() {
    let text = format!(
        "{{\"Version\": \"2012-10-17\", \"Statement\": {{{SOURCE_DOCUMENT_S3_SNIPPET}}}}}}}"
    );
    let policy = Policy::parse("s3.json", &text).unwrap();
    let statement = &policy.statements()[0];
    assert_eq!(statement.effect(), Effect::Deny);
    assert_eq!(statement.conditions().len(), 2);
    assert_eq!(
        statement.conditions()[1].values().collect::<Vec<_>>(),
        ["true"]
    );
}

#[test]
fn builds_the_model() {
    let text = r#"{
  "Version": "2012-10-17",
  "Id": "encryption",
  "Statement": [
    {"Sid": "DenyUnencrypted", "Effect": "Deny",
     "Action": ["ec2:CreateVolume", "ec2:RunInstances"], "Resource": "*",
     "Condition": {"Bool": {"ec2:Encrypted": "false"}}},
    {"Effect": "Allow", "NotAction": "iam:*", "NotResource": ["arn:aws:s3:::secret/*"]}
  ]
}"#;
    let policy = Policy::parse("p.json", text).unwrap();
    assert_eq!(policy.version(), PolicyVersion::Current);
    assert_eq!(policy.id(), Some("encryption"));
    assert_eq!(policy.source_name(), "p.json");
    assert_eq!(policy.size_in_characters(), text.chars().count());
    let [deny, allow] = policy.statements() else {
        panic!("two statements expected")
    };
    assert_eq!(deny.sid(), Some("DenyUnencrypted"));
    assert_eq!(deny.display_name(), "`DenyUnencrypted`");
    assert_eq!(
        deny.actions().texts().collect::<Vec<_>>(),
        ["ec2:CreateVolume", "ec2:RunInstances"]
    );
    assert_eq!(deny.conditions()[0].operator().to_string(), "Bool");
    assert_eq!(deny.conditions()[0].key(), "ec2:Encrypted");
    assert_eq!(allow.display_name(), "#2");
    assert!(allow.actions().is_negated());
    assert_eq!(allow.resources().unwrap().name(), "NotResource");
}

#[test]
fn missing_version_means_the_original_version() {
    let policy = Policy::parse(
        "p.json",
        r#"{"Statement": {"Effect": "Allow", "Action": "*"}}"#,
    );
    let policy = policy.unwrap();
    assert_eq!(policy.version(), PolicyVersion::Original);
    assert!(policy.statements()[0].resources().is_none());
}

#[test]
fn reports_every_problem_at_once() {
    let text = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "deny", "Action": "s3:PutObject", "Resource": []},
    {"Effect": "Allow", "Action": "*", "Resource": "*", "Principal": "*"},
    {"Effect": "Deny", "Actions": "*"}
  ]
}"#;
    let errors = errors(text);
    let summary: Vec<(String, usize, usize)> = errors
        .iter()
        .map(|error| {
            let location = error.location();
            (error.message().to_owned(), location.line, location.column)
        })
        .collect();
    let expected = [
        ("invalid effect `deny`", 4, 16),
        ("`Resource` is empty", 4, 62),
        (
            "`Principal` is not allowed in a service control or identity policy",
            5,
            57,
        ),
        ("statement has no `Action` or `NotAction`", 6, 5),
        ("unknown statement element `Actions`", 6, 24),
    ];
    let expected: Vec<(String, usize, usize)> = expected
        .iter()
        .map(|(message, line, column)| ((*message).to_owned(), *line, *column))
        .collect();
    assert_eq!(summary, expected);
    assert_eq!(
        errors[0].help(),
        Some("effects are case-sensitive: write `Deny`")
    );
    assert_eq!(errors[0].label(), "expected `Allow` or `Deny`");
}

#[test]
fn not_principal_is_refused_in_an_scp() {
    let text = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "*",
  "Resource": "*", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}}}"#;
    let errors = errors(text);
    let summary: Vec<(&str, usize, usize)> = errors
        .iter()
        .map(|error| {
            let location = error.location();
            (error.message(), location.line, location.column)
        })
        .collect();
    assert_eq!(
        summary,
        [(
            "`NotPrincipal` is not allowed in a service control or identity policy",
            2,
            20
        )]
    );
}

#[test]
fn element_problems() {
    let error = only_error(
        &statement(r#""Effect": "Deny", "Action": "*", "Resource": "*", "action": "x""#),
        "unknown statement element `action`",
        2,
        65,
    );
    assert_eq!(
        error.help(),
        Some("element names are case-sensitive: write `Action`")
    );

    let error = only_error(
        r#"{"Version": "2012-10-17", "Effect": "Deny",
            "Statement": {"Effect": "Deny", "Action": "*"}}"#,
        "unknown policy element `Effect`",
        1,
        27,
    );
    assert_eq!(
        error.help(),
        Some("`Effect` belongs inside a statement: put it in an object in `Statement`")
    );

    only_error(
        r#"{"Version": "2012-10-17"}"#,
        "policy has no `Statement`",
        1,
        1,
    );
    only_error(r#"{"Statement": []}"#, "`Statement` is empty", 1, 15);
    only_error(r#"["x"]"#, "policy document must be a JSON object", 1, 1);
    let error = only_error(
        r#"{"Version": "2012-10-18", "Statement": {"Effect": "Deny", "Action": "*"}}"#,
        "unsupported policy version `2012-10-18`",
        1,
        13,
    );
    assert_eq!(error.label(), "expected `2012-10-17` or `2008-10-17`");
    only_error(
        &statement(r#""Effect": "Deny", "Action": "*", "Sid": 7"#),
        "`Sid` must be a string",
        2,
        55,
    );
}

#[test]
fn action_and_resource_problems() {
    let error = only_error(
        &statement(r#""Effect": "Deny", "Action": ["s3:GetObject", "PutObject"]"#),
        "invalid action `PutObject`",
        2,
        60,
    );
    assert_eq!(error.label(), "expected `service:Action`");
    only_error(
        &statement(r#""Effect": "Deny", "Action": "ec*:Describe*""#),
        "invalid action `ec*:Describe*`",
        2,
        43,
    );
    let both = only_error(
        &statement(r#""Effect": "Deny", "Action": "*", "NotAction": "s3:*""#),
        "statement has both `Action` and `NotAction`",
        2,
        48,
    );
    assert_eq!(both.secondary_labels()[0].1, "`Action` here");
    only_error(
        &statement(r#""Effect": "Deny", "Action": "*", "Resource": "bucket/*""#),
        "invalid resource `bucket/*`",
        2,
        60,
    );
    only_error(
        &statement(r#""Effect": "Deny", "Action": "*", "Resource": "arn:aws:s3:bucket""#),
        "invalid resource `arn:aws:s3:bucket`",
        2,
        60,
    );
    only_error(
        &statement(r#""Effect": "Deny", "Action": [1]"#),
        "`Action` must hold only strings",
        2,
        44,
    );
    only_error(
        &statement(r#""Effect": "Deny", "Action": {}"#),
        "`Action` must be a string or an array of strings",
        2,
        43,
    );
}

#[test]
fn condition_problems() {
    let with_condition = |condition: &str| {
        statement(&format!(
            r#""Effect": "Deny", "Action": "*", "Condition": {condition}"#
        ))
    };
    let error = only_error(
        &with_condition(r#"{"bool": {"aws:SecureTransport": "false"}}"#),
        "unknown condition operator `bool`",
        2,
        62,
    );
    assert_eq!(
        error.help(),
        Some("operator names are case-sensitive: write `Bool`")
    );
    only_error(
        &with_condition(r#"{"NullIfExists": {"aws:SecureTransport": "false"}}"#),
        "`NullIfExists` is not an operator",
        2,
        62,
    );
    only_error(
        &with_condition(r#"{"Bool": {"aws:SecureTransport": []}}"#),
        "condition key `aws:SecureTransport` has no values",
        2,
        94,
    );
    only_error(
        &with_condition(r#"{"Bool": {"SecureTransport": "true"}}"#),
        "invalid condition key `SecureTransport`",
        2,
        71,
    );
    only_error(
        &with_condition(r#"{"Bool": {"aws:SecureTransport": null}}"#),
        "condition value must be a string, a boolean or a number",
        2,
        94,
    );
    only_error(
        &with_condition(r#"{"Bool": {}}"#),
        "condition operator `Bool` has no keys",
        2,
        70,
    );
    let error = only_error(
        &with_condition(r#"{"Bool": {"aws:SecureTransport": "true", "AWS:securetransport": "x"}}"#),
        "duplicate condition key `AWS:securetransport`",
        2,
        102,
    );
    assert_eq!(error.secondary_labels()[0].1, "first here");
}

#[test]
fn duplicate_members_are_reported_with_the_rest() {
    let text = "{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Deny\",\n\
                \"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\", \"Bogus\": 1}}";
    let errors = errors(text);
    let messages: Vec<&str> = errors.iter().map(PolicyError::message).collect();
    assert_eq!(
        messages,
        [
            "duplicate member `Effect`",
            "unknown statement element `Bogus`"
        ]
    );
    assert_eq!(errors[0].location(), SourceLocation { line: 2, column: 1 });
    assert_eq!(errors[0].secondary_labels()[0].1, "first defined here");
}

#[test]
fn policy_errors_render_with_miette() {
    use miette::{Diagnostic, NarratableReportHandler};

    let errors = Policy::parse("s3.json", SOURCE_DOCUMENT_S3_SNIPPET).unwrap_err();
    assert_eq!(errors.to_string(), "invalid policy `s3.json`: 2 problems");
    assert_eq!(errors.related().unwrap().count(), 2);
    let mut rendered = String::new();
    NarratableReportHandler::new()
        .render_report(&mut rendered, &errors)
        .unwrap();
    assert!(
        rendered.contains("policy document is not a JSON object"),
        "{rendered}"
    );
    assert!(
        rendered.contains("this `{` (line 4) is never closed"),
        "{rendered}"
    );
    assert!(rendered.contains("s3.json"), "{rendered}");
}

fn resource_policy_errors(text: &str) -> Vec<(String, usize, usize)> {
    Policy::parse_as(PolicyKind::ResourceBased, "bucket.json", text)
        .unwrap_err()
        .errors()
        .iter()
        .map(|error| {
            let location = error.location();
            (error.message().to_owned(), location.line, location.column)
        })
        .collect()
}

#[test]
fn resource_based_policy_reads_its_principals() {
    let text = r#"{"Version": "2012-10-17", "Statement": [
  {"Sid": "Everyone", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
   "Resource": "arn:aws:s3:::bucket/*"},
  {"Effect": "Allow",
   "Principal": {"AWS": ["111122223333", "arn:aws:iam::444455556666:role/Reader"],
                 "Service": "cloudtrail.amazonaws.com"},
   "Action": "s3:PutObject", "Resource": "arn:aws:s3:::bucket/*"},
  {"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"},
   "Action": "s3:*", "Resource": "*"}]}"#;
    let policy = Policy::parse_as(PolicyKind::ResourceBased, "bucket.json", text).unwrap();
    assert_eq!(policy.kind(), PolicyKind::ResourceBased);
    let statements = policy.statements();
    let everyone = statements[0].principals().unwrap();
    assert!(everyone.is_bare_wildcard());
    assert!(!everyone.is_negated());
    let named: Vec<(PrincipalType, &str)> = statements[1].principals().unwrap().values().collect();
    assert_eq!(
        named,
        [
            (PrincipalType::Aws, "111122223333"),
            (PrincipalType::Aws, "arn:aws:iam::444455556666:role/Reader"),
            (PrincipalType::Service, "cloudtrail.amazonaws.com"),
        ]
    );
    let exempt = statements[2].principals().unwrap();
    assert!(exempt.is_negated());
    assert_eq!(exempt.name(), "NotPrincipal");
    // The same text is not an identity policy.
    assert!(Policy::parse("bucket.json", text).is_err());
}

#[test]
fn resource_based_policy_errors_name_their_place() {
    let text = r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
  {"Effect": "Allow", "NotPrincipal": {"AWS": "111122223333"}, "Action": "s3:*"},
  {"Effect": "Deny", "Principal": "arn:aws:iam::111122223333:root", "Action": "s3:*"},
  {"Effect": "Deny", "Principal": {"aws": "*", "AWS": "arn:aws:iam::111122223333:role/*"},
   "Action": "s3:*"},
  {"Effect": "Deny", "Principal": {"AWS": []}, "Action": "s3:*"},
  {"Effect": "Deny", "Principal": {}, "Action": "s3:*"},
  {"Effect": "Deny", "Principal": "*", "NotPrincipal": "*", "Action": "s3:*"},
  {"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::111122223333:group/Admins"},
   "Action": "s3:*"},
  {"Effect": "Deny", "Principal": 7, "Action": "s3:*"}]}"#;
    let expected = [
        (
            "statement of a resource-based policy has no `Principal`",
            2,
            3,
        ),
        ("`NotPrincipal` with `Allow` is not supported", 3, 23),
        ("`Principal` must be `\"*\"` or an object", 4, 35),
        ("unknown principal type `aws`", 5, 36),
        (
            "invalid AWS principal `arn:aws:iam::111122223333:role/*`",
            5,
            55,
        ),
        ("`AWS` is empty", 7, 43),
        ("`Principal` is empty", 8, 35),
        ("statement has both `Principal` and `NotPrincipal`", 9, 40),
        (
            "invalid AWS principal `arn:aws:iam::111122223333:group/Admins`",
            10,
            43,
        ),
        (
            "`Principal` must be `\"*\"` or an object of principal types",
            12,
            35,
        ),
    ];
    let expected: Vec<(String, usize, usize)> = expected
        .iter()
        .map(|(message, line, column)| ((*message).to_owned(), *line, *column))
        .collect();
    assert_eq!(resource_policy_errors(text), expected);

    let errors = Policy::parse_as(PolicyKind::ResourceBased, "bucket.json", text).unwrap_err();
    let help = |message: &str| {
        errors
            .errors()
            .iter()
            .find(|error| error.message() == message)
            .and_then(PolicyError::help)
            .map(str::to_owned)
    };
    assert_eq!(
        help("unknown principal type `aws`").as_deref(),
        Some("principal types are case-sensitive: write `AWS`")
    );
    let group = errors
        .errors()
        .iter()
        .find(|error| error.message().contains("group/Admins"))
        .unwrap();
    assert_eq!(group.label(), "an IAM user group cannot be a principal");
}

#[test]
fn the_help_for_an_empty_document_shows_a_policy_that_parses() {
    for text in ["", "\u{feff}  \n"] {
        let error = only_error(text, "policy document is empty", 1, 1);
        let help = error.help().unwrap();
        let example = help
            .split_once('`')
            .and_then(|(_, rest)| rest.rsplit_once('`'))
            .map(|(example, _)| example)
            .unwrap();
        assert!(example.contains("\"Statement\": [{"), "{help}");
        let policy = Policy::parse("example.json", example);
        assert!(policy.is_ok(), "{help}: {policy:?}");
    }
}

/// Each error of `text` as its message, its line and column, and the text it underlines.
fn located(text: &str) -> Vec<(String, usize, usize, &str)> {
    errors(text)
        .iter()
        .map(|error| {
            let location = error.location();
            let start = error.span().offset();
            let underlined = text.get(start..start + error.span().len()).unwrap();
            let message = error.message().to_owned();
            (message, location.line, location.column, underlined)
        })
        .collect()
}

fn at(
    message: &str,
    line: usize,
    column: usize,
    underlined: &'static str,
) -> (String, usize, usize, &'static str) {
    (message.to_owned(), line, column, underlined)
}

#[test]
fn a_value_with_a_syntax_error_is_not_reported_again() {
    let text = r#"{"Version": 'x', "Statement": [
  {"Sid": yes, "Effect": tru, "Action": [no], "Resource": 01},
  {"Effect": "Deny", "Action": "*", "Condition": {"Bool": {"aws:SecureTransport": nope}}},
  {"Effect": "Deny", "Action": "*", "Condition": {"Bool": @}},
  falsy]}"#;
    let word = |word: &str| format!("unexpected word `{word}`");
    assert_eq!(
        located(text),
        [
            at("string in single quotes", 1, 13, "'x'"),
            at(&word("yes"), 2, 11, "yes"),
            at(&word("tru"), 2, 26, "tru"),
            at(&word("no"), 2, 42, "no"),
            at("invalid number `01`", 2, 59, "01"),
            at(&word("nope"), 3, 83, "nope"),
            at("unexpected `@`", 4, 59, "@"),
            at(&word("falsy"), 5, 3, "falsy"),
        ]
    );
}

#[test]
fn what_a_syntax_error_may_hide_is_not_reported_missing() {
    // A statement that lost a member, an array cut short by the end of the input, an object
    // whose only member was lost: none is reported as missing an element or empty.
    let lost_member = r#"{"Version": "2012-10-17", "Statement": [
  {Effect "Deny", "Action": "*"},
  {"Effect": "Deny", "Action": "*", "Condition": {"Bool": {1: 2}}},
  {"Effect": "Deny", "Action": ["#;
    let not_quoted = "member name `Effect` is not in double quotes";
    assert_eq!(
        located(lost_member),
        [
            at(not_quoted, 2, 4, "Effect"),
            at("unexpected `1`", 3, 60, "1"),
            at("unexpected end of input", 4, 32, "["),
        ]
    );

    let lost_statement = r#"{"Version": "2012-10-17", Statement [{"Effect": "Deny"}]}"#;
    let not_quoted = "member name `Statement` is not in double quotes";
    assert_eq!(
        located(lost_statement),
        [at(not_quoted, 1, 27, "Statement")]
    );
}

#[test]
fn a_member_name_read_past_its_syntax_error_is_checked() {
    let text = statement(r#"Effect: "Deny", 'Action': "s3:*", Resorce: "*""#);
    let not_quoted = |name: &str| format!("member name `{name}` is not in double quotes");
    assert_eq!(
        located(&text),
        [
            at(&not_quoted("Effect"), 2, 15, "Effect"),
            at("string in single quotes", 2, 31, "'Action'"),
            at(&not_quoted("Resorce"), 2, 49, "Resorce"),
            at("unknown statement element `Resorce`", 2, 49, "Resorce"),
        ]
    );
}

#[test]
fn a_principal_with_a_syntax_error_is_not_reported_again() {
    let text = r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Deny", "Principal": yes, "Action": "s3:*"},
  {"Effect": "Deny", "Principal": {"AWS": [tru]}, "Action": "s3:*"},
  {"Effect": "Deny", "Principal": {AWS "x"}, "Action": "s3:*"}]}"#;
    let errors = Policy::parse_as(PolicyKind::ResourceBased, "bucket.json", text).unwrap_err();
    let found: Vec<(&str, usize, usize, &str)> = errors
        .errors()
        .iter()
        .map(|error| {
            let location = error.location();
            (
                error.message(),
                location.line,
                location.column,
                error.label(),
            )
        })
        .collect();
    let expected = [
        ("unexpected word `yes`", 2, 35, "expected a JSON value"),
        ("unexpected word `tru`", 3, 44, "expected a JSON value"),
        (
            "member name `AWS` is not in double quotes",
            4,
            36,
            "expected a string",
        ),
    ];
    assert_eq!(found, expected);
}
