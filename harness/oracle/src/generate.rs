//! Proptest strategies for whole cases: organizations of one to four levels with one to three
//! SCPs each, statements over the whole policy language the evaluator supports, and requests
//! drawn from the same vocabularies; for cases over every policy type also identity policies,
//! resource-based policies with principal elements, and callers in two accounts.

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;
use scpcheck_policy::{Effect, PrincipalType, arn_account};

use crate::case::{
    Case, ConditionDocument, Element, KeyValue, Level, Permissions, PolicyDocument, Principal,
    ResourcePolicyDocument, Scp, StatementDocument,
};
use crate::principals::{Account, PRINCIPAL_VALUES, PrincipalDocument, PrincipalValues, steps};
use crate::vector::full_aws_access_document;
use crate::vocabulary::{
    ACTION_PATTERNS, ACTIONS, Family, KEYS, KeyDefinition, KeyKind, RESOURCE_PATTERNS, RESOURCES,
};

/// Which question the cases ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CaseKind {
    /// The SCP layer alone: the caller's identity policy allows everything and the resource is
    /// in its account ([`case`]).
    #[default]
    ScpLayer,
    /// SCPs, identity policies and a resource-based policy together, compared on the overall
    /// decision ([`all_policies_case`]).
    AllPolicies,
}

/// The strategy for cases of `kind`.
pub fn strategy(kind: CaseKind) -> BoxedStrategy<Case> {
    match kind {
        CaseKind::ScpLayer => case().boxed(),
        CaseKind::AllPolicies => all_policies_case().boxed(),
    }
}

/// A whole case about the SCP layer: an organization and a request.
pub fn case() -> impl Strategy<Value = Case> {
    (
        vec(level(), 1..=4),
        principal(),
        select(ACTIONS),
        select(RESOURCES),
        context(),
    )
        .prop_map(|(levels, principal, action, resource, context)| Case {
            levels,
            principal,
            action: action.to_owned(),
            resource: resource.to_owned(),
            context,
            permissions: None,
        })
}

/// A whole case over every policy type: an organization whose levels mostly allow everything,
/// zero to two identity policies (a third of them allowing everything), usually a
/// resource-based policy, and a request by a caller of the member account or of another
/// account.
// A resource is in another account than the caller's when its resource-based policy's owner is,
// or, without such a policy, when its ARN names another account (a cross-account request that
// AWS denies for want of a resource-based policy).
// Limitation: service-linked roles and principals of the management account, which SCPs do not
// restrict, are only generated for cases about the SCP layer.
pub fn all_policies_case() -> impl Strategy<Value = Case> {
    caller()
        .prop_flat_map(|caller| {
            (
                vec(permissive_level(), 1..=3),
                Just(caller),
                select(ACTIONS),
                select(RESOURCES),
                context(),
                permissions(caller),
            )
        })
        .prop_map(
            |(levels, principal, action, resource, context, mut permissions)| {
                // The account a resource's ARN names owns it; only an ARN without one (S3's)
                // leaves the owner to the resource-based policy.
                if let Some(resource_policy) = permissions.resource_policy.as_mut()
                    && let Some(named) = Account::ALL
                        .into_iter()
                        .find(|account| arn_account(resource) == Some(account.id()))
                {
                    resource_policy.owner = named;
                }
                Case {
                    levels,
                    principal,
                    action: action.to_owned(),
                    resource: resource.to_owned(),
                    context,
                    permissions: Some(permissions),
                }
            },
        )
}

/// A level that mostly allows everything, so that the other policy types decide most cases.
fn permissive_level() -> impl Strategy<Value = Level> {
    let policies = prop_oneof![
        8 => Just(vec![Scp::FullAwsAccess]),
        3 => document().prop_map(|document| vec![Scp::FullAwsAccess, Scp::Document(document)]),
        1 => document().prop_map(|document| vec![Scp::Document(document)]),
    ];
    policies.prop_map(|policies| Level { policies })
}

/// Role sessions, users and root users of both accounts, and the member account's role acting
/// as itself.
fn caller() -> impl Strategy<Value = Principal> {
    prop_oneof![
        4 => Just(Principal::ReaderSession(Account::Member)),
        2 => Just(Principal::OpsSession),
        2 => Just(Principal::User(Account::Member)),
        1 => Just(Principal::Root(Account::Member)),
        1 => Just(Principal::Member),
        2 => Just(Principal::ReaderSession(Account::Other)),
        1 => Just(Principal::User(Account::Other)),
        1 => Just(Principal::Root(Account::Other)),
    ]
}

