//! Properties of the evaluator over random organizations of SCPs and random requests: an added
//! `Deny` never turns a deny into an allow, nor an added `Allow` SCP an explicit deny; the
//! decision depends neither on the order of statements and policies nor on the letter case of
//! condition key names, wherever they are written; the fast path agrees with the explained one;
//! a printed policy reads back to an equal policy.
//!
//! The generated SCPs use every operator family with `IfExists` and the set prefixes, values
//! that fit each family and values that do not, policy variables, and both policy versions;
//! the requests come from ordinary principals, the management account, and a service-linked
//! role and a session of it, with single-valued and multi-valued keys present, empty or absent.
//! A deterministic test checks that these cases are not trivial: both decisions, every reason
//! and both outcomes of every operator family are common.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a generated policy that fails to parse is a failure of the test itself"
)]

use std::collections::BTreeMap;
use std::sync::Arc;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use scpcheck_policy::vectors::{MANAGEMENT_ACCOUNT, MEMBER_ACCOUNT};
use scpcheck_policy::{
    AttachedPolicy, BaseOperator, Condition, Context, ContextValue, Decision, LevelKind, OrgLevel,
    Organization, Policy, PolicyVersion, Request, ScpEvaluation, ScpReason, SetQualifier,
    Statement, StatementEvaluation, evaluate_scps, scp_decision,
};
use serde_json::{Map, Value, json};

const CURRENT: &str = "2012-10-17";
const ORIGINAL: &str = "2008-10-17";

/// A principal that makes requests: its ARN, its account, and its `aws:PrincipalArn`, which for
/// a role session is the role's ARN.
type Principal = (&'static str, &'static str, &'static str);

/// An ordinary role of the member account.
const ROLE: &str = "arn:aws:iam::111122223333:role/Generated";

/// Principals of the member account that SCPs restrict.
const MEMBER_PRINCIPALS: [Principal; 4] = [
    (ROLE, MEMBER_ACCOUNT, ROLE),
    (
        "arn:aws:sts::111122223333:assumed-role/Generated/session-1",
        MEMBER_ACCOUNT,
        ROLE,
    ),
    (
        "arn:aws:iam::111122223333:user/alice",
        MEMBER_ACCOUNT,
        "arn:aws:iam::111122223333:user/alice",
    ),
    (
        "arn:aws:iam::111122223333:root",
        MEMBER_ACCOUNT,
        "arn:aws:iam::111122223333:root",
    ),
];
/// A principal of the management account: SCPs do not restrict it.
const MANAGEMENT_PRINCIPAL: Principal = (
    "arn:aws:iam::999999999999:role/Admin",
    MANAGEMENT_ACCOUNT,
    "arn:aws:iam::999999999999:role/Admin",
);
/// A service-linked role of the member account and a session of it: SCPs do not restrict them.
const SERVICE_LINKED_PRINCIPALS: [Principal; 2] = [
    (SERVICE_LINKED_ROLE, MEMBER_ACCOUNT, SERVICE_LINKED_ROLE),
    (
        "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForECS/ecs-task",
        MEMBER_ACCOUNT,
        SERVICE_LINKED_ROLE,
    ),
];
const SERVICE_LINKED_ROLE: &str =
    "arn:aws:iam::111122223333:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS";

const ACTIONS: [&str; 7] = [
    "s3:PutObject",
    "s3:GetObject",
    "ec2:CreateVolume",
    "ec2:RunInstances",
    "rds:CreateDBCluster",
    "iam:PassRole",
    "sts:AssumeRole",
];
const ACTION_PATTERNS: [&str; 9] = [
    "*",
    "s3:*",
    "s3:PutObject",
    "ec2:CreateVolume",
    "ec2:*Volume",
    "EC2:Create*",
    "rds:CreateDB?luster",
    "iam:*",
    "sts:Assume*",
];
/// Resources of requests; some only match patterns with policy variables resolved.
const RESOURCES: [&str; 9] = [
    "arn:aws:s3:::bucket/key",
    "arn:aws:s3:::bucket/alice/report.csv",
    "arn:aws:s3:::bucket/blue/report.csv",
    "arn:aws:s3:::bucket/dflt/report.csv",
    "arn:aws:s3:::bucket/a*b",
    "arn:aws:ec2:eu-central-1:111122223333:volume/vol-1",
    "arn:aws:rds:eu-central-1:111122223333:cluster:c1",
    "arn:aws:iam::111122223333:role/Generated",
    "*",
];
const RESOURCE_PATTERNS: [&str; 10] = [
    "*",
    "arn:aws:s3:::bucket/*",
    "arn:aws:ec2:*:*:volume/*",
    "arn:aws:rds:*:*:cluster:*",
    "arn:aws:s3:::bucket/${aws:username}/*",
    "arn:aws:s3:::bucket/${aws:PrincipalTag/team}/*",
    "arn:aws:s3:::bucket/${aws:PrincipalTag/x, 'dflt'}/*",
    "arn:aws:s3:::bucket/a${*}b",
    "arn:aws:iam::${aws:PrincipalAccount}:role/*",
    "arn:aws:iam::111122223333:role/${aws:username}",
];

/// A condition key of the generated requests and the values a request may give it.
#[derive(Debug)]
struct KeySpec {
    name: &'static str,
    multi_valued: bool,
    values: &'static [&'static str],
}

