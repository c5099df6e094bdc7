//! Organization-level evaluation: the SCP chain, its exemptions, identity policies, and the
//! explanation text.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers fail the test by panicking on malformed fixtures"
)]

use std::sync::Arc;

use scpcheck_policy::{
    AttachedPolicy, Context, Decision, EvaluationReason, LevelKind, LevelOutcome, OrgLevel,
    Organization, Policy, Request, ScpReason, evaluate, evaluate_scps, scp_decision,
};

const FULL_AWS_ACCESS: &str = r#"{"Version": "2012-10-17",
    "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#;

const DENY_UNENCRYPTED_VOLUMES: &str = r#"{
  "Version": "2012-10-17",
  "Statement": {
    "Sid": "DenyUnencryptedVolumes",
    "Effect": "Deny",
    "Action": ["ec2:CreateVolume", "ec2:RunInstances"],
    "Resource": "*",
    "Condition": {"Bool": {"ec2:Encrypted": "false"}}
  }
}"#;

const ALLOW_EC2_ONLY: &str = r#"{"Version": "2012-10-17",
    "Statement": {"Effect": "Allow", "Action": "ec2:*", "Resource": "*"}}"#;

fn attached(name: &str, text: &str) -> AttachedPolicy {
    AttachedPolicy {
        name: name.to_owned(),
        policy: Arc::new(Policy::parse(name, text).unwrap()),
    }
}

/// Root, the given OUs from the top down, and the account `111122223333`; the root and the
/// account have `FullAWSAccess`.
fn organization_with_units(units: Vec<(&str, Vec<AttachedPolicy>)>) -> Organization {
    let full = || vec![attached("FullAWSAccess", FULL_AWS_ACCESS)];
    let level = |target_id: &str, kind, policies| OrgLevel {
        target_id: target_id.to_owned(),
        kind,
        policies,
    };
    let mut levels = vec![level("r-root", LevelKind::Root, full())];
    levels.extend(
        units
            .into_iter()
            .map(|(id, policies)| level(id, LevelKind::OrganizationalUnit, policies)),
    );
    levels.push(level("111122223333", LevelKind::Account, full()));
    Organization {
        management_account_id: "999999999999".to_owned(),
        levels,
    }
}

fn organization(ou_policies: Vec<AttachedPolicy>) -> Organization {
    organization_with_units(vec![("ou-data", ou_policies)])
}

fn default_organization() -> Organization {
    organization(vec![
        attached("FullAWSAccess", FULL_AWS_ACCESS),
        attached("DenyUnencrypted", DENY_UNENCRYPTED_VOLUMES),
    ])
}

fn create_volume(principal_arn: &str, encrypted: Option<&str>) -> Request {
    let mut context = Context::new();
    if let Some(encrypted) = encrypted {
        context.insert_single("ec2:Encrypted", encrypted);
    }
    Request {
        principal_arn: principal_arn.to_owned(),
        account_id: principal_arn.split(':').nth(4).unwrap().to_owned(),
        action: "ec2:CreateVolume".to_owned(),
        resource: "arn:aws:ec2:eu-central-1:111122223333:volume/*".to_owned(),
        context,
    }
}

const MEMBER_ROLE: &str = "arn:aws:iam::111122223333:role/Builder";

