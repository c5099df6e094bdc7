//! Properties of the combined evaluation with a resource-based policy, over random identity
//! policies, resource-based policies, callers and resource owners: a request across accounts is
//! never allowed where the same request within one account is denied; an added `Deny` in the
//! resource-based policy never turns a deny into an allow; a grant to the account alone adds
//! nothing within that account; a printed resource-based policy reads back equal.
//!
//! Principal elements come in every form: the bare `"*"`, and objects with `AWS`, `Service`,
//! `Federated` and `CanonicalUser` values, each a single string or an array, the types in any
//! order; `NotPrincipal` goes with `Deny`.
#![expect(
    clippy::expect_used,
    clippy::panic,
    reason = "a generated policy that fails to parse is a failure of the test itself"
)]

use std::sync::Arc;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use scpcheck_policy::{
    Context, Decision, Policy, PolicyKind, Request, ResourcePolicy, evaluate, vectors::organization,
};
use serde_json::json;

const MEMBER: &str = "111122223333";
const OTHER: &str = "444455556666";

const CALLERS: [&str; 5] = [
    "arn:aws:sts::111122223333:assumed-role/Reader/alice",
    "arn:aws:sts::111122223333:assumed-role/Writer/bob",
    "arn:aws:iam::111122223333:user/carol",
    "arn:aws:iam::111122223333:root",
    "arn:aws:iam::111122223333:role/team/Reader",
];
const PRINCIPALS: [&str; 10] = [
    "*",
    "111122223333",
    "arn:aws:iam::111122223333:root",
    "444455556666",
    "arn:aws:iam::111122223333:role/Reader",
    "arn:aws:iam::111122223333:role/ops/Writer",
    "arn:aws:sts::111122223333:assumed-role/Reader/alice",
    "arn:aws:iam::111122223333:user/carol",
    "arn:aws:iam::444455556666:role/Reader",
    "arn:aws:sts::444455556666:assumed-role/Reader/alice",
];
const SERVICES: [&str; 2] = ["s3.amazonaws.com", "ec2.amazonaws.com"];
const FEDERATED: [&str; 3] = [
    "cognito-identity.amazonaws.com",
    "arn:aws:iam::111122223333:saml-provider/Corporate",
    "accounts.google.com",
];
const CANONICAL_USERS: [&str; 2] = [
    "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be",
    "ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12",
];
const ACTIONS: [&str; 3] = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"];
const ACTION_PATTERNS: [&str; 4] = ["s3:*", "s3:GetObject", "s3:Put*", "*"];
const KEYS: [&str; 2] = ["aws:SecureTransport", "aws:SourceVpce"];
const VALUES: [&str; 3] = ["true", "false", "vpce-1"];

/// A generated principal element, before it becomes JSON.
#[derive(Debug, Clone)]
enum PrincipalSpec {
    /// `"*"`.
    Everyone,
    /// An object: each type with its values, in the order written; a type with one value is
    /// written as a string when the flag is set.
    Typed(Vec<(&'static str, Vec<&'static str>, bool)>),
}

/// A generated statement of a resource-based or identity policy.
#[derive(Debug, Clone)]
struct StatementSpec {
    deny: bool,
    principals: Option<(bool, PrincipalSpec)>,
    actions: Vec<&'static str>,
    condition: Option<(&'static str, &'static str)>,
}

/// The values of one principal type: one to three, written as a string when there is one and
/// the flag is set.
fn principal_values(
    choices: &'static [&'static str],
) -> impl Strategy<Value = (Vec<&'static str>, bool)> {
    (vec(select(choices), 1..4), any::<bool>())
}

/// A principal element: mostly objects whose `AWS` values name the callers, sometimes with the
/// other types, which name none of them, in any order.
fn principal_spec() -> impl Strategy<Value = PrincipalSpec> {
    let typed = (
        proptest::option::weighted(0.9, principal_values(&PRINCIPALS)),
        proptest::option::weighted(0.2, principal_values(&SERVICES)),
        proptest::option::weighted(0.2, principal_values(&FEDERATED)),
        proptest::option::weighted(0.2, principal_values(&CANONICAL_USERS)),
        Just([0, 1, 2, 3]).prop_shuffle(),
    )
        .prop_map(|(aws, service, federated, canonical, order)| {
            let types = [
                aws.map(|values| ("AWS", values)),
                service.map(|values| ("Service", values)),
                federated.map(|values| ("Federated", values)),
                canonical.map(|values| ("CanonicalUser", values)),
            ];
            let mut members: Vec<(&'static str, Vec<&'static str>, bool)> = order
                .iter()
                .filter_map(|index| types.get(*index).cloned().flatten())
                .map(|(key, (values, single))| (key, values, single))
                .collect();
            if members.is_empty() {
                members.push(("AWS", vec!["*"], true));
            }
            PrincipalSpec::Typed(members)
        });
    prop_oneof![1 => Just(PrincipalSpec::Everyone), 6 => typed]
}

fn statement(with_principals: bool) -> impl Strategy<Value = StatementSpec> {
    (
        prop::bool::weighted(0.3),
        (prop::bool::weighted(0.2), principal_spec()),
        vec(select(&ACTION_PATTERNS[..]), 1..3),
        proptest::option::weighted(0.3, (select(&KEYS[..]), select(&VALUES[..]))),
    )
        .prop_map(move |(deny, (negated, principals), actions, condition)| {
            StatementSpec {
                deny,
                // `NotPrincipal` goes with `Deny` only.
                principals: with_principals.then_some((negated && deny, principals)),
                actions,
                condition,
            }
        })
}