fn permissions(caller: Principal) -> impl Strategy<Value = Permissions> {
    let identity_policy = prop_oneof![
        2 => (version(), vec(statement_leaning(IDENTITY_LEAN), 1..=3)).prop_map(
            |(version, statements)| PolicyDocument {
                version,
                statements,
            }
        ),
        1 => Just(full_aws_access_document()),
    ];
    (
        vec(identity_policy, 0..=2),
        option::weighted(0.75, resource_policy(caller)),
    )
        .prop_map(|(identity, resource_policy)| Permissions {
            identity,
            resource_policy,
        })
}

fn resource_policy(caller: Principal) -> impl Strategy<Value = ResourcePolicyDocument> {
    (
        version(),
        vec(resource_statement(caller), 1..=3),
        select(Account::ALL.to_vec()),
    )
        .prop_map(|(version, statements, owner)| ResourcePolicyDocument {
            document: PolicyDocument {
                version,
                statements,
            },
            owner,
        })
}

/// A statement with a principal element: `Principal` for `Allow`, and `Principal` or
/// `NotPrincipal` for `Deny`.
fn resource_statement(caller: Principal) -> impl Strategy<Value = StatementDocument> {
    statement_leaning(RESOURCE_LEAN)
        .prop_flat_map(move |statement| {
            let principal = principal_element(statement.effect, caller);
            (Just(statement), principal)
        })
        .prop_map(|(statement, principal)| StatementDocument {
            principal: Some(principal),
            ..statement
        })
}

/// `*`, values from the vocabulary, or steps of a caller (mostly the one making the request).
fn principal_element(effect: Effect, caller: Principal) -> BoxedStrategy<PrincipalDocument> {
    let listed = vec(select(PRINCIPAL_VALUES), 1..=3).prop_map(|values| {
        PrincipalValues::Listed(
            dedup(values)
                .into_iter()
                .map(|(kind, text)| (kind, text.to_owned()))
                .collect(),
        )
    });
    let named = prop_oneof![
        1 => Just(PrincipalValues::Everyone),
        3 => listed,
        3 => chain(caller, 0.5),
    ]
    .prop_map(|values| PrincipalDocument {
        negated: false,
        values,
    });
    let not_principal = chain(caller, 0.7).prop_map(|values| PrincipalDocument {
        negated: true,
        values,
    });
    match effect {
        Effect::Allow => named.boxed(),
        Effect::Deny => prop_oneof![2 => named, 1 => not_principal].boxed(),
    }
}

/// Each step of a target caller with probability `listed` (its account by id or by root ARN),
/// sometimes with one value more from the vocabulary; the target is mostly `caller`, so that
/// elements often name the caller, or list every step that exempts it from `NotPrincipal`.
fn chain(caller: Principal, listed: f64) -> impl Strategy<Value = PrincipalValues> {
    let target = prop_oneof![3 => Just(caller), 1 => self::caller()];
    (
        target,
        prop::bool::ANY,
        vec(prop::bool::weighted(listed), 3),
        option::weighted(0.3, select(PRINCIPAL_VALUES)),
    )
        .prop_map(|(target, account_as_arn, listed, extra)| {
            let steps = steps(target, account_as_arn);
            let mut values: Vec<(PrincipalType, String)> = steps
                .iter()
                .zip(listed)
                .filter(|(_, listed)| *listed)
                .map(|(text, _)| (PrincipalType::Aws, (*text).to_owned()))
                .collect();
            if let Some((kind, text)) = extra {
                values.push((kind, text.to_owned()));
            }
            if values.is_empty() {
                let account = steps.first().copied().unwrap_or(target.account());
                values.push((PrincipalType::Aws, account.to_owned()));
            }
            PrincipalValues::Listed(dedup(values))
        })
}

fn level() -> impl Strategy<Value = Level> {
    vec(scp(), 1..=3).prop_map(|policies| Level { policies })
}

fn scp() -> impl Strategy<Value = Scp> {
    prop_oneof![
        1 => Just(Scp::FullAwsAccess),
        2 => document().prop_map(Scp::Document),
    ]
}

/// A generated policy document.
pub fn document() -> impl Strategy<Value = PolicyDocument> {
    (version(), vec(statement(), 1..=3)).prop_map(|(version, statements)| PolicyDocument {
        version,
        statements,
    })
}

fn version() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        18 => Just(Some("2012-10-17".to_owned())),
        1 => Just(Some("2008-10-17".to_owned())),
        1 => Just(None),
    ]
}

/// How the statements of one type of policy lean: the weights of `Deny` and `Allow`, the most
/// conditions a statement has, and one in how many statements has `*` for both action and
/// resource (0 for none).
#[derive(Debug, Clone, Copy)]
struct Lean {
    deny: u32,
    allow: u32,
    conditions: usize,
    one_broad_in: u32,
}

/// SCPs mostly deny, with up to three conditions.
const SCP_LEAN: Lean = Lean {
    deny: 3,
    allow: 2,
    conditions: 3,
    one_broad_in: 0,
};

