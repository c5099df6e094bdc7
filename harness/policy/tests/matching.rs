//! Statement matching: actions, resources, policy variables in resources, and conditions
//! combined.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers fail the test by panicking on malformed fixtures"
)]

use scpcheck_policy::{Context, Policy, Request, Statement};

fn statement(body: &str) -> Statement {
    let text = format!(r#"{{"Version": "2012-10-17", "Statement": {{{body}}}}}"#);
    Policy::parse("test.json", &text)
        .unwrap()
        .statements()
        .first()
        .unwrap()
        .clone()
}

fn request(action: &str, resource: &str, context: &[(&str, &str)]) -> Request {
    let mut request_context = Context::new();
    for (key, value) in context {
        request_context.insert_single(*key, *value);
    }
    Request {
        principal_arn: "arn:aws:iam::111122223333:role/Tester".into(),
        account_id: "111122223333".into(),
        action: action.into(),
        resource: resource.into(),
        context: request_context,
    }
}

const OBJECT: &str = "arn:aws:s3:::bucket/data/report.csv";

#[test]
fn actions_ignore_letter_case_and_take_wildcards() {
    let put = statement(r#""Effect": "Deny", "Action": "S3:putobject", "Resource": "*""#);
    assert!(put.matches(&request("s3:PutObject", OBJECT, &[])));
    assert!(!put.matches(&request("s3:PutObjectAcl", OBJECT, &[])));

    let patterns =
        statement(r#""Effect": "Deny", "Action": ["ec2:Create*", "rds:?reateDBCluster"]"#);
    assert!(patterns.matches(&request("ec2:CreateVolume", "*", &[])));
    assert!(patterns.matches(&request("rds:CreateDBCluster", "*", &[])));
    assert!(!patterns.matches(&request("ec2:RunInstances", "*", &[])));

    let not_action =
        statement(r#""Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "Resource": "*""#);
    assert!(not_action.matches(&request("s3:GetObject", OBJECT, &[])));
    assert!(!not_action.matches(&request("IAM:CreateRole", "*", &[])));
}

#[test]
fn resources_are_case_sensitive_and_matched_part_by_part() {
    let bucket =
        statement(r#""Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::bucket/*""#);
    assert!(bucket.matches(&request("s3:GetObject", OBJECT, &[])));
    assert!(!bucket.matches(&request("s3:GetObject", "arn:aws:s3:::Bucket/data", &[])));

    let volumes =
        statement(r#""Effect": "Deny", "Action": "ec2:*", "Resource": "arn:aws:ec2:*:*:volume/*""#);
    let volume = "arn:aws:ec2:eu-central-1:111122223333:volume/vol-1";
    assert!(volumes.matches(&request("ec2:CreateVolume", volume, &[])));
    let snapshot = "arn:aws:ec2:eu-central-1::snapshot/snap-1";
    assert!(!volumes.matches(&request("ec2:RunInstances", snapshot, &[])));
    assert!(!volumes.matches(&request("ec2:RunInstances", "*", &[])));

    let not_resource =
        statement(r#""Effect": "Deny", "Action": "s3:*", "NotResource": "arn:aws:s3:::bucket/*""#);
    assert!(!not_resource.matches(&request("s3:GetObject", OBJECT, &[])));
    assert!(not_resource.matches(&request("s3:GetObject", "arn:aws:s3:::other/x", &[])));

    let no_resource = statement(r#""Effect": "Deny", "Action": "s3:*""#);
    assert!(no_resource.matches(&request("s3:GetObject", OBJECT, &[])));
}

#[test]
fn variables_in_resources() {
    let home = statement(
        r#""Effect": "Allow", "Action": "s3:*",
           "Resource": "arn:aws:s3:::bucket/home/${aws:username}/*""#,
    );
    let own = "arn:aws:s3:::bucket/home/alice/notes.txt";
    assert!(home.matches(&request("s3:GetObject", own, &[("aws:username", "alice")])));
    assert!(!home.matches(&request("s3:GetObject", own, &[("aws:username", "bob")])));
    assert!(
        !home.matches(&request("s3:GetObject", own, &[])),
        "unresolved variable"
    );
    let wildcard_name = "arn:aws:s3:::bucket/home/*/notes.txt";
    assert!(
        !home.matches(&request("s3:GetObject", own, &[("aws:username", "*")])),
        "a variable's value is literal text, not a wildcard"
    );
    assert!(home.matches(&request(
        "s3:GetObject",
        wildcard_name,
        &[("aws:username", "*")]
    )));

    let literal_star =
        statement(r#""Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::bucket/${*}""#);
    assert!(literal_star.matches(&request("s3:GetObject", "arn:aws:s3:::bucket/*", &[])));
    assert!(!literal_star.matches(&request("s3:GetObject", OBJECT, &[])));
}

#[test]
fn conditions_of_a_statement_are_anded() {
    // From the S3 restriction of the source document: the statement matches only when the
    // header is present and not an allowed value.
    let both = statement(
        r#""Effect": "Deny", "Action": "s3:PutObject", "Resource": "*",
           "Condition": {
             "StringNotEquals": {"s3:x-amz-server-side-encryption": ["aws:kms", "AES256"]},
             "Null": {"s3:x-amz-server-side-encryption": "false"}}"#,
    );
    let key = "s3:x-amz-server-side-encryption";
    assert!(both.matches(&request("s3:PutObject", OBJECT, &[(key, "aws:kms:dsse")])));
    assert!(!both.matches(&request("s3:PutObject", OBJECT, &[(key, "AES256")])));
    assert!(!both.matches(&request("s3:PutObject", OBJECT, &[])));

    let never = statement(
        r#""Effect": "Deny", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::*/*",
           "Condition": {
             "Bool": {"s3:x-amz-server-side-encryption": false},
             "StringNotEquals": {"s3:x-amz-server-side-encryption": ["aws:kms", "AES256"]}}"#,
    );
    for value in [None, Some("AES256"), Some("false"), Some("none")] {
        let context: Vec<(&str, &str)> = value.map(|value| (key, value)).into_iter().collect();
        let matched = never.matches(&request("s3:PutObject", OBJECT, &context));
        assert_eq!(matched, value == Some("false"), "{value:?}");
    }
}
