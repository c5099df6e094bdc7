//! Properties of the evaluator over random SCPs and requests: an added `Deny` never turns a deny
//! into an allow, nor an added `Allow` an explicit deny; the decision depends neither on
//! statement order nor on the letter case of condition keys; the fast path agrees with the
//! explained one; a printed policy reads back to an equal policy.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a generated policy that fails to parse is a failure of the test itself"
)]

use std::collections::BTreeMap;
use std::sync::Arc;

use proptest::prelude::*;
use proptest::sample::select;
use scpcheck_policy::{
    AttachedPolicy, BaseOperator, Context, ContextValue, Decision, LevelKind, OrgLevel,
    Organization, Policy, Request, ScpReason, evaluate_scps, scp_decision,
};
use serde_json::{Map, Value, json};

const ACTIONS: [&str; 5] = [
    "s3:PutObject",
    "s3:GetObject",
    "ec2:CreateVolume",
    "ec2:RunInstances",
    "rds:CreateDBCluster",
];
const ACTION_PATTERNS: [&str; 7] = [
    "*",
    "s3:*",
    "s3:PutObject",
    "ec2:CreateVolume",
    "ec2:*Volume",
    "EC2:Create*",
    "rds:CreateDB?luster",
];
const RESOURCES: [&str; 4] = [
    "arn:aws:s3:::bucket/key",
    "arn:aws:ec2:eu-central-1:111122223333:volume/*",
    "arn:aws:rds:eu-central-1:111122223333:cluster:c1",
    "*",
];
const RESOURCE_PATTERNS: [&str; 4] = [
    "*",
    "arn:aws:s3:::bucket/*",
    "arn:aws:ec2:*:*:volume/*",
    "arn:aws:rds:*:*:cluster:*",
];
const KEYS: [&str; 6] = [
    "ec2:Encrypted",
    "s3:x-amz-server-side-encryption",
    "aws:SecureTransport",
    "rds:DatabaseEngine",
    "aws:TagKeys",
    "ec2:VolumeSize",
];
const OPERATORS: [&str; 11] = [
    "Bool",
    "BoolIfExists",
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "Null",
    "ForAnyValue:StringEquals",
    "ForAllValues:StringNotEquals",
    "NumericLessThan",
];
const VALUES: [&str; 8] = [
    "true", "false", "AES256", "aws:kms", "aurora*", "gp3", "10", "team",
];

