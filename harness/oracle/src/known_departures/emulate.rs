//! The emulations: each known departure's reading of a case, written in the policy language so
//! that AWS's semantics, and so the evaluator under test, give the oracle's answer.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use scpcheck_policy::{Effect, PrincipalType};

use super::rewrite::{
    arn_reaches_variable, family_of, found_values, has_unresolved_variable, never,
    rewrite_conditions, rewrite_documents, rewrite_statements, split_operator,
};
use crate::case::{
    Case, ConditionDocument, Element, KeyValue, PolicyDocument, Principal, StatementDocument,
};
use crate::principals::{PrincipalDocument, PrincipalValues};
use crate::vocabulary::Family;

/// A service-linked role or a principal of the management account becomes an ordinary role of
/// the member account, which SCPs restrict.
pub(super) fn exempt_principals(case: &Case) -> Option<Case> {
    let exempt = matches!(
        case.principal,
        Principal::ServiceLinkedRole | Principal::Management
    );
    exempt.then(|| Case {
        principal: Principal::Member,
        ..case.clone()
    })
}

/// The root user becomes a user of the same account that no policy names, which needs an
/// identity policy like any principal but matches the same principal values: everyone and its
/// account.
pub(super) fn root_as_user(case: &Case) -> Option<Case> {
    let Principal::Root(account) = case.principal else {
        return None;
    };
    case.permissions.is_some().then(|| Case {
        principal: Principal::UnnamedUser(account),
        ..case.clone()
    })
}

/// The part of a role ARN before `:role/`, and the role's name: the last part of its path.
fn role_name(arn: &str) -> Option<(&str, &str)> {
    let (prefix, path) = arn.split_once(":role/")?;
    Some((prefix, path.rsplit('/').next().unwrap_or(path)))
}

/// A `NotPrincipal` statement in which one value names the caller, its role or its account (as
/// the oracle reads values) gets a `Principal` naming nobody instead, so it never applies.
pub(super) fn not_principal_any_value(case: &Case) -> Option<Case> {
    rewrite_statements(case, |statement| {
        let principal = statement.principal.as_ref()?;
        let exempt = principal.negated
            && match &principal.values {
                PrincipalValues::Everyone => true,
                PrincipalValues::Listed(values) => values
                    .iter()
                    .any(|(kind, value)| oracle_names(*kind, value, case.principal)),
            };
        exempt.then(|| StatementDocument {
            principal: Some(PrincipalDocument::nobody()),
            ..statement.clone()
        })
    })
}

/// Whether the oracle takes a principal value to name `caller` at all: everyone, the caller's
/// account (by id or root ARN), the caller's exact ARN, or for a session the role it belongs
/// to (same account, the last part of the role's path equal to the session's role name,
/// ignoring letter case).
fn oracle_names(kind: PrincipalType, value: &str, caller: Principal) -> bool {
    if kind != PrincipalType::Aws {
        return value == caller.arn();
    }
    let account = caller.account();
    let root = format!("arn:aws:iam::{account}:root");
    if value == "*" || value == account || value == root || value == caller.arn() {
        return true;
    }
    let Some(role) = caller.role_arn() else {
        return false;
    };
    match (role_name(value), role_name(role)) {
        (Some((prefix, name)), Some((role_prefix, role))) => {
            prefix == role_prefix && name.eq_ignore_ascii_case(role)
        }
        _ => false,
    }
}

/// A resource pattern no request resource matches.
const NEVER_RESOURCE: &str = "arn:aws:emulated:::never";

/// For a request for `*`: `Allow` statements apply whatever their resource element; `Deny`
/// statements apply only through a `Resource` that lists `*`.
pub(super) fn star_request(case: &Case) -> Option<Case> {
    if case.resource != "*" {
        return None;
    }
    let element = |pattern: &str| Element {
        negated: false,
        patterns: vec![pattern.to_owned()],
    };
    rewrite_statements(case, |statement| {
        let lists_star = statement
            .resource
            .patterns
            .iter()
            .any(|pattern| pattern == "*");
        let resource = match (statement.effect, statement.resource.negated, lists_star) {
            (Effect::Allow, true, true) => return None,
            (Effect::Allow, _, _) | (Effect::Deny, false, true) => element("*"),
            (Effect::Deny, _, _) => element(NEVER_RESOURCE),
        };
        Some(StatementDocument {
            resource,
            ..statement.clone()
        })
    })
}

