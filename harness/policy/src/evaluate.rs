//! Evaluating the statements of one policy against a request, keeping the evidence.

use std::sync::Arc;

use crate::document::{Effect, Policy, Statement};
use crate::principal::PrincipalMatch;
use crate::request::Request;

/// What one statement made of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementEvaluation {
    index: usize,
    effect: Effect,
    action_applies: bool,
    resource_applies: Option<bool>,
    principal: Option<PrincipalMatch>,
    conditions: Vec<bool>,
    matched: bool,
}

impl StatementEvaluation {
    /// The position of the statement in its policy, from 0.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The statement's effect.
    pub fn effect(&self) -> Effect {
        self.effect
    }

    /// Whether the `Action` or `NotAction` element applies to the request's action.
    pub fn action_applies(&self) -> bool {
        self.action_applies
    }

    /// Whether the resource element applies; `None` when it was not checked because the action
    /// did not apply.
    pub fn resource_applies(&self) -> Option<bool> {
        self.resource_applies
    }

    /// How the `Principal` or `NotPrincipal` element relates to the caller; `None` when the
    /// statement has no such element or it was not checked because the action or resource did
    /// not apply.
    pub fn principal_match(&self) -> Option<PrincipalMatch> {
        self.principal
    }

    /// The result of each condition, in statement order; empty when the conditions were not
    /// checked because the action, resource or principal did not apply.
    pub fn condition_results(&self) -> &[bool] {
        &self.conditions
    }

    /// Whether the whole statement matched the request.
    pub fn matched(&self) -> bool {
        self.matched
    }
}

/// What one policy made of a request: every statement's evaluation.
#[derive(Debug, Clone)]
pub struct PolicyEvaluation {
    name: String,
    policy: Arc<Policy>,
    statements: Vec<StatementEvaluation>,
}

impl PolicyEvaluation {
    /// The name the policy is known by, e.g. `FullAWSAccess`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The policy evaluated.
    pub fn policy(&self) -> &Arc<Policy> {
        &self.policy
    }

    /// Each statement's evaluation, in policy order.
    pub fn statements(&self) -> &[StatementEvaluation] {
        &self.statements
    }

    /// The statements that matched, with their evaluations.
    pub fn matched_statements(&self) -> impl Iterator<Item = (&Statement, &StatementEvaluation)> {
        self.policy
            .statements()
            .iter()
            .zip(&self.statements)
            .filter(|(_, evaluation)| evaluation.matched)
    }

    /// Whether a matching statement denies.
    pub fn denies(&self) -> bool {
        self.has_match(Effect::Deny)
    }

    /// Whether a matching statement allows.
    pub fn allows(&self) -> bool {
        self.has_match(Effect::Allow)
    }

    /// The strongest grant of the matching `Allow` statements: [`PrincipalMatch::Principal`]
    /// when one names the caller itself (or the policy names no principals),
    /// [`PrincipalMatch::Account`] when they name only its account.
    pub fn grant(&self) -> PrincipalMatch {
        let mut grant = PrincipalMatch::NotApplicable;
        for statement in &self.statements {
            if !statement.matched || statement.effect != Effect::Allow {
                continue;
            }
            match statement.principal.unwrap_or(PrincipalMatch::Principal) {
                PrincipalMatch::Principal => return PrincipalMatch::Principal,
                PrincipalMatch::Account => grant = PrincipalMatch::Account,
                PrincipalMatch::NotApplicable => {}
            }
        }
        grant
    }

    fn has_match(&self, effect: Effect) -> bool {
        self.statements
            .iter()
            .any(|statement| statement.matched && statement.effect == effect)
    }
}

/// Whether any statement of a policy allows, and whether any denies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Outcome {
    pub(crate) allows: bool,
    pub(crate) denies: bool,
}

/// Evaluates every statement of `policy`, keeping the evidence.
pub(crate) fn evaluate_policy(
    name: &str,
    policy: &Arc<Policy>,
    request: &Request,
) -> PolicyEvaluation {
    let statements = policy
        .statements()
        .iter()
        .map(|statement| evaluate_statement(statement, request))
        .collect();
    PolicyEvaluation {
        name: name.to_owned(),
        policy: Arc::clone(policy),
        statements,
    }
}

/// The policy's outcome without evidence; stops at the first matching `Deny`.
pub(crate) fn policy_outcome(policy: &Policy, request: &Request) -> Outcome {
    let mut outcome = Outcome::default();
    for statement in policy.statements() {
        let relevant = match statement.effect() {
            Effect::Allow => !outcome.allows,
            Effect::Deny => true,
        };
        if !relevant || !statement.matches(request) {
            continue;
        }
        match statement.effect() {
            Effect::Allow => outcome.allows = true,
            Effect::Deny => {
                outcome.denies = true;
                return outcome;
            }
        }
    }
    outcome
}

fn evaluate_statement(statement: &Statement, request: &Request) -> StatementEvaluation {
    let mut evaluation = StatementEvaluation {
        index: statement.index(),
        effect: statement.effect(),
        action_applies: statement.actions().applies_to(&request.action),
        resource_applies: None,
        principal: None,
        conditions: Vec::new(),
        matched: false,
    };
    if !evaluation.action_applies {
        return evaluation;
    }
    let resource_applies = statement.resource_applies(&request.resource, &request.context);
    evaluation.resource_applies = Some(resource_applies);
    if !resource_applies {
        return evaluation;
    }
    if statement.principals().is_some() {
        let principal = statement.principal_match(request);
        evaluation.principal = Some(principal);
        if !principal.applies() {
            return evaluation;
        }
    }
    // Every condition is evaluated, not only up to the first false one, so the explanation
    // shows them all.
    evaluation.conditions = statement
        .conditions()
        .iter()
        .map(|condition| condition.evaluate(&request.context))
        .collect();
    evaluation.matched = evaluation.conditions.iter().all(|holds| *holds);
    evaluation
}