const fn single(name: &'static str, values: &'static [&'static str]) -> KeySpec {
    KeySpec {
        name,
        multi_valued: false,
        values,
    }
}

const fn multi(name: &'static str, values: &'static [&'static str]) -> KeySpec {
    KeySpec {
        name,
        multi_valued: true,
        values,
    }
}

/// The keys a request may have besides `aws:PrincipalArn` and `aws:PrincipalAccount`, which
/// follow the principal; each value list mixes values of the key's type with unreadable ones.
const KEYS: [KeySpec; 21] = [
    single("aws:PrincipalTag/team", &["blue", "Blue", "red", "dflt"]),
    single("aws:username", &["alice", "bob", "${aws:username}"]),
    single(
        "s3:x-amz-server-side-encryption",
        &["AES256", "aws:kms", "aes256"],
    ),
    single(
        "aws:RequestedRegion",
        &["eu-central-1", "us-east-1", "eu-west-1"],
    ),
    single("rds:DatabaseEngine", &["aurora-mysql", "postgres"]),
    single("ec2:VolumeSize", &["10", "100", "1.5", "-3", "big"]),
    single("s3:max-keys", &["0", "10", "1000"]),
    single(
        "aws:CurrentTime",
        &[
            "2020-01-01T00:00:00Z",
            "2024-06-30T10:00:00Z",
            "2019-12-31T23:59:59-01:00",
            "later",
        ],
    ),
    single("aws:EpochTime", &["1577836800", "1719741600"]),
    single(
        "aws:TokenIssueTime",
        &["2020-01-01", "2024-06-30T12:00:00+02:00"],
    ),
    single("aws:SecureTransport", &["true", "false"]),
    single("aws:MultiFactorAuthPresent", &["true", "false", "TRUE"]),
    single("ec2:Encrypted", &["true", "false", "yes"]),
    single("custom:Blob", &["aGVsbG8=", "aGVsbG8", "d29ybGQ=", "%%"]),
    single(
        "aws:SourceIp",
        &[
            "203.0.113.7",
            "198.51.100.7",
            "2001:db8::1",
            "192.0.2.1",
            "nowhere",
        ],
    ),
    single("aws:VpcSourceIp", &["10.0.0.1", "203.0.113.200"]),
    single(
        "aws:SourceArn",
        &[
            "arn:aws:s3:::bucket",
            "arn:aws:s3:::bucket-logs",
            "arn:aws:iam::111122223333:role/Generated",
            "not-an-arn",
        ],
    ),
    multi("aws:TagKeys", &["team", "Team", "cost-center", "dflt"]),
    multi(
        "aws:CalledVia",
        &["cloudformation.amazonaws.com", "athena.amazonaws.com"],
    ),
    multi(
        "aws:PrincipalServiceNamesList",
        &["ecs.amazonaws.com", "lambda.amazonaws.com"],
    ),
    multi("custom:Sizes", &["1", "10", "100", "many"]),
];

/// Keys that conditions name besides those of [`KEYS`]: two that follow the principal and one
/// that no request has.
const OTHER_KEYS: [&str; 3] = [
    "aws:PrincipalArn",
    "aws:PrincipalAccount",
    "aws:RequestTag/project",
];

/// A family of condition operators, with the keys and policy values that suit it.
#[derive(Debug)]
struct Family {
    name: &'static str,
    operators: &'static [&'static str],
    keys: &'static [&'static str],
    values: &'static [&'static str],
}

const FAMILIES: [Family; 8] = [
    Family {
        name: "String",
        operators: &[
            "StringEquals",
            "StringNotEquals",
            "StringEqualsIgnoreCase",
            "StringNotEqualsIgnoreCase",
            "StringLike",
            "StringNotLike",
        ],
        keys: &[
            "aws:PrincipalTag/team",
            "aws:username",
            "s3:x-amz-server-side-encryption",
            "aws:RequestedRegion",
            "rds:DatabaseEngine",
            "aws:PrincipalAccount",
            "aws:TagKeys",
            "aws:CalledVia",
            "aws:PrincipalServiceNamesList",
            "aws:RequestTag/project",
        ],
        values: &[
            "blue",
            "BLUE",
            "red",
            "alice",
            "AES256",
            "aws:kms",
            "eu-*",
            "eu-central-1",
            "aurora*",
            "team",
            "cost-?enter",
            "*.amazonaws.com",
            "cloudformation.amazonaws.com",
            "111122223333",
            "${aws:username}",
            "${aws:PrincipalTag/team}",
            "${aws:PrincipalTag/x, 'dflt'}",
            "${aws:PrincipalAccount}",
            "a${*}b",
            "",
        ],
    },
    Family {
        name: "Numeric",
        operators: &[
            "NumericEquals",
            "NumericNotEquals",
            "NumericLessThan",
            "NumericLessThanEquals",
            "NumericGreaterThan",
            "NumericGreaterThanEquals",
        ],
        keys: &["ec2:VolumeSize", "s3:max-keys", "custom:Sizes"],
        values: &["10", "100", "1.5", "-3", "0", "10.0", "abc", "1e3"],
    },
    Family {
        name: "Date",
        operators: &[
            "DateEquals",
            "DateNotEquals",
            "DateLessThan",
            "DateLessThanEquals",
            "DateGreaterThan",
            "DateGreaterThanEquals",
        ],
        keys: &["aws:CurrentTime", "aws:EpochTime", "aws:TokenIssueTime"],
        values: &[
            "2020-01-01T00:00:00Z",
            "2020-01-01",
            "2024-06-30T12:00:00+02:00",
            "2024-06-30T10:00:00.000Z",
            "1577836800",
            "1719741600",
            "2020-02-30",
            "soon",
            "${aws:EpochTime}",
        ],
    },
    Family {
        name: "Bool",
        operators: &["Bool"],
        keys: &[
            "aws:SecureTransport",
            "aws:MultiFactorAuthPresent",
            "ec2:Encrypted",
        ],
        values: &["true", "false", "TRUE", "yes", "${aws:SecureTransport}"],
    },
    Family {
        name: "Binary",
        operators: &["BinaryEquals"],
        keys: &["custom:Blob"],
        values: &["aGVsbG8=", "aGVsbG8", "d29ybGQ=", "!!"],
    },
    Family {
        name: "IpAddress",
        operators: &["IpAddress", "NotIpAddress"],
        keys: &["aws:SourceIp", "aws:VpcSourceIp"],
        values: &[
            "203.0.113.0/24",
            "198.51.100.7",
            "2001:db8::/32",
            "2001:db8::1/128",
            "0.0.0.0/0",
            "::/0",
            "10.0.0.0/8",
            "10.0.0.0/33",
            "not-an-ip",
        ],
    },
    Family {
        name: "Arn",
        operators: &["ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"],
        keys: &["aws:PrincipalArn", "aws:SourceArn"],
        values: &[
            "arn:aws:iam::111122223333:role/Generated",
            "arn:aws:iam::*:role/*",
            "arn:aws:iam::111122223333:role/aws-service-role/*",
            "arn:aws:s3:::bucket*",
            "arn:aws:sts::111122223333:assumed-role/*/*",
            "arn:aws:iam::${aws:PrincipalAccount}:*",
            "arn:aws:iam::111122223333:user/${aws:username}",
            "arn:aws:s3:::${aws:PrincipalTag/x, 'dflt'}",
            "*",
            "not-an-arn",
        ],
    },
    Family {
        name: "Null",
        operators: &["Null"],
        keys: &[
            "aws:PrincipalTag/team",
            "aws:TagKeys",
            "aws:SecureTransport",
            "aws:CalledVia",
            "aws:SourceIp",
            "aws:RequestTag/project",
            "custom:Sizes",
        ],
        values: &["true", "false", "maybe"],
    },
];