#[test]
fn explicit_deny_is_explained_with_the_condition_values() {
    let organization = default_organization();
    let request = create_volume(MEMBER_ROLE, Some("false"));
    let evaluation = evaluate_scps(&organization, &request);
    assert_eq!(evaluation.decision(), Decision::Deny);
    assert_eq!(evaluation.reason(), ScpReason::ExplicitDeny { level: 1 });
    assert_eq!(evaluation.levels()[1].outcome(), LevelOutcome::ExplicitDeny);
    let denying: Vec<_> = evaluation
        .denying_statements()
        .map(|(level, policy, statement)| {
            (level.target_id(), policy.name(), statement.sid().unwrap())
        })
        .collect();
    assert_eq!(
        denying,
        [("ou-data", "DenyUnencrypted", "DenyUnencryptedVolumes")]
    );

    let explanation = evaluation.to_string();
    let expected = "\
scp decision: deny (explicit deny at organizational unit `ou-data`)
request: `ec2:CreateVolume` on `arn:aws:ec2:eu-central-1:111122223333:volume/*`
principal: `arn:aws:iam::111122223333:role/Builder` in account `111122223333`
context:
  `ec2:Encrypted`: `false`
root `r-root`: allows
  policy `FullAWSAccess`
    statement #1 (Allow): matches
      action `ec2:CreateVolume`: matches `*`
      resource `arn:aws:ec2:eu-central-1:111122223333:volume/*`: matches `*`
organizational unit `ou-data`: explicit deny
  policy `FullAWSAccess`
    statement #1 (Allow): matches
      action `ec2:CreateVolume`: matches `*`
      resource `arn:aws:ec2:eu-central-1:111122223333:volume/*`: matches `*`
  policy `DenyUnencrypted`
    statement `DenyUnencryptedVolumes` (Deny): matches
      action `ec2:CreateVolume`: matches `ec2:CreateVolume`
      resource `arn:aws:ec2:eu-central-1:111122223333:volume/*`: matches `*`
      condition Bool `ec2:Encrypted` [`false`]: found `false`: true
account `111122223333`: allows
  policy `FullAWSAccess`
    statement #1 (Allow): matches
      action `ec2:CreateVolume`: matches `*`
      resource `arn:aws:ec2:eu-central-1:111122223333:volume/*`: matches `*`
";
    assert_eq!(explanation, expected);
}

#[test]
fn absent_key_is_explained() {
    let organization = default_organization();
    let request = create_volume(MEMBER_ROLE, None);
    let evaluation = evaluate_scps(&organization, &request);
    assert_eq!(evaluation.decision(), Decision::Allow);
    assert_eq!(evaluation.reason(), ScpReason::AllowedAtEveryLevel);
    let explanation = evaluation.to_string();
    assert!(explanation.contains("statement `DenyUnencryptedVolumes` (Deny): does not match"));
    assert!(explanation.contains("condition Bool `ec2:Encrypted` [`false`]: key absent: false"));
    assert!(
        explanation.contains("\ncontext: no keys\n"),
        "{explanation}"
    );
}

const DENY_UNTAGGED_OR_OLD: &str = r#"{"Version": "2012-10-17", "Statement": [
  {"Sid": "RequireTags", "Effect": "Deny", "Action": "ec2:CreateVolume", "Resource": "*",
   "Condition": {"Null": {"aws:TagKeys": "false"}, "ForAllValues:StringEquals":
     {"aws:TagKeys": "team"}}},
  {"Sid": "NotTooLarge", "Effect": "Deny", "Action": "ec2:CreateVolume", "Resource": "*",
   "Condition": {"NumericGreaterThan": {"ec2:VolumeSize": ["100", "1e3"]}}}]}"#;

#[test]
fn empty_and_unreadable_values_are_explained() {
    let organization = organization(vec![
        attached("FullAWSAccess", FULL_AWS_ACCESS),
        attached("Checks", DENY_UNTAGGED_OR_OLD),
    ]);
    let mut request = create_volume(MEMBER_ROLE, None);
    request.context.insert_single("aws:TagKeys", "");
    request.context.insert_single("ec2:VolumeSize", "big");
    let explanation = evaluate_scps(&organization, &request).to_string();

    assert!(
        explanation.contains("condition Null `aws:TagKeys` [`false`]: found `` (no value): false"),
        "{explanation}"
    );
    assert!(
        explanation.contains(
            "condition NumericGreaterThan `ec2:VolumeSize` [`100`, `1e3`]: found `big` (policy \
             value `1e3` not a decimal number such as `5` or `-1.25`, without an exponent, so \
             matching nothing) (request value `big` not a decimal number such as `5` or \
             `-1.25`, without an exponent, so matching nothing): false"
        ),
        "{explanation}"
    );
    assert!(
        explanation.contains("context:\n  `aws:TagKeys`: ``\n  `ec2:VolumeSize`: `big`\n"),
        "{explanation}"
    );
}

