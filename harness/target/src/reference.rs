//! The reference target: the same call evaluated in process by the policy crate, through the
//! catalogue's authorization checks.

use scpcheck_policy::{Decision, Organization, evaluate_scps};
use scpcheck_scenario::catalogue::{self, CallEnv, CatalogueError};
use scpcheck_scenario::{ParamValue, Params};

/// The environment of a call by `principal_arn` of `account_id`: secure transport unless the
/// case's `transport` parameter is `http`.
pub fn member_env(region: &str, account_id: &str, principal_arn: &str, params: &Params) -> CallEnv {
    let plain = matches!(params.get("transport"), Some(ParamValue::Str(value)) if value == "http");
    CallEnv {
        region: region.to_string(),
        account_id: account_id.to_string(),
        principal_arn: principal_arn.to_string(),
        secure_transport: !plain,
        ebs_encryption_by_default: false,
    }
}

/// The reference decision for one call, with the explanation of every authorization check.
#[derive(Debug, Clone)]
pub struct ReferenceDecision {
    /// Deny when any check is denied.
    pub decision: Decision,
    /// One explanation per check, naming the resource it authorized.
    pub explanations: Vec<String>,
}

/// Evaluates `operation` with `params` under `organization`.
pub fn evaluate(
    organization: &Organization,
    operation: &str,
    params: &Params,
    env: &CallEnv,
) -> Result<ReferenceDecision, CatalogueError> {
    let checks = catalogue::authorization_checks(operation, params, env)?;
    let mut decision = Decision::Allow;
    let mut explanations = Vec::with_capacity(checks.len());
    for check in &checks {
        let evaluation = evaluate_scps(organization, &check.request);
        if evaluation.decision() == Decision::Deny {
            decision = Decision::Deny;
        }
        explanations.push(format!(
            "{role} {resource}: {evaluation}",
            role = check.resource_role,
            resource = check.request.resource
        ));
    }
    Ok(ReferenceDecision {
        decision,
        explanations,
    })
}