/// Values of other families, so that each operator also meets values it cannot read.
const STRAY_VALUES: [&str; 8] = [
    "true",
    "10",
    "2020-01-01",
    "203.0.113.0/24",
    "aGVsbG8=",
    "arn:aws:s3:::bucket",
    "${aws:username}",
    "",
];

/// A generated condition: operator name, key as in the vocabulary, and policy values.
#[derive(Debug, Clone)]
struct ConditionSpec {
    operator: String,
    key: &'static str,
    values: Vec<&'static str>,
}

/// A generated statement, before it becomes JSON.
#[derive(Debug, Clone)]
struct StatementSpec {
    deny: bool,
    not_action: bool,
    actions: Vec<&'static str>,
    resources: Option<(bool, Vec<&'static str>)>,
    conditions: Vec<ConditionSpec>,
    /// Whether a statement without conditions has `"Condition": {}`.
    empty_condition: bool,
}

/// A generated policy: its `Version`, if it has one, and its statements.
#[derive(Debug, Clone)]
struct PolicySpec {
    version: Option<&'static str>,
    statements: Vec<StatementSpec>,
}

/// A generated organization: the policies attached at the root, the OU and the account.
#[derive(Debug, Clone)]
struct OrgSpec {
    levels: Vec<Vec<PolicySpec>>,
}

impl PolicySpec {
    /// `FullAWSAccess`, as AWS attaches it by default.
    fn full_aws_access() -> PolicySpec {
        PolicySpec {
            version: Some(CURRENT),
            statements: vec![StatementSpec {
                deny: false,
                not_action: false,
                actions: vec!["*"],
                resources: Some((false, vec!["*"])),
                conditions: Vec::new(),
                empty_condition: false,
            }],
        }
    }

    /// Whether policy variables are expanded: only under `2012-10-17`.
    fn expands_variables(&self) -> bool {
        self.version == Some(CURRENT)
    }
}

/// A condition of `family`: mostly on a key and with values that suit it, sometimes on any key
/// or with a value of another family.
fn family_condition(family: &'static Family) -> impl Strategy<Value = ConditionSpec> {
    let all_keys: Vec<&'static str> = KEYS.iter().map(|key| key.name).chain(OTHER_KEYS).collect();
    let key = prop_oneof![4 => select(family.keys), 1 => select(all_keys)];
    let value = prop_oneof![6 => select(family.values), 1 => select(&STRAY_VALUES[..])];
    // `Null` takes neither a set prefix nor `IfExists`.
    let modifiers = if family.name == "Null" {
        Just((None, false)).boxed()
    } else {
        let set = select(&["ForAllValues:", "ForAnyValue:"][..]);
        (
            proptest::option::weighted(0.35, set),
            prop::bool::weighted(0.3),
        )
            .boxed()
    };
    (select(family.operators), modifiers, key, vec(value, 1..4)).prop_map(
        |(operator, (set, if_exists), key, values)| {
            let suffix = if if_exists { "IfExists" } else { "" };
            ConditionSpec {
                operator: format!("{}{operator}{suffix}", set.unwrap_or_default()),
                key,
                values,
            }
        },
    )
}

fn condition_spec() -> impl Strategy<Value = ConditionSpec> {
    select(FAMILIES.iter().collect::<Vec<_>>()).prop_flat_map(family_condition)
}

fn statement_spec() -> impl Strategy<Value = StatementSpec> {
    let resources = (
        prop::bool::weighted(0.15),
        vec(select(&RESOURCE_PATTERNS[..]), 1..3),
    );
    (
        any::<bool>(),
        prop::bool::weighted(0.15),
        vec(select(&ACTION_PATTERNS[..]), 1..3),
        proptest::option::weighted(0.8, resources),
        vec(condition_spec(), 0..4),
        prop::bool::weighted(0.2),
    )
        .prop_map(
            |(deny, not_action, actions, resources, conditions, empty_condition)| StatementSpec {
                deny,
                not_action,
                actions,
                resources,
                conditions,
                empty_condition,
            },
        )
}

/// A `Version`: mostly `2012-10-17`; `2008-10-17`, written or implied, reads `${...}` as text.
fn version() -> impl Strategy<Value = Option<&'static str>> {
    prop_oneof![
        4 => Just(Some(CURRENT)),
        1 => Just(Some(ORIGINAL)),
        1 => Just(None),
    ]
}

