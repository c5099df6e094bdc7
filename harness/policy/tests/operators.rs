//! The condition operators on the IAM User Guide's own examples: one table per operator family,
//! each naming the page its policy comes from, each with requests where the key is absent and
//! where it is multi-valued.
//!
//! A policy from the guide is either an identity policy (the `Allow` examples; the SCPs are
//! `FullAWSAccess` only) or an SCP attached to the account's OU (the `Deny` examples; the
//! identity policy allows everything). Identity-only elements such as `Principal` are left out.
//!
//! Where AWS leaves a case unspecified (a single-valued operator on a multi-valued key), the row
//! says so and checks the evaluator's documented reading: a plain operator holds when any value
//! matches, a negated one when none does.
#![expect(
    clippy::panic,
    reason = "a policy from the guide that does not parse fails the test"
)]

use std::sync::Arc;

use scpcheck_policy::vectors::{DEFAULT_PRINCIPAL, MEMBER_ACCOUNT, organization};
use scpcheck_policy::{
    AttachedPolicy, Context, ContextValue, Decision, Policy, Request, evaluate, evaluate_scps,
    scp_decision,
};

use Decision::{Allow, Deny};
use Key::{Many, One};

/// Where the guide's policy is put.
#[derive(Clone, Copy)]
enum Placement {
    /// The principal's identity policy, under `FullAWSAccess` SCPs.
    Identity,
    /// An SCP at the OU, with an identity policy that allows everything.
    Scp,
}

/// A condition key of the request: single-valued or multi-valued.
enum Key {
    One(&'static str, &'static str),
    Many(&'static str, &'static [&'static str]),
}

/// One request and the decision the guide's semantics give.
struct Row {
    case: &'static str,
    context: &'static [Key],
    expected: Decision,
}

const fn row(case: &'static str, context: &'static [Key], expected: Decision) -> Row {
    Row {
        case,
        context,
        expected,
    }
}

/// A policy from the guide and the requests tried against it.
struct Table<'a> {
    placement: Placement,
    policy: &'static str,
    action: &'static str,
    resource: &'static str,
    rows: &'a [Row],
}

fn request(table: &Table<'_>, row: &Row) -> Request {
    let mut context = Context::new();
    for key in row.context {
        match key {
            One(name, value) => context.insert_single(*name, *value),
            Many(name, values) => {
                let values = values.iter().map(|value| (*value).to_owned()).collect();
                context.insert(*name, ContextValue::Multi(values));
            }
        }
    }
    let mut request = Request {
        principal_arn: DEFAULT_PRINCIPAL.to_owned(),
        account_id: MEMBER_ACCOUNT.to_owned(),
        action: table.action.to_owned(),
        resource: table.resource.to_owned(),
        context,
    };
    // The guide's examples name their own account in resource ARNs; the caller is a role of
    // that account, so that each question stays within one account.
    if let Some(account) = request.resource_account().map(str::to_owned) {
        request.principal_arn = DEFAULT_PRINCIPAL.replace(MEMBER_ACCOUNT, &account);
        request.account_id = account;
    }
    request
}

/// The decision and its explanation.
fn decide(table: &Table<'_>, policy: &Arc<Policy>, request: &Request) -> (Decision, String) {
    match table.placement {
        Placement::Identity => {
            let evaluation = evaluate(
                &organization(Vec::new()),
                &[Arc::clone(policy)],
                None,
                request,
            );
            (evaluation.decision(), evaluation.to_string())
        }
        Placement::Scp => {
            let attached = AttachedPolicy {
                name: "guide-example".to_owned(),
                policy: Arc::clone(policy),
            };
            let organization = organization(vec![attached]);
            let evaluation = evaluate_scps(&organization, request);
            assert_eq!(
                evaluation.decision(),
                scp_decision(&organization, request),
                "fast path disagrees:\n{evaluation}"
            );
            (evaluation.decision(), evaluation.to_string())
        }
    }
}

fn check(tables: &[Table<'_>]) {
    let mut failures = Vec::new();
    for table in tables {
        let policy = Policy::parse("guide-example.json", table.policy)
            .unwrap_or_else(|errors| panic!("{:?}", miette::Report::new(errors)));
        let policy = Arc::new(policy);
        for row in table.rows {
            let (decision, explanation) = decide(table, &policy, &request(table, row));
            if decision != row.expected {
                failures.push(format!(
                    "{}: expected {}, got {decision}\n{explanation}",
                    row.case, row.expected
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

const ACCESS_KEYS: &str = "iam:CreateAccessKey";
const USER: &str = "arn:aws:iam::111122223333:user/alice";

// IAM User Guide, reference_policies_elements_condition_operators.html, "String condition
// operators": `StringEquals` on a principal tag, and `StringLike` with a policy variable.
const STRING_EQUALS: &str = r#"{"Version": "2012-10-17", "Statement": {
    "Effect": "Allow", "Action": "iam:*AccessKey*", "Resource": "arn:aws:iam::111122223333:user/*",
    "Condition": {"StringEquals": {"aws:PrincipalTag/job-category": "iamuser-admin"}}}}"#;

const STRING_LIKE_HOME: &str = r#"{"Version": "2012-10-17", "Statement": {
    "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::amzn-s3-demo-bucket",
    "Condition": {"StringLike": {"s3:prefix": ["", "home/", "home/${aws:username}/"]}}}}"#;

const STRING_NOT_LIKE: &str = r#"{"Version": "2012-10-17", "Statement": {
    "Effect": "Deny", "Action": "iam:*AccessKey*", "Resource": "*",
    "Condition": {"StringNotLike": {"aws:PrincipalTag/job-category": "iamuser-*"}}}}"#;

const TAG: &str = "aws:PrincipalTag/job-category";

// The same page: `StringEqualsIgnoreCase` and `StringNotEqualsIgnoreCase` match exactly but
// ignore letter case; `StringNotEquals` is negated matching.
const STRING_EQUALS_IGNORE_CASE: &str = r#"{"Version": "2012-10-17", "Statement": {
    "Effect": "Allow", "Action": "iam:*AccessKey*", "Resource": "arn:aws:iam::111122223333:user/*",
    "Condition": {"StringEqualsIgnoreCase": {"aws:PrincipalTag/job-category": "IAMUser-Admin"}}}}"#;

