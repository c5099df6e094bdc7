//! The decision for one call: the catalogue's authorization checks, each evaluated against the
//! caller's SCPs. A call is denied if any of its checks is denied.

use scpcheck_policy::{Decision, ScpReason, evaluate_scps};
use scpcheck_scenario::Params;
use scpcheck_scenario::catalogue::{self, CallEnv, CatalogueError};

use crate::scp_cache::AccountScps;

/// One decision the gateway made, kept as evidence.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct GatewayDecision {
    /// The catalogue operation, e.g. `ec2:CreateVolume`.
    pub operation: String,
    /// The parameters read from the wire and the emulator, with `transport`.
    pub params: Params,
    /// The caller, e.g. `arn:aws:sts::111122223333:assumed-role/Admin/session`.
    pub caller_arn: String,
    /// The value of `aws:PrincipalArn`.
    pub principal_arn: String,
    /// The caller's account.
    pub account_id: String,
    /// Whether the call came over HTTPS.
    pub secure_transport: bool,
    /// Allowed (forwarded) or denied (refused).
    pub decision: Decision,
    /// Every check with its SCP evaluation, or why the SCPs are unknown.
    pub explanation: String,
}

/// The first check that was denied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DeniedCheck {
    /// The action, e.g. `ec2:CreateVolume`.
    pub action: String,
    /// The resource ARN.
    pub resource: String,
    /// Whether a statement denied explicitly, rather than no statement allowing.
    pub explicit: bool,
}

/// The outcome of evaluating a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Verdict {
    /// Allow or deny.
    pub decision: Decision,
    /// Human-readable reasons.
    pub explanation: String,
    /// The check that denied the call; `None` when allowed or the SCPs are unknown.
    pub denied: Option<DeniedCheck>,
}

/// Decides a call. `param_sets` holds the call's parameters first and, for calls touching
/// several volumes, one more set per volume whose encryption differs; every set's checks must
/// be allowed.
pub(crate) fn decide(
    scps: &AccountScps,
    operation: &str,
    param_sets: &[Params],
    env: &CallEnv,
) -> Result<Verdict, CatalogueError> {
    let mut checks = Vec::new();
    for params in param_sets {
        checks.extend(catalogue::authorization_checks(operation, params, env)?);
    }

    let organization = match scps {
        AccountScps::Apply(organization) => organization,
        AccountScps::Unknown(reason) => {
            return Ok(Verdict {
                decision: Decision::Deny,
                explanation: format!("denied because the scps are unknown: {reason}"),
                denied: None,
            });
        }
    };

    let mut explanation = String::new();
    let mut denied = None;
    for (index, check) in checks.iter().enumerate() {
        let evaluation = evaluate_scps(organization, &check.request);
        explanation.push_str(&format!(
            "check {number} of {count} ({role}):\n{evaluation}\n",
            number = index + 1,
            count = checks.len(),
            role = check.resource_role,
        ));
        if evaluation.decision() == Decision::Deny && denied.is_none() {
            denied = Some(DeniedCheck {
                action: check.request.action.clone(),
                resource: check.request.resource.clone(),
                explicit: matches!(evaluation.reason(), ScpReason::ExplicitDeny { .. }),
            });
        }
    }

    let decision = if denied.is_some() {
        Decision::Deny
    } else {
        Decision::Allow
    };
    Ok(Verdict {
        decision,
        explanation: explanation.trim_end().to_owned(),
        denied,
    })
}

