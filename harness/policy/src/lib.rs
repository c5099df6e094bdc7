//! The policy language of AWS service control policies (SCPs) and a reference evaluator.
//!
//! [`Policy::parse`] reads a policy document, keeping the place of every element so that each
//! problem is reported with its line and column. An [`Organization`] holds the SCPs attached
//! from the root down to an account; [`evaluate_scps`] decides a [`Request`] against them and
//! explains the decision, and [`evaluate`] adds the principal's identity policies and a
//! resource-based policy. The crate
//! does no I/O.

mod combined;
mod condition;
mod document;
mod error;
mod evaluate;
mod explain;
mod json;
mod lint;
mod operator;
mod organization;
mod parse;
mod pattern;
mod principal;
mod print;
mod request;
mod values;
mod variables;
pub mod vectors;

pub use combined::{Evaluation, EvaluationReason, ResourcePolicy, ResourcePolicyError, evaluate};
pub use condition::Condition;
pub use document::{
    ActionElement, Effect, Policy, PolicyKind, PolicyVersion, ResourceElement, Statement,
};
pub use error::{
    NotUtf8, PolicyError, PolicyErrors, SourceErrors, SourceLocation, SourceProblem, SourceText,
    decode_utf8,
};
pub use evaluate::{PolicyEvaluation, StatementEvaluation};
pub use lint::{LintFinding, LintOptions, LintSeverity, ScpLanguage, lint_scp, lint_scp_with};
pub use operator::{BaseOperator, Operator, SetQualifier};
pub use organization::{
    AttachedPolicy, Decision, LevelEvaluation, LevelKind, LevelOutcome, OrgLevel, Organization,
    ScpEvaluation, ScpReason, evaluate_scps, is_service_linked_role, scp_decision,
};
pub use principal::{PrincipalElement, PrincipalMatch, PrincipalType};
pub use request::{
    Caller, Context, ContextValue, Request, arn_account, check_action, check_context_key,
    check_resource, read_caller,
};