const STRING_NOT_EQUALS_IGNORE_CASE: &str = r#"{"Version": "2012-10-17", "Statement": {
    "Effect": "Deny", "Action": "iam:*AccessKey*", "Resource": "*", "Condition": {
    "StringNotEqualsIgnoreCase": {"aws:PrincipalTag/job-category": ["iamuser-admin", "ops"]}}}}"#;

const STRING_NOT_EQUALS: &str = r#"{"Version": "2012-10-17", "Statement": {
    "Effect": "Deny", "Action": "iam:*AccessKey*", "Resource": "*",
    "Condition": {"StringNotEquals": {"aws:PrincipalTag/job-category": "iamuser-admin"}}}}"#;

#[test]
fn string_operators_ignoring_case_and_negated() {
    check(&[
        Table {
            placement: Placement::Identity,
            policy: STRING_EQUALS_IGNORE_CASE,
            action: ACCESS_KEYS,
            resource: USER,
            rows: &[
                row(
                    "same letters, other case",
                    &[One(TAG, "iamuser-ADMIN")],
                    Allow,
                ),
                row("other text", &[One(TAG, "iamuser-admins")], Deny),
                row("key absent", &[], Deny),
                row(
                    "multi-valued key, one value matches (unspecified by AWS)",
                    &[Many(TAG, &["dev", "IAMUSER-ADMIN"])],
                    Allow,
                ),
            ],
        },
        Table {
            placement: Placement::Scp,
            policy: STRING_NOT_EQUALS_IGNORE_CASE,
            action: ACCESS_KEYS,
            resource: USER,
            rows: &[
                row(
                    "a listed value in another case: not denied",
                    &[One(TAG, "OPS")],
                    Allow,
                ),
                row("an unlisted value: denied", &[One(TAG, "developer")], Deny),
                row("negated operator on an absent key is true", &[], Deny),
                row(
                    "multi-valued, one value listed: not denied (unspecified by AWS)",
                    &[Many(TAG, &["developer", "Ops"])],
                    Allow,
                ),
            ],
        },
        Table {
            placement: Placement::Scp,
            policy: STRING_NOT_EQUALS,
            action: ACCESS_KEYS,
            resource: USER,
            rows: &[
                row(
                    "the listed value: not denied",
                    &[One(TAG, "iamuser-admin")],
                    Allow,
                ),
                row("case counts: denied", &[One(TAG, "IAMUser-Admin")], Deny),
                row("negated operator on an absent key is true", &[], Deny),
            ],
        },
    ]);
}

#[test]
fn string_operators() {
    check(&[
        Table {
            placement: Placement::Identity,
            policy: STRING_EQUALS,
            action: ACCESS_KEYS,
            resource: USER,
            rows: &[
                row(
                    "tag equals the value",
                    &[One("aws:PrincipalTag/job-category", "iamuser-admin")],
                    Allow,
                ),
                row(
                    "StringEquals is case-sensitive",
                    &[One("aws:PrincipalTag/job-category", "IAMUser-Admin")],
                    Deny,
                ),
                row(
                    "key names are not case-sensitive",
                    &[One("AWS:PRINCIPALTAG/JOB-CATEGORY", "iamuser-admin")],
                    Allow,
                ),
                row("a principal without the tag: key absent", &[], Deny),
                row(
                    "multi-valued key, one value matches (unspecified by AWS)",
                    &[Many(
                        "aws:PrincipalTag/job-category",
                        &["dev", "iamuser-admin"],
                    )],
                    Allow,
                ),
                row(
                    "multi-valued key without values (unspecified by AWS)",
                    &[Many("aws:PrincipalTag/job-category", &[])],
                    Deny,
                ),
            ],
        },
        Table {
            placement: Placement::Identity,
            policy: STRING_LIKE_HOME,
            action: "s3:ListBucket",
            resource: "arn:aws:s3:::amzn-s3-demo-bucket",
            rows: &[
                row("the empty prefix", &[One("s3:prefix", "")], Allow),
                row("the `home/` prefix", &[One("s3:prefix", "home/")], Allow),
                row(
                    "the user's own home",
                    &[
                        One("s3:prefix", "home/alice/"),
                        One("aws:username", "alice"),
                    ],
                    Allow,
                ),
                row(
                    "another user's home",
                    &[One("s3:prefix", "home/bob/"), One("aws:username", "alice")],
                    Deny,
                ),
                row(
                    "`aws:username` absent: the variable cannot be resolved",
                    &[One("s3:prefix", "home/alice/")],
                    Deny,
                ),
                row("prefix absent", &[One("aws:username", "alice")], Deny),
                row(
                    "prefix multi-valued, none matches (unspecified by AWS)",
                    &[Many("s3:prefix", &["tmp/", "etc/"])],
                    Deny,
                ),
            ],
        },
        Table {
            placement: Placement::Scp,
            policy: STRING_NOT_LIKE,
            action: ACCESS_KEYS,
            resource: USER,
            rows: &[
                row(
                    "value matches the pattern: not denied",
                    &[One("aws:PrincipalTag/job-category", "iamuser-admin")],
                    Allow,
                ),
                row(
                    "value outside the pattern: denied",
                    &[One("aws:PrincipalTag/job-category", "developer")],
                    Deny,
                ),
                row("negated operator on an absent key is true", &[], Deny),
                row(
                    "multi-valued, one value matches: not denied (unspecified by AWS)",
                    &[Many("aws:PrincipalTag/job-category", &["x", "iamuser-ops"])],
                    Allow,
                ),
            ],
        },
    ]);
}