/// The message of an access-denied refusal, worded as AWS words SCP denials.
pub(crate) fn denial_message(caller_arn: &str, operation: &str, verdict: &Verdict) -> String {
    match &verdict.denied {
        Some(check) if check.explicit => format!(
            "User: {caller_arn} is not authorized to perform: {action} on resource: {resource} \
             with an explicit deny in a service control policy",
            action = check.action,
            resource = check.resource,
        ),
        Some(check) => format!(
            "User: {caller_arn} is not authorized to perform: {action} on resource: {resource} \
             because no service control policy allows the {action} action",
            action = check.action,
            resource = check.resource,
        ),
        None => format!(
            "User: {caller_arn} is not authorized to perform: {operation} because the gateway \
             could not load the service control policies"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scpcheck_policy::{AttachedPolicy, LevelKind, OrgLevel, Organization, Policy};
    use scpcheck_scenario::ParamValue;
    use std::sync::Arc;

    const ALLOW_ALL: &str =
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    const DENY_UNENCRYPTED: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny",
        "Action":["ec2:CreateVolume","ec2:CreateSnapshots"],"Resource":"*",
        "Condition":{"Bool":{"ec2:Encrypted":"false"}}}]}"#;

    fn level(id: &str, kind: LevelKind, documents: &[&str]) -> OrgLevel {
        OrgLevel {
            target_id: id.to_owned(),
            kind,
            policies: documents
                .iter()
                .enumerate()
                .map(|(index, text)| AttachedPolicy {
                    name: format!("policy-{index}"),
                    policy: Arc::new(Policy::parse("test", text).unwrap()),
                })
                .collect(),
        }
    }

    fn scps() -> AccountScps {
        AccountScps::Apply(Arc::new(Organization {
            management_account_id: "123456789012".to_owned(),
            levels: vec![
                level("r-1", LevelKind::Root, &[ALLOW_ALL, DENY_UNENCRYPTED]),
                level("111122223333", LevelKind::Account, &[ALLOW_ALL]),
            ],
        }))
    }

    fn env() -> CallEnv {
        CallEnv {
            region: "eu-central-1".to_owned(),
            account_id: "111122223333".to_owned(),
            principal_arn: "arn:aws:iam::111122223333:role/Admin".to_owned(),
            secure_transport: true,
            ebs_encryption_by_default: false,
        }
    }

    fn encrypted(value: bool) -> Params {
        Params::from([("encrypted".to_owned(), ParamValue::Bool(value))])
    }

    #[test]
    fn encrypted_volume_is_allowed() {
        let verdict = decide(&scps(), "ec2:CreateVolume", &[encrypted(true)], &env()).unwrap();
        assert_eq!(verdict.decision, Decision::Allow);
        assert!(verdict.explanation.starts_with("check 1 of 1 (volume):"));
    }

    #[test]
    fn unencrypted_volume_is_denied_explicitly() {
        let verdict = decide(&scps(), "ec2:CreateVolume", &[encrypted(false)], &env()).unwrap();
        assert_eq!(verdict.decision, Decision::Deny);
        let denied = verdict.denied.clone().unwrap();
        assert!(denied.explicit);
        assert_eq!(
            denied.resource,
            "arn:aws:ec2:eu-central-1:111122223333:volume/*"
        );
        let message = denial_message(
            "arn:aws:sts::111122223333:assumed-role/Admin/s",
            "x",
            &verdict,
        );
        assert!(message.ends_with("with an explicit deny in a service control policy"));
    }

    #[test]
    fn any_denied_parameter_set_denies() {
        let root = Params::from([
            ("source_volume_encrypted".to_owned(), ParamValue::Bool(true)),
            ("instance_id".to_owned(), ParamValue::Str("i-1".to_owned())),
        ]);
        let mut data_volume = root.clone();
        data_volume.insert(
            "source_volume_encrypted".to_owned(),
            ParamValue::Bool(false),
        );

        let allowed = decide(
            &scps(),
            "ec2:CreateSnapshots",
            std::slice::from_ref(&root),
            &env(),
        )
        .unwrap();
        assert_eq!(allowed.decision, Decision::Allow);
        let denied = decide(&scps(), "ec2:CreateSnapshots", &[root, data_volume], &env()).unwrap();
        assert_eq!(denied.decision, Decision::Deny);
    }

    #[test]
    fn unknown_scps_deny() {
        let scps = AccountScps::Unknown("policy `x` does not parse".to_owned());
        let verdict = decide(&scps, "ec2:CreateVolume", &[encrypted(true)], &env()).unwrap();
        assert_eq!(verdict.decision, Decision::Deny);
        assert_eq!(
            verdict.explanation,
            "denied because the scps are unknown: policy `x` does not parse"
        );
    }

    #[test]
    fn catalogue_errors_are_returned() {
        let error = decide(&scps(), "ec2:CreateSnapshot", &[Params::new()], &env()).unwrap_err();
        assert!(matches!(error, CatalogueError::MissingParameter { .. }));
    }
}