fn policy_spec() -> impl Strategy<Value = PolicySpec> {
    (version(), vec(statement_spec(), 1..5)).prop_map(|(version, statements)| PolicySpec {
        version,
        statements,
    })
}

/// One to three policies for a level, `FullAWSAccess` among them often: AWS requires at least
/// one SCP at every level.
fn level_spec() -> impl Strategy<Value = Vec<PolicySpec>> {
    let policy = prop_oneof![
        3 => Just(PolicySpec::full_aws_access()),
        2 => policy_spec(),
    ];
    vec(policy, 1..4)
}

fn org_spec() -> impl Strategy<Value = OrgSpec> {
    vec(level_spec(), 3).prop_map(|levels| OrgSpec { levels })
}

/// How a request's context value of `key` may look: absent, or one value; for a multi-valued
/// key, absent, empty or several values.
fn key_value(key: &'static KeySpec) -> BoxedStrategy<Option<ContextValue>> {
    let value = select(key.values).prop_map(str::to_owned);
    if key.multi_valued {
        prop_oneof![
            1 => Just(None),
            1 => Just(Some(ContextValue::Multi(Vec::new()))),
            3 => vec(value, 1..4).prop_map(|values| Some(ContextValue::Multi(values))),
        ]
        .boxed()
    } else {
        proptest::option::of(value.prop_map(ContextValue::Single)).boxed()
    }
}

fn request() -> impl Strategy<Value = Request> {
    let principal = prop_oneof![
        8 => select(&MEMBER_PRINCIPALS[..]),
        1 => Just(MANAGEMENT_PRINCIPAL),
        1 => select(&SERVICE_LINKED_PRINCIPALS[..]),
    ];
    let values: Vec<BoxedStrategy<Option<ContextValue>>> = KEYS.iter().map(key_value).collect();
    (
        principal,
        prop::bool::weighted(0.8),
        select(&ACTIONS[..]),
        select(&RESOURCES[..]),
        values,
    )
        .prop_map(
            |((principal_arn, account_id, arn_key), principal_keys, action, resource, values)| {
                let mut context = Context::new();
                // Without `aws:PrincipalArn`, a session of a service-linked role cannot be told
                // from any other session.
                if principal_keys {
                    context.insert_single("aws:PrincipalArn", arn_key);
                    context.insert_single("aws:PrincipalAccount", account_id);
                }
                for (key, value) in KEYS.iter().zip(values) {
                    if let Some(value) = value {
                        context.insert(key.name, value);
                    }
                }
                Request {
                    principal_arn: principal_arn.into(),
                    account_id: account_id.into(),
                    action: action.into(),
                    resource: resource.into(),
                    context,
                }
            },
        )
}

/// Writes condition key names, in condition blocks and in policy variables.
type KeyCase<'a> = &'a dyn Fn(&str) -> String;

/// Renders a policy, writing each condition key name through `key_case`.
fn policy_text(policy: &PolicySpec, key_case: KeyCase<'_>) -> String {
    let variables = policy.expands_variables();
    let statements: Vec<Value> = policy
        .statements
        .iter()
        .map(|statement| statement_json(statement, key_case, variables))
        .collect();
    let mut document = Map::new();
    if let Some(version) = policy.version {
        document.insert("Version".into(), json!(version));
    }
    document.insert("Statement".into(), Value::Array(statements));
    Value::Object(document).to_string()
}

/// Renders a statement; `variables` says whether `${...}` is a policy variable, whose key name
/// `key_case` then writes too.
fn statement_json(statement: &StatementSpec, key_case: KeyCase<'_>, variables: bool) -> Value {
    let text = |text: &str| {
        if variables {
            recase_variables(text, key_case)
        } else {
            text.to_owned()
        }
    };
    let mut object = Map::new();
    let effect = if statement.deny { "Deny" } else { "Allow" };
    object.insert("Effect".into(), json!(effect));
    let action_element = if statement.not_action {
        "NotAction"
    } else {
        "Action"
    };
    object.insert(action_element.into(), json!(statement.actions));
    if let Some((negated, patterns)) = &statement.resources {
        let element = if *negated { "NotResource" } else { "Resource" };
        let patterns: Vec<String> = patterns.iter().map(|pattern| text(pattern)).collect();
        object.insert(element.into(), one_or_many(patterns));
    }
    let mut conditions: BTreeMap<&str, Map<String, Value>> = BTreeMap::new();
    for condition in &statement.conditions {
        let values: Vec<String> = condition.values.iter().map(|value| text(value)).collect();
        let block = conditions.entry(&condition.operator).or_default();
        block.insert(key_case(condition.key), one_or_many(values));
    }
    if !conditions.is_empty() || statement.empty_condition {
        object.insert("Condition".into(), json!(conditions));
    }
    Value::Object(object)
}

