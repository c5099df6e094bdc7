//! Evaluations per second of the reference evaluator: the bundled SCPs in the layout of
//! `policies/layout.toml` with the requests the operation catalogue makes for
//! `ec2:CreateVolume` and `s3:PutObject`, and a large SCP of 50 statements that uses every
//! condition operator, with `IfExists`, the set prefixes and policy variables, and whose every
//! condition is evaluated. Each is measured with the fast path (`scp_decision`) and with the
//! explained evaluation (`evaluate_scps`).
//!
//! Run with `cargo bench -p scpcheck-policy`; the throughput criterion prints is in
//! evaluations per second.
#![expect(
    clippy::expect_used,
    reason = "a bundled policy that does not parse ends the benchmark"
)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use scpcheck_policy::{
    AttachedPolicy, Context, ContextValue, LevelKind, OrgLevel, Organization, Policy, Request,
    evaluate_scps, scp_decision,
};

const ACCOUNT: &str = "111122223333";
const PRINCIPAL: &str = "arn:aws:iam::111122223333:role/scpcheck";
const FULL_AWS_ACCESS: &str = r#"{"Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#;

/// The SCPs attached to the tenants OU by `policies/layout.toml`, besides `FullAWSAccess`.
const TENANT_OU_SCPS: [(&str, &str); 3] = [
    (
        "deny-unencrypted-ec2",
        include_str!("../../../policies/deny-unencrypted-ec2.json"),
    ),
    (
        "deny-s3-unencrypted-upload",
        include_str!("../../../policies/deny-s3-unencrypted-upload.json"),
    ),
    (
        "deny-s3-insecure-transport",
        include_str!("../../../policies/deny-s3-insecure-transport.json"),
    ),
];

/// The SCPs attached to the tenant account by `policies/layout.toml`, besides `FullAWSAccess`.
const TENANT_ACCOUNT_SCPS: [(&str, &str); 2] = [
    (
        "deny-unencrypted-rds",
        include_str!("../../../policies/deny-unencrypted-rds.json"),
    ),
    (
        "deny-unencrypted-efs",
        include_str!("../../../policies/deny-unencrypted-efs.json"),
    ),
];

fn attached(name: &str, text: &str) -> AttachedPolicy {
    let policy = Policy::parse(name, text).expect("bundled policies parse");
    AttachedPolicy {
        name: name.to_owned(),
        policy: Arc::new(policy),
    }
}

/// Root, OU and account with `FullAWSAccess` each, and `ou_policies` and `account_policies` at
/// the OU and the account besides.
fn organization(
    ou_policies: Vec<AttachedPolicy>,
    account_policies: Vec<AttachedPolicy>,
) -> Organization {
    let full = || attached("FullAWSAccess", FULL_AWS_ACCESS);
    let level = |target_id: &str, kind, policies| OrgLevel {
        target_id: target_id.to_owned(),
        kind,
        policies,
    };
    let mut at_ou = vec![full()];
    at_ou.extend(ou_policies);
    let mut at_account = vec![full()];
    at_account.extend(account_policies);
    Organization {
        management_account_id: "999999999999".to_owned(),
        levels: vec![
            level("r-root", LevelKind::Root, vec![full()]),
            level("ou-tenants", LevelKind::OrganizationalUnit, at_ou),
            level(ACCOUNT, LevelKind::Account, at_account),
        ],
    }
}

fn bundled_organization() -> Organization {
    let attach = |scps: &[(&str, &str)]| -> Vec<AttachedPolicy> {
        scps.iter()
            .map(|(name, text)| attached(name, text))
            .collect()
    };
    organization(attach(&TENANT_OU_SCPS), attach(&TENANT_ACCOUNT_SCPS))
}

/// A request with the global keys the catalogue sets on every call, and `keys` besides.
fn request(action: &str, resource: &str, keys: &[(&str, &str)]) -> Request {
    let mut context = Context::new();
    context.insert_single("aws:SecureTransport", "true");
    context.insert_single("aws:PrincipalArn", PRINCIPAL);
    context.insert_single("aws:PrincipalAccount", ACCOUNT);
    context.insert_single("aws:RequestedRegion", "eu-central-1");
    for (key, value) in keys {
        context.insert_single(*key, *value);
    }
    Request {
        principal_arn: PRINCIPAL.to_owned(),
        account_id: ACCOUNT.to_owned(),
        action: action.to_owned(),
        resource: resource.to_owned(),
        context,
    }
}

