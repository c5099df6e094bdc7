//! The decision of SCPs, identity policies and an optional resource-based policy together.
//!
//! IAM User Guide, reference_policies_evaluation-logic_policy-eval-denyallow.html and
//! reference_policies_evaluation-logic-cross-account.html:
//!
//! - An explicit deny in any policy denies.
//! - The SCPs of the principal's account must allow (unless they do not apply to it).
//! - Within one account, an allow in an identity policy or in the resource-based policy is
//!   enough. A resource-based policy that names only the account (`"AWS": "111122223333"` or
//!   its `:root` ARN) grants to the account, which still has to grant to its principals with
//!   identity policies, so such an allow alone is not enough.
//! - Across accounts, the identity policies in the principal's account and the resource-based
//!   policy in the resource's account must both allow; naming the principal's account is
//!   enough there.
//! - The account's root user has full access in its own account without identity policies;
//!   SCPs still restrict it in a member account.
//! - A KMS key policy and a role's trust policy are exceptions: they must allow the request
//!   even within one account (IAM User Guide, reference_policies_evaluation-logic.html: "IAM
//!   role trust policies and KMS key policies are exceptions to this logic, because they must
//!   explicitly allow access for principals"; AWS KMS Developer Guide, key-policies.html:
//!   "Unless the key policy explicitly allows it, you cannot use IAM policies to allow access
//!   to a KMS key"). A statement that names the principal is enough by itself; one that names
//!   only the account lets the account's identity policies grant, as the default key policy
//!   does. Which policy a resource-based policy is follows from the request: a `kms` action on
//!   a `key/` ARN, or an `sts` action on a role's ARN.
//!
//! Limitation: permissions boundaries, session policies and resource control policies are not
//! modelled. A boundary or session policy would limit what a resource-based policy grants to a
//! role (rather than to a role session) within one account; callers that use them get a
//! decision that may allow more than AWS does.

use std::fmt;
use std::sync::Arc;

use crate::document::{Policy, PolicyKind};
use crate::evaluate::{self, PolicyEvaluation};
use crate::organization::{Decision, Organization, ScpEvaluation, ScpReason, evaluate_scps};
use crate::principal::{PrincipalMatch, is_account_id};
use crate::request::Request;

/// Why the policies together reached their decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EvaluationReason {
    /// An SCP statement denies explicitly.
    ExplicitDenyInScp,
    /// A statement of the resource-based policy denies explicitly.
    ExplicitDenyInResourcePolicy,
    /// An identity policy statement denies explicitly.
    ExplicitDenyInIdentityPolicy,
    /// The SCPs do not allow the request (implicit deny).
    NotAllowedByScps,
    /// No identity policy allows the request, and within one account the resource-based policy
    /// does not grant it to the principal either (implicit deny).
    NotAllowedByIdentityPolicies,
    /// Across accounts, the resource-based policy does not allow the request (implicit deny).
    NotAllowedByResourcePolicy,
    /// The resource-based policy is a KMS key policy or a role's trust policy, which must allow
    /// the principal or its account even within one account, and it does not (implicit deny).
    NotAllowedByKeyOrTrustPolicy,
    /// The SCPs and an identity policy allow, and nothing denies.
    Allowed,
    /// Within one account, the resource-based policy grants the request to the principal itself
    /// and nothing denies; no identity policy is needed.
    AllowedByResourcePolicy,
    /// Across accounts, the resource-based policy allows, and so does an identity policy unless
    /// the principal is the account's root user, which needs none; nothing denies.
    /// [`Evaluation::describe_reason`] words the two cases apart.
    AllowedAcrossAccounts,
    /// The principal is the account's root user, which needs no identity policy, and nothing
    /// denies.
    AllowedAsRootUser,
}

impl EvaluationReason {
    /// The reason in words, for explanations; [`Evaluation::describe_reason`] words an
    /// evaluation's reason exactly.
    pub fn describe(self) -> &'static str {
        match self {
            EvaluationReason::ExplicitDenyInScp => "explicit deny in an SCP",
            EvaluationReason::ExplicitDenyInResourcePolicy => {
                "explicit deny in the resource-based policy"
            }
            EvaluationReason::ExplicitDenyInIdentityPolicy => "explicit deny in an identity policy",
            EvaluationReason::NotAllowedByScps => "implicit deny: the SCPs do not allow",
            EvaluationReason::NotAllowedByIdentityPolicies => {
                "implicit deny: no identity policy allows"
            }
            EvaluationReason::NotAllowedByResourcePolicy => {
                "implicit deny: across accounts the resource-based policy must allow, and it does \
                 not"
            }
            EvaluationReason::NotAllowedByKeyOrTrustPolicy => {
                "implicit deny: a KMS key policy or a role's trust policy must allow the \
                 principal or its account, and it does not"
            }
            EvaluationReason::Allowed => "allowed by the SCPs and an identity policy",
            EvaluationReason::AllowedByResourcePolicy => {
                "allowed by the SCPs and the resource-based policy, which names the principal"
            }
            EvaluationReason::AllowedAcrossAccounts => {
                "allowed by the SCPs, an identity policy and the resource-based policy"
            }
            EvaluationReason::AllowedAsRootUser => {
                "allowed: the account's root user needs no identity policy"
            }
        }
    }
}