/// An account two OUs deep: root, `ou-workloads`, `ou-prod`, account. Each level must allow,
/// and a deny at any of them denies.
fn nested_organization(workloads: Vec<AttachedPolicy>, prod: Vec<AttachedPolicy>) -> Organization {
    organization_with_units(vec![("ou-workloads", workloads), ("ou-prod", prod)])
}

#[test]
fn every_level_of_nested_organizational_units_must_allow() {
    let full = || attached("FullAWSAccess", FULL_AWS_ACCESS);
    let request = create_volume(MEMBER_ROLE, Some("false"));
    let cases = [
        (
            vec![full()],
            vec![full()],
            Decision::Allow,
            ScpReason::AllowedAtEveryLevel,
        ),
        (
            vec![full()],
            vec![full(), attached("Deny", DENY_UNENCRYPTED_VOLUMES)],
            Decision::Deny,
            ScpReason::ExplicitDeny { level: 2 },
        ),
        (
            vec![attached(
                "AllowS3",
                &ALLOW_EC2_ONLY.replace("ec2:*", "s3:*"),
            )],
            vec![full()],
            Decision::Deny,
            ScpReason::NoAllow { level: 1 },
        ),
        (
            vec![attached("AllowEc2", ALLOW_EC2_ONLY)],
            vec![attached(
                "AllowS3",
                &ALLOW_EC2_ONLY.replace("ec2:*", "s3:*"),
            )],
            Decision::Deny,
            ScpReason::NoAllow { level: 2 },
        ),
        (
            vec![attached(
                "AllowS3",
                &ALLOW_EC2_ONLY.replace("ec2:*", "s3:*"),
            )],
            vec![attached("Deny", DENY_UNENCRYPTED_VOLUMES)],
            Decision::Deny,
            ScpReason::ExplicitDeny { level: 2 },
        ),
    ];
    for (workloads, prod, decision, reason) in cases {
        let organization = nested_organization(workloads, prod);
        let evaluation = evaluate_scps(&organization, &request);
        assert_eq!(evaluation.decision(), decision, "{evaluation}");
        assert_eq!(evaluation.reason(), reason, "{evaluation}");
        assert_eq!(scp_decision(&organization, &request), decision);
        assert_eq!(evaluation.levels().len(), 4);
    }
}

#[test]
fn a_level_without_an_allow_denies_implicitly() {
    let organization = organization(vec![attached("AllowEc2Only", ALLOW_EC2_ONLY)]);
    let mut request = create_volume(MEMBER_ROLE, Some("true"));
    assert_eq!(scp_decision(&organization, &request), Decision::Allow);

    request.action = "s3:PutObject".to_owned();
    let evaluation = evaluate_scps(&organization, &request);
    assert_eq!(evaluation.decision(), Decision::Deny);
    assert_eq!(evaluation.reason(), ScpReason::NoAllow { level: 1 });
    assert_eq!(scp_decision(&organization, &request), Decision::Deny);
    let explanation = evaluation.to_string();
    assert!(explanation.contains("implicit deny: nothing allows at organizational unit `ou-data`"));
    assert!(explanation.contains("action `s3:PutObject`: not matched by `Action`"));
}

#[test]
fn a_level_with_no_policy_denies_implicitly() {
    let organization = organization(Vec::new());
    let request = create_volume(MEMBER_ROLE, Some("true"));
    let evaluation = evaluate_scps(&organization, &request);
    assert_eq!(evaluation.reason(), ScpReason::NoAllow { level: 1 });
    assert!(evaluation.to_string().contains("  no SCP attached\n"));
}