/// A policy with `${` under another version, or none, declares `2012-10-17`.
pub(super) fn variables_everywhere(case: &Case) -> Option<Case> {
    rewrite_documents(case, |document| {
        let current = document.version.as_deref() == Some("2012-10-17");
        let text = document.to_json().to_string();
        (!current && text.contains("${")).then(|| PolicyDocument {
            version: Some("2012-10-17".to_owned()),
            ..document.clone()
        })
    })
}

/// Writes each escape of a non-`Like` string operator as `${$}` followed by the rest, which
/// reads back as the escape's text itself.
pub(super) fn literal_escapes(case: &Case) -> Option<Case> {
    rewrite_conditions(case, |condition, _| {
        let (_, base, _) = split_operator(&condition.operator);
        let exact = matches!(
            base,
            "StringEquals"
                | "StringNotEquals"
                | "StringEqualsIgnoreCase"
                | "StringNotEqualsIgnoreCase"
        );
        let escaped = |value: &String| {
            ["${*}", "${?}", "${$}"]
                .iter()
                .any(|escape| value.contains(escape))
        };
        (exact && condition.values.iter().any(escaped)).then(|| ConditionDocument {
            values: condition
                .values
                .iter()
                .map(|value| escapes_as_text(value))
                .collect(),
            ..condition.clone()
        })
    })
}

pub(super) fn escapes_as_text(value: &str) -> String {
    let mut written = String::with_capacity(value.len() + 8);
    let mut rest = value;
    while !rest.is_empty() {
        let escape = ["${*}", "${?}", "${$}"]
            .into_iter()
            .find(|escape| rest.starts_with(escape));
        match escape {
            Some(escape) => {
                written.push_str("${$}");
                written.push_str(escape.get(1..).unwrap_or_default());
                rest = rest.get(escape.len()..).unwrap_or_default();
            }
            None => {
                let mut chars = rest.chars();
                if let Some(next) = chars.next() {
                    written.push(next);
                }
                rest = chars.as_str();
            }
        }
    }
    written
}

/// `ForAnyValue:` with `IfExists` on a key the request lacks becomes a condition that never
/// holds.
pub(super) fn any_if_exists(case: &Case) -> Option<Case> {
    let mut count = 0;
    rewrite_conditions(case, |condition, _| {
        let (prefix, _, suffix) = split_operator(&condition.operator);
        let absent = case.context_value(&condition.key).is_none();
        (prefix == "ForAnyValue" && suffix == "IfExists" && absent).then(|| {
            count += 1;
            never(count)
        })
    })
}

/// `Null` on a key with an empty set of values is pointed at a fresh key that has a value.
pub(super) fn empty_list_present(case: &Case) -> Option<Case> {
    let mut fresh = 0;
    rewrite_conditions(case, |condition, extra_context| {
        let found = case.context_value(&condition.key);
        let empty = matches!(found, Some(KeyValue::Multi(values)) if values.is_empty());
        (condition.operator == "Null" && empty).then(|| {
            fresh += 1;
            let key = format!("emulated:present-{fresh}");
            extra_context.push((key.clone(), KeyValue::Single("present".to_owned())));
            ConditionDocument {
                key,
                ..condition.clone()
            }
        })
    })
}

/// `BinaryEquals` becomes `StringEquals`, with the same prefix and suffix.
pub(super) fn binary_as_text(case: &Case) -> Option<Case> {
    rewrite_conditions(case, |condition, _| {
        let (prefix, base, suffix) = split_operator(&condition.operator);
        (base == "BinaryEquals").then(|| {
            let prefix = if prefix.is_empty() {
                String::new()
            } else {
                format!("{prefix}:")
            };
            ConditionDocument {
                operator: format!("{prefix}StringEquals{suffix}"),
                ..condition.clone()
            }
        })
    })
}

/// An operator without a set prefix on a key the request holds several values for becomes a
/// condition that never holds.
pub(super) fn plain_operator_on_list(case: &Case) -> Option<Case> {
    let mut count = 0;
    rewrite_conditions(case, |condition, _| {
        let (prefix, base, _) = split_operator(&condition.operator);
        let on_list = matches!(case.context_value(&condition.key), Some(KeyValue::Multi(_)));
        (prefix.is_empty() && base != "Null" && on_list).then(|| {
            count += 1;
            never(count)
        })
    })
}