/// Identity policies mostly allow, with fewer conditions, so that a request is often allowed
/// and the other policy types decide.
const IDENTITY_LEAN: Lean = Lean {
    deny: 1,
    allow: 3,
    conditions: 1,
    one_broad_in: 0,
};

/// Resource-based policies allow and deny alike, with fewer conditions, and a third of their
/// statements apply to every action and resource, so that their principal elements decide.
const RESOURCE_LEAN: Lean = Lean {
    deny: 1,
    allow: 1,
    conditions: 1,
    one_broad_in: 3,
};

fn statement() -> impl Strategy<Value = StatementDocument> {
    statement_leaning(SCP_LEAN)
}

fn statement_leaning(lean: Lean) -> BoxedStrategy<StatementDocument> {
    let effect = prop_oneof![lean.deny => Just(Effect::Deny), lean.allow => Just(Effect::Allow)];
    let statement = (
        effect,
        element(ACTION_PATTERNS),
        element(RESOURCE_PATTERNS),
        vec(condition(), 0..=lean.conditions),
    )
        .prop_map(|(effect, action, resource, conditions)| StatementDocument {
            effect,
            action,
            resource,
            conditions: one_per_operator_and_key(conditions),
            principal: None,
        })
        .boxed();
    if lean.one_broad_in == 0 {
        return statement;
    }
    let everything = || Element {
        negated: false,
        patterns: vec!["*".to_owned()],
    };
    let broad = statement
        .clone()
        .prop_map(move |statement| StatementDocument {
            action: everything(),
            resource: everything(),
            ..statement
        });
    prop_oneof![lean.one_broad_in - 1 => statement, 1 => broad].boxed()
}

/// Keeps the first condition of each operator and key: a policy holds each key once per
/// operator (ignoring letter case), as a JSON object cannot hold it twice.
fn one_per_operator_and_key(conditions: Vec<ConditionDocument>) -> Vec<ConditionDocument> {
    let mut kept: Vec<ConditionDocument> = Vec::with_capacity(conditions.len());
    for condition in conditions {
        let repeated = kept.iter().any(|earlier| {
            earlier.operator == condition.operator
                && earlier.key.eq_ignore_ascii_case(&condition.key)
        });
        if !repeated {
            kept.push(condition);
        }
    }
    kept
}

fn element(patterns: &'static [&'static str]) -> impl Strategy<Value = Element> {
    (prop::bool::weighted(0.15), vec(select(patterns), 1..=2)).prop_map(|(negated, patterns)| {
        Element {
            negated,
            patterns: patterns.into_iter().map(str::to_owned).collect(),
        }
    })
}

/// One condition: a family, an operator of it with its prefix and suffix, a key that usually
/// suits the family, and one to three values.
// Limitation: every policy value is written as a JSON string; JSON booleans and numbers
// (`"Bool": {"aws:SecureTransport": false}`), which both evaluators also accept, are not
// generated, so their reading is not compared.
pub fn condition() -> impl Strategy<Value = ConditionDocument> {
    (select(Family::ALL.to_vec()), prop::bool::weighted(0.75))
        .prop_flat_map(|(family, suitable)| {
            let keys: Vec<&'static KeyDefinition> = KEYS
                .iter()
                .filter(|key| {
                    let strict = suitable || family.keeps_to_its_keys();
                    !strict || family.key_kinds().contains(&key.kind)
                })
                .collect();
            (
                Just(family),
                select(family.operators()),
                select(keys),
                qualifier(family),
                prop::bool::weighted(if family == Family::Null { 0.0 } else { 0.25 }),
                prop::bool::weighted(0.15),
            )
        })
        .prop_flat_map(|(family, base, key, qualifier, if_exists, lowercase)| {
            let operator = format!(
                "{qualifier}{base}{suffix}",
                suffix = if if_exists { "IfExists" } else { "" }
            );
            let name = if lowercase {
                key.name.to_ascii_lowercase()
            } else {
                key.name.to_owned()
            };
            (
                Just(operator),
                Just(name),
                vec(select(policy_values(family, key)), 1..=3),
            )
        })
        .prop_map(|(operator, key, values)| ConditionDocument {
            operator,
            key,
            values: dedup(values).into_iter().map(str::to_owned).collect(),
        })
}

fn qualifier(family: Family) -> BoxedStrategy<&'static str> {
    if family == Family::Null {
        return Just("").boxed();
    }
    prop_oneof![
        6 => Just(""),
        2 => Just("ForAllValues:"),
        2 => Just("ForAnyValue:"),
    ]
    .boxed()
}

/// The family's policy values, and for a key of a suitable kind (or `Null`) the values the
/// request may carry, so that comparisons often succeed.
fn policy_values(family: Family, key: &KeyDefinition) -> Vec<&'static str> {
    let mut values: Vec<&'static str> = family.policy_values().to_vec();
    let suits = family.key_kinds().contains(&key.kind);
    if suits && family != Family::Null {
        values.extend(key.values.iter().copied());
    }
    dedup(values)
}

