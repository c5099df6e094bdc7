//! The reference target: the same call evaluated in process by the policy crate, through the
//! catalogue's authorization checks.

use scpcheck_policy::{Decision, Organization, ScpReason, evaluate_scps};
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

/// The reference decision for one call, with what denied it.
#[derive(Debug, Clone)]
pub struct ReferenceDecision {
    /// Deny when any check is denied.
    pub decision: Decision,
    /// For a denied call, each reason in words: the denying statement (policy, `Sid`, level)
    /// or the level where no SCP allows, with the resource type of the check.
    pub denied_by: Vec<String>,
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
    let mut denied_by = Vec::new();
    for check in &checks {
        let evaluation = evaluate_scps(organization, &check.request);
        if evaluation.decision() == Decision::Allow {
            continue;
        }
        decision = Decision::Deny;
        let role = check.resource_role;
        match evaluation.reason() {
            ScpReason::NoAllow { level } => {
                if let Some(level) = evaluation.levels().get(level) {
                    denied_by.push(format!(
                        "{role}: no SCP allows at {} `{}`",
                        level.kind(),
                        level.target_id()
                    ));
                }
            }
            _ => denied_by.extend(evaluation.denying_statements().map(
                |(level, policy, statement)| {
                    let statement = statement.sid().map_or_else(
                        || "a statement without Sid".to_owned(),
                        |sid| format!("statement `{sid}`"),
                    );
                    format!(
                        "{role}: {statement} of `{}` at {} `{}`",
                        policy.name(),
                        level.kind(),
                        level.target_id()
                    )
                },
            )),
        }
    }
    Ok(ReferenceDecision {
        decision,
        denied_by,
    })
}