/// One text as a JSON string, several as an array.
fn one_or_many(texts: Vec<String>) -> Value {
    match <[String; 1]>::try_from(texts) {
        Ok([only]) => json!(only),
        Err(texts) => json!(texts),
    }
}

/// Writes the key name of every policy variable in `text` through `key_case`; the escapes
/// `${*}`, `${?}` and `${$}` and default values stay as they are.
fn recase_variables(text: &str, key_case: KeyCase<'_>) -> String {
    let mut written = String::new();
    let mut rest = text;
    while let Some((before, after)) = rest.split_once("${") {
        let Some((inner, after_variable)) = after.split_once('}') else {
            break;
        };
        written.push_str(before);
        written.push_str("${");
        match inner.split_once(',') {
            _ if matches!(inner, "*" | "?" | "$") => written.push_str(inner),
            Some((key, default)) => {
                written.push_str(&key_case(key));
                written.push(',');
                written.push_str(default);
            }
            None => written.push_str(&key_case(inner)),
        }
        written.push('}');
        rest = after_variable;
    }
    written.push_str(rest);
    written
}

fn parse(name: &str, text: &str) -> Arc<Policy> {
    let policy = Policy::parse(name, text)
        .unwrap_or_else(|errors| panic!("generated policies are valid: {text}\n{errors:?}"));
    Arc::new(policy)
}

const LEVELS: [(&str, LevelKind); 3] = [
    ("r-root", LevelKind::Root),
    ("ou-generated", LevelKind::OrganizationalUnit),
    (MEMBER_ACCOUNT, LevelKind::Account),
];

/// Parses the organization's policies, writing condition key names through `key_case`.
fn organization(spec: &OrgSpec, key_case: KeyCase<'_>) -> Organization {
    let levels = LEVELS
        .iter()
        .zip(&spec.levels)
        .map(|((target_id, kind), policies)| OrgLevel {
            target_id: (*target_id).into(),
            kind: *kind,
            policies: policies
                .iter()
                .enumerate()
                .map(|(index, policy)| {
                    let name = format!("{target_id}-{index}");
                    AttachedPolicy {
                        policy: parse(&name, &policy_text(policy, key_case)),
                        name,
                    }
                })
                .collect(),
        })
        .collect();
    Organization {
        management_account_id: MANAGEMENT_ACCOUNT.into(),
        levels,
    }
}

fn as_written(key: &str) -> String {
    key.to_owned()
}

/// The explained evaluation, after checking that the fast path reaches the same decision.
fn explain(organization: &Organization, request: &Request) -> ScpEvaluation {
    let explained = evaluate_scps(organization, request);
    assert_eq!(
        explained.decision(),
        scp_decision(organization, request),
        "fast path disagrees"
    );
    explained
}

fn decide(organization: &Organization, request: &Request) -> Decision {
    explain(organization, request).decision()
}

/// Flips the letter case of the characters whose position is set in `mask`.
fn recase(key: &str, mask: u64) -> String {
    key.chars()
        .enumerate()
        .map(|(index, c)| {
            let flip = index < 64 && mask & (1 << index) != 0;
            match (flip, c.is_ascii_uppercase()) {
                (false, _) => c,
                (true, true) => c.to_ascii_lowercase(),
                (true, false) => c.to_ascii_uppercase(),
            }
        })
        .collect()
}

/// Shuffles `items` (Fisher-Yates), drawing each swap from `choices`.
fn shuffle<T>(items: &mut [T], choices: &mut impl Iterator<Item = Index>) {
    for last in (1..items.len()).rev() {
        let other = choices.next().map_or(0, |choice| choice.index(last + 1));
        items.swap(last, other);
    }
}

/// The organization with the statements of every policy and the policies of every level
/// shuffled.
fn shuffled(spec: &OrgSpec, choices: &[Index]) -> OrgSpec {
    let mut choices = choices.iter().copied().cycle();
    let mut spec = spec.clone();
    for level in &mut spec.levels {
        for policy in level.iter_mut() {
            shuffle(&mut policy.statements, &mut choices);
        }
        shuffle(level, &mut choices);
    }
    spec
}

/// Where an added statement or policy goes: a level, a policy in it, a position.
type Place = (usize, Index, Index);

fn place() -> impl Strategy<Value = Place> {
    (0usize..3, any::<Index>(), any::<Index>())
}

/// The organization with `statement` inserted into one of its policies.
fn with_statement(spec: &OrgSpec, statement: StatementSpec, place: Place) -> OrgSpec {
    let (level, policy, position) = place;
    let mut spec = spec.clone();
    let level = spec.levels.get_mut(level).unwrap();
    let policy = policy.get_mut(level.as_mut_slice());
    let position = position.index(policy.statements.len() + 1);
    policy.statements.insert(position, statement);
    spec
}

/// The organization with `policy` attached at one of its levels.
fn with_policy(spec: &OrgSpec, policy: PolicySpec, place: Place) -> OrgSpec {
    let (level, _, position) = place;
    let mut spec = spec.clone();
    let level = spec.levels.get_mut(level).unwrap();
    level.insert(position.index(level.len() + 1), policy);
    spec
}

