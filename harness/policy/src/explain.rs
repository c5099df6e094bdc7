//! Explanations of evaluations in plain text: per level, per policy, per statement, per
//! condition, with the values compared.

use std::fmt::{self, Display, Formatter, Write as _};

use crate::combined::{Evaluation, is_key_or_trust_policy};
use crate::condition::Condition;
use crate::document::{Effect, Statement};
use crate::evaluate::{PolicyEvaluation, StatementEvaluation};
use crate::organization::{LevelEvaluation, LevelOutcome, ScpEvaluation, ScpReason};
use crate::principal::{PrincipalElement, PrincipalMatch};
use crate::request::{ContextValue, Request};

impl Display for ScpEvaluation {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "scp decision: {} ({})",
            self.decision(),
            self.reason_text()
        )?;
        write_request(f, self.request())?;
        for level in self.levels() {
            write_level(f, level, self.request())?;
        }
        Ok(())
    }
}

impl ScpEvaluation {
    fn reason_text(&self) -> String {
        let level = |index: usize| {
            self.levels().get(index).map_or_else(String::new, |level| {
                format!("{} `{}`", level.kind(), level.target_id())
            })
        };
        match self.reason() {
            ScpReason::ManagementAccount => {
                "principal is in the management account, which SCPs do not restrict".to_owned()
            }
            ScpReason::ServiceLinkedRole => {
                "principal is a service-linked role, which SCPs do not restrict".to_owned()
            }
            ScpReason::NoLevels => "no SCPs apply".to_owned(),
            ScpReason::AllowedAtEveryLevel => "allowed at every level".to_owned(),
            ScpReason::ExplicitDeny { level: index } => {
                format!("explicit deny at {}", level(index))
            }
            ScpReason::NoAllow { level: index } => {
                format!("implicit deny: nothing allows at {}", level(index))
            }
        }
    }
}

impl Display for Evaluation {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let reason = self.describe_reason();
        writeln!(f, "decision: {} ({reason})", self.decision())?;
        write!(f, "{}", self.scp())?;
        writeln!(f, "identity policies:")?;
        if self.identity_policies().is_empty() {
            writeln!(f, "  none")?;
        }
        for policy in self.identity_policies() {
            write_policy(f, policy, self.scp().request(), 1)?;
        }
        if let (Some(policy), Some(account)) = (self.resource_policy(), self.resource_account()) {
            let across = if self.is_cross_account() {
                "another account than the principal's"
            } else {
                "the principal's account"
            };
            writeln!(
                f,
                "resource-based policy (resource in account `{account}`, {across}):"
            )?;
            write_policy(f, policy, self.scp().request(), 1)?;
        } else if let Some(account) = self.resource_account() {
            let request = self.scp().request();
            if self.is_cross_account() {
                writeln!(
                    f,
                    "resource-based policy: none given, for a resource of account `{account}`, \
                     another account than the principal's"
                )?;
            } else if is_key_or_trust_policy(request) {
                writeln!(
                    f,
                    "resource-based policy: none given; the key or role is taken to have a \
                     policy that grants its account, as the default key policy does"
                )?;
            }
        }
        Ok(())
    }
}

fn write_request(f: &mut Formatter<'_>, request: &Request) -> fmt::Result {
    writeln!(f, "request: `{}` on `{}`", request.action, request.resource)?;
    writeln!(
        f,
        "principal: `{}` in account `{}`",
        request.principal_arn, request.account_id
    )?;
    // Every key is listed, those no condition reads too, so that a misspelt key shows.
    if request.context.is_empty() {
        return writeln!(f, "context: no keys");
    }
    writeln!(f, "context:")?;
    for (key, value) in request.context.iter() {
        match value {
            ContextValue::Single(value) => writeln!(f, "  `{key}`: `{value}`")?,
            ContextValue::Multi(values) => writeln!(
                f,
                "  `{key}`: {}",
                backticked_list(values.iter().map(String::as_str))
            )?,
        }
    }
    Ok(())
}

fn write_level(f: &mut Formatter<'_>, level: &LevelEvaluation, request: &Request) -> fmt::Result {
    let outcome = match level.outcome() {
        LevelOutcome::Allows => "allows",
        LevelOutcome::ExplicitDeny => "explicit deny",
        LevelOutcome::ImplicitDeny => "implicit deny (no attached SCP allows)",
    };
    writeln!(f, "{} `{}`: {outcome}", level.kind(), level.target_id())?;
    if level.policies().is_empty() {
        writeln!(f, "  no SCP attached")?;
    }
    for policy in level.policies() {
        write_policy(f, policy, request, 1)?;
    }
    Ok(())
}

fn write_policy(
    f: &mut Formatter<'_>,
    evaluation: &PolicyEvaluation,
    request: &Request,
    depth: usize,
) -> fmt::Result {
    let indent = "  ".repeat(depth);
    writeln!(f, "{indent}policy `{}`", evaluation.name())?;
    let statements = evaluation.policy().statements().iter();
    for (statement, result) in statements.zip(evaluation.statements()) {
        write_statement(f, statement, result, request, depth + 1)?;
    }
    Ok(())
}