fn dedup<T: PartialEq>(items: Vec<T>) -> Vec<T> {
    let mut kept = Vec::with_capacity(items.len());
    for item in items {
        if !kept.contains(&item) {
            kept.push(item);
        }
    }
    kept
}

/// Mostly an ordinary role: SCPs do not apply to the other two, so their cases only check that.
fn principal() -> impl Strategy<Value = Principal> {
    prop_oneof![
        38 => Just(Principal::Member),
        1 => Just(Principal::ServiceLinkedRole),
        1 => Just(Principal::Management),
    ]
}

/// Each key of the vocabulary is present with probability 0.6.
fn context() -> impl Strategy<Value = Vec<(String, KeyValue)>> {
    let entries: Vec<BoxedStrategy<Option<(String, KeyValue)>>> = KEYS
        .iter()
        .map(|key| {
            let name = key.name.to_owned();
            option::weighted(0.6, key_value(key))
                .prop_map(move |value| value.map(|value| (name.clone(), value)))
                .boxed()
        })
        .collect();
    entries.prop_map(|entries| entries.into_iter().flatten().collect())
}

fn key_value(key: &'static KeyDefinition) -> BoxedStrategy<KeyValue> {
    if key.kind == KeyKind::List {
        vec(select(key.values), 0..=3)
            .prop_map(|values| {
                KeyValue::Multi(dedup(values).into_iter().map(str::to_owned).collect())
            })
            .boxed()
    } else {
        select(key.values)
            .prop_map(|value| KeyValue::Single(value.to_owned()))
            .boxed()
    }
}

#[cfg(test)]
mod tests {
    use proptest::strategy::ValueTree as _;
    use proptest::test_runner::TestRunner;

    use super::*;
    use crate::case::PolicyCache;

    #[test]
    fn every_generated_case_parses() {
        let mut runner = TestRunner::deterministic();
        let mut cache = PolicyCache::new();
        let strategy = case();
        for _ in 0..2_000 {
            let case = strategy.new_tree(&mut runner).unwrap().current();
            if let Err(errors) = case.organization(&mut cache) {
                panic!("{case:?}: {errors:?}");
            }
        }
    }

    #[test]
    fn every_generated_case_over_every_policy_type_parses() {
        let mut runner = TestRunner::deterministic();
        let mut cache = PolicyCache::new();
        let strategy = all_policies_case();
        let (mut resource_policies, mut not_principals, mut cross_account) = (0, 0, 0);
        for _ in 0..2_000 {
            let case = strategy.new_tree(&mut runner).unwrap().current();
            if let Err(error) = case.evaluate(&mut cache) {
                panic!("{case:?}: {error}");
            }
            let Some(resource) = case.resource_policy() else {
                continue;
            };
            resource_policies += 1;
            cross_account += u32::from(resource.owner.id() != case.principal.account());
            let negated = resource.document.statements.iter().any(|statement| {
                statement
                    .principal
                    .as_ref()
                    .is_some_and(|principal| principal.negated)
            });
            not_principals += u32::from(negated);
        }
        assert!(resource_policies > 1_200, "{resource_policies}");
        assert!(not_principals > 200, "{not_principals}");
        assert!(cross_account > 400, "{cross_account}");
    }

    #[test]
    fn the_same_seed_gives_the_same_cases() {
        let cases = |seed: u64| {
            let mut runner =
                TestRunner::new_with_rng(Default::default(), crate::compare::rng(seed));
            let strategy = case();
            (0..50)
                .map(|_| strategy.new_tree(&mut runner).unwrap().current())
                .collect::<Vec<_>>()
        };
        assert_eq!(cases(5), cases(5));
        assert_ne!(cases(5), cases(6));
    }

    #[test]
    fn conditions_cover_every_family_with_prefixes_and_suffixes() {
        let mut runner = TestRunner::deterministic();
        let strategy = condition();
        let mut families = std::collections::BTreeSet::new();
        let (mut any, mut all, mut if_exists) = (false, false, false);
        for _ in 0..2_000 {
            let condition = strategy.new_tree(&mut runner).unwrap().current();
            let base = condition.operator.rsplit(':').next().unwrap();
            let base = base.strip_suffix("IfExists").unwrap_or(base);
            families.insert(Family::of(base).unwrap());
            any |= condition.operator.starts_with("ForAnyValue:");
            all |= condition.operator.starts_with("ForAllValues:");
            if_exists |= condition.operator.ends_with("IfExists");
        }
        assert_eq!(families.len(), Family::ALL.len());
        assert!(any && all && if_exists);
    }
}