// IAM User Guide, reference_policies_elements_condition_operators.html, "Numeric condition
// operators": `NumericLessThanEquals` on `s3:max-keys`.
const NUMERIC_LESS_THAN_EQUALS: &str = r#"{"Version": "2012-10-17", "Statement": {
    "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::example_bucket",
    "Condition": {"NumericLessThanEquals": {"s3:max-keys": "10"}}}}"#;

const NUMERIC_NOT_EQUALS: &str = r#"{"Version": "2012-10-17", "Statement": {
    "Effect": "Deny", "Action": "s3:ListBucket", "Resource": "*",
    "Condition": {"NumericNotEquals": {"s3:max-keys": ["10", "100"]}}}}"#;

#[test]
fn numeric_operators() {
    check(&[
        Table {
            placement: Placement::Identity,
            policy: NUMERIC_LESS_THAN_EQUALS,
            action: "s3:ListBucket",
            resource: "arn:aws:s3:::example_bucket",
            rows: &[
                row("up to 10 objects", &[One("s3:max-keys", "10")], Allow),
                row("fewer", &[One("s3:max-keys", "3")], Allow),
                row("a decimal", &[One("s3:max-keys", "9.5")], Allow),
                row("more than 10", &[One("s3:max-keys", "11")], Deny),
                row(
                    "not a number never matches",
                    &[One("s3:max-keys", "ten")],
                    Deny,
                ),
                row("key absent", &[], Deny),
                row(
                    "multi-valued, one value small enough (unspecified by AWS)",
                    &[Many("s3:max-keys", &["50", "5"])],
                    Allow,
                ),
            ],
        },
        Table {
            placement: Placement::Scp,
            policy: NUMERIC_NOT_EQUALS,
            action: "s3:ListBucket",
            resource: "arn:aws:s3:::example_bucket",
            rows: &[
                row(
                    "one of the values: not denied",
                    &[One("s3:max-keys", "100")],
                    Allow,
                ),
                row(
                    "numbers compare by value",
                    &[One("s3:max-keys", "10.0")],
                    Allow,
                ),
                row("another value: denied", &[One("s3:max-keys", "20")], Deny),
                row("negated operator on an absent key is true", &[], Deny),
                row(
                    "multi-valued, none of the values (unspecified by AWS)",
                    &[Many("s3:max-keys", &["1", "2"])],
                    Deny,
                ),
            ],
        },
    ]);
}

// IAM User Guide, reference_policies_elements_condition_operators.html, "Date condition
// operators": `DateGreaterThan` on `aws:TokenIssueTime`, in ISO 8601 or epoch seconds.
const DATE_GREATER_THAN: &str = r#"{"Version": "2012-10-17", "Statement": {
    "Effect": "Allow", "Action": "iam:*AccessKey*", "Resource": "arn:aws:iam::111122223333:user/*",
    "Condition": {"DateGreaterThan": {"aws:TokenIssueTime": "2020-01-01T00:00:01Z"}}}}"#;

const DATE_LESS_THAN_EPOCH: &str = r#"{"Version": "2012-10-17", "Statement": {
    "Effect": "Deny", "Action": "iam:*AccessKey*", "Resource": "*",
    "Condition": {"DateLessThan": {"aws:CurrentTime": "1577836800"}}}}"#;

#[test]
fn date_operators() {
    check(&[
        Table {
            placement: Placement::Identity,
            policy: DATE_GREATER_THAN,
            action: ACCESS_KEYS,
            resource: USER,
            rows: &[
                row(
                    "credentials issued in 2020",
                    &[One("aws:TokenIssueTime", "2020-06-01T12:00:00Z")],
                    Allow,
                ),
                row(
                    "the very second is not after it",
                    &[One("aws:TokenIssueTime", "2020-01-01T00:00:01Z")],
                    Deny,
                ),
                row(
                    "an offset is taken into account",
                    &[One("aws:TokenIssueTime", "2020-01-01T01:00:02+01:00")],
                    Allow,
                ),
                row(
                    "epoch seconds",
                    &[One("aws:TokenIssueTime", "1577836802")],
                    Allow,
                ),
                row(
                    "issued in 2019",
                    &[One("aws:TokenIssueTime", "2019-12-31T23:59:59Z")],
                    Deny,
                ),
                row("long-term access keys: key absent", &[], Deny),
                row(
                    "multi-valued, one recent value (unspecified by AWS)",
                    &[Many("aws:TokenIssueTime", &["2019-01-01", "2021-01-01"])],
                    Allow,
                ),
            ],
        },
        Table {
            placement: Placement::Scp,
            policy: DATE_LESS_THAN_EPOCH,
            action: ACCESS_KEYS,
            resource: USER,
            rows: &[
                row(
                    "before 2020",
                    &[One("aws:CurrentTime", "2019-12-31T23:59:59Z")],
                    Deny,
                ),
                row(
                    "at 2020",
                    &[One("aws:CurrentTime", "2020-01-01T00:00:00Z")],
                    Allow,
                ),
                row("key absent: the deny does not apply", &[], Allow),
                row(
                    "not a date never matches",
                    &[One("aws:CurrentTime", "yesterday")],
                    Allow,
                ),
                row(
                    "multi-valued, one early value (unspecified by AWS)",
                    &[Many("aws:CurrentTime", &["2030-01-01", "2010-01-01"])],
                    Deny,
                ),
            ],
        },
    ]);
}