/// The requests of the catalogue for `ec2:CreateVolume` and `s3:PutObject`, allowed and denied.
fn bundled_requests() -> Vec<(&'static str, Request)> {
    let volume = "arn:aws:ec2:eu-central-1:111122223333:volume/*";
    let object = "arn:aws:s3:::tenant-bucket/reports/2026.csv";
    vec![
        (
            "ec2-create-volume-encrypted",
            request(
                "ec2:CreateVolume",
                volume,
                &[
                    ("ec2:Encrypted", "true"),
                    ("ec2:VolumeType", "gp3"),
                    ("ec2:VolumeSize", "100"),
                ],
            ),
        ),
        (
            "ec2-create-volume-unencrypted",
            request(
                "ec2:CreateVolume",
                volume,
                &[("ec2:Encrypted", "false"), ("ec2:VolumeType", "gp2")],
            ),
        ),
        (
            "s3-put-object-sse",
            request(
                "s3:PutObject",
                object,
                &[("s3:x-amz-server-side-encryption", "AES256")],
            ),
        ),
        ("s3-put-object-no-sse", request("s3:PutObject", object, &[])),
    ]
}

/// Every condition operator, each with a key of [`large_policy_request`] and two values: one
/// the condition holds for, one it does not. `{i}` varies the values between statements, `{day}`
/// the dates. `IfExists`, the set prefixes and a policy variable have rows of their own.
const OPERATORS: [(&str, &str, &str, &str); 30] = [
    (
        "StringEquals",
        "s3:x-amz-server-side-encryption",
        r#"["AES256", "aws:kms"]"#,
        r#"["aws:kms:dsse", "none-{i}"]"#,
    ),
    (
        "StringNotEquals",
        "aws:RequestedRegion",
        r#"["us-east-{i}", "eu-west-1"]"#,
        r#""eu-central-1""#,
    ),
    (
        "StringEqualsIgnoreCase",
        "aws:RequestedRegion",
        r#""EU-CENTRAL-1""#,
        r#""US-EAST-{i}""#,
    ),
    (
        "StringNotEqualsIgnoreCase",
        "aws:RequestedRegion",
        r#""US-EAST-{i}""#,
        r#""EU-Central-1""#,
    ),
    (
        "StringLike",
        "aws:PrincipalArn",
        r#""arn:aws:iam::*:role/scp*""#,
        r#""arn:aws:iam::*:role/Breakglass-{i}*""#,
    ),
    (
        "StringNotLike",
        "s3:prefix",
        r#""tmp/{i}/*""#,
        r#""home/${aws:username}/*""#,
    ),
    ("NumericEquals", "example:size", r#""10""#, r#""{i}1""#),
    ("NumericNotEquals", "example:size", r#""{i}1""#, r#""10""#),
    ("NumericLessThan", "example:size", r#""100""#, r#""5""#),
    ("NumericLessThanEquals", "example:size", r#""10""#, r#""9""#),
    (
        "NumericGreaterThan",
        "example:size",
        r#""9""#,
        r#""1{i}00""#,
    ),
    (
        "NumericGreaterThanEquals",
        "example:size",
        r#""10""#,
        r#""11""#,
    ),
    (
        "DateEquals",
        "aws:CurrentTime",
        r#""2026-12-04T10:00:00Z""#,
        r#""2020-01-{day}T00:00:00Z""#,
    ),
    (
        "DateNotEquals",
        "aws:CurrentTime",
        r#""2020-01-{day}T00:00:00Z""#,
        r#""2026-12-04T10:00:00Z""#,
    ),
    (
        "DateLessThan",
        "aws:CurrentTime",
        r#""2030-01-01T00:00:00Z""#,
        r#""2020-01-{day}T00:00:00Z""#,
    ),
    (
        "DateLessThanEquals",
        "aws:CurrentTime",
        r#""2026-12-04T10:00:00Z""#,
        r#""2026-12-04T09:59:59Z""#,
    ),
    (
        "DateGreaterThan",
        "aws:CurrentTime",
        r#""2020-01-{day}T00:00:00Z""#,
        r#""2030-01-01T00:00:00Z""#,
    ),
    (
        "DateGreaterThanEquals",
        "aws:CurrentTime",
        r#""1796378400""#,
        r#""1796378401""#,
    ),
    ("Bool", "aws:SecureTransport", r#""true""#, r#""false""#),
    (
        "BinaryEquals",
        "example:blob",
        r#""Ynl0ZXM=""#,
        r#"["aGVsbG8=", "d29ybGQ{i}"]"#,
    ),
    (
        "IpAddress",
        "aws:SourceIp",
        r#""203.0.113.0/24""#,
        r#""10.{i}.0.0/16""#,
    ),
    (
        "NotIpAddress",
        "aws:SourceIp",
        r#"["10.{i}.0.0/16", "2001:db8::/32"]"#,
        r#""203.0.113.0/24""#,
    ),
    (
        "ArnEquals",
        "aws:SourceArn",
        r#""arn:aws:sns:eu-central-1:111122223333:topic-a""#,
        r#""arn:aws:sns:eu-central-1:111122223333:topic-{i}""#,
    ),
    (
        "ArnLike",
        "aws:SourceArn",
        r#""arn:aws:sns:*:111122223333:topic-*""#,
        r#""arn:aws:sqs:*:*:queue-{i}""#,
    ),
    (
        "ArnNotEquals",
        "aws:SourceArn",
        r#""arn:aws:sns:eu-central-1:111122223333:topic-{i}""#,
        r#""arn:aws:sns:eu-central-1:111122223333:topic-a""#,
    ),
    (
        "ArnNotLike",
        "aws:PrincipalArn",
        r#""arn:aws:iam::*:role/Breakglass-{i}""#,
        r#""arn:aws:iam::111122223333:role/*""#,
    ),
    (
        "Null",
        "aws:PrincipalTag/missing{i}",
        r#""true""#,
        r#""false""#,
    ),
    (
        "StringEqualsIfExists",
        "aws:RequestTag/team",
        r#""${aws:PrincipalTag/team}""#,
        r#""red-{i}""#,
    ),
    (
        "ForAnyValue:StringEquals",
        "aws:TagKeys",
        r#"["team", "x{i}"]"#,
        r#"["Forbidden{i}", "Secret"]"#,
    ),
    (
        "ForAllValues:StringLike",
        "aws:TagKeys",
        r#"["team", "Cost*"]"#,
        r#"["other-{i}-*"]"#,
    ),
];

/// How many conditions of a statement of the large policy hold; the one after them does not.
const HOLDING_CONDITIONS: usize = 5;

/// An SCP of 50 `Deny` statements. Statement `i` has [`HOLDING_CONDITIONS`] conditions that
/// hold for [`large_policy_request`], each with the next operator of [`OPERATORS`] (cycling),
/// and then one with the operator after them that does not: so no statement matches, and the
/// fast path, which stops at a statement's first condition that fails, evaluates every
/// condition of every statement, as the explained evaluation does. Over the 50 statements every
/// operator holds in about eight conditions and fails in about two.
fn large_policy_text() -> String {
    let statements: Vec<String> = (0..50)
        .map(|index| {
            let first = index * HOLDING_CONDITIONS;
            let block = |offset: usize, holds: bool| {
                let (operator, key, holding, failing) = OPERATORS
                    .get((first + offset) % OPERATORS.len())
                    .copied()
                    .expect("the index is taken modulo the table's length");
                let value = if holds { holding } else { failing };
                let fill = |text: &str| {
                    text.replace("{i}", &index.to_string())
                        .replace("{day}", &format!("{:02}", index % 28 + 1))
                };
                format!(r#""{operator}": {{"{}": {}}}"#, fill(key), fill(value))
            };
            let mut conditions: Vec<String> = (0..HOLDING_CONDITIONS)
                .map(|offset| block(offset, true))
                .collect();
            conditions.push(block(HOLDING_CONDITIONS, false));
            let action = if index % 2 == 0 { "s3:*" } else { "*" };
            let resource = if index % 3 == 0 {
                "arn:aws:s3:::tenant-*/home/${aws:username}/*"
            } else {
                "*"
            };
            format!(
                r#"{{"Sid": "Statement{index}", "Effect": "Deny", "Action": ["{action}",
                "ec2:CreateVolume"], "Resource": ["{resource}"],
                "Condition": {{{}}}}}"#,
                conditions.join(", ")
            )
        })
        .collect();
    format!(
        r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#,
        statements.join(",\n")
    )
}

/// A request that reaches the conditions of every statement of the large policy.
fn large_policy_request() -> Request {
    let mut request = request(
        "s3:PutObject",
        "arn:aws:s3:::tenant-bucket/home/alice/a.txt",
        &[
            ("s3:x-amz-server-side-encryption", "AES256"),
            ("example:size", "10"),
            ("aws:CurrentTime", "2026-12-04T10:00:00Z"),
            ("example:blob", "Ynl0ZXM="),
            ("aws:SourceIp", "203.0.113.7"),
            (
                "aws:SourceArn",
                "arn:aws:sns:eu-central-1:111122223333:topic-a",
            ),
            ("aws:PrincipalTag/team", "blue"),
            ("aws:RequestTag/team", "blue"),
            ("s3:prefix", "home/alice/docs"),
            ("aws:username", "alice"),
        ],
    );
    let tag_keys = vec!["team".to_owned(), "CostCenter".to_owned()];
    request
        .context
        .insert("aws:TagKeys", ContextValue::Multi(tag_keys));
    request
}

/// Checks that every statement of the large policy evaluated its conditions to
/// [`HOLDING_CONDITIONS`] times `true` and then `false`, in that order, so both paths evaluate
/// every condition, and that every operator was used.
fn check_large_policy(organization: &Organization, request: &Request) {
    assert_eq!(
        scp_decision(organization, request),
        scpcheck_policy::Decision::Allow,
        "no statement of the large policy may match"
    );
    let mut expected = vec![true; HOLDING_CONDITIONS];
    expected.push(false);
    let evaluation = evaluate_scps(organization, request);
    let large = evaluation
        .levels()
        .iter()
        .flat_map(|level| level.policies())
        .find(|policy| policy.name() == "large")
        .expect("the large policy is attached");
    assert_eq!(large.statements().len(), 50);
    for statement in large.statements() {
        assert_eq!(
            statement.condition_results(),
            expected.as_slice(),
            "statement {} of the large policy",
            statement.index()
        );
    }
    let text = large_policy_text();
    for (operator, ..) in OPERATORS {
        assert!(
            text.contains(&format!("\"{operator}\"")),
            "{operator} is not used"
        );
    }
}
fn bench_organization(
    criterion: &mut Criterion,
    group_name: &str,
    organization: &Organization,
    requests: &[(&str, Request)],
) {
    let mut group = criterion.benchmark_group(group_name);
    group.throughput(Throughput::Elements(1));
    for (name, request) in requests {
        group.bench_function(format!("scp_decision/{name}"), |bencher| {
            bencher.iter(|| scp_decision(black_box(organization), black_box(request)));
        });
        group.bench_function(format!("evaluate_scps/{name}"), |bencher| {
            bencher.iter(|| evaluate_scps(black_box(organization), black_box(request)));
        });
    }
    group.finish();
}

fn bundled(criterion: &mut Criterion) {
    let organization = bundled_organization();
    bench_organization(criterion, "bundled", &organization, &bundled_requests());
}

fn large_policy(criterion: &mut Criterion) {
    let text = large_policy_text();
    let organization = organization(vec![attached("large", &text)], Vec::new());
    let request = large_policy_request();
    check_large_policy(&organization, &request);
    bench_organization(
        criterion,
        "large-policy",
        &organization,
        &[("s3-put-object", request)],
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = bundled, large_policy
}
criterion_main!(benches);
