//! The organization (root, OUs, account, each with attached SCPs) and how its SCPs decide.
//!
//! AWS Organizations User Guide, orgs_manage_policies_scps_evaluation.html: at every level from
//! the root down to the account, some attached SCP must allow the request, and an explicit
//! `Deny` at any level denies it. orgs_manage_policies_scps.html: SCPs do not affect principals
//! in the management account, nor service-linked roles.

use std::sync::Arc;

use crate::document::Policy;
use crate::evaluate::{self, PolicyEvaluation};
use crate::request::{ContextValue, Request};

/// The outcome of an authorization question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// The request is allowed.
    Allow,
    /// The request is denied.
    Deny,
}

impl std::fmt::Display for Decision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Decision::Allow => "allow",
            Decision::Deny => "deny",
        })
    }
}

/// What kind of node of the organization a level is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LevelKind {
    /// The organization root.
    Root,
    /// An organizational unit between the root and the account.
    OrganizationalUnit,
    /// The account the principal belongs to.
    Account,
}

impl std::fmt::Display for LevelKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LevelKind::Root => "root",
            LevelKind::OrganizationalUnit => "organizational unit",
            LevelKind::Account => "account",
        })
    }
}

/// An SCP attached to a level, with the name it is known by.
#[derive(Debug, Clone)]
pub struct AttachedPolicy {
    /// The policy name, e.g. `FullAWSAccess`.
    pub name: String,
    /// The policy.
    pub policy: Arc<Policy>,
}

/// One level of the path from the root to the account.
#[derive(Debug, Clone)]
pub struct OrgLevel {
    /// The target identifier: `r-...`, `ou-...` or the account number.
    pub target_id: String,
    /// What kind of level it is.
    pub kind: LevelKind,
    /// The SCPs attached directly to this level.
    pub policies: Vec<AttachedPolicy>,
}

/// The path of an account through its organization, and the SCPs along it.
#[derive(Debug, Clone)]
pub struct Organization {
    /// The management account, whose principals SCPs do not restrict.
    pub management_account_id: String,
    /// The levels, root first and account last.
    pub levels: Vec<OrgLevel>,
}

/// Why the SCPs reached their decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScpReason {
    /// The principal is in the management account: SCPs do not apply.
    ManagementAccount,
    /// The principal is a service-linked role: SCPs do not apply.
    ServiceLinkedRole,
    /// The organization has no levels, so no SCP applies.
    NoLevels,
    /// Every level allows and none denies.
    AllowedAtEveryLevel,
    /// A statement at this level (index into the levels) explicitly denies.
    ExplicitDeny {
        /// Index of the first level with an explicit deny.
        level: usize,
    },
    /// No SCP at this level allows: an implicit deny.
    NoAllow {
        /// Index of the first level without an allow.
        level: usize,
    },
}

/// What one level's SCPs made of the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LevelOutcome {
    /// An attached SCP allows and none denies.
    Allows,
    /// An attached SCP denies explicitly.
    ExplicitDeny,
    /// No attached SCP allows.
    ImplicitDeny,
}

/// One level's evaluation.
#[derive(Debug, Clone)]
pub struct LevelEvaluation {
    target_id: String,
    kind: LevelKind,
    outcome: LevelOutcome,
    policies: Vec<PolicyEvaluation>,
}

impl LevelEvaluation {
    /// The target identifier of the level.
    pub fn target_id(&self) -> &str {
        &self.target_id
    }

    /// What kind of level it is.
    pub fn kind(&self) -> LevelKind {
        self.kind
    }

    /// What the level's SCPs made of the request.
    pub fn outcome(&self) -> LevelOutcome {
        self.outcome
    }

    /// Each attached SCP's evaluation.
    pub fn policies(&self) -> &[PolicyEvaluation] {
        &self.policies
    }
}

/// The SCPs' decision on a request, with the evidence for it.
#[derive(Debug, Clone)]
pub struct ScpEvaluation {
    decision: Decision,
    reason: ScpReason,
    request: Request,
    levels: Vec<LevelEvaluation>,
}

impl ScpEvaluation {
    /// Allow or deny.
    pub fn decision(&self) -> Decision {
        self.decision
    }

    /// Why.
    pub fn reason(&self) -> ScpReason {
        self.reason
    }

    /// The request evaluated.
    pub fn request(&self) -> &Request {
        &self.request
    }

    /// Each level's evaluation, root first; empty when SCPs do not apply to the principal.
    pub fn levels(&self) -> &[LevelEvaluation] {
        &self.levels
    }

    /// The matching `Deny` statements, with the level and policy they are in.
    pub fn denying_statements(
        &self,
    ) -> impl Iterator<Item = (&LevelEvaluation, &PolicyEvaluation, &crate::Statement)> {
        self.levels.iter().flat_map(|level| {
            level.policies.iter().flat_map(move |policy| {
                policy
                    .matched_statements()
                    .filter(|(statement, _)| statement.effect() == crate::Effect::Deny)
                    .map(move |(statement, _)| (level, policy, statement))
            })
        })
    }
}

/// Evaluates `request` against the SCPs of `organization`, with an explanation.
pub fn evaluate_scps(organization: &Organization, request: &Request) -> ScpEvaluation {
    let exempt = exemption(organization, request);
    let levels: Vec<LevelEvaluation> = match exempt {
        Some(_) => Vec::new(),
        None => organization
            .levels
            .iter()
            .map(|level| evaluate_level(level, request))
            .collect(),
    };
    let reason = exempt.unwrap_or_else(|| chain_reason(&levels));
    let decision = match reason {
        ScpReason::ExplicitDeny { .. } | ScpReason::NoAllow { .. } => Decision::Deny,
        _ => Decision::Allow,
    };
    ScpEvaluation {
        decision,
        reason,
        request: request.clone(),
        levels,
    }
}