/// A deny of every action on every resource, limited by its conditions only: it makes explicit
/// denies common among the generated cases.
fn broad_deny(statement: StatementSpec) -> StatementSpec {
    StatementSpec {
        deny: true,
        not_action: false,
        actions: vec!["*"],
        resources: None,
        ..statement
    }
}

/// The request with its context keys written through `key_case`.
fn recased_request(request: &Request, key_case: KeyCase<'_>) -> Request {
    let mut context = Context::new();
    for (key, value) in request.context.iter() {
        context.insert(key_case(key), value.clone());
    }
    Request {
        context,
        ..request.clone()
    }
}

proptest! {
    // The space of cases is large; 1,024 cases of each property take about a second in the
    // debug build.
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn adding_a_deny_never_turns_deny_into_allow(
        spec in org_spec(),
        mut extra in statement_spec(),
        extra_version in version(),
        place in place(),
        request in request(),
    ) {
        let before = decide(&organization(&spec, &as_written), &request);

        extra.deny = true;
        let with_extra_statement = with_statement(&spec, extra.clone(), place);
        let after_statement = decide(&organization(&with_extra_statement, &as_written), &request);
        let extra_policy = PolicySpec {
            version: extra_version,
            statements: vec![extra],
        };
        let with_extra_policy = with_policy(&spec, extra_policy, place);
        let after_policy = decide(&organization(&with_extra_policy, &as_written), &request);

        if before == Decision::Deny {
            prop_assert_eq!(after_statement, Decision::Deny);
            prop_assert_eq!(after_policy, Decision::Deny);
        }
    }

    #[test]
    fn adding_an_allow_never_turns_an_explicit_deny_into_allow(
        spec in org_spec(),
        deny in statement_spec(),
        deny_place in place(),
        allows in vec(statement_spec(), 1..3),
        allow_version in version(),
        allow_place in place(),
        request in request(),
    ) {
        let spec = with_statement(&spec, broad_deny(deny), deny_place);
        let before = explain(&organization(&spec, &as_written), &request);
        if !matches!(before.reason(), ScpReason::ExplicitDeny { .. }) {
            return Ok(());
        }

        let allows: Vec<StatementSpec> = allows
            .into_iter()
            .map(|statement| StatementSpec { deny: false, ..statement })
            .collect();
        let allow_policy = PolicySpec {
            version: allow_version,
            statements: allows,
        };
        let after_spec = with_policy(&spec, allow_policy, allow_place);
        let after = explain(&organization(&after_spec, &as_written), &request);
        prop_assert_eq!(after.decision(), Decision::Deny);
        prop_assert_eq!(after.reason(), before.reason());
    }

    #[test]
    fn a_printed_policy_reads_back_equal(document in policy_document(), pretty in any::<bool>()) {
        let text = if pretty {
            serde_json::to_string_pretty(&document).unwrap()
        } else {
            document.to_string()
        };
        let policy = parse("generated", &text);
        let printed = policy.to_string();
        let again = Policy::parse("printed", &printed)
            .unwrap_or_else(|errors| panic!("{printed}\n{errors:?}"));
        prop_assert_eq!(&again, policy.as_ref(), "{}", printed);
        prop_assert_eq!(again.to_string(), printed);
    }

    #[test]
    fn decision_is_independent_of_statement_and_policy_order(
        spec in org_spec(),
        choices in vec(any::<Index>(), 16),
        request in request(),
    ) {
        let original = explain(&organization(&spec, &as_written), &request);
        let reordered = explain(&organization(&shuffled(&spec, &choices), &as_written), &request);
        prop_assert_eq!(original.decision(), reordered.decision());
        prop_assert_eq!(original.reason(), reordered.reason());
    }

    #[test]
    fn decision_is_independent_of_condition_key_case(
        spec in org_spec(),
        policy_mask in any::<u64>(),
        context_mask in any::<u64>(),
        request in request(),
    ) {
        let expected = explain(&organization(&spec, &as_written), &request).reason();
        let recased_request = recased_request(&request, &|key| recase(key, context_mask));
        let lowercase = |key: &str| key.to_ascii_lowercase();
        let uppercase = |key: &str| key.to_ascii_uppercase();
        let recased = |key: &str| recase(key, policy_mask);
        let key_cases: [KeyCase<'_>; 3] = [&lowercase, &uppercase, &recased];
        for key_case in key_cases {
            let organization = organization(&spec, key_case);
            prop_assert_eq!(explain(&organization, &request).reason(), expected);
            prop_assert_eq!(explain(&organization, &recased_request).reason(), expected);
        }
    }
}

#[test]
fn recasing_reaches_variable_keys_only() {
    let uppercase = |key: &str| key.to_ascii_uppercase();
    let text = "a/${aws:username}/${*}/${aws:PrincipalTag/x, 'dflt'}/${unclosed";
    assert_eq!(
        recase_variables(text, &uppercase),
        "a/${AWS:USERNAME}/${*}/${AWS:PRINCIPALTAG/X, 'dflt'}/${unclosed"
    );
}

/// How often each outcome came up among sampled cases.
#[derive(Debug, Default)]
struct Outcomes {
    cases: usize,
    allowed: usize,
    exempt: usize,
    explicit_deny: usize,
    no_allow: usize,
    /// Per operator family, and for conditions with policy variables under `variables`: how
    /// many conditions came out true and how many false.
    conditions: BTreeMap<&'static str, (usize, usize)>,
    /// How many resource patterns with policy variables matched and how many did not.
    variable_resources: (usize, usize),
}

impl Outcomes {
    fn record(&mut self, evaluation: &ScpEvaluation) {
        self.cases += 1;
        match evaluation.reason() {
            ScpReason::ManagementAccount | ScpReason::ServiceLinkedRole => self.exempt += 1,
            ScpReason::ExplicitDeny { .. } => self.explicit_deny += 1,
            ScpReason::NoAllow { .. } => self.no_allow += 1,
            ScpReason::AllowedAtEveryLevel | ScpReason::NoLevels => {}
        }
        if evaluation.decision() == Decision::Allow {
            self.allowed += 1;
        }
        for level in evaluation.levels() {
            for policy in level.policies() {
                let variables = policy.policy().version() == PolicyVersion::Current;
                for result in policy.statements() {
                    let statement = policy.policy().statements().get(result.index()).unwrap();
                    self.record_statement(statement, result, variables);
                }
            }
        }
    }

    fn record_statement(
        &mut self,
        statement: &Statement,
        result: &StatementEvaluation,
        variables: bool,
    ) {
        let conditions = statement
            .conditions()
            .iter()
            .zip(result.condition_results());
        for (condition, holds) in conditions {
            for name in tallies(condition, variables) {
                let (true_count, false_count) = self.conditions.entry(name).or_default();
                *if *holds { true_count } else { false_count } += 1;
            }
        }
        let resource_has_variables = statement
            .resources()
            .is_some_and(|resources| resources.texts().any(|text| text.contains("${")));
        if variables && resource_has_variables {
            match result.resource_applies() {
                Some(true) => self.variable_resources.0 += 1,
                Some(false) => self.variable_resources.1 += 1,
                None => {}
            }
        }
    }

    /// Whether `count` is at least `percent` of the cases.
    fn at_least(&self, count: usize, percent: usize) -> bool {
        count * 100 >= self.cases * percent
    }
}

/// What a condition counts towards: its operator family, its set prefix, `IfExists`, and
/// `variables` if it has policy variables that are expanded.
fn tallies(condition: &Condition, variables: bool) -> Vec<&'static str> {
    let operator = condition.operator();
    let with_variables = variables && condition.values().any(|value| value.contains("${"));
    let set = operator.set.map(|set| match set {
        SetQualifier::ForAllValues => "ForAllValues",
        SetQualifier::ForAnyValue => "ForAnyValue",
    });
    [
        Some(family_of(operator.base)),
        set,
        operator.if_exists.then_some("IfExists"),
        with_variables.then_some("variables"),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Every name [`tallies`] counts towards.
fn tally_names() -> impl Iterator<Item = &'static str> {
    let others = ["ForAllValues", "ForAnyValue", "IfExists", "variables"];
    FAMILIES.iter().map(|family| family.name).chain(others)
}

fn family_of(base: BaseOperator) -> &'static str {
    FAMILIES
        .iter()
        .find(|family| family.operators.contains(&base.name()))
        .map(|family| family.name)
        .expect("every operator has a family")
}

