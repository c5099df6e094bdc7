//! Evaluations per second of the reference evaluator: the bundled SCPs in the layout of
//! `policies/layout.toml` with the requests the operation catalogue makes for
//! `ec2:CreateVolume` and `s3:PutObject`, and a large SCP of 50 statements that uses every
//! operator family. Each is measured with the fast path (`scp_decision`) and with the explained
//! evaluation (`evaluate_scps`).
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
const TENANT_SCPS: [(&str, &str); 5] = [
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

/// Root, OU and account with `FullAWSAccess` each, and `ou_policies` at the OU besides.
fn organization(ou_policies: Vec<AttachedPolicy>) -> Organization {
    let full = || attached("FullAWSAccess", FULL_AWS_ACCESS);
    let level = |target_id: &str, kind, policies| OrgLevel {
        target_id: target_id.to_owned(),
        kind,
        policies,
    };
    let mut at_ou = vec![full()];
    at_ou.extend(ou_policies);
    Organization {
        management_account_id: "999999999999".to_owned(),
        levels: vec![
            level("r-root", LevelKind::Root, vec![full()]),
            level("ou-tenants", LevelKind::OrganizationalUnit, at_ou),
            level(ACCOUNT, LevelKind::Account, vec![full()]),
        ],
    }
}

fn bundled_organization() -> Organization {
    let scps = TENANT_SCPS
        .iter()
        .map(|(name, text)| attached(name, text))
        .collect();
    organization(scps)
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

/// One condition block per operator family; `{i}` varies the values between statements. Each
/// block is false for [`large_policy_request`], so every statement is evaluated in full.
const FAMILY_CONDITIONS: [&str; 11] = [
    r#""StringEquals": {"s3:x-amz-server-side-encryption": ["aws:kms:dsse", "none-{i}"]},
       "StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Breakglass-{i}*"}"#,
    r#""StringNotEqualsIgnoreCase": {"aws:RequestedRegion": ["EU-CENTRAL-1", "us-east-{i}"]}"#,
    r#""NumericGreaterThan": {"example:size": "{i}00"}"#,
    r#""DateLessThan": {"aws:CurrentTime": "2020-01-{day}T00:00:00Z"}"#,
    r#""Bool": {"aws:SecureTransport": "false"}"#,
    r#""BinaryEquals": {"example:blob": ["aGVsbG8=", "d29ybGQ{i}"]}"#,
    r#""NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24", "10.{i}.0.0/16"]}"#,
    r#""ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/*"}"#,
    r#""Null": {"aws:PrincipalTag/team": "true"},
       "StringNotEqualsIfExists": {"aws:RequestTag/team": "${aws:PrincipalTag/team}"}"#,
    r#""ForAnyValue:StringEquals": {"aws:TagKeys": ["Forbidden{i}", "Secret"]},
       "ForAllValues:StringLike": {"aws:TagKeys": ["other-{i}-*"]}"#,
    r#""StringNotLike": {"s3:prefix": "home/${aws:username}/*"},
       "ArnLikeIfExists": {"aws:SourceArn": "arn:aws:sns:*:*:topic-{i}"}"#,
];

/// An SCP of 50 `Deny` statements cycling through every operator family.
fn large_policy_text() -> String {
    let statements: Vec<String> = FAMILY_CONDITIONS
        .iter()
        .cycle()
        .take(50)
        .enumerate()
        .map(|(index, family)| {
            let conditions = family
                .replace("{i}", &index.to_string())
                .replace("{day}", &format!("{:02}", index % 28 + 1));
            let action = if index % 2 == 0 { "s3:*" } else { "*" };
            format!(
                r#"{{"Sid": "Family{index}", "Effect": "Deny", "Action": ["{action}",
                "ec2:CreateVolume"], "Resource": ["arn:aws:s3:::tenant-*/*", "*"],
                "Condition": {{{conditions}}}}}"#
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
            ("aws:PrincipalTag/team", "blue"),
            ("aws:RequestTag/team", "blue"),
            ("s3:prefix", "home/alice/docs"),
            ("aws:username", "alice"),
        ],
    );
    let tag_keys = vec!["other-0-a".to_owned(), "CostCenter".to_owned()];
    request
        .context
        .insert("aws:TagKeys", ContextValue::Multi(tag_keys));
    request
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
    let organization = organization(vec![attached("large", &text)]);
    let request = large_policy_request();
    assert_eq!(
        scp_decision(&organization, &request),
        scpcheck_policy::Decision::Allow,
        "the large policy's statements must all be evaluated without matching"
    );
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
