//! The decision of SCPs and identity policies together.
//!
//! IAM User Guide, reference_policies_evaluation-logic.html: an explicit deny in any policy
//! denies; otherwise the SCPs must allow and an identity policy must allow. Resource-based
//! policies, permissions boundaries and session policies are outside this model.

use std::sync::Arc;

use crate::document::Policy;
use crate::evaluate::{self, PolicyEvaluation};
use crate::organization::{Decision, Organization, ScpEvaluation, evaluate_scps};
use crate::request::Request;

/// Why SCPs and identity policies together reached their decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EvaluationReason {
    /// An SCP statement denies explicitly.
    ExplicitDenyInScp,
    /// An identity policy statement denies explicitly.
    ExplicitDenyInIdentityPolicy,
    /// The SCPs do not allow the request (implicit deny).
    NotAllowedByScps,
    /// No identity policy allows the request (implicit deny).
    NotAllowedByIdentityPolicies,
    /// The SCPs and an identity policy allow, and nothing denies.
    Allowed,
}

/// The combined decision, with the evidence of both policy types.
#[derive(Debug, Clone)]
pub struct Evaluation {
    decision: Decision,
    reason: EvaluationReason,
    scp: ScpEvaluation,
    identity: Vec<PolicyEvaluation>,
}

impl Evaluation {
    /// Allow or deny.
    pub fn decision(&self) -> Decision {
        self.decision
    }

    /// Why.
    pub fn reason(&self) -> EvaluationReason {
        self.reason
    }

    /// The SCPs' part of the evaluation.
    pub fn scp(&self) -> &ScpEvaluation {
        &self.scp
    }

    /// Each identity policy's evaluation.
    pub fn identity_policies(&self) -> &[PolicyEvaluation] {
        &self.identity
    }
}

/// Evaluates `request` against the SCPs of `organization` and the principal's identity
/// policies (named by their source names).
pub fn evaluate(
    organization: &Organization,
    identity_policies: &[Arc<Policy>],
    request: &Request,
) -> Evaluation {
    let scp = evaluate_scps(organization, request);
    let identity: Vec<PolicyEvaluation> = identity_policies
        .iter()
        .map(|policy| evaluate::evaluate_policy(policy.source_name(), policy, request))
        .collect();
    let reason = combined_reason(&scp, &identity);
    let decision = match reason {
        EvaluationReason::Allowed => Decision::Allow,
        _ => Decision::Deny,
    };
    Evaluation {
        decision,
        reason,
        scp,
        identity,
    }
}

fn combined_reason(scp: &ScpEvaluation, identity: &[PolicyEvaluation]) -> EvaluationReason {
    let scp_denies_explicitly = matches!(
        scp.reason(),
        crate::organization::ScpReason::ExplicitDeny { .. }
    );
    if scp_denies_explicitly {
        EvaluationReason::ExplicitDenyInScp
    } else if identity.iter().any(PolicyEvaluation::denies) {
        EvaluationReason::ExplicitDenyInIdentityPolicy
    } else if scp.decision() == Decision::Deny {
        EvaluationReason::NotAllowedByScps
    } else if !identity.iter().any(PolicyEvaluation::allows) {
        EvaluationReason::NotAllowedByIdentityPolicies
    } else {
        EvaluationReason::Allowed
    }
}