/// A resource-based policy together with the account that owns the resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourcePolicy {
    policy: Arc<Policy>,
    account_id: String,
}

/// Why a [`ResourcePolicy`] could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResourcePolicyError {
    /// The policy was not parsed as a resource-based policy, so its statements name no
    /// principals.
    #[error("policy `{0}` was not read as a resource-based policy")]
    NotResourceBased(String),
    /// The account id is not twelve digits.
    #[error("`{0}` is not an account id: expected 12 digits")]
    InvalidAccount(String),
}

impl ResourcePolicy {
    /// The resource-based `policy` of a resource owned by `account_id`.
    pub fn new(
        policy: Arc<Policy>,
        account_id: impl Into<String>,
    ) -> Result<ResourcePolicy, ResourcePolicyError> {
        let account_id = account_id.into();
        if policy.kind() != PolicyKind::ResourceBased {
            return Err(ResourcePolicyError::NotResourceBased(
                policy.source_name().to_owned(),
            ));
        }
        if !is_account_id(&account_id) {
            return Err(ResourcePolicyError::InvalidAccount(account_id));
        }
        Ok(ResourcePolicy { policy, account_id })
    }

    /// The policy.
    pub fn policy(&self) -> &Arc<Policy> {
        &self.policy
    }

    /// The account that owns the resource.
    pub fn account_id(&self) -> &str {
        &self.account_id
    }
}

/// The combined decision, with the evidence of every policy type.
#[derive(Debug, Clone)]
pub struct Evaluation {
    decision: Decision,
    reason: EvaluationReason,
    scp: ScpEvaluation,
    identity: Vec<PolicyEvaluation>,
    resource: Option<PolicyEvaluation>,
    resource_account: Option<String>,
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

    /// The resource-based policy's evaluation, if there was one.
    pub fn resource_policy(&self) -> Option<&PolicyEvaluation> {
        self.resource.as_ref()
    }

    /// The account that owns the resource, when a resource-based policy was given.
    pub fn resource_account(&self) -> Option<&str> {
        self.resource_account.as_deref()
    }

    /// The reason in words, as it fits this evaluation: across accounts, a root user that no
    /// identity policy allows is allowed by the SCPs and the resource-based policy alone.
    pub fn describe_reason(&self) -> &'static str {
        let identity_allows = self.identity.iter().any(PolicyEvaluation::allows);
        let key_or_trust = self.resource.is_some()
            && !self.is_cross_account()
            && is_key_or_trust_policy(self.scp.request());
        match self.reason {
            EvaluationReason::Allowed if key_or_trust => {
                "allowed by the SCPs and an identity policy, which the key or trust policy lets \
                 grant by naming the principal's account"
            }
            EvaluationReason::AllowedAcrossAccounts if !identity_allows => {
                "allowed by the SCPs and the resource-based policy: the account's root user needs \
                 no identity policy"
            }
            reason => reason.describe(),
        }
    }

    /// Whether the principal and the resource are in different accounts.
    pub fn is_cross_account(&self) -> bool {
        self.resource_account
            .as_deref()
            .is_some_and(|account| account != self.scp.request().account_id)
    }
}

