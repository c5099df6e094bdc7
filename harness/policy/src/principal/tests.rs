use super::*;
use crate::document::{Policy, PolicyKind};

const ACCOUNT: &str = "111122223333";
const OTHER: &str = "444455556666";
const SESSION: &str = "arn:aws:sts::111122223333:assumed-role/Reader/alice";

/// The principal element of the first statement of a resource-based policy with `element`.
fn element(name: &str, element: &str) -> PrincipalElement {
    let text = format!(
        r#"{{"Version": "2012-10-17", "Statement": {{"Effect": "Deny", "{name}": {element},
            "Action": "s3:GetObject", "Resource": "*"}}}}"#
    );
    let policy = Policy::parse_as(PolicyKind::ResourceBased, "bucket.json", &text).unwrap();
    policy.statements()[0].principals().unwrap().clone()
}

fn principal(value: &str) -> PrincipalElement {
    element("Principal", value)
}

fn not_principal(value: &str) -> PrincipalElement {
    element("NotPrincipal", value)
}

fn caller_account(arn: &str) -> &str {
    arn.split(':')
        .nth(4)
        .filter(|account| !account.is_empty())
        .unwrap_or(ACCOUNT)
}

fn principal_match(element: &PrincipalElement, caller: &str) -> PrincipalMatch {
    element.match_caller(caller, caller_account(caller))
}

#[test]
fn values_are_read_by_their_form() {
    let cases = [
        (PrincipalType::Aws, "*", Named::Everyone),
        (
            PrincipalType::Aws,
            ACCOUNT,
            Named::Account {
                partition: None,
                account: ACCOUNT.to_owned(),
            },
        ),
        (
            PrincipalType::Aws,
            "arn:aws-cn:iam::111122223333:root",
            Named::Account {
                partition: Some("aws-cn".to_owned()),
                account: ACCOUNT.to_owned(),
            },
        ),
        (
            PrincipalType::Aws,
            "arn:aws:iam::111122223333:role/team/Reader",
            Named::Role {
                partition: "aws".to_owned(),
                account: ACCOUNT.to_owned(),
                name: "Reader".to_owned(),
            },
        ),
        (
            PrincipalType::Aws,
            "arn:aws:iam::111122223333:user/eng/alice",
            Named::User {
                partition: "aws".to_owned(),
                account: ACCOUNT.to_owned(),
                name: "alice".to_owned(),
            },
        ),
        (
            PrincipalType::Aws,
            SESSION,
            Named::Exact(SESSION.to_owned()),
        ),
        (
            PrincipalType::Aws,
            "arn:aws:sts::111122223333:federated-user/bob",
            Named::Exact("arn:aws:sts::111122223333:federated-user/bob".to_owned()),
        ),
        (
            PrincipalType::Service,
            "ec2.amazonaws.com",
            Named::Exact("ec2.amazonaws.com".to_owned()),
        ),
    ];
    for (kind, text, expected) in cases {
        assert_eq!(parse_value(kind, text), Ok(expected), "{kind} {text}");
    }
}

#[test]
fn malformed_values_are_refused_with_the_reason() {
    let cases = [
        ("arn:aws:iam::111122223333:role/*", "wildcard"),
        ("arn:aws:iam::*:root", "wildcard"),
        ("11112222333", "12-digit"),
        ("arn:aws:iam::111122223333:group/Admins", "group"),
        ("arn:aws:s3:::bucket", "IAM or STS ARN"),
        ("arn:aws:s3::111122223333:thing", "`iam` or `sts`"),
        (
            "arn:aws:sts::111122223333:assumed-role/Reader",
            "assumed-role session",
        ),
        ("arn:aws:iam::111122223333:role/", "role"),
        ("arn:aws:iam::1111:root", "12-digit"),
        ("", "without spaces"),
    ];
    for (text, reason) in cases {
        let problem = parse_value(PrincipalType::Aws, text).unwrap_err();
        assert!(problem.contains(reason), "{text}: {problem}");
    }
}