// IAM User Guide, reference_policies_elements_condition_operators.html, "Boolean condition
// operators": deny S3 requests to a bucket that are not sent over TLS.
const BOOL_SECURE_TRANSPORT: &str = r#"{"Version": "2012-10-17", "Statement": [{
    "Sid": "BooleanExample", "Action": "s3:*", "Effect": "Deny",
    "Resource": ["arn:aws:s3:::amzn-s3-demo-bucket", "arn:aws:s3:::amzn-s3-demo-bucket/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}"#;

#[test]
fn boolean_operator() {
    check(&[Table {
        placement: Placement::Scp,
        policy: BOOL_SECURE_TRANSPORT,
        action: "s3:GetObject",
        resource: "arn:aws:s3:::amzn-s3-demo-bucket/report.csv",
        rows: &[
            row("plain HTTP", &[One("aws:SecureTransport", "false")], Deny),
            row("HTTPS", &[One("aws:SecureTransport", "true")], Allow),
            row("key absent: the deny does not apply", &[], Allow),
            row(
                "not a boolean never matches",
                &[One("aws:SecureTransport", "no")],
                Allow,
            ),
            row(
                "multi-valued with `false` (unspecified by AWS)",
                &[Many("aws:SecureTransport", &["true", "false"])],
                Deny,
            ),
        ],
    }]);
}

// IAM User Guide, reference_policies_elements_condition_operators.html, "Binary condition
// operators": the policy value is base64; the request's value is compared byte for byte.
const BINARY_EQUALS: &str = r#"{"Version": "2012-10-17", "Statement": {
    "Effect": "Deny", "Action": "s3:PutObject", "Resource": "*",
    "Condition": {"BinaryEquals": {"example:key": "QmluYXJ5VmFsdWVJbkJhc2U2NA=="}}}}"#;

#[test]
fn binary_operator() {
    check(&[Table {
        placement: Placement::Scp,
        policy: BINARY_EQUALS,
        action: "s3:PutObject",
        resource: "arn:aws:s3:::bucket/key",
        rows: &[
            row(
                "the same bytes",
                &[One("example:key", "QmluYXJ5VmFsdWVJbkJhc2U2NA==")],
                Deny,
            ),
            row(
                "the same bytes without padding",
                &[One("example:key", "QmluYXJ5VmFsdWVJbkJhc2U2NA")],
                Deny,
            ),
            row(
                "other bytes",
                &[One("example:key", "T3RoZXJWYWx1ZQ==")],
                Allow,
            ),
            row("key absent", &[], Allow),
            row(
                "multi-valued with the bytes (unspecified by AWS)",
                &[Many(
                    "example:key",
                    &["T3RoZXJWYWx1ZQ==", "QmluYXJ5VmFsdWVJbkJhc2U2NA=="],
                )],
                Deny,
            ),
        ],
    }]);
}

// IAM User Guide, reference_policies_elements_condition_operators.html, "IP address condition
// operators": an IPv4 range, and IPv4 and IPv6 ranges mixed.
const IP_ADDRESS: &str = r#"{"Version": "2012-10-17", "Statement": {
    "Effect": "Allow", "Action": "iam:*AccessKey*", "Resource": "arn:aws:iam::111122223333:user/*",
    "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}}"#;

const IP_ADDRESS_MIXED: &str = r#"{"Version": "2012-10-17", "Statement": {
    "Effect": "Allow", "Action": "iam:*AccessKey*", "Resource": "*",
    "Condition": {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:DB8:1234:5678::/64"]}}}}"#;

const NOT_IP_ADDRESS: &str = r#"{"Version": "2012-10-17", "Statement": {
    "Effect": "Deny", "Action": "*", "Resource": "*",
    "Condition": {"NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"]}}}}"#;

#[test]
fn ip_address_operators() {
    check(&[
        Table {
            placement: Placement::Identity,
            policy: IP_ADDRESS,
            action: ACCESS_KEYS,
            resource: USER,
            rows: &[
                row(
                    "inside the range",
                    &[One("aws:SourceIp", "203.0.113.9")],
                    Allow,
                ),
                row(
                    "outside the range",
                    &[One("aws:SourceIp", "203.0.114.9")],
                    Deny,
                ),
                row("through a VPC endpoint: key absent", &[], Deny),
                row(
                    "multi-valued, one inside (unspecified by AWS)",
                    &[Many("aws:SourceIp", &["198.51.100.1", "203.0.113.1"])],
                    Allow,
                ),
            ],
        },
        Table {
            placement: Placement::Identity,
            policy: IP_ADDRESS_MIXED,
            action: ACCESS_KEYS,
            resource: USER,
            rows: &[
                row(
                    "IPv4 inside",
                    &[One("aws:SourceIp", "203.0.113.200")],
                    Allow,
                ),
                row(
                    "IPv6 inside, written in lowercase",
                    &[One("aws:SourceIp", "2001:db8:1234:5678::1")],
                    Allow,
                ),
                row(
                    "IPv6 outside",
                    &[One("aws:SourceIp", "2001:db8:1234:5679::1")],
                    Deny,
                ),
                row("key absent", &[], Deny),
                row(
                    "multi-valued, none inside (unspecified by AWS)",
                    &[Many("aws:SourceIp", &["10.0.0.1", "2001:db8::1"])],
                    Deny,
                ),
            ],
        },
        Table {
            placement: Placement::Scp,
            policy: NOT_IP_ADDRESS,
            action: "s3:GetObject",
            resource: "arn:aws:s3:::bucket/key",
            rows: &[
                row(
                    "from a listed range",
                    &[One("aws:SourceIp", "192.0.2.44")],
                    Allow,
                ),
                row(
                    "from elsewhere",
                    &[One("aws:SourceIp", "198.51.100.7")],
                    Deny,
                ),
                row("negated operator on an absent key is true", &[], Deny),
                row(
                    "multi-valued, one listed (unspecified by AWS)",
                    &[Many("aws:SourceIp", &["198.51.100.7", "192.0.2.1"])],
                    Allow,
                ),
            ],
        },
    ]);
}