impl fmt::Display for EvaluationReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// Evaluates `request` against the SCPs of `organization`, the principal's identity policies
/// and, if given, the resource's resource-based policy.
///
/// The resource is owned by the resource-based policy's account, else by the account its ARN
/// names, else (an S3 ARN, `*`) by the principal's account. A resource of another account
/// without a resource-based policy grants nothing: across accounts the resource-based policy
/// must allow.
///
/// Limitation: a KMS key or a role given without its key or trust policy is taken to have one
/// that grants its account (as the default key policy does), so that identity policies decide;
/// a key policy or trust policy that names neither the principal nor its account can only be
/// judged when it is given.
pub fn evaluate(
    organization: &Organization,
    identity_policies: &[Arc<Policy>],
    resource_policy: Option<&ResourcePolicy>,
    request: &Request,
) -> Evaluation {
    let scp = evaluate_scps(organization, request);
    let identity: Vec<PolicyEvaluation> = identity_policies
        .iter()
        .map(|policy| evaluate::evaluate_policy(policy.source_name(), policy, request))
        .collect();
    let resource = resource_policy.map(|resource| {
        evaluate::evaluate_policy(resource.policy.source_name(), &resource.policy, request)
    });
    let mut evaluation = Evaluation {
        decision: Decision::Deny,
        reason: EvaluationReason::NotAllowedByIdentityPolicies,
        scp,
        identity,
        resource,
        resource_account: resource_policy
            .map(|resource| resource.account_id.as_str())
            .or_else(|| request.resource_account())
            .map(str::to_owned),
    };
    evaluation.reason = combined_reason(&evaluation, is_root_user(&request.principal_arn));
    evaluation.decision = match evaluation.reason {
        EvaluationReason::Allowed
        | EvaluationReason::AllowedByResourcePolicy
        | EvaluationReason::AllowedAcrossAccounts
        | EvaluationReason::AllowedAsRootUser => Decision::Allow,
        _ => Decision::Deny,
    };
    evaluation
}

fn combined_reason(evaluation: &Evaluation, root_user: bool) -> EvaluationReason {
    let scp = &evaluation.scp;
    let resource = evaluation.resource.as_ref();
    if matches!(scp.reason(), ScpReason::ExplicitDeny { .. }) {
        return EvaluationReason::ExplicitDenyInScp;
    }
    if resource.is_some_and(PolicyEvaluation::denies) {
        return EvaluationReason::ExplicitDenyInResourcePolicy;
    }
    if evaluation.identity.iter().any(PolicyEvaluation::denies) {
        return EvaluationReason::ExplicitDenyInIdentityPolicy;
    }
    if scp.decision() == Decision::Deny {
        return EvaluationReason::NotAllowedByScps;
    }
    let identity_allows = evaluation.identity.iter().any(PolicyEvaluation::allows);
    let grant = resource.map_or(PrincipalMatch::NotApplicable, PolicyEvaluation::grant);
    let must_allow = resource.is_some() && is_key_or_trust_policy(evaluation.scp.request());
    if must_allow && !evaluation.is_cross_account() {
        return match grant {
            PrincipalMatch::Principal => EvaluationReason::AllowedByResourcePolicy,
            PrincipalMatch::Account if identity_allows => EvaluationReason::Allowed,
            PrincipalMatch::Account if root_user => EvaluationReason::AllowedAsRootUser,
            PrincipalMatch::Account => EvaluationReason::NotAllowedByIdentityPolicies,
            PrincipalMatch::NotApplicable => EvaluationReason::NotAllowedByKeyOrTrustPolicy,
        };
    }
    if evaluation.is_cross_account() {
        if !identity_allows && !root_user {
            EvaluationReason::NotAllowedByIdentityPolicies
        } else if grant.applies() {
            EvaluationReason::AllowedAcrossAccounts
        } else {
            EvaluationReason::NotAllowedByResourcePolicy
        }
    } else if identity_allows {
        EvaluationReason::Allowed
    } else if grant == PrincipalMatch::Principal {
        EvaluationReason::AllowedByResourcePolicy
    } else if root_user {
        EvaluationReason::AllowedAsRootUser
    } else {
        EvaluationReason::NotAllowedByIdentityPolicies
    }
}

/// Whether the resource-based policy of `request`'s resource is a KMS key policy (a `kms`
/// action on `arn:…:kms:<region>:<account>:key/<id>`) or a role's trust policy (an `sts`
/// action, such as `sts:AssumeRole`, on `arn:…:iam::<account>:role/<name>`).
pub(crate) fn is_key_or_trust_policy(request: &Request) -> bool {
    let service = request.action.split(':').next().unwrap_or_default();
    let parts: Vec<&str> = request.resource.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", _, "kms", _, _, resource] => {
            service.eq_ignore_ascii_case("kms") && resource.starts_with("key/")
        }
        ["arn", _, "iam", "", _, resource] => {
            service.eq_ignore_ascii_case("sts") && resource.starts_with("role/")
        }
        _ => false,
    }
}

/// Whether `arn` is an account's root user, `arn:<partition>:iam::<account>:root`.
fn is_root_user(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    matches!(
        parts.as_slice(),
        ["arn", partition, "iam", "", account, "root"]
            if !partition.is_empty() && is_account_id(account)
    )
}