/// Samples `count` values of `strategy` with a fixed seed.
fn sample<S: Strategy>(strategy: S, count: usize) -> Vec<S::Value> {
    let mut runner = TestRunner::deterministic();
    (0..count)
        .map(|_| strategy.new_tree(&mut runner).unwrap().current())
        .collect()
}

/// Proptest measures no coverage, so this checks that the generated organizations and requests
/// are not trivial: both decisions and every reason come up often, and the conditions of every
/// operator family, with policy variables or without, come out both true and false.
#[test]
fn generated_cases_are_not_trivial() {
    let mut outcomes = Outcomes::default();
    for (spec, request) in sample((org_spec(), request()), 2000) {
        outcomes.record(&explain(&organization(&spec, &as_written), &request));
    }
    let denied = outcomes.cases - outcomes.allowed;
    assert!(outcomes.at_least(outcomes.allowed, 30), "{outcomes:#?}");
    assert!(outcomes.at_least(denied, 30), "{outcomes:#?}");
    assert!(outcomes.at_least(outcomes.exempt, 10), "{outcomes:#?}");
    assert!(
        outcomes.at_least(outcomes.explicit_deny, 10),
        "{outcomes:#?}"
    );
    assert!(outcomes.at_least(outcomes.no_allow, 10), "{outcomes:#?}");
    for name in tally_names() {
        let (true_count, false_count) = outcomes.conditions.get(name).copied().unwrap_or_default();
        let evaluated = true_count + false_count;
        assert!(
            true_count * 5 >= evaluated && false_count * 5 >= evaluated && evaluated >= 100,
            "{name}: {outcomes:#?}"
        );
    }
    let (matched, unmatched) = outcomes.variable_resources;
    assert!(matched >= 50 && unmatched >= 50, "{outcomes:#?}");

    // The property about an added `Allow` checks only explicit denies.
    let mut with_broad_deny = Outcomes::default();
    for (spec, deny, place, request) in
        sample((org_spec(), statement_spec(), place(), request()), 1000)
    {
        let spec = with_statement(&spec, broad_deny(deny), place);
        with_broad_deny.record(&explain(&organization(&spec, &as_written), &request));
    }
    assert!(
        with_broad_deny.at_least(with_broad_deny.explicit_deny, 35),
        "{with_broad_deny:#?}"
    );
}
/// Every operator name: each base operator, with a set prefix and `IfExists` where allowed.
fn operator_names() -> Vec<String> {
    let mut names = Vec::new();
    for base in BaseOperator::ALL {
        let name = base.name();
        names.push(name.to_owned());
        if base == BaseOperator::Null {
            continue;
        }
        names.push(format!("{name}IfExists"));
        names.push(format!("ForAllValues:{name}"));
        names.push(format!("ForAnyValue:{name}IfExists"));
    }
    names
}