// IAM User Guide, reference_policies_elements_condition_operators.html, "Amazon Resource Name
// (ARN) condition operators": `ArnEquals` on `aws:SourceArn`, and the part-by-part matching of
// `ArnLike` that `StringLike` does not do.
const ARN_EQUALS: &str = r#"{"Version": "2012-10-17", "Statement": {
    "Effect": "Allow", "Action": "sqs:SendMessage",
    "Resource": "arn:aws:sqs:us-east-2:123456789012:queue1",
    "Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-2:123456789012:topic1"}}}}"#;

const ARN_LIKE: &str = r#"{"Version": "2012-10-17", "Statement": {
    "Effect": "Deny", "Action": "s3:GetObject", "Resource": "*",
    "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:someservice:*:111122223333:finance/*"}}}}"#;

const STRING_LIKE_ON_ARN: &str = r#"{"Version": "2012-10-17", "Statement": {
    "Effect": "Deny", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringLike":
    {"aws:SourceArn": "arn:aws:someservice:*:111122223333:finance/*"}}}}"#;

const ARN_NOT_LIKE: &str = r#"{"Version": "2012-10-17", "Statement": {
    "Effect": "Deny", "Action": "s3:GetObject", "Resource": "*",
    "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Admin*"}}}}"#;

/// The request value of the guide's example: an ARN whose resource part holds colons.
const NESTED_ARN: &str =
    "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt";

#[test]
fn arn_operators() {
    check(&[
        Table {
            placement: Placement::Identity,
            policy: ARN_EQUALS,
            action: "sqs:SendMessage",
            resource: "arn:aws:sqs:us-east-2:123456789012:queue1",
            rows: &[
                row(
                    "sent on behalf of the topic",
                    &[One(
                        "aws:SourceArn",
                        "arn:aws:sns:us-east-2:123456789012:topic1",
                    )],
                    Allow,
                ),
                row(
                    "another topic",
                    &[One(
                        "aws:SourceArn",
                        "arn:aws:sns:us-east-2:123456789012:topic2",
                    )],
                    Deny,
                ),
                row("called directly: key absent", &[], Deny),
                row(
                    "multi-valued with the topic (unspecified by AWS)",
                    &[Many(
                        "aws:SourceArn",
                        &["arn:aws:sns:us-east-2:123456789012:topic1"],
                    )],
                    Allow,
                ),
            ],
        },
        Table {
            placement: Placement::Scp,
            policy: ARN_LIKE,
            action: "s3:GetObject",
            resource: "arn:aws:s3:::bucket/key",
            rows: &[
                row(
                    "a `*` does not span the colons between ARN parts",
                    &[One("aws:SourceArn", NESTED_ARN)],
                    Allow,
                ),
                row(
                    "each part matches",
                    &[One(
                        "aws:SourceArn",
                        "arn:aws:someservice:us-east-2:111122223333:finance/document.txt",
                    )],
                    Deny,
                ),
                row("key absent", &[], Allow),
                row(
                    "multi-valued, one matches (unspecified by AWS)",
                    &[Many(
                        "aws:SourceArn",
                        &[
                            NESTED_ARN,
                            "arn:aws:someservice:eu-west-1:111122223333:finance/x",
                        ],
                    )],
                    Deny,
                ),
            ],
        },
        Table {
            placement: Placement::Scp,
            policy: STRING_LIKE_ON_ARN,
            action: "s3:GetObject",
            resource: "arn:aws:s3:::bucket/key",
            rows: &[
                row(
                    "with `StringLike` the `*` spans colons",
                    &[One("aws:SourceArn", NESTED_ARN)],
                    Deny,
                ),
                row("key absent", &[], Allow),
                row(
                    "multi-valued, none matches (unspecified by AWS)",
                    &[Many("aws:SourceArn", &["arn:aws:s3:::x"])],
                    Allow,
                ),
            ],
        },
        Table {
            placement: Placement::Scp,
            policy: ARN_NOT_LIKE,
            action: "s3:GetObject",
            resource: "arn:aws:s3:::bucket/key",
            rows: &[
                row(
                    "an admin role is exempt",
                    &[One(
                        "aws:PrincipalArn",
                        "arn:aws:iam::111122223333:role/AdminOps",
                    )],
                    Allow,
                ),
                row(
                    "another role is denied",
                    &[One(
                        "aws:PrincipalArn",
                        "arn:aws:iam::111122223333:role/Dev",
                    )],
                    Deny,
                ),
                row("negated operator on an absent key is true", &[], Deny),
                row(
                    "multi-valued, none matches (unspecified by AWS)",
                    &[Many(
                        "aws:PrincipalArn",
                        &["arn:aws:iam::111122223333:role/Dev"],
                    )],
                    Deny,
                ),
            ],
        },
    ]);
}