/// A generated statement, before it becomes JSON.
#[derive(Debug, Clone)]
struct StatementSpec {
    deny: bool,
    not_action: bool,
    actions: Vec<&'static str>,
    resource: Option<(bool, &'static str)>,
    conditions: Vec<(&'static str, &'static str, Vec<&'static str>)>,
}

fn statement_spec() -> impl Strategy<Value = StatementSpec> {
    let condition = (
        select(&OPERATORS[..]),
        select(&KEYS[..]),
        proptest::collection::vec(select(&VALUES[..]), 1..3),
    );
    (
        any::<bool>(),
        prop::bool::weighted(0.15),
        proptest::collection::vec(select(&ACTION_PATTERNS[..]), 1..3),
        proptest::option::weighted(
            0.8,
            (prop::bool::weighted(0.15), select(&RESOURCE_PATTERNS[..])),
        ),
        proptest::collection::vec(condition, 0..3),
    )
        .prop_map(
            |(deny, not_action, actions, resource, conditions)| StatementSpec {
                deny,
                not_action,
                actions,
                resource,
                conditions,
            },
        )
}

/// Renders statements as a policy, writing each condition key through `key_case`.
fn policy_text(statements: &[StatementSpec], key_case: &dyn Fn(&str) -> String) -> String {
    let statements: Vec<Value> = statements
        .iter()
        .map(|statement| statement_json(statement, key_case))
        .collect();
    json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

fn statement_json(statement: &StatementSpec, key_case: &dyn Fn(&str) -> String) -> Value {
    let mut object = Map::new();
    let effect = if statement.deny { "Deny" } else { "Allow" };
    object.insert("Effect".into(), json!(effect));
    let action_element = if statement.not_action {
        "NotAction"
    } else {
        "Action"
    };
    object.insert(action_element.into(), json!(statement.actions));
    if let Some((negated, pattern)) = statement.resource {
        let element = if negated { "NotResource" } else { "Resource" };
        object.insert(element.into(), json!(pattern));
    }
    let mut conditions: BTreeMap<&str, Map<String, Value>> = BTreeMap::new();
    for (operator, key, values) in &statement.conditions {
        let block = conditions.entry(operator).or_default();
        block.insert(key_case(key), json!(values));
    }
    if !conditions.is_empty() {
        object.insert("Condition".into(), json!(conditions));
    }
    Value::Object(object)
}

fn parse(name: &str, text: &str) -> Arc<Policy> {
    Arc::new(Policy::parse(name, text).expect("generated policies are valid"))
}

fn full_aws_access() -> AttachedPolicy {
    let text = r#"{"Version": "2012-10-17",
    "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#;
    AttachedPolicy {
        name: "FullAWSAccess".into(),
        policy: parse("FullAWSAccess", text),
    }
}

fn organization(scp: Arc<Policy>, extra: Option<(usize, Arc<Policy>)>) -> Organization {
    let mut levels = vec![
        OrgLevel {
            target_id: "r-root".into(),
            kind: LevelKind::Root,
            policies: vec![full_aws_access()],
        },
        OrgLevel {
            target_id: "ou-generated".into(),
            kind: LevelKind::OrganizationalUnit,
            policies: vec![AttachedPolicy {
                name: "generated".into(),
                policy: scp,
            }],
        },
        OrgLevel {
            target_id: "111122223333".into(),
            kind: LevelKind::Account,
            policies: vec![full_aws_access()],
        },
    ];
    if let Some((level, policy)) = extra {
        let attached = AttachedPolicy {
            name: "extra".into(),
            policy,
        };
        levels.get_mut(level % 3).unwrap().policies.push(attached);
    }
    Organization {
        management_account_id: "999999999999".into(),
        levels,
    }
}

fn request() -> impl Strategy<Value = Request> {
    let single_keys: Vec<&str> = KEYS
        .iter()
        .copied()
        .filter(|key| *key != "aws:TagKeys")
        .collect();
    let singles = proptest::collection::btree_map(select(single_keys), select(&VALUES[..]), 0..5);
    let tag_keys = proptest::option::of(proptest::collection::vec(select(&VALUES[..]), 0..3));
    (
        select(&ACTIONS[..]),
        select(&RESOURCES[..]),
        singles,
        tag_keys,
    )
        .prop_map(|(action, resource, singles, tag_keys)| {
            let mut context = Context::new();
            for (key, value) in singles {
                context.insert_single(key, value);
            }
            if let Some(tag_keys) = tag_keys {
                let values = tag_keys.into_iter().map(str::to_owned).collect();
                context.insert("aws:TagKeys", ContextValue::Multi(values));
            }
            Request {
                principal_arn: "arn:aws:iam::111122223333:role/Generated".into(),
                account_id: "111122223333".into(),
                action: action.into(),
                resource: resource.into(),
                context,
            }
        })
}

fn decide(organization: &Organization, request: &Request) -> Decision {
    let explained = evaluate_scps(organization, request).decision();
    assert_eq!(
        explained,
        scp_decision(organization, request),
        "fast path disagrees"
    );
    explained
}

fn as_written(key: &str) -> String {
    key.to_owned()
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

proptest! {
    #[test]
    fn adding_a_deny_never_turns_deny_into_allow(
        statements in proptest::collection::vec(statement_spec(), 1..5),
        mut extra in statement_spec(),
        level in 0usize..3,
        request in request(),
    ) {
        let scp = parse("generated", &policy_text(&statements, &as_written));
        let before = decide(&organization(Arc::clone(&scp), None), &request);

        extra.deny = true;
        let with_extra_statement = {
            let mut statements = statements.clone();
            statements.push(extra.clone());
            parse("generated", &policy_text(&statements, &as_written))
        };
        let after_statement = decide(&organization(with_extra_statement, None), &request);
        let extra_policy = parse("extra", &policy_text(&[extra], &as_written));
        let after_policy = decide(&organization(scp, Some((level, extra_policy))), &request);

        if before == Decision::Deny {
            prop_assert_eq!(after_statement, Decision::Deny);
            prop_assert_eq!(after_policy, Decision::Deny);
        }
    }

    #[test]
    fn adding_an_allow_never_turns_an_explicit_deny_into_allow(
        mut statements in proptest::collection::vec(statement_spec(), 0..4),
        broad_deny in statement_spec(),
        allows in proptest::collection::vec(statement_spec(), 1..3),
        level in 0usize..3,
        request in request(),
    ) {
        // A deny of every action on every resource, limited by its conditions only, makes
        // explicit denies common among the generated cases.
        statements.push(StatementSpec {
            deny: true,
            not_action: false,
            actions: vec!["*"],
            resource: None,
            ..broad_deny
        });
        let scp = parse("generated", &policy_text(&statements, &as_written));
        let before = evaluate_scps(&organization(Arc::clone(&scp), None), &request);
        if !matches!(before.reason(), ScpReason::ExplicitDeny { .. }) {
            return Ok(());
        }

        let allows: Vec<StatementSpec> = allows
            .into_iter()
            .map(|statement| StatementSpec { deny: false, ..statement })
            .collect();
        let allow_policy = parse("extra", &policy_text(&allows, &as_written));
        let after_organization = organization(scp, Some((level, allow_policy)));
        let after = evaluate_scps(&after_organization, &request);
        prop_assert_eq!(after.decision(), Decision::Deny);
        prop_assert_eq!(after.reason(), before.reason());
        prop_assert_eq!(scp_decision(&after_organization, &request), Decision::Deny);
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
    fn decision_is_independent_of_statement_order(
        statements in proptest::collection::vec(statement_spec(), 1..6),
        rotation in 0usize..6,
        request in request(),
    ) {
        let original = parse("generated", &policy_text(&statements, &as_written));
        let mut reordered = statements.clone();
        reordered.reverse();
        let rotation = rotation % reordered.len();
        reordered.rotate_left(rotation);
        let reordered = parse("generated", &policy_text(&reordered, &as_written));
        prop_assert_eq!(
            decide(&organization(original, None), &request),
            decide(&organization(reordered, None), &request)
        );
    }

    #[test]
    fn decision_is_independent_of_condition_key_case(
        statements in proptest::collection::vec(statement_spec(), 1..5),
        policy_mask in any::<u64>(),
        context_mask in any::<u64>(),
        request in request(),
    ) {
        let original = parse("generated", &policy_text(&statements, &as_written));
        let expected = decide(&organization(original, None), &request);
        let lowercase = |key: &str| key.to_ascii_lowercase();
        let uppercase = |key: &str| key.to_ascii_uppercase();
        let recased = |key: &str| recase(key, policy_mask);
        let mut recased_request = request.clone();
        let mut context = Context::new();
        for (key, value) in request.context.iter() {
            context.insert(recase(key, context_mask), value.clone());
        }
        recased_request.context = context;
        let key_cases: [&dyn Fn(&str) -> String; 3] = [&lowercase, &uppercase, &recased];
        for key_case in key_cases {
            let policy = parse("generated", &policy_text(&statements, key_case));
            let organization = organization(policy, None);
            prop_assert_eq!(decide(&organization, &request), expected);
            prop_assert_eq!(decide(&organization, &recased_request), expected);
        }
    }
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

fn condition_block() -> impl Strategy<Value = Map<String, Value>> {
    let values = prop_oneof![
        condition_value(),
        proptest::collection::vec(condition_value(), 1..4).prop_map(Value::Array),
    ];
    proptest::collection::btree_map(select(&KEYS[..]), values, 1..3).prop_map(|keys| {
        keys.into_iter()
            .map(|(key, values)| (key.to_owned(), values))
            .collect()
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
        conditions,
    )
        .prop_map(|(sid, deny, actions, resources, conditions)| {
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
            if !conditions.is_empty() {
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