/// Texts that exercise escaping, variables and wildcards.
const AWKWARD_TEXTS: [&str; 10] = [
    "AES256",
    "quote \" and backslash \\",
    "tab\tnew\nline",
    "\u{1}control",
    "ümlaut ✓ 😀",
    "${aws:username}",
    "home/${aws:PrincipalTag/team, 'none'}/*",
    "${*}${?}${$}",
    "a*b?c",
    "",
];

fn condition_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        select(&AWKWARD_TEXTS[..]).prop_map(|text| json!(text)),
        any::<bool>().prop_map(|value| json!(value)),
        (-1000i64..1000).prop_map(|value| json!(value)),
        select(&["1.50", "2020-01-01T00:00:00Z", "203.0.113.0/24", "aGVsbG8="][..])
            .prop_map(|text| json!(text)),
    ]
}

/// A condition key: one of the vocabulary in any letter case, or an invented `prefix:name` with
/// up to two `/` qualifiers such as tag keys have, which may hold spaces, `:`, `=`, `+`, `@`,
/// non-ASCII letters and characters JSON escapes.
fn condition_key() -> impl Strategy<Value = String> {
    let known: Vec<&'static str> = KEYS.iter().map(|key| key.name).chain(OTHER_KEYS).collect();
    let invented = proptest::string::string_regex(concat!(
        "[a-zA-Z][a-zA-Z0-9-]{0,9}",
        ":[a-zA-Z][a-zA-Z0-9._-]{0,15}",
        r#"(/[a-zA-Z0-9 _.:=+@ü"\\-]{1,12}){0,2}"#,
    ))
    .unwrap();
    prop_oneof![
        (select(known), any::<u64>()).prop_map(|(key, mask)| recase(key, mask)),
        invented,
    ]
}

fn condition_block() -> impl Strategy<Value = Map<String, Value>> {
    let values = prop_oneof![
        condition_value(),
        proptest::collection::vec(condition_value(), 1..4).prop_map(Value::Array),
    ];
    proptest::collection::vec((condition_key(), values), 1..4).prop_map(|members| {
        let mut block = Map::new();
        for (key, values) in members {
            // Keys that differ only in letter case are the same key, which the parser refuses
            // to see twice in one block.
            if !block.keys().any(|known| known.eq_ignore_ascii_case(&key)) {
                block.insert(key, values);
            }
        }
        block
    })
}

fn patterns(choices: &'static [&'static str]) -> impl Strategy<Value = Value> {
    prop_oneof![
        select(choices).prop_map(|pattern| json!(pattern)),
        proptest::collection::vec(select(choices), 1..4).prop_map(|patterns| json!(patterns)),
    ]
}

const RESOURCES_WITH_VARIABLES: [&str; 6] = [
    "*",
    "arn:aws:s3:::bucket/*",
    "arn:aws:s3:::bucket/${aws:username}/*",
    "arn:aws:s3:::bucket/${*}literal",
    "arn:aws:rds:*:*:cluster:*",
    "arn:aws:ec2:*:*:volume/\"odd\"",
];

fn statement_document() -> impl Strategy<Value = Value> {
    let operators = operator_names();
    let conditions = proptest::collection::btree_map(select(operators), condition_block(), 0..4);
    (
        proptest::option::of(select(&AWKWARD_TEXTS[..])),
        any::<bool>(),
        (any::<bool>(), patterns(&ACTION_PATTERNS)),
        proptest::option::of((any::<bool>(), patterns(&RESOURCES_WITH_VARIABLES))),
        (conditions, any::<bool>()),
    )
        .prop_map(|(sid, deny, actions, resources, (conditions, empty))| {
            let mut object = Map::new();
            if let Some(sid) = sid {
                object.insert("Sid".into(), json!(sid));
            }
            object.insert("Effect".into(), json!(if deny { "Deny" } else { "Allow" }));
            let (not_action, actions) = actions;
            let name = if not_action { "NotAction" } else { "Action" };
            object.insert(name.into(), actions);
            if let Some((not_resource, resources)) = resources {
                let name = if not_resource {
                    "NotResource"
                } else {
                    "Resource"
                };
                object.insert(name.into(), resources);
            }
            // An empty `"Condition": {}` is kept too: the restricted SCP language refuses it in
            // an `Allow`.
            if !conditions.is_empty() || empty {
                object.insert("Condition".into(), json!(conditions));
            }
            Value::Object(object)
        })
}

/// A policy document with every element the language has, as JSON.
fn policy_document() -> impl Strategy<Value = Value> {
    let version = proptest::option::of(select(&["2012-10-17", "2008-10-17"][..]));
    let statements = prop_oneof![
        statement_document(),
        proptest::collection::vec(statement_document(), 1..4).prop_map(Value::Array),
    ];
    (
        version,
        proptest::option::of(select(&AWKWARD_TEXTS[..])),
        statements,
    )
        .prop_map(|(version, id, statements)| {
            let mut object = Map::new();
            if let Some(version) = version {
                object.insert("Version".into(), json!(version));
            }
            if let Some(id) = id {
                object.insert("Id".into(), json!(id));
            }
            object.insert("Statement".into(), statements);
            Value::Object(object)
        })
}
