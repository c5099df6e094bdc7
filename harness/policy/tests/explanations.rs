//! The words of combined explanations: the reason line agrees with the policies listed, and a
//! principal line says what naming only the account means for the statement's effect.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers fail the test by panicking on malformed fixtures"
)]

use std::sync::Arc;

use scpcheck_policy::vectors::{MEMBER_ACCOUNT, organization};
use scpcheck_policy::{
    Context, Decision, Evaluation, EvaluationReason, Policy, PolicyKind, Request, ResourcePolicy,
    evaluate,
};

const OTHER_ACCOUNT: &str = "444455556666";
const BUCKET_OBJECT: &str = "arn:aws:s3:::shared-bucket/report.csv";

/// A resource-based policy of one statement of effect `effect` for `s3:GetObject`, naming only
/// the member account, on a bucket owned by `owner`.
fn bucket_policy(effect: &str, owner: &str) -> ResourcePolicy {
    let text = format!(
        r#"{{"Version": "2012-10-17", "Statement": {{"Effect": "{effect}",
        "Principal": {{"AWS": "{MEMBER_ACCOUNT}"}}, "Action": "s3:GetObject",
        "Resource": "*"}}}}"#
    );
    let policy = Policy::parse_as(PolicyKind::ResourceBased, "bucket.json", &text).unwrap();
    ResourcePolicy::new(Arc::new(policy), owner).unwrap()
}

fn get_object(principal_arn: &str) -> Request {
    Request {
        principal_arn: principal_arn.to_owned(),
        account_id: MEMBER_ACCOUNT.to_owned(),
        action: "s3:GetObject".to_owned(),
        resource: BUCKET_OBJECT.to_owned(),
        context: Context::new(),
    }
}

fn decide(identity: &[Arc<Policy>], resource: &ResourcePolicy, principal: &str) -> Evaluation {
    evaluate(
        &organization(Vec::new()),
        identity,
        Some(resource),
        &get_object(principal),
    )
}

fn allow_all_identity_policy() -> Arc<Policy> {
    let text = r#"{"Version": "2012-10-17",
        "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#;
    Arc::new(Policy::parse("identity.json", text).unwrap())
}

#[test]
fn a_root_user_across_accounts_is_not_said_to_have_an_identity_policy() {
    let root = format!("arn:aws:iam::{MEMBER_ACCOUNT}:root");
    let across = bucket_policy("Allow", OTHER_ACCOUNT);

    let evaluation = decide(&[], &across, &root);
    assert_eq!(evaluation.decision(), Decision::Allow);
    assert_eq!(evaluation.reason(), EvaluationReason::AllowedAcrossAccounts);
    let explanation = evaluation.to_string();
    assert!(
        explanation.starts_with(
            "decision: allow (allowed by the SCPs and the resource-based policy: the account's \
             root user needs no identity policy)\n"
        ),
        "{explanation}"
    );
    assert!(
        explanation.contains("identity policies:\n  none\n"),
        "{explanation}"
    );

    // With an identity policy that allows, the usual words apply, to the root user too.
    for principal in [
        root.clone(),
        format!("arn:aws:iam::{MEMBER_ACCOUNT}:role/Reader"),
    ] {
        let evaluation = decide(&[allow_all_identity_policy()], &across, &principal);
        assert_eq!(evaluation.reason(), EvaluationReason::AllowedAcrossAccounts);
        assert_eq!(
            evaluation.describe_reason(),
            "allowed by the SCPs, an identity policy and the resource-based policy"
        );
    }
}

#[test]
fn naming_only_the_account_is_worded_by_the_statement_effect() {
    let role = format!("arn:aws:iam::{MEMBER_ACCOUNT}:role/Reader");
    let named_by = format!("principal `{role}`: only its account is named, by `{MEMBER_ACCOUNT}`");

    let denied = decide(
        &[allow_all_identity_policy()],
        &bucket_policy("Deny", MEMBER_ACCOUNT),
        &role,
    );
    assert_eq!(denied.decision(), Decision::Deny);
    let explanation = denied.to_string();
    assert!(
        explanation.contains(&format!(
            "{named_by} (the deny applies to every principal of the account)\n"
        )),
        "{explanation}"
    );
    assert!(
        !explanation.contains("a grant to the account"),
        "{explanation}"
    );

    let granted = decide(&[], &bucket_policy("Allow", OTHER_ACCOUNT), &role);
    let explanation = granted.to_string();
    assert!(
        explanation.contains(&format!("{named_by} (a grant to the account)\n")),
        "{explanation}"
    );
}