/// The SCPs' decision alone: the same as [`evaluate_scps`] but faster, as it keeps no evidence
/// and stops as soon as the decision is known.
pub fn scp_decision(organization: &Organization, request: &Request) -> Decision {
    if exemption(organization, request).is_some() {
        return Decision::Allow;
    }
    let mut decision = Decision::Allow;
    for level in &organization.levels {
        let outcome = level_outcome(level, request);
        if outcome.denies {
            return Decision::Deny;
        }
        if !outcome.allows {
            // A later level may still deny explicitly, which changes only the reason.
            decision = Decision::Deny;
        }
    }
    decision
}

/// The reason SCPs do not apply to the request's principal, if they do not.
fn exemption(organization: &Organization, request: &Request) -> Option<ScpReason> {
    if organization.levels.is_empty() {
        return Some(ScpReason::NoLevels);
    }
    if request.account_id == organization.management_account_id {
        return Some(ScpReason::ManagementAccount);
    }
    if is_service_linked_caller(request) {
        return Some(ScpReason::ServiceLinkedRole);
    }
    None
}

/// Whether the request's principal is a service-linked role or a session of one.
///
/// A service-linked role acts through sessions (`arn:…:sts::<account>:assumed-role/<name>/…`),
/// whose ARN carries no role path; the role's ARN with its path is the request's
/// `aws:PrincipalArn` (IAM User Guide, reference_policies_condition-keys.html: for a role
/// session the key holds the role's ARN). So a session is of a service-linked role when that
/// key names a role under `/aws-service-role/` of the same account and name.
fn is_service_linked_caller(request: &Request) -> bool {
    // Most callers are neither: the text after the last colon (the resource part of a role's
    // or a session's ARN, which hold no further colon) tells, and spares splitting their ARN.
    let last = request
        .principal_arn
        .rsplit_once(':')
        .map_or("", |(_, last)| last);
    if last.starts_with("role/aws-service-role/") {
        return is_service_linked_role(&request.principal_arn);
    }
    if !last.starts_with("assumed-role/") {
        return false;
    }
    let Some(["arn", _, "sts", "", account, resource]) = arn_parts(&request.principal_arn) else {
        return false;
    };
    let Some(role) = resource
        .strip_prefix("assumed-role/")
        .and_then(|rest| rest.split('/').next())
    else {
        return false;
    };
    let Some(ContextValue::Single(role_arn)) = request.context.get("aws:PrincipalArn") else {
        return false;
    };
    let Some([.., role_account, role_path]) = arn_parts(role_arn) else {
        return false;
    };
    is_service_linked_role(role_arn)
        && role_account == account
        && role_path.rsplit('/').next() == Some(role)
}

/// The six parts of an ARN, the last holding any further colons; `None` for fewer parts. It
/// allocates nothing: every evaluation checks the principal this way.
fn arn_parts(arn: &str) -> Option<[&str; 6]> {
    let mut parts = arn.splitn(6, ':');
    let mut next = || parts.next();
    Some([next()?, next()?, next()?, next()?, next()?, next()?])
}

/// Whether `arn` is `arn:<partition>:iam::<account>:role/aws-service-role/...`.
///
/// IAM User Guide, using-service-linked-roles.html: service-linked roles live under the
/// `/aws-service-role/` path.
pub fn is_service_linked_role(arn: &str) -> bool {
    // A role's ARN has no colon after the account, so the text after the last colon is the
    // resource: checking it first spares splitting the ARN of every other principal.
    let under_path = arn
        .rsplit_once(':')
        .is_some_and(|(_, resource)| resource.starts_with("role/aws-service-role/"));
    under_path
        && matches!(
            arn_parts(arn),
            Some(["arn", _, "iam", "", _, resource])
                if resource.starts_with("role/aws-service-role/")
        )
}

fn evaluate_level(level: &OrgLevel, request: &Request) -> LevelEvaluation {
    let policies: Vec<PolicyEvaluation> = level
        .policies
        .iter()
        .map(|attached| evaluate::evaluate_policy(&attached.name, &attached.policy, request))
        .collect();
    let outcome = if policies.iter().any(PolicyEvaluation::denies) {
        LevelOutcome::ExplicitDeny
    } else if policies.iter().any(PolicyEvaluation::allows) {
        LevelOutcome::Allows
    } else {
        LevelOutcome::ImplicitDeny
    };
    LevelEvaluation {
        target_id: level.target_id.clone(),
        kind: level.kind,
        outcome,
        policies,
    }
}

fn level_outcome(level: &OrgLevel, request: &Request) -> evaluate::Outcome {
    let mut outcome = evaluate::Outcome::default();
    for attached in &level.policies {
        let policy = evaluate::policy_outcome(&attached.policy, request);
        outcome.allows |= policy.allows;
        outcome.denies |= policy.denies;
        if outcome.denies {
            break;
        }
    }
    outcome
}

/// An explicit deny anywhere wins over a level that merely fails to allow.
fn chain_reason(levels: &[LevelEvaluation]) -> ScpReason {
    let first = |wanted: LevelOutcome| levels.iter().position(|level| level.outcome == wanted);
    if let Some(level) = first(LevelOutcome::ExplicitDeny) {
        ScpReason::ExplicitDeny { level }
    } else if let Some(level) = first(LevelOutcome::ImplicitDeny) {
        ScpReason::NoAllow { level }
    } else {
        ScpReason::AllowedAtEveryLevel
    }
}