/// The principal element as JSON text: `serde_json` would sort the types by name, and their
/// order is part of what a printed policy keeps.
fn principal_json(principals: &PrincipalSpec) -> String {
    let PrincipalSpec::Typed(members) = principals else {
        return json!("*").to_string();
    };
    let members: Vec<String> = members
        .iter()
        .map(|(key, values, single)| {
            let values = match values.as_slice() {
                [only] if *single => json!(only),
                _ => json!(values),
            };
            format!("{}: {values}", json!(key))
        })
        .collect();
    format!("{{{}}}", members.join(", "))
}

/// The statement as JSON text.
fn statement_json(statement: &StatementSpec) -> String {
    let effect = if statement.deny { "Deny" } else { "Allow" };
    let mut members = vec![format!(r#""Effect": {}"#, json!(effect))];
    if let Some((negated, principals)) = &statement.principals {
        let name = if *negated {
            "NotPrincipal"
        } else {
            "Principal"
        };
        members.push(format!(r#""{name}": {}"#, principal_json(principals)));
    }
    members.push(format!(r#""Action": {}"#, json!(statement.actions)));
    members.push(r#""Resource": "arn:aws:s3:::reports/*""#.to_owned());
    if let Some((key, value)) = statement.condition {
        let condition = json!({"StringEquals": {key: value}});
        members.push(format!(r#""Condition": {condition}"#));
    }
    format!("{{{}}}", members.join(", "))
}

fn policy(kind: PolicyKind, name: &str, statements: &[StatementSpec]) -> Arc<Policy> {
    let statements: Vec<String> = statements.iter().map(statement_json).collect();
    let text = format!(
        r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#,
        statements.join(", ")
    );
    let policy = Policy::parse_as(kind, name, &text);
    Arc::new(
        policy.unwrap_or_else(|errors| panic!("generated policies are valid: {text}\n{errors:?}")),
    )
}

fn resource_policy(statements: &[StatementSpec], account: &str) -> ResourcePolicy {
    let policy = policy(PolicyKind::ResourceBased, "bucket", statements);
    ResourcePolicy::new(policy, account).expect("a resource-based policy and an account id")
}

fn request() -> impl Strategy<Value = Request> {
    (
        select(&CALLERS[..]),
        select(&ACTIONS[..]),
        proptest::option::of(select(&VALUES[..])),
    )
        .prop_map(|(caller, action, secure)| {
            let mut context = Context::new();
            if let Some(value) = secure {
                context.insert_single("aws:SecureTransport", value);
            }
            Request {
                principal_arn: caller.to_owned(),
                account_id: MEMBER.to_owned(),
                action: action.to_owned(),
                resource: "arn:aws:s3:::reports/q1.csv".to_owned(),
                context,
            }
        })
}

fn identity() -> impl Strategy<Value = Vec<StatementSpec>> {
    vec(statement(false), 0..3)
}

fn identity_policies(statements: &[StatementSpec]) -> Vec<Arc<Policy>> {
    if statements.is_empty() {
        Vec::new()
    } else {
        vec![policy(PolicyKind::Identity, "identity", statements)]
    }
}

fn decide(
    identity: &[Arc<Policy>],
    resource: Option<&ResourcePolicy>,
    request: &Request,
) -> Decision {
    evaluate(&organization(Vec::new()), identity, resource, request).decision()
}

proptest! {
    #[test]
    fn across_accounts_is_never_more_permissive_than_within_one(
        identity in identity(),
        statements in vec(statement(true), 1..4),
        request in request(),
    ) {
        let identity = identity_policies(&identity);
        let within = decide(&identity, Some(&resource_policy(&statements, MEMBER)), &request);
        let across = decide(&identity, Some(&resource_policy(&statements, OTHER)), &request);
        if within == Decision::Deny {
            prop_assert_eq!(across, Decision::Deny);
        }
    }

    #[test]
    fn an_added_deny_in_the_resource_policy_never_turns_deny_into_allow(
        identity in identity(),
        statements in vec(statement(true), 1..4),
        mut extra in statement(true),
        owner in select(&[MEMBER, OTHER][..]),
        request in request(),
    ) {
        let identity = identity_policies(&identity);
        let before = decide(&identity, Some(&resource_policy(&statements, owner)), &request);
        extra.deny = true;
        let mut more = statements.clone();
        more.push(extra);
        let after = decide(&identity, Some(&resource_policy(&more, owner)), &request);
        if before == Decision::Deny {
            prop_assert_eq!(after, Decision::Deny);
        }
    }

    #[test]
    fn a_grant_to_the_account_alone_adds_nothing_within_it(
        identity in identity(),
        actions in vec(select(&ACTION_PATTERNS[..]), 1..3),
        form in select(&["111122223333", "arn:aws:iam::111122223333:root"][..]),
        request in request(),
    ) {
        let identity = identity_policies(&identity);
        let grant = StatementSpec {
            deny: false,
            principals: Some((false, PrincipalSpec::Typed(vec![("AWS", vec![form], true)]))),
            actions,
            condition: None,
        };
        let with_grant = decide(&identity, Some(&resource_policy(&[grant], MEMBER)), &request);
        let without = decide(&identity, None, &request);
        prop_assert_eq!(with_grant, without);
    }

    #[test]
    fn a_printed_resource_policy_reads_back_equal(statements in vec(statement(true), 1..4)) {
        let policy = policy(PolicyKind::ResourceBased, "bucket", &statements);
        let printed = policy.to_string();
        let again = Policy::parse_as(PolicyKind::ResourceBased, "printed", &printed)
            .expect("the printed form parses");
        prop_assert_eq!(&again, policy.as_ref(), "{}", printed);
        prop_assert_eq!(again.to_string(), printed);
    }
}