fn write_statement(
    f: &mut Formatter<'_>,
    statement: &Statement,
    result: &StatementEvaluation,
    request: &Request,
    depth: usize,
) -> fmt::Result {
    let indent = "  ".repeat(depth);
    let verdict = if result.matched() {
        "matches"
    } else {
        "does not match"
    };
    let name = statement.display_name();
    let effect = statement.effect();
    writeln!(f, "{indent}statement {name} ({effect}): {verdict}")?;
    writeln!(f, "{indent}  {}", action_line(statement, request))?;
    if result.resource_applies().is_some() {
        writeln!(f, "{indent}  {}", resource_line(statement, request))?;
    }
    if let (Some(element), Some(found)) = (statement.principals(), result.principal_match()) {
        let line = principal_line(element, found, effect, request);
        writeln!(f, "{indent}  {line}")?;
    }
    for (condition, holds) in statement
        .conditions()
        .iter()
        .zip(result.condition_results())
    {
        writeln!(
            f,
            "{indent}  {}",
            condition_line(condition, *holds, request)
        )?;
    }
    Ok(())
}

fn action_line(statement: &Statement, request: &Request) -> String {
    let action = &request.action;
    let element = statement.actions();
    let name = element.name();
    match (element.first_match(action), element.is_negated()) {
        (Some(pattern), false) => format!("action `{action}`: matches `{pattern}`"),
        (None, false) => format!(
            "action `{action}`: not matched by `{name}` {}",
            backticked_list(element.texts())
        ),
        (Some(pattern), true) => format!("action `{action}`: excluded by `{name}` `{pattern}`"),
        (None, true) => format!(
            "action `{action}`: not excluded by `{name}` {}",
            backticked_list(element.texts())
        ),
    }
}

fn resource_line(statement: &Statement, request: &Request) -> String {
    let resource = &request.resource;
    let Some(element) = statement.resources() else {
        return format!("resource `{resource}`: any (no `Resource` element)");
    };
    let name = element.name();
    // Each pattern with a policy variable is shown with what it resolved to.
    let resolved = element.resolved_patterns(&request.context);
    let shown = |text: &str| match resolved
        .iter()
        .find(|(with_variable, _)| *with_variable == text)
    {
        Some((_, Some(resolved))) => format!("`{text}` = `{resolved}`"),
        Some((_, None)) => format!("`{text}` (unresolved, matches nothing)"),
        None => format!("`{text}`"),
    };
    let all = || {
        let shown: Vec<String> = element.texts().map(shown).collect();
        format!("[{}]", shown.join(", "))
    };
    match (
        element.first_match(resource, &request.context),
        element.is_negated(),
    ) {
        (Some(pattern), false) => format!("resource `{resource}`: matches {}", shown(pattern)),
        (None, false) => format!("resource `{resource}`: not matched by `{name}` {}", all()),
        (Some(pattern), true) => {
            format!(
                "resource `{resource}`: excluded by `{name}` {}",
                shown(pattern)
            )
        }
        (None, true) => format!("resource `{resource}`: not excluded by `{name}` {}", all()),
    }
}

/// The principal line of a statement of effect `effect`: naming only the account is a grant
/// to the account in an `Allow`, and a deny for every principal of the account in a `Deny`.
fn principal_line(
    element: &PrincipalElement,
    found: PrincipalMatch,
    effect: Effect,
    request: &Request,
) -> String {
    let caller = &request.principal_arn;
    let name = element.name();
    let naming = element.first_naming(caller, &request.account_id);
    match (element.is_negated(), found, naming) {
        (false, PrincipalMatch::Principal, Some(value)) => {
            format!("principal `{caller}`: named by `{value}`")
        }
        (false, PrincipalMatch::Account, Some(value)) => {
            let meaning = match effect {
                Effect::Allow => "a grant to the account",
                Effect::Deny => "the deny applies to every principal of the account",
            };
            format!("principal `{caller}`: only its account is named, by `{value}` ({meaning})")
        }
        (false, _, _) => format!("principal `{caller}`: not named by `{name}`"),
        (true, PrincipalMatch::NotApplicable, _) => {
            format!("principal `{caller}`: exempted by `{name}` (every step of it is listed)")
        }
        (true, _, _) => format!(
            "principal `{caller}`: not exempted by `{name}` (its account, role or itself is not \
             listed)"
        ),
    }
}

fn condition_line(condition: &Condition, holds: bool, request: &Request) -> String {
    let values = condition.describe_values(&request.context).join(", ");
    let mut line = format!(
        "condition {} `{}` [{values}]: ",
        condition.operator(),
        condition.key()
    );
    // Writing to a String cannot fail.
    let _ = match condition.found(&request.context) {
        None => write!(line, "key absent"),
        Some(ContextValue::Single(value)) => write!(line, "found `{value}`"),
        Some(ContextValue::Multi(values)) => {
            write!(
                line,
                "found {}",
                backticked_list(values.iter().map(String::as_str))
            )
        }
    };
    if condition.reads_as_no_value(&request.context) {
        let _ = write!(line, " (no value)");
    }
    // Which values cannot be read, the policy's or the request's, is said apart: either way
    // they match nothing.
    let form = condition.operator().base.value_form();
    let policy_values: Vec<&str> = condition
        .unreadable_values()
        .map(|(text, _)| text)
        .collect();
    let request_values = condition
        .found(&request.context)
        .map(|found| condition.unreadable_found(found))
        .unwrap_or_default();
    for (side, values) in [("policy", policy_values), ("request", request_values)] {
        if !values.is_empty() {
            let values: Vec<String> = values.iter().map(|value| format!("`{value}`")).collect();
            let _ = write!(
                line,
                " ({side} value {} not {form}, so matching nothing)",
                values.join(", ")
            );
        }
    }
    let _ = write!(line, ": {holds}");
    line
}

fn backticked_list<'a>(values: impl Iterator<Item = &'a str>) -> String {
    let items: Vec<String> = values.map(|value| format!("`{value}`")).collect();
    format!("[{}]", items.join(", "))
}
