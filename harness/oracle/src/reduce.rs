//! One-step reductions of a case, tried greedily after proptest's shrinking: proptest shrinks
//! each generated part towards its simplest value but does not drop a context key or a
//! condition that the disagreement does not need.

use crate::case::{Case, PolicyDocument, Principal};
use crate::principals::PrincipalValues;

/// Every case one step smaller than `case`: without one context key, level, SCP, identity
/// policy, resource-based policy, statement, condition, condition value, element pattern or
/// principal value, with an ordinary principal (for a case about the SCP layer), or with the
/// resource in the caller's account.
pub(crate) fn reductions(case: &Case) -> Vec<Case> {
    let mut smaller = Vec::new();
    if case.permissions.is_none() && case.principal != Principal::Member {
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
    smaller.extend(organization_reductions(case));
    smaller.extend(permission_reductions(case));
    for index in 0..case.documents().count() {
        smaller.extend(document_reductions(case, index));
    }
    smaller
}

/// Without one level, or without one SCP of a level that has several.
fn organization_reductions(case: &Case) -> Vec<Case> {
    let mut smaller = Vec::new();
    if case.levels.len() > 1 {
        for index in 0..case.levels.len() {
            let mut reduced = case.clone();
            reduced.levels.remove(index);
            smaller.push(reduced);
        }
    }
    for (level, policies) in case.levels.iter().enumerate() {
        let count = policies.policies.len();
        for index in (0..count).filter(|_| count > 1) {
            let mut reduced = case.clone();
            if let Some(level) = reduced.levels.get_mut(level) {
                level.policies.remove(index);
            }
            smaller.push(reduced);
        }
    }
    smaller
}

/// Without one identity policy or the resource-based policy, with the resource in the caller's
/// account, or with one principal value less.
fn permission_reductions(case: &Case) -> Vec<Case> {
    let Some(permissions) = &case.permissions else {
        return Vec::new();
    };
    let mut smaller = Vec::new();
    let mut with_permissions = |edit: &dyn Fn(&mut crate::case::Permissions)| {
        let mut reduced = case.clone();
        if let Some(permissions) = &mut reduced.permissions {
            edit(permissions);
        }
        smaller.push(reduced);
    };
    for index in 0..permissions.identity.len() {
        with_permissions(&|permissions| {
            permissions.identity.remove(index);
        });
    }
    let Some(resource) = &permissions.resource_policy else {
        return smaller;
    };
    with_permissions(&|permissions| permissions.resource_policy = None);
    if let Some(account) = case.principal.account_kind()
        && account != resource.owner
    {
        with_permissions(&|permissions| {
            if let Some(resource) = &mut permissions.resource_policy {
                resource.owner = account;
            }
        });
    }
    for (statement, current) in resource.document.statements.iter().enumerate() {
        let Some(PrincipalValues::Listed(values)) = current
            .principal
            .as_ref()
            .map(|principal| &principal.values)
        else {
            continue;
        };
        for value in (0..values.len()).filter(|_| values.len() > 1) {
            with_permissions(&|permissions| {
                let listed = permissions
                    .resource_policy
                    .as_mut()
                    .and_then(|resource| resource.document.statements.get_mut(statement))
                    .and_then(|statement| statement.principal.as_mut())
                    .map(|principal| &mut principal.values);
                if let Some(PrincipalValues::Listed(values)) = listed {
                    values.remove(value);
                }
            });
        }
    }
    smaller
}

/// Reductions inside the generated document at `index` in the order of [`Case::documents`].
fn document_reductions(case: &Case, index: usize) -> Vec<Case> {
    let Some(document) = case.documents().nth(index) else {
        return Vec::new();
    };
    let mut smaller = Vec::new();
    let mut with_document = |edit: &dyn Fn(&mut PolicyDocument)| {
        let mut reduced = case.clone();
        if let Some(document) = reduced.documents_mut().into_iter().nth(index) {
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
