//! One-step reductions of a case, tried greedily after proptest's shrinking: proptest shrinks
//! each generated part towards its simplest value but does not drop a context key or a
//! condition that the disagreement does not need.

use crate::case::{Case, Principal, Scp};

/// Every case one step smaller than `case`: without one context key, level, policy,
/// statement, condition, condition value or element pattern, or with an ordinary principal.
pub(crate) fn reductions(case: &Case) -> Vec<Case> {
    let mut smaller = Vec::new();
    if case.principal != Principal::Member {
        smaller.push(Case {
            principal: Principal::Member,
            ..case.clone()
        });
    }
    for index in 0..case.context.len() {
        let mut reduced = case.clone();
        reduced.context.remove(index);
        smaller.push(reduced);
    }
    if case.levels.len() > 1 {
        for index in 0..case.levels.len() {
            let mut reduced = case.clone();
            reduced.levels.remove(index);
            smaller.push(reduced);
        }
    }
    for (level, policies) in case.levels.iter().enumerate() {
        let count = policies.policies.len();
        for index in 0..count {
            if count > 1 {
                let mut reduced = case.clone();
                if let Some(level) = reduced.levels.get_mut(level) {
                    level.policies.remove(index);
                }
                smaller.push(reduced);
            }
            smaller.extend(document_reductions(case, level, index));
        }
    }
    smaller
}

/// Reductions inside the document at `levels[level].policies[index]`.
fn document_reductions(case: &Case, level: usize, index: usize) -> Vec<Case> {
    let Some(Scp::Document(document)) = case
        .levels
        .get(level)
        .and_then(|level| level.policies.get(index))
    else {
        return Vec::new();
    };
    let mut smaller = Vec::new();
    let mut with_document = |edit: &dyn Fn(&mut crate::case::PolicyDocument)| {
        let mut reduced = case.clone();
        let target = reduced
            .levels
            .get_mut(level)
            .and_then(|level| level.policies.get_mut(index));
        if let Some(Scp::Document(document)) = target {
            edit(document);
        }
        smaller.push(reduced);
    };
    let statements = document.statements.len();
    for statement in 0..statements {
        if statements > 1 {
            with_document(&|document| {
                document.statements.remove(statement);
            });
        }
        let Some(current) = document.statements.get(statement) else {
            continue;
        };
        for condition in 0..current.conditions.len() {
            with_document(&|document| {
                if let Some(statement) = document.statements.get_mut(statement) {
                    statement.conditions.remove(condition);
                }
            });
            let values = current
                .conditions
                .get(condition)
                .map_or(0, |condition| condition.values.len());
            for value in (0..values).filter(|_| values > 1) {
                with_document(&|document| {
                    let condition = document
                        .statements
                        .get_mut(statement)
                        .and_then(|statement| statement.conditions.get_mut(condition));
                    if let Some(condition) = condition {
                        condition.values.remove(value);
                    }
                });
            }
        }
        for pattern in
            (0..current.action.patterns.len()).filter(|_| current.action.patterns.len() > 1)
        {
            with_document(&|document| {
                if let Some(statement) = document.statements.get_mut(statement) {
                    statement.action.patterns.remove(pattern);
                }
            });
        }
        for pattern in
            (0..current.resource.patterns.len()).filter(|_| current.resource.patterns.len() > 1)
        {
            with_document(&|document| {
                if let Some(statement) = document.statements.get_mut(statement) {
                    statement.resource.patterns.remove(pattern);
                }
            });
        }
    }
    smaller
}