#[test]
fn explicit_deny_wins_over_an_earlier_implicit_deny() {
    let mut organization = default_organization();
    organization.levels[0].policies = vec![attached("AllowEc2Only", ALLOW_EC2_ONLY)];
    let mut request = create_volume(MEMBER_ROLE, Some("false"));
    request.action = "ec2:RunInstances".to_owned();
    assert_eq!(
        evaluate_scps(&organization, &request).reason(),
        ScpReason::ExplicitDeny { level: 1 }
    );
}

/// AWS Organizations User Guide, orgs_manage_policies_scps.html: SCPs do not affect users or
/// roles in the management account, nor service-linked roles.
#[test]
fn management_account_and_service_linked_roles_are_not_restricted() {
    let organization = default_organization();
    let management = create_volume("arn:aws:iam::999999999999:role/Admin", Some("false"));
    let evaluation = evaluate_scps(&organization, &management);
    assert_eq!(evaluation.decision(), Decision::Allow);
    assert_eq!(evaluation.reason(), ScpReason::ManagementAccount);
    assert!(evaluation.levels().is_empty());
    assert_eq!(scp_decision(&organization, &management), Decision::Allow);

    let service_linked = create_volume(
        concat!(
            "arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/",
            "AWSServiceRoleForAutoScaling"
        ),
        Some("false"),
    );
    let evaluation = evaluate_scps(&organization, &service_linked);
    assert_eq!(evaluation.reason(), ScpReason::ServiceLinkedRole);
    assert!(evaluation.to_string().contains("service-linked role"));
    assert_eq!(
        scp_decision(&organization, &service_linked),
        Decision::Allow
    );
}

/// A service-linked role acts through sessions, whose ARN has no role path; the role's ARN with
/// its path is the session's `aws:PrincipalArn` (IAM User Guide,
/// reference_policies_condition-keys.html), and it tells a service-linked role's session.
#[test]
fn a_session_of_a_service_linked_role_is_not_restricted() {
    let organization = default_organization();
    let role = concat!(
        "arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/",
        "AWSServiceRoleForAutoScaling"
    );
    let session_of = |principal_arn: &str, key: Option<&str>| {
        let mut request = create_volume(principal_arn, Some("false"));
        if let Some(key) = key {
            request.context.insert_single("aws:PrincipalArn", key);
        }
        scp_decision(&organization, &request)
    };
    let session = "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForAutoScaling/AutoScaling";
    assert_eq!(session_of(session, Some(role)), Decision::Allow);
    let request = {
        let mut request = create_volume(session, Some("false"));
        request.context.insert_single("aws:PrincipalArn", role);
        request
    };
    assert_eq!(
        evaluate_scps(&organization, &request).reason(),
        ScpReason::ServiceLinkedRole
    );

    // Without the key, or with one that names another role or account, or a role outside the
    // service-linked path, the session is restricted like any other.
    let other_account = role.replace("111122223333", "444455556666");
    let ordinary = "arn:aws:iam::111122223333:role/AWSServiceRoleForAutoScaling";
    let other_name = format!("{role}2");
    for key in [
        None,
        Some(other_account.as_str()),
        Some(ordinary),
        Some(&other_name),
    ] {
        assert_eq!(session_of(session, key), Decision::Deny, "{key:?}");
    }
}

#[test]
fn identity_policies_must_allow_too() {
    let organization = default_organization();
    let allow_ec2 = Arc::new(Policy::parse("identity.json", ALLOW_EC2_ONLY).unwrap());
    let request = create_volume(MEMBER_ROLE, Some("true"));
    let evaluation = evaluate(&organization, &[Arc::clone(&allow_ec2)], None, &request);
    assert_eq!(evaluation.decision(), Decision::Allow);
    assert_eq!(evaluation.reason(), EvaluationReason::Allowed);

    let none = evaluate(&organization, &[], None, &request);
    assert_eq!(
        none.reason(),
        EvaluationReason::NotAllowedByIdentityPolicies
    );

    let denied = evaluate(
        &organization,
        &[allow_ec2],
        None,
        &create_volume(MEMBER_ROLE, Some("false")),
    );
    assert_eq!(denied.reason(), EvaluationReason::ExplicitDenyInScp);
    let explanation = denied.to_string();
    assert!(explanation.starts_with("decision: deny (explicit deny in an SCP)\n"));
    assert!(explanation.contains("identity policies:\n  policy `identity.json`\n"));

    let deny_all = r#"{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "ec2:*", "Resource": "*"}]}"#;
    let deny_all = Arc::new(Policy::parse("deny.json", deny_all).unwrap());
    let management = create_volume("arn:aws:iam::999999999999:role/Admin", Some("false"));
    let evaluation = evaluate(&organization, &[deny_all], None, &management);
    assert_eq!(
        evaluation.reason(),
        EvaluationReason::ExplicitDenyInIdentityPolicy
    );
}