#[test]
fn principal_names_the_caller_or_only_its_account() {
    let cases = [
        ("\"*\"", SESSION, PrincipalMatch::Principal),
        (r#"{"AWS": "*"}"#, SESSION, PrincipalMatch::Principal),
        (
            r#"{"AWS": "111122223333"}"#,
            SESSION,
            PrincipalMatch::Account,
        ),
        (
            r#"{"AWS": "arn:aws:iam::111122223333:root"}"#,
            SESSION,
            PrincipalMatch::Account,
        ),
        // The partition of a `:root` ARN counts; a bare account id fits every partition.
        (
            r#"{"AWS": "arn:aws-cn:iam::111122223333:root"}"#,
            SESSION,
            PrincipalMatch::NotApplicable,
        ),
        (
            r#"{"AWS": "444455556666"}"#,
            SESSION,
            PrincipalMatch::NotApplicable,
        ),
        // A role names every session of it; the role's path is not part of a session ARN.
        (
            r#"{"AWS": "arn:aws:iam::111122223333:role/team/Reader"}"#,
            SESSION,
            PrincipalMatch::Principal,
        ),
        (
            r#"{"AWS": "arn:aws:iam::444455556666:role/Reader"}"#,
            SESSION,
            PrincipalMatch::NotApplicable,
        ),
        (
            r#"{"AWS": "arn:aws:iam::111122223333:role/Writer"}"#,
            SESSION,
            PrincipalMatch::NotApplicable,
        ),
        (
            r#"{"AWS": ["444455556666", "arn:aws:sts::111122223333:assumed-role/Reader/alice"]}"#,
            SESSION,
            PrincipalMatch::Principal,
        ),
        (
            r#"{"AWS": "arn:aws:sts::111122223333:assumed-role/Reader/bob"}"#,
            SESSION,
            PrincipalMatch::NotApplicable,
        ),
        // The strongest naming wins.
        (
            r#"{"AWS": ["111122223333", "arn:aws:iam::111122223333:role/Reader"]}"#,
            SESSION,
            PrincipalMatch::Principal,
        ),
        (
            r#"{"AWS": "arn:aws:iam::111122223333:user/alice"}"#,
            "arn:aws:iam::111122223333:user/alice",
            PrincipalMatch::Principal,
        ),
        // A user's name is unique in its account whatever its path, as a role's is.
        (
            r#"{"AWS": "arn:aws:iam::111122223333:user/alice"}"#,
            "arn:aws:iam::111122223333:user/team/alice",
            PrincipalMatch::Principal,
        ),
        (
            r#"{"AWS": "arn:aws:iam::111122223333:user/eng/bob"}"#,
            "arn:aws:iam::111122223333:user/bob",
            PrincipalMatch::Principal,
        ),
        (
            r#"{"AWS": "arn:aws:iam::111122223333:user/eng/bob"}"#,
            "arn:aws:iam::111122223333:user/eng/bobby",
            PrincipalMatch::NotApplicable,
        ),
        (
            r#"{"AWS": "arn:aws:iam::111122223333:user/eng/bob"}"#,
            "arn:aws:iam::444455556666:user/eng/bob",
            PrincipalMatch::NotApplicable,
        ),
        (
            r#"{"AWS": "arn:aws:iam::111122223333:user/eng/bob"}"#,
            "arn:aws-cn:iam::111122223333:user/eng/bob",
            PrincipalMatch::NotApplicable,
        ),
        // A user and a role of the same name are different principals.
        (
            r#"{"AWS": "arn:aws:iam::111122223333:user/Reader"}"#,
            SESSION,
            PrincipalMatch::NotApplicable,
        ),
        (
            r#"{"Service": "ec2.amazonaws.com"}"#,
            SESSION,
            PrincipalMatch::NotApplicable,
        ),
        (
            r#"{"Service": "ec2.amazonaws.com"}"#,
            "ec2.amazonaws.com",
            PrincipalMatch::Principal,
        ),
        // An account's identifier under another type does not name the account.
        (
            r#"{"CanonicalUser": "111122223333"}"#,
            SESSION,
            PrincipalMatch::NotApplicable,
        ),
    ];
    for (value, caller, expected) in cases {
        assert_eq!(
            principal_match(&principal(value), caller),
            expected,
            "{value} / {caller}"
        );
    }
}

#[test]
fn not_principal_exempts_only_a_caller_listed_at_every_step() {
    let account = "\"arn:aws:iam::111122223333:root\"";
    let role = "\"arn:aws:iam::111122223333:role/Reader\"";
    let session = format!("\"{SESSION}\"");
    let listed = |values: &[&str]| format!(r#"{{"AWS": [{}]}}"#, values.join(", "));
    let cases = [
        // IAM User Guide, reference_policies_elements_notprincipal.html: AWS checks the account,
        // then the role, then the session; each must be listed.
        (listed(&[&session]), true),
        (listed(&[role, &session]), true),
        (listed(&[account, &session]), true),
        // The session is a step of its own: listing its role does not list it.
        (listed(&[account, role]), true),
        (listed(&[account, role, &session]), false),
        (listed(&["\"111122223333\"", role, &session]), false),
        (r#"{"AWS": "*"}"#.to_owned(), false),
        (listed(&["\"444455556666\"", role, &session]), true),
    ];
    for (value, applies) in cases {
        let found = principal_match(&not_principal(&value), SESSION);
        assert_eq!(found.applies(), applies, "NotPrincipal {value}");
    }
    let user = "arn:aws:iam::111122223333:user/alice";
    let user_listed = listed(&[account, "\"arn:aws:iam::111122223333:user/alice\""]);
    assert!(!principal_match(&not_principal(&user_listed), user).applies());
    let user_alone = listed(&["\"arn:aws:iam::111122223333:user/alice\""]);
    assert!(principal_match(&not_principal(&user_alone), user).applies());
    // The user is listed whatever the path in either ARN.
    let user_with_path = listed(&[account, "\"arn:aws:iam::111122223333:user/eng/alice\""]);
    assert!(!principal_match(&not_principal(&user_with_path), user).applies());
    let caller_with_path = "arn:aws:iam::111122223333:user/ops/alice";
    assert!(!principal_match(&not_principal(&user_listed), caller_with_path).applies());
    let other_user = "arn:aws:iam::111122223333:user/eng/alicia";
    assert!(principal_match(&not_principal(&user_with_path), other_user).applies());
    let root = "arn:aws:iam::111122223333:root";
    assert!(!principal_match(&not_principal(&listed(&[account])), root).applies());
    assert!(
        principal_match(
            &not_principal(&listed(&[account])),
            "arn:aws:iam::444455556666:root"
        )
        .applies()
    );
}

#[test]
fn a_caller_that_is_no_arn_is_named_only_by_everyone_or_itself() {
    let service = "s3.amazonaws.com";
    assert!(principal_match(&principal("\"*\""), service).applies());
    assert!(!principal_match(&principal(r#"{"AWS": "111122223333"}"#), service).applies());
    let caller = Caller::parse("not-an-arn", OTHER);
    assert_eq!(caller.kind, CallerKind::Other);
}