// IAM User Guide, reference_policies_elements_condition_operators.html, "Condition operator to
// check existence of condition keys": long-term credentials only; and
// reference_policies_condition_examples-multi-valued-context-keys.html: `Null` with `false`
// keeps a missing key and a key with empty values out.
const NULL_TRUE: &str = r#"{"Version": "2012-10-17", "Statement": {
    "Action": "ec2:*", "Effect": "Allow", "Resource": "*",
    "Condition": {"Null": {"aws:TokenIssueTime": "true"}}}}"#;

const NULL_FALSE: &str = r#"{"Version": "2012-10-17", "Statement": {
    "Action": "ec2:CreateTags", "Effect": "Allow", "Resource": "*",
    "Condition": {"Null": {"aws:TagKeys": "false"}}}}"#;

#[test]
fn null_operator() {
    check(&[
        Table {
            placement: Placement::Identity,
            policy: NULL_TRUE,
            action: "ec2:DescribeInstances",
            resource: "*",
            rows: &[
                row("long-term credentials: key absent", &[], Allow),
                row(
                    "temporary credentials: key present",
                    &[One("aws:TokenIssueTime", "2020-01-01T00:00:00Z")],
                    Deny,
                ),
                row(
                    "multi-valued key present",
                    &[Many("aws:TokenIssueTime", &["2020-01-01T00:00:00Z"])],
                    Deny,
                ),
            ],
        },
        Table {
            placement: Placement::Identity,
            policy: NULL_FALSE,
            action: "ec2:CreateTags",
            resource: "*",
            rows: &[
                row("tag keys given", &[Many("aws:TagKeys", &["team"])], Allow),
                row("key absent", &[], Deny),
                row(
                    "key with no values is null",
                    &[Many("aws:TagKeys", &[])],
                    Deny,
                ),
                row(
                    "key with an empty string is null",
                    &[Many("aws:TagKeys", &[""])],
                    Deny,
                ),
                row(
                    "single-valued key present",
                    &[One("aws:TagKeys", "team")],
                    Allow,
                ),
            ],
        },
    ]);
}

// IAM User Guide, reference_policies_elements_condition_operators.html, "...IfExists condition
// operators": `StringLike` fails on the resources of a launch that have no instance type,
// `StringLikeIfExists` does not; a negated `...IfExists` in a `Deny` still denies when the key is
// missing.
const STRING_LIKE_INSTANCE_TYPE: &str = r#"{"Version": "2012-10-17", "Statement": {
    "Sid": "THISPOLICYDOESNOTWORK", "Effect": "Allow", "Action": "ec2:RunInstances",
    "Resource": "*",
    "Condition": {"StringLike": {"ec2:InstanceType": ["t1.*", "t2.*", "m3.*"]}}}}"#;

const STRING_LIKE_IF_EXISTS: &str = r#"{"Version": "2012-10-17", "Statement": [{
    "Sid": "RunInstance", "Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*",
    "Condition": {"StringLikeIfExists": {"ec2:InstanceType": ["t1.*", "t2.*", "m3.*"]}}}]}"#;

const NOT_EQUALS_IF_EXISTS: &str = r#"{"Version": "2012-10-17", "Statement": {
    "Effect": "Deny", "Action": "ec2:RunInstances", "Resource": "*",
    "Condition": {"StringNotEqualsIfExists": {"aws:RequestTag/team": "blue"}}}}"#;

#[test]
fn if_exists_operators() {
    check(&[
        Table {
            placement: Placement::Identity,
            policy: STRING_LIKE_INSTANCE_TYPE,
            action: "ec2:RunInstances",
            resource: "*",
            rows: &[
                row(
                    "the instance",
                    &[One("ec2:InstanceType", "t2.micro")],
                    Allow,
                ),
                row("the image has no instance type: key absent", &[], Deny),
                row(
                    "multi-valued, one matches (unspecified by AWS)",
                    &[Many("ec2:InstanceType", &["t2.micro"])],
                    Allow,
                ),
            ],
        },
        Table {
            placement: Placement::Identity,
            policy: STRING_LIKE_IF_EXISTS,
            action: "ec2:RunInstances",
            resource: "*",
            rows: &[
                row(
                    "an allowed type",
                    &[One("ec2:InstanceType", "m3.large")],
                    Allow,
                ),
                row("another type", &[One("ec2:InstanceType", "m5.large")], Deny),
                row("the image has no instance type: key absent", &[], Allow),
                row(
                    "multi-valued, none matches (unspecified by AWS)",
                    &[Many("ec2:InstanceType", &["c5.large"])],
                    Deny,
                ),
            ],
        },
        Table {
            placement: Placement::Scp,
            policy: NOT_EQUALS_IF_EXISTS,
            action: "ec2:RunInstances",
            resource: "*",
            rows: &[
                row(
                    "the tag is blue",
                    &[One("aws:RequestTag/team", "blue")],
                    Allow,
                ),
                row(
                    "another tag value",
                    &[One("aws:RequestTag/team", "red")],
                    Deny,
                ),
                row("the tag is missing: still denied", &[], Deny),
                row(
                    "multi-valued, one is blue (unspecified by AWS)",
                    &[Many("aws:RequestTag/team", &["red", "blue"])],
                    Allow,
                ),
            ],
        },
    ]);
}

// IAM User Guide, reference_policies_condition-single-vs-multi-valued-context-keys.html and
// reference_policies_multi-value-conditions.html: `ForAllValues` asks every request value to
// match a policy value and holds on an absent key or one whose value is a null data set (no
// values, an empty string); `ForAnyValue` asks one of them to, and fails on such a key.
const FOR_ALL_VALUES: &str = r#"{"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "dynamodb:GetItem",
    "Resource": "arn:aws:dynamodb:us-east-1:111122223333:table/Thread",
    "Condition": {"ForAllValues:StringLike": {"dynamodb:Attributes":
        ["PostDateTime", "Message", "Tags"]}}}]}"#;