#[test]
fn explanation_shows_what_variables_resolved_to() {
    let same_team = r#"{"Version": "2012-10-17", "Statement": {"Sid": "SameTeam",
        "Effect": "Deny", "Action": "ec2:*", "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}}}"#;
    let organization = organization(vec![
        attached("FullAWSAccess", FULL_AWS_ACCESS),
        attached("SameTeam", same_team),
    ]);
    let mut request = create_volume(MEMBER_ROLE, None);
    request.context.insert_single("aws:ResourceTag/team", "red");
    request
        .context
        .insert_single("aws:PrincipalTag/team", "blue");
    let explanation = evaluate_scps(&organization, &request).to_string();
    let resolved = "condition StringNotEquals `aws:ResourceTag/team` \
                    [`${aws:PrincipalTag/team}` = `blue`]: found `red`: true";
    assert!(explanation.contains(resolved), "{explanation}");

    let mut unresolved_request = create_volume(MEMBER_ROLE, None);
    unresolved_request
        .context
        .insert_single("aws:ResourceTag/team", "red");
    let evaluation = evaluate_scps(&organization, &unresolved_request);
    assert_eq!(
        evaluation.decision(),
        Decision::Deny,
        "a negated operator matches a variable with no value"
    );
    let unresolved = "[`${aws:PrincipalTag/team}` (unresolved)]: found `red`: true";
    assert!(evaluation.to_string().contains(unresolved));
}

#[test]
fn explanation_shows_what_variables_in_resources_resolved_to() {
    let own_prefix = r#"{"Version": "2012-10-17", "Statement": {"Sid": "OwnPrefix",
        "Effect": "Deny", "Action": "s3:*",
        "NotResource": ["arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::shared/*"]}}"#;
    let organization = organization(vec![
        attached("FullAWSAccess", FULL_AWS_ACCESS),
        attached("OwnPrefix", own_prefix),
    ]);
    let mut request = create_volume(MEMBER_ROLE, None);
    request.action = "s3:GetObject".to_owned();
    request.resource = "arn:aws:s3:::home/alice/notes.txt".to_owned();
    request.context.insert_single("aws:username", "alice");
    let evaluation = evaluate_scps(&organization, &request);
    assert_eq!(evaluation.decision(), Decision::Allow);
    let resolved = "resource `arn:aws:s3:::home/alice/notes.txt`: excluded by `NotResource` \
                    `arn:aws:s3:::home/${aws:username}/*` = `arn:aws:s3:::home/alice/*`";
    assert!(evaluation.to_string().contains(resolved), "{evaluation}");

    // Without `aws:username` the pattern matches nothing, so the deny applies.
    let mut unresolved = request.clone();
    unresolved.context = Context::new();
    let evaluation = evaluate_scps(&organization, &unresolved);
    assert_eq!(evaluation.decision(), Decision::Deny);
    let line = "resource `arn:aws:s3:::home/alice/notes.txt`: not excluded by `NotResource` \
                [`arn:aws:s3:::home/${aws:username}/*` (unresolved, matches nothing), \
                `arn:aws:s3:::shared/*`]";
    assert!(evaluation.to_string().contains(line), "{evaluation}");
}