/// A negated string condition with a value holding a variable that the request cannot resolve
/// is false for the oracle whenever its key is present, except that `ForAllValues:` over an
/// empty set stays true. A negated ARN condition is false the same way when the value's parts
/// before the variable match the request's ARN (the oracle compares part by part and stops at
/// the first part that differs), or when the request's value is no ARN at all (which fails
/// every ARN operator for the oracle and for the evaluator under test alike, until the
/// unresolved variable makes the latter read the negated operator as true). A `NotResource`
/// with such a pattern never applies when the same holds for the request's resource.
pub(super) fn unresolved_variables(case: &Case) -> Option<Case> {
    let mut count = 0;
    let conditions = rewrite_conditions(case, |condition, _| {
        let (prefix, base, _) = split_operator(&condition.operator);
        let negated_string = matches!(
            base,
            "StringNotEquals" | "StringNotEqualsIgnoreCase" | "StringNotLike"
        );
        let negated_arn = matches!(base, "ArnNotEquals" | "ArnNotLike");
        let found = case.context_value(&condition.key)?;
        let empty_for_all = prefix == "ForAllValues"
            && matches!(found, KeyValue::Multi(values) if values.is_empty());
        let fails = |value: &String| {
            has_unresolved_variable(value, case)
                && (negated_string
                    || found_values(found)
                        .any(|found| !is_arn(found) || arn_reaches_variable(value, found)))
        };
        let unresolved = (negated_string || negated_arn) && condition.values.iter().any(fails);
        (unresolved && !empty_for_all).then(|| {
            count += 1;
            never(count)
        })
    });
    let with_conditions = conditions.as_ref().unwrap_or(case);
    let resources = rewrite_statements(with_conditions, |statement| {
        let unresolved = statement.resource.patterns.iter().any(|pattern| {
            has_unresolved_variable(pattern, case) && arn_reaches_variable(pattern, &case.resource)
        });
        (statement.resource.negated && unresolved).then(|| StatementDocument {
            resource: Element {
                negated: false,
                patterns: vec![NEVER_RESOURCE.to_owned()],
            },
            ..statement.clone()
        })
    });
    resources.or(conditions)
}

/// Whether `text` has the six parts of an ARN.
fn is_arn(text: &str) -> bool {
    text.starts_with("arn:") && text.splitn(6, ':').count() == 6
}

/// `0.0.0.0/0` and the like become a network no generated address is in.
pub(super) fn ipv4_zero_prefix(case: &Case) -> Option<Case> {
    rewrite_conditions(case, |condition, _| {
        let zero = |value: &String| {
            value.split_once('/').is_some_and(|(address, prefix)| {
                prefix == "0" && address.parse::<Ipv4Addr>().is_ok()
            })
        };
        (family_of(condition) == Some(Family::Ip) && condition.values.iter().any(zero)).then(|| {
            let values = condition
                .values
                .iter()
                .map(|value| {
                    if zero(value) {
                        "192.0.2.255/32".to_owned()
                    } else {
                        value.clone()
                    }
                })
                .collect();
            ConditionDocument {
                values,
                ..condition.clone()
            }
        })
    })
}

/// Policy values the oracle cannot compare with the request's address become values that
/// cannot be read, which fail `IpAddress` and `NotIpAddress` alike: for an IPv6 address every
/// IPv4 value, for an IPv4 address every IPv6 address without prefix length.
pub(super) fn ip_version_mismatch(case: &Case) -> Option<Case> {
    rewrite_conditions(case, |condition, _| {
        let Some(KeyValue::Single(found)) = case.context_value(&condition.key) else {
            return None;
        };
        let found_is_ipv6 = match found.parse::<IpAddr>() {
            Ok(address) => address.is_ipv6(),
            Err(_) => return None,
        };
        let incomparable = |value: &String| match value.split_once('/') {
            Some((address, _)) => found_is_ipv6 && address.parse::<Ipv4Addr>().is_ok(),
            None if found_is_ipv6 => value.parse::<Ipv4Addr>().is_ok(),
            None => value.parse::<Ipv6Addr>().is_ok(),
        };
        let applies =
            family_of(condition) == Some(Family::Ip) && condition.values.iter().any(incomparable);
        applies.then(|| ConditionDocument {
            values: condition
                .values
                .iter()
                .map(|value| {
                    if incomparable(value) {
                        "unreadable".to_owned()
                    } else {
                        value.clone()
                    }
                })
                .collect(),
            ..condition.clone()
        })
    })
}