const FOR_ANY_VALUE: &str = r#"{"Version": "2012-10-17", "Statement": [{
    "Effect": "Deny", "Action": "dynamodb:PutItem",
    "Resource": "arn:aws:dynamodb:us-east-1:111122223333:table/Thread",
    "Condition": {"ForAnyValue:StringLike": {"dynamodb:Attributes": ["ID", "PostDateTime"]}}}]}"#;

const FOR_ALL_VALUES_WITH_NULL: &str = r#"{"Version": "2012-10-17", "Statement": {
    "Effect": "Deny", "Action": "iam:TagUser", "Resource": "*", "Condition": {
    "ForAllValues:StringLike": {"aws:TagKeys": "key1*"}, "Null": {"aws:TagKeys": "false"}}}}"#;

const FOR_ALL_VALUES_NOT_EQUALS: &str = r#"{"Version": "2012-10-17", "Statement": {
    "Effect": "Deny", "Action": "iam:TagUser", "Resource": "*",
    "Condition": {"ForAllValues:StringNotEquals": {"aws:TagKeys": ["CostCenter", "Owner"]}}}}"#;

// `...IfExists` is true when the key is absent; a key present with no values is an empty set to
// the set prefix, so `ForAnyValue` is false on it.
const FOR_ANY_VALUE_IF_EXISTS: &str = r#"{"Version": "2012-10-17", "Statement": {
    "Effect": "Deny", "Action": "iam:TagUser", "Resource": "*",
    "Condition": {"ForAnyValue:StringEqualsIfExists": {"aws:TagKeys": "secret"}}}}"#;

const THREAD: &str = "arn:aws:dynamodb:us-east-1:111122223333:table/Thread";
const ATTRIBUTES: &str = "dynamodb:Attributes";

#[test]
fn set_operators() {
    check(&[
        Table {
            placement: Placement::Identity,
            policy: FOR_ALL_VALUES,
            action: "dynamodb:GetItem",
            resource: THREAD,
            rows: &[
                row(
                    "every attribute listed",
                    &[Many(ATTRIBUTES, &["PostDateTime", "Message"])],
                    Allow,
                ),
                row(
                    "one attribute not listed",
                    &[Many(ATTRIBUTES, &["PostDateTime", "UserName"])],
                    Deny,
                ),
                row("key absent: true", &[], Allow),
                row("no values: true", &[Many(ATTRIBUTES, &[])], Allow),
                row(
                    "empty string: a null data set, true",
                    &[One(ATTRIBUTES, "")],
                    Allow,
                ),
                row(
                    "only empty strings: true",
                    &[Many(ATTRIBUTES, &["", ""])],
                    Allow,
                ),
                row(
                    "an empty string among values is compared",
                    &[Many(ATTRIBUTES, &["Message", ""])],
                    Deny,
                ),
                row("single value, listed", &[One(ATTRIBUTES, "Tags")], Allow),
            ],
        },
        Table {
            placement: Placement::Scp,
            policy: FOR_ANY_VALUE,
            action: "dynamodb:PutItem",
            resource: THREAD,
            rows: &[
                row(
                    "one forbidden attribute",
                    &[Many(ATTRIBUTES, &["UserName", "Message", "PostDateTime"])],
                    Deny,
                ),
                row(
                    "no forbidden attribute",
                    &[Many(ATTRIBUTES, &["UserName"])],
                    Allow,
                ),
                row("key absent: false", &[], Allow),
                row("no values: false", &[Many(ATTRIBUTES, &[])], Allow),
                row("empty string: false", &[One(ATTRIBUTES, "")], Allow),
                row("single value, forbidden", &[One(ATTRIBUTES, "ID")], Deny),
            ],
        },
        Table {
            placement: Placement::Scp,
            policy: FOR_ALL_VALUES_WITH_NULL,
            action: "iam:TagUser",
            resource: "*",
            rows: &[
                row(
                    "every tag key has the prefix",
                    &[Many("aws:TagKeys", &["key1a", "key1b"])],
                    Deny,
                ),
                row(
                    "one tag key without the prefix",
                    &[Many("aws:TagKeys", &["key1a", "key2"])],
                    Allow,
                ),
                row("key absent: `Null` keeps the deny off", &[], Allow),
                row(
                    "no values: `Null` keeps the deny off",
                    &[Many("aws:TagKeys", &[])],
                    Allow,
                ),
                row(
                    "an empty string: `Null` keeps the deny off",
                    &[One("aws:TagKeys", "")],
                    Allow,
                ),
            ],
        },
        Table {
            placement: Placement::Scp,
            policy: FOR_ALL_VALUES_NOT_EQUALS,
            action: "iam:TagUser",
            resource: "*",
            rows: &[
                row(
                    "only other tag keys",
                    &[Many("aws:TagKeys", &["Project", "Stage"])],
                    Deny,
                ),
                row(
                    "one allowed tag key among them",
                    &[Many("aws:TagKeys", &["Project", "Owner"])],
                    Allow,
                ),
                row("key absent: true", &[], Deny),
                row("no values: true", &[Many("aws:TagKeys", &[])], Deny),
            ],
        },
        Table {
            placement: Placement::Scp,
            policy: FOR_ANY_VALUE_IF_EXISTS,
            action: "iam:TagUser",
            resource: "*",
            rows: &[
                row(
                    "the listed tag key",
                    &[Many("aws:TagKeys", &["secret"])],
                    Deny,
                ),
                row("key absent: `IfExists` makes it true", &[], Deny),
                row(
                    "no values: present, so false",
                    &[Many("aws:TagKeys", &[])],
                    Allow,
                ),
                row(
                    "an empty string: present, so false",
                    &[One("aws:TagKeys", "")],
                    Allow,
                ),
            ],
        },
    ]);
}

// IAM User Guide, reference_policies_variables.html: variables in `Resource` and in string
// conditions, default values, the literal escapes, and plain text under version `2008-10-17`;
// reference_policies_condition-single-vs-multi-valued-context-keys.html: a multi-valued key
// cannot be a policy variable; reference_policies_elements_condition_operators.html: `Bool`
// takes policy variables.
const VARIABLE_IN_RESOURCE: &str = r#"{"Version": "2012-10-17", "Statement": [{
    "Action": ["s3:GetObject", "s3:PutObject"], "Effect": "Allow",
    "Resource": ["arn:aws:s3:::mybucket/${aws:username}/*"]}]}"#;

const VARIABLE_WITH_DEFAULT: &str = r#"{"Version": "2012-10-17", "Statement": [{
    "Action": "s3:GetObject", "Effect": "Allow",
    "Resource": "arn:aws:s3:::mybucket/${aws:PrincipalTag/department, 'shared'}/*"}]}"#;

const VARIABLE_AS_TEXT: &str = r#"{"Version": "2008-10-17", "Statement": [{
    "Action": "s3:GetObject", "Effect": "Allow",
    "Resource": "arn:aws:s3:::mybucket/${aws:username}/*"}]}"#;

const VARIABLE_ESCAPES: &str = r#"{"Version": "2012-10-17", "Statement": [{
    "Action": "s3:GetObject", "Effect": "Allow", "Resource": "arn:aws:s3:::mybucket/${*}"}]}"#;

const VARIABLE_IN_BOOL: &str = r#"{"Version": "2012-10-17", "Statement": {
    "Effect": "Deny", "Action": "s3:GetObject", "Resource": "*",
    "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "${aws:SecureTransport}"}}}}"#;

const OWN_OBJECT: &str = "arn:aws:s3:::mybucket/David/notes.txt";

#[test]
fn policy_variables() {
    check(&[
        Table {
            placement: Placement::Identity,
            policy: VARIABLE_IN_RESOURCE,
            action: "s3:GetObject",
            resource: OWN_OBJECT,
            rows: &[
                row(
                    "the user's own folder",
                    &[One("aws:username", "David")],
                    Allow,
                ),
                row(
                    "another user's folder",
                    &[One("aws:username", "Adele")],
                    Deny,
                ),
                row("a role has no `aws:username`: key absent", &[], Deny),
                row(
                    "a multi-valued key cannot be a variable",
                    &[Many("aws:username", &["David"])],
                    Deny,
                ),
            ],
        },
        Table {
            placement: Placement::Identity,
            policy: VARIABLE_WITH_DEFAULT,
            action: "s3:GetObject",
            resource: "arn:aws:s3:::mybucket/shared/a.txt",
            rows: &[
                row("key absent: the default is used", &[], Allow),
                row(
                    "the tag replaces the default",
                    &[One("aws:PrincipalTag/department", "finance")],
                    Deny,
                ),
                row(
                    "a multi-valued key cannot be a variable, even with a default",
                    &[Many("aws:PrincipalTag/department", &["shared"])],
                    Deny,
                ),
            ],
        },
        Table {
            placement: Placement::Identity,
            policy: VARIABLE_AS_TEXT,
            action: "s3:GetObject",
            resource: "arn:aws:s3:::mybucket/${aws:username}/notes.txt",
            rows: &[
                row(
                    "under 2008-10-17 the variable is plain text",
                    &[One("aws:username", "David")],
                    Allow,
                ),
                row("key absent changes nothing", &[], Allow),
                row(
                    "a multi-valued key changes nothing",
                    &[Many("aws:username", &["a", "b"])],
                    Allow,
                ),
            ],
        },
        Table {
            placement: Placement::Identity,
            policy: VARIABLE_ESCAPES,
            action: "s3:GetObject",
            resource: "arn:aws:s3:::mybucket/*",
            rows: &[
                row("`${*}` is a literal asterisk", &[], Allow),
                row(
                    "context keys do not matter",
                    &[Many("aws:username", &["x"])],
                    Allow,
                ),
            ],
        },
        Table {
            placement: Placement::Scp,
            policy: VARIABLE_IN_BOOL,
            action: "s3:GetObject",
            resource: "arn:aws:s3:::bucket/key",
            rows: &[
                row(
                    "the variable resolves to the same boolean",
                    &[
                        One("aws:MultiFactorAuthPresent", "true"),
                        One("aws:SecureTransport", "true"),
                    ],
                    Deny,
                ),
                row(
                    "the variable resolves to another boolean",
                    &[
                        One("aws:MultiFactorAuthPresent", "false"),
                        One("aws:SecureTransport", "true"),
                    ],
                    Allow,
                ),
                row(
                    "the variable's key is absent",
                    &[One("aws:MultiFactorAuthPresent", "true")],
                    Allow,
                ),
                row(
                    "the variable's key is multi-valued",
                    &[
                        One("aws:MultiFactorAuthPresent", "true"),
                        Many("aws:SecureTransport", &["true"]),
                    ],
                    Allow,
                ),
            ],
        },
    ]);
}

#[test]
fn a_literal_asterisk_does_not_match_other_text() {
    check(&[Table {
        placement: Placement::Identity,
        policy: VARIABLE_ESCAPES,
        action: "s3:GetObject",
        resource: "arn:aws:s3:::mybucket/notes.txt",
        rows: &[row("`${*}` is not a wildcard", &[], Deny)],
    }]);
}
